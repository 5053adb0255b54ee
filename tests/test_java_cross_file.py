"""Values returned by other classes of the project (issue 14): a call on an object whose class is
in another file of the same source tree is summarised in that file (qualified, imported or
same-package names), through every implementation of an interface in its package."""

from redline.pipeline import make_source
from redline.rules import engine
from support_jsgojava import registry


def write(root, rel: str, code: str):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(code)
    return path


def rl101(path) -> list:
    file = make_source(str(path), path.read_bytes())
    return [f for f in engine.scan(file, registry()).findings if f.code == "RL101"]


def project(tmp_path):
    src = tmp_path / "src" / "main" / "java"
    write(src, "com/shop/util/Forms.java",
          "package com.shop.util;\nimport javax.servlet.http.HttpServletRequest;\n"
          "public class Forms {\n  private final HttpServletRequest req;\n  public Forms(HttpServletRequest req) { this.req = req; }\n"
          "  public String field(String n) { return req.getParameter(n); }\n  public String label(String n) { return \"Label\"; }\n"
          "  public static String tidy(String s) { return s.strip(); }\n}\n")
    write(src, "com/shop/util/Shaper.java", "package com.shop.util;\npublic interface Shaper {\n  String shape(String s);\n}\n")
    write(src, "com/shop/util/Upper.java",
          "package com.shop.util;\npublic class Upper implements Shaper {\n  public String shape(String s) { return s.toUpperCase(); }\n}\n")
    write(src, "com/shop/util/Fixed.java",
          "package com.shop.util;\npublic class Fixed implements Shaper {\n  public String shape(String s) { return \"fixed\"; }\n}\n")
    return src


SERVLET = ("package com.shop.web;\nimport javax.servlet.http.*;\nimport com.shop.util.Forms;\n"
           "public class Search extends HttpServlet {{\n"
           "  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws Exception {{\n"
           "{body}\n    st.executeQuery(\"SELECT * FROM items WHERE name = '\" + v + \"'\");\n  }}\n}}\n")


def test_a_getter_of_another_class_that_returns_request_data(tmp_path):
    src = project(tmp_path)
    path = write(src, "com/shop/web/Search.java", SERVLET.format(body="    String v = new Forms(req).field(\"q\");"))
    [f] = rl101(path)
    assert f.confidence.value == "high"
    assert f.related and f.related[0].span.start_line == 5  # points at the call in this file
    assert "field" in f.message


def test_a_getter_of_another_class_that_returns_a_constant(tmp_path):
    src = project(tmp_path)
    path = write(src, "com/shop/web/Search.java", SERVLET.format(body="    Forms forms = new Forms(req);\n    String v = forms.label(\"q\");"))
    assert not rl101(path)


def test_a_static_helper_by_qualified_name_passes_its_argument_through(tmp_path):
    src = project(tmp_path)
    body = "    String v = com.shop.util.Forms.tidy(req.getParameter(\"q\"));"
    assert rl101(write(src, "com/shop/web/Search.java", SERVLET.format(body=body)))
    body = "    String v = com.shop.util.Forms.tidy(\"constant\");"
    assert not rl101(write(src, "com/shop/web/Search.java", SERVLET.format(body=body)))


def test_an_interface_call_goes_through_every_implementation(tmp_path):
    src = project(tmp_path)
    body = "    com.shop.util.Shaper s = pick();\n    String v = s.shape(req.getParameter(\"q\"));"
    [f] = rl101(write(src, "com/shop/web/Search.java", SERVLET.format(body=body)))
    assert f.confidence.value == "high"
    (src / "com/shop/util/Upper.java").write_text(
        "package com.shop.util;\npublic class Upper implements Shaper {\n  public String shape(String s) { return \"UP\"; }\n}\n")
    assert not rl101(write(src, "com/shop/web/Search.java", SERVLET.format(body=body)))


def test_without_a_source_tree_nothing_is_resolved(tmp_path):
    path = write(tmp_path, "Search.java", SERVLET.format(body="    String v = new Forms(req).field(\"q\");").replace("package com.shop.web;\n", ""))
    assert not rl101(path)  # an unknown call result: not reported


def test_the_result_cache_does_not_keep_findings_that_depend_on_other_files(tmp_path, monkeypatch, capsys):
    import json

    from redline import cache, cli

    root = tmp_path / "shop"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "redline.toml").write_text("[engines]\nbandit = false\ndetect-secrets = false\n")
    monkeypatch.chdir(root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "usercache"))
    cache.code_hash.cache_clear()
    src = project(root)
    write(src, "com/shop/web/Search.java", SERVLET.format(body="    String v = new Forms(req).label(\"q\");"))

    def rl101_lines():
        cli.main(["scan", ".", "--jobs", "1", "--format", "json"])
        doc = json.loads(capsys.readouterr().out)
        return [f["start_line"] for f in doc["findings"] if f["code"] == "RL101"]

    assert rl101_lines() == []
    forms = src / "com/shop/util/Forms.java"
    forms.write_text(forms.read_text().replace('return "Label";', "return req.getHeader(n);"))
    assert rl101_lines() == [7]  # the servlet did not change; its helper did
