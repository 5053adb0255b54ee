"""Fully qualified class names are the classes they name (issue 14): java.security.MessageDigest,
javax.crypto.Cipher, java.io.File, java.util.Random, java.lang.Math; algorithm names read with a
constant key from the project's own properties files count as constants."""

import pytest

from support_jsgojava import only


@pytest.mark.parametrize("rule, expr", [
    ("RL301", 'java.security.MessageDigest.getInstance("MD5")'),
    ("RL301", 'org.apache.commons.codec.digest.DigestUtils.sha1Hex("x")'),
    ("RL302", 'javax.crypto.Cipher.getInstance("DES/CBC/PKCS5Padding")'),
    ("RL302", 'javax.crypto.KeyGenerator.getInstance("DESede")'),
    ("RL320", 'javax.net.ssl.SSLContext.getInstance("SSLv3")'),
])
def test_qualified_crypto_calls(rule, expr):
    code = f"class Vault {{\n  Object make() throws Exception {{\n    return {expr};\n  }}\n}}\n"
    assert len(only("Vault.java", code, rule)) == 1
    safe = code.replace('"MD5"', '"SHA-256"').replace('sha1Hex', 'sha256Hex').replace('"DES/CBC/PKCS5Padding"', '"AES/GCM/NoPadding"') \
        .replace('"DESede"', '"AES"').replace('"SSLv3"', '"TLSv1.3"')
    assert not only("Vault.java", safe, rule)


@pytest.mark.parametrize("creation", ["new java.io.File(dir, name)", "new java.io.FileInputStream(dir + name)",
                                      "java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(dir, name))"])
def test_qualified_file_apis(creation):
    code = ("class Store {\n  Object open(javax.servlet.http.HttpServletRequest req) throws Exception {\n"
            "    String dir = \"/srv/data/\";\n    String name = req.getParameter(\"f\");\n"
            f"    return {creation};\n  }}\n}}\n")
    assert only("Store.java", code, "RL104")


def test_qualified_cookie_and_process_builder():
    cookie = ("class C {\n  void f(javax.servlet.http.HttpServletResponse resp, String token) {\n"
              "    javax.servlet.http.Cookie c = new javax.servlet.http.Cookie(\"session\", token);\n    resp.addCookie(c);\n  }\n}\n")
    assert only("C.java", cookie, "RL307")
    pb = ("class P {\n  void f(javax.servlet.http.HttpServletRequest req) throws Exception {\n"
          "    new java.lang.ProcessBuilder(\"sh\", \"-c\", \"ls \" + req.getParameter(\"d\")).start();\n  }\n}\n")
    assert only("P.java", pb, "RL102")


def test_algorithms_from_the_projects_properties_file(tmp_path):
    from redline.engines import treesitter  # noqa: F401  (registers the engine's predicates)
    from support_jsgojava import registry
    from redline.pipeline import make_source
    from redline.rules import engine

    (tmp_path / "src" / "main" / "resources").mkdir(parents=True)
    (tmp_path / "src" / "main" / "resources" / "crypto.properties").write_text(
        "# algorithms\ndigest.legacy=MD5\ndigest.modern = SHA-384\ncipher.old: DES/ECB/PKCS5Padding\n")
    src = tmp_path / "src" / "main" / "java" / "Sign.java"
    src.parent.mkdir(parents=True)

    def findings(key: str, rule: str, call: str) -> list:
        code = ("class Sign {\n  Object f() throws Exception {\n    java.util.Properties p = new java.util.Properties();\n"
                "    p.load(getClass().getClassLoader().getResourceAsStream(\"crypto.properties\"));\n"
                f"    String alg = p.getProperty(\"{key}\", \"SHA-512\");\n    return {call}(alg);\n  }}\n}}\n")
        src.write_text(code)
        file = make_source(str(src), code.encode())
        return [f for f in engine.scan(file, registry()).findings if f.code == rule]

    assert findings("digest.legacy", "RL301", "java.security.MessageDigest.getInstance")
    assert not findings("digest.modern", "RL301", "java.security.MessageDigest.getInstance")
    assert not findings("digest.missing", "RL301", "java.security.MessageDigest.getInstance")  # the default
    assert findings("cipher.old", "RL302", "javax.crypto.Cipher.getInstance")
