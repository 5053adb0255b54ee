"""RL143 for Java: request data stored as a session, servlet-context or request attribute
(CWE-501). An escaper for another context (HTML) leaves the value as untrusted as before; a
validation against an allow-list or a pattern does not."""

import pytest

from support_jsgojava import only

HEAD = "class Prefs extends HttpServlet {\n  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws Exception {\n"


@pytest.mark.parametrize("body", [
    "    req.getSession().setAttribute(\"theme\", req.getParameter(\"theme\"));",
    "    String k = req.getHeader(\"X-Key\");\n    req.getSession().putValue(k, \"on\");",
    "    HttpSession s = req.getSession(true);\n    s.setAttribute(\"name\", org.springframework.web.util.HtmlUtils.htmlEscape(req.getParameter(\"n\")));",
    "    getServletContext().setAttribute(\"banner\", req.getParameter(\"b\"));",
    "    req.setAttribute(\"next\", req.getParameter(\"next\"));",
])
def test_request_data_in_trusted_state(body):
    [f] = only("Prefs.java", HEAD + body + "\n  }\n}\n", "RL143")
    assert f.confidence.value == "high" and f.cwe == (501,)
    assert "user input" in f.message.lower()


@pytest.mark.parametrize("body", [
    "    req.getSession().setAttribute(\"theme\", \"dark\");",
    "    String t = req.getParameter(\"theme\");\n    if (!ALLOWED.contains(t)) return;\n    req.getSession().setAttribute(\"theme\", t);",
    "    String t = req.getParameter(\"theme\");\n    if (t.matches(\"[a-z]{1,12}\")) req.getSession().setAttribute(\"theme\", t);",
    "    req.getSession().setAttribute(\"count\", Integer.parseInt(req.getParameter(\"c\")));",
    "    node.setAttribute(\"title\", req.getParameter(\"t\"));",
])
def test_constant_validated_or_not_a_session(body):
    assert not only("Prefs.java", HEAD + body + "\n  }\n}\n", "RL143")
