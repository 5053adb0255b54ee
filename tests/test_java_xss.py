"""RL105 for Java (issue 14): printf/format on the response writer (the format string is page
content too; a Locale first argument is not), and data that only reaches a response header is
not cross-site scripting."""

import pytest

from support_jsgojava import only

HEAD = ("class Greet extends HttpServlet {\n  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {\n"
        "    String who = req.getParameter(\"who\");\n")


def found(body: str) -> list:
    return only("Greet.java", HEAD + body + "\n  }\n}\n", "RL105")


@pytest.mark.parametrize("body", [
    "    resp.getWriter().printf(who, \"x\");",
    "    resp.getWriter().format(\"<b>%s</b>\", who);",
    "    resp.getWriter().printf(java.util.Locale.ROOT, \"<b>%s</b>\", new Object[] {\"a\", who});",
    "    resp.getWriter().format(java.util.Locale.ROOT, who);",
    "    PrintWriter out = resp.getWriter();\n    out.write(\"<p>\" + who + \"</p>\");",
])
def test_writer_sinks(body):
    assert len(found(body)) == 1


@pytest.mark.parametrize("body", [
    "    resp.setHeader(\"X-Greeting\", who);",
    "    resp.addHeader(\"X-Who\", who);\n    resp.getWriter().println(\"ok\");",
    "    resp.getWriter().printf(java.util.Locale.ROOT, \"<b>%s</b>\", org.owasp.encoder.Encode.forHtml(who));",
    "    resp.getWriter().format(\"<b>%d</b>\", who.length());",
])
def test_not_xss(body):
    assert not found(body)
