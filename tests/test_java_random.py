"""Weak randomness by destination (issue 14): java.util.Random / Math.random whose value ends up
in a cookie, the session or a key is reported whatever the variables are called; a shuffle or a
simulation is not."""

import pytest

from support_jsgojava import only


@pytest.mark.parametrize("make, use", [
    ("long n = new java.util.Random().nextLong();\n    String v = Long.toHexString(n);",
     "resp.addCookie(new javax.servlet.http.Cookie(\"pref\", v));"),
    ("double d = java.lang.Math.random();\n    String v = Double.toString(d).substring(2);",
     "req.getSession().setAttribute(\"slot\", v);"),
    ("byte[] buf = new byte[16];\n    new java.util.Random().nextBytes(buf);\n    String v = java.util.Base64.getEncoder().encodeToString(buf);",
     "resp.addCookie(new Cookie(\"pref\", v));"),
    ("java.util.Random r = new java.util.Random();\n    byte[] raw = new byte[16];\n    r.nextBytes(raw);\n    Object v = raw;",
     "javax.crypto.spec.SecretKeySpec k = new javax.crypto.spec.SecretKeySpec(raw, \"AES\");"),
])
def test_random_values_that_reach_a_cookie_the_session_or_a_key(make, use):
    code = ("class Prefs {\n  void save(HttpServletRequest req, HttpServletResponse resp) {\n"
            f"    {make}\n    {use}\n  }}\n}}\n")
    [f] = only("Prefs.java", code, "RL304")
    assert f.confidence.value == "high"
    secure = code.replace("new java.util.Random()", "new java.security.SecureRandom()").replace(
        "java.lang.Math.random()", "new java.security.SecureRandom().nextDouble()")
    assert not only("Prefs.java", secure, "RL304")


def test_random_values_used_elsewhere_are_not_reported():
    code = ("class Dice {\n  void roll(HttpServletResponse resp) throws Exception {\n"
            "    int face = new java.util.Random().nextInt(6) + 1;\n    resp.getWriter().println(\"You rolled \" + face);\n"
            "    resp.addCookie(new Cookie(\"theme\", \"dark\"));\n  }\n}\n")
    assert not only("Dice.java", code, "RL304")
