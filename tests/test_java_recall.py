"""Java recall classes (issue 19 targets): commands built from values of unknown origin, whole
command arrays from a caller, unauthenticated CBC, and a java.util.Random whose draws become a
nonce or a cookie. Each class with the near misses that must stay quiet."""

from __future__ import annotations

import pytest

from redline.findings import Confidence
from redline.pipeline import analyze_text


def hits(code: str, rule: str):
    return [(f.span.start_line + 1, f.confidence) for f in analyze_text("Sample.java", code).findings if f.code == rule]


# ---------------------------------------------------------------------- RL102 commands

def test_a_command_line_built_from_fields_is_a_low_hint():
    code = ("class Backup {\n  private String target;\n  private String host;\n"
            "  void push() throws IOException {\n    Runtime.getRuntime().exec(\"rsync -a /srv \" + host + \":\" + target);\n  }\n}\n")
    assert hits(code, "RL102") == [(5, Confidence.LOW)]


def test_a_shell_script_built_from_a_field_is_a_low_hint():
    code = ("class Notify {\n  private String msg;\n"
            "  void send() throws IOException { new ProcessBuilder(\"sh\", \"-c\", \"logger \" + msg).start(); }\n}\n")
    assert hits(code, "RL102") == [(3, Confidence.LOW)]


def test_a_public_method_handing_its_array_to_exec_is_a_low_hint():
    code = "class Exec {\n  public Process run(String[] command) throws IOException {\n    return Runtime.getRuntime().exec(command);\n  }\n}\n"
    assert hits(code, "RL102") == [(3, Confidence.LOW)]


@pytest.mark.parametrize("code", [
    # an opaque field: no construction in sight
    "class T {\n  private String cmd;\n  void go() throws IOException { Runtime.getRuntime().exec(cmd); }\n}\n",
    # a fixed program with a variable argument, no shell
    "class T {\n  private String path;\n  void go() throws IOException { Runtime.getRuntime().exec(new String[]{\"chmod\", \"600\", path}); }\n}\n",
    # constants, folded
    "class T {\n  static final String BIN = \"/usr/bin/uptime\";\n  void go() throws IOException { Runtime.getRuntime().exec(BIN + \" -p\"); }\n}\n",
    # a program chosen from a field, arguments separate: no re-splitting
    "class T {\n  private String tool;\n  void go() throws IOException { new ProcessBuilder(tool, \"--version\").start(); }\n}\n",
])
def test_no_construction_or_no_shell_stays_quiet(code):
    assert hits(code, "RL102") == []


# ---------------------------------------------------------------------- RL302 CBC


def test_cbc_with_padding_is_a_low_hint_and_gcm_is_not():
    code = ("class C {\n  Cipher a() throws Exception { return Cipher.getInstance(\"AES/CBC/PKCS5Padding\"); }\n"
            "  Cipher b() throws Exception { return Cipher.getInstance(\"AES/GCM/NoPadding\"); }\n"
            "  Cipher c() throws Exception { return Cipher.getInstance(\"AES/CTR/NoPadding\"); }\n}\n")
    assert hits(code, "RL302") == [(2, Confidence.LOW)]


# ---------------------------------------------------------------------- RL304 weak randomness by its draws


def test_a_local_generator_drawn_for_a_nonce_is_reported_at_its_creation():
    code = ("class Setup {\n  void configure(Api api) {\n    Random random = new Random();\n"
            "    String nonce = Long.toString(random.nextLong());\n    api.header(\"X-Nonce\", nonce);\n  }\n}\n")
    found = [f for f in analyze_text("Sample.java", code).findings if f.code == "RL304"]
    assert [(f.span.start_line + 1, f.confidence) for f in found] == [(3, Confidence.MEDIUM)]
    assert found[0].related and found[0].related[0].span.start_line + 1 == 4


@pytest.mark.parametrize("code", [
    # simulation draws
    "class Walk {\n  private final Random rng = new Random(7);\n  double step() { return rng.nextGaussian(); }\n}\n",
    # a same-named local in another method draws the nonce: this generator does not
    "class Two {\n  void a(List<String> xs) {\n    Random random = new Random();\n    Collections.shuffle(xs, random);\n  }\n"
    "  void b() {\n    SecureRandom random = new SecureRandom();\n    String nonce = Long.toString(random.nextLong());\n  }\n}\n",
])
def test_draws_for_other_purposes_stay_quiet(code):
    assert hits(code, "RL304") == []


# ---------------------------------------------------------------------- unclosed methods (editing, fragments)


@pytest.mark.parametrize("code,line", [
    # the whole buffer is one method whose closing braces are not typed yet
    ("  public String run(String cmd) {\n    try {\n      Process p = Runtime.getRuntime().exec(cmd);\n", 3),
    # a complete field, then an unclosed method: the ERROR is one of the file's top nodes
    ("  private static final Logger LOG = Logger.getLogger(\"x\");\n\n  public void query(Statement st, String name) throws SQLException {\n"
     "    ResultSet rs = st.executeQuery(\"SELECT * FROM users WHERE name = '\" + name + \"'\");\n    while (rs.next()) {\n", 4),
])
def test_parameters_of_an_unclosed_method_are_still_parameters(code, line):
    found = [(f.code, f.span.start_line + 1) for f in analyze_text("Sample.java", code).findings if f.code in ("RL101", "RL102")]
    assert len(found) == 1 and found[0][1] == line, found


def test_an_unclosed_method_with_constants_only_stays_quiet():
    code = "  public void go(String unused) {\n    String cmd = \"uptime\";\n    Runtime.getRuntime().exec(cmd);\n"
    assert hits(code, "RL102") == []


def test_a_long_concatenation_after_a_fixed_program_is_followed_to_its_start():
    code = ("class Signer {\n  private Session session;\n  void sign() throws IOException {\n"
            "    String line = \"java -jar signer.jar -c \" + session.folder() + \"/\" + session.name() + \".cod\" + \" -q\" + \" -v\";\n"
            "    Runtime.getRuntime().exec(line);\n  }\n}\n")
    assert hits(code, "RL102") == [(5, Confidence.LOW)]


# ---------------------------------------------------------------------- RL106 sockets


def test_a_socket_to_a_host_from_the_request_is_ssrf():
    code = ("class Ping extends HttpServlet {\n  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {\n"
            "    String host = request.getParameter(\"host\");\n    try (Socket s = new Socket(host, 443)) {\n      response.getWriter().print(\"up\");\n    }\n  }\n}\n")
    assert hits(code, "RL106") == [(4, Confidence.HIGH)]


@pytest.mark.parametrize("code", [
    # a server binding a port: no host from anyone
    "class S {\n  void start(int port) throws IOException { new ServerSocket().bind(new InetSocketAddress(\"0.0.0.0\", port)); }\n}\n",
    # a client whose host is configuration
    "class C {\n  private String host;\n  Socket open() throws IOException { return new Socket(host, 25); }\n}\n",
    # a command-line tool connecting where its user says
    "class Tool {\n  public static void main(String[] args) throws IOException {\n    new Socket(args[0], Integer.parseInt(args[1])).close();\n  }\n}\n",
])
def test_sockets_without_request_data_are_not_ssrf(code):
    assert hits(code, "RL106") == []
