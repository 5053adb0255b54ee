"""RL102 for Java (issue 14): a command whose shell and flag are chosen per OS in branches, a list
built with add(), a command array assigned in each branch, the environment given to
Runtime.exec; a command of unknown origin (a helper's result) is not reported."""

import pytest

from support_jsgojava import only

HEAD = ("class Ping extends HttpServlet {\n  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws Exception {\n"
        "    String host = req.getParameter(\"host\");\n")


def found(body: str) -> list:
    return only("Ping.java", HEAD + body + "\n  }\n}\n", "RL102")


@pytest.mark.parametrize("body", [
    # shell and flag per OS, the script added after the branches
    "    java.util.List<String> cmd = new java.util.ArrayList<>();\n"
    "    if (System.getProperty(\"os.name\").startsWith(\"Win\")) { cmd.add(\"cmd.exe\"); cmd.add(\"/c\"); }\n"
    "    else { cmd.add(\"/bin/sh\"); cmd.add(\"-c\"); }\n    cmd.add(\"ping -c 1 \" + host);\n"
    "    new ProcessBuilder(cmd).start();",
    # a command array assigned in each branch, through variables
    "    String sh = \"\";\n    String flag = \"\";\n    String[] argv = null;\n"
    "    if (windows) { sh = \"cmd.exe\"; flag = \"/c\"; argv = new String[] {sh, flag, \"ping \" + host}; }\n"
    "    else { sh = \"bash\"; flag = \"-c\"; argv = new String[] {sh, flag, \"ping -c 1 \" + host}; }\n"
    "    Runtime.getRuntime().exec(argv);",
    # the environment of the child process
    "    String[] env = {\"TARGET=\" + host};\n    Runtime.getRuntime().exec(new String[] {\"/usr/bin/ping-target\"}, env);",
])
def test_tainted_commands(body):
    [f] = found(body)
    assert f.confidence.value == "high"


@pytest.mark.parametrize("body", [
    "    String tool = Tools.lookup(\"ping\");\n    Runtime.getRuntime().exec(tool + \" -c 1 example.org\");",
    "    java.util.List<String> cmd = new java.util.ArrayList<>();\n    cmd.add(\"ping\");\n    cmd.add(\"-c\");\n    cmd.add(\"1\");\n"
    "    cmd.add(host);\n    new ProcessBuilder(cmd).start();",  # an argument, not a script: no shell
    "    String[] env = {\"LANG=C\"};\n    Runtime.getRuntime().exec(new String[] {\"ping\", \"-c\", \"1\", \"example.org\"}, env);",
])
def test_not_command_injection(body):
    assert not found(body)
