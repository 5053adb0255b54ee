"""Local taint for Java: servlet request getters, Spring/JAX-RS annotated parameters and
main(String[] args) -> high confidence; plain parameters -> lower; constants and parsed
numbers -> nothing."""

import pytest

from support_jsgojava import only


def one(code, rule):
    found = only("A.java", code, rule)
    assert len(found) == 1, [f.message for f in found]
    return found[0]


@pytest.mark.parametrize("annotation", ["@RequestParam", "@PathVariable(\"id\")", "@QueryParam(\"id\")", "@RequestHeader(\"X-Id\")"])
def test_annotated_parameters_are_sources(annotation):
    code = f"class C {{\n  List<Map<String, Object>> f({annotation} String id) {{\n    return jdbc.queryForList(\"SELECT * FROM t WHERE id = \" + id);\n  }}\n}}\n"
    f = one(code, "RL101")
    assert f.confidence.value == "high"
    assert f.related and f.related[0].span.start_line == 1


def test_servlet_request_getter_is_a_source():
    code = ("class S extends HttpServlet {\n  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws Exception {\n"
            "    String q = req.getParameter(\"q\");\n    stmt.executeQuery(\"SELECT * FROM t WHERE a = '\" + q + \"'\");\n  }\n}\n")
    f = one(code, "RL101")
    assert f.confidence.value == "high" and "getParameter" in f.message


def test_plain_parameter_is_medium_and_parsed_number_is_safe():
    medium = "class A {\n  void f(Statement st, String id) throws Exception { st.executeQuery(\"SELECT * FROM t WHERE id = \" + id); }\n}\n"
    safe = "class A {\n  void f(Statement st, String id) throws Exception { st.executeQuery(\"SELECT * FROM t WHERE id = \" + Long.parseLong(id)); }\n}\n"
    assert one(medium, "RL101").confidence.value == "medium"
    assert not only("A.java", safe, "RL101")


def test_string_builder_appends_are_followed():
    code = ("class A {\n  void f(HttpServletRequest request, Statement st) throws Exception {\n    StringBuilder sb = new StringBuilder(\"SELECT * FROM t WHERE name = '\");\n"
            "    sb.append(request.getParameter(\"n\")).append(\"'\");\n    st.executeQuery(sb.toString());\n  }\n}\n")
    assert one(code, "RL101").confidence.value == "high"


def test_string_format_is_followed():
    code = "class A {\n  void f(@RequestParam String u, DirContext ctx) throws Exception {\n    ctx.search(\"ou=people\", String.format(\"(uid=%s)\", u), controls);\n  }\n}\n"
    assert one(code, "RL110").confidence.value == "high"


def test_main_args_are_a_source():
    code = "class Tool {\n  public static void main(String[] args) throws Exception {\n    Runtime.getRuntime().exec(\"ls \" + args[0]);\n  }\n}\n"
    assert one(code, "RL102").confidence.value == "high"


def test_canonical_path_check_clears_path_traversal():
    code = ("class A {\n  File f(@RequestParam String name) throws IOException {\n    File file = new File(BASE, name);\n"
            "    if (!file.getCanonicalPath().startsWith(BASE.getCanonicalPath() + File.separator)) throw new SecurityException();\n"
            "    return file;\n  }\n}\n")
    assert not only("A.java", code, "RL104")


def test_redirect_to_relative_path_is_fine_but_user_url_is_not():
    fine = "@Controller\nclass C {\n  @GetMapping(\"/x\")\n  String x(@RequestParam String id) { return \"redirect:/items/\" + id; }\n}\n"
    bad = "class S {\n  void f(HttpServletRequest request, HttpServletResponse response) throws IOException { response.sendRedirect(request.getParameter(\"to\")); }\n}\n"
    assert not only("A.java", fine, "RL111")
    assert one(bad, "RL111").confidence.value == "high"


def test_random_field_is_judged_by_the_methods_that_use_it():
    code = "class Util {\n  private static final Random R = new Random();\n  static String sessionId() { return Long.toString(R.nextLong()); }\n}\n"
    assert one(code, "RL304").confidence.value == "medium"


def test_object_input_stream_from_the_request_is_high():
    code = ("class S {\n  void f(HttpServletRequest request) throws Exception {\n    ObjectInputStream in = new ObjectInputStream(request.getInputStream());\n"
            "    in.readObject();\n  }\n}\n")
    f = one(code, "RL107")
    assert f.confidence.value == "high" and f.related


def test_aes_without_mode_is_ecb():
    f = one("class A {\n  Cipher c() throws Exception { return Cipher.getInstance(\"AES\"); }\n}\n", "RL302")
    assert "ECB" in f.message


def test_prefix_check_against_a_constant_on_the_raw_name_is_not_a_base_check():
    # "bin/../../etc/x" starts with "bin": only a check on the resolved path (or against the
    # base folder itself) keeps the file inside.
    code = ("class U {\n  void f(JarFile jar, Path dir) throws IOException {\n    for (JarEntry e : Collections.list(jar.entries())) {\n"
            "      if (e.getName().startsWith(\"bin\")) {\n        Files.copy(jar.getInputStream(e), dir.resolve(e.getName()));\n      }\n    }\n  }\n}\n")
    assert one(code, "RL104").confidence.value == "high"
