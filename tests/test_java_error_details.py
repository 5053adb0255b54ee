"""RL144 for Java (CWE-209): a stack trace or exception message written into the HTTP response;
RL306 (debug mode) no longer reports printStackTrace(response.getWriter())."""

import pytest

from support_jsgojava import codes, only

HEAD = "class S extends HttpServlet {\n  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {\n"


@pytest.mark.parametrize("handler", [
    "e.printStackTrace(resp.getWriter());",
    "PrintWriter out = resp.getWriter();\n      e.printStackTrace(out);",
    "resp.getWriter().println(\"failed: \" + e.getMessage());",
    "resp.sendError(500, e.toString());",
])
def test_exception_details_in_the_response(handler):
    code = HEAD + f"    try {{ load(); }} catch (Exception e) {{\n      {handler}\n    }}\n  }}\n}}\n"
    assert len(only("S.java", code, "RL144")) == 1
    assert "RL306" not in codes("S.java", code)


@pytest.mark.parametrize("handler", [
    "e.printStackTrace();",
    "log.warn(\"load failed\", e);\n      resp.sendError(500, \"Something went wrong\");",
    "resp.getWriter().println(\"failed: \" + req.getParameter(\"id\").length());",
])
def test_logged_or_generic_errors(handler):
    code = HEAD + f"    try {{ load(); }} catch (Exception e) {{\n      {handler}\n    }}\n  }}\n}}\n"
    assert not only("S.java", code, "RL144")
