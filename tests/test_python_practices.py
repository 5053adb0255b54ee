"""The rules of python_practices.toml beyond their examples: credentials in authentication code
(RL206-RL208) and how they share the work with the secrets engine's RL204, `is` with literals
(RL321), removed standard-library functions (RL322), and their quick fixes (applied, re-parsed
and re-scanned)."""

from __future__ import annotations

import pytest

from redline import languages as langs
from redline.config import Config
from redline.findings import Confidence, Fix
from redline.pipeline import analyze_text
from redline.rules.predicates import python_practices as pp
from redline.secrets.redact import contains_secret

FAST = Config(engines=(("bandit", False), ("dependencies", False), ("registry", False), ("detect-secrets", False)))
NEW = ("RL206", "RL207", "RL208", "RL321", "RL322", "RL323", "RL324", "RL325", "RL326")


def scan(code: str, path: str = "app.py", config: Config = FAST):
    a = analyze_text(path, code, config)
    assert not a.errors, a.errors
    return a.findings


def codes(code: str, path: str = "app.py") -> list[str]:
    return [f.code for f in scan(code, path) if f.code in NEW]


def one(code: str, rule: str, path: str = "app.py"):
    found = [f for f in scan(code, path) if f.code == rule]
    assert len(found) == 1, (rule, [(f.code, f.message) for f in scan(code, path)])
    return found[0]


def apply_fix(code: str, fix: Fix) -> str:
    data = code.encode("utf-8")
    for edit in sorted(fix.edits, key=lambda e: e.span.start_byte, reverse=True):
        data = data[: edit.span.start_byte] + edit.new_text.encode("utf-8") + data[edit.span.end_byte :]
    return data.decode("utf-8")


def parses(code: str) -> bool:
    import tree_sitter as ts

    tree = ts.Parser(langs.grammar("python")).parse(code.encode())
    return not tree.root_node.has_error


# ---------------------------------------------------------------- names and values


@pytest.mark.parametrize("name", ["password", "PASSWORD", "db_password", "adminPassword", "pwd", "passwd",
                                  "old_password", "password_confirm", "DB_PASS", "user_pw"])
def test_password_names(name):
    assert pp.password_name(name)


@pytest.mark.parametrize("name", ["password_hash", "password_field", "remember_password", "forgot_password",
                                  "password_type", "min_password_length", "bypass", "compass", "passenger",
                                  "password_reset", "is_password", "show_password", "username"])
def test_names_about_a_password_are_not_password_names(name):
    assert not pp.password_name(name)


@pytest.mark.parametrize("value", ["admin", "password", "changeme", "root", "s3cret!"])
def test_literal_passwords(value):
    assert pp.literal_password(value)


@pytest.mark.parametrize("value", ["", "-", "*", "********", "on", "None", "true", "bcrypt", "/etc/passwd",
                                  "${DB_PASSWORD}", "{password}", "Enter your password", "xxxxxxxx"])
def test_modes_masks_paths_templates_and_prose_are_not_passwords(value):
    assert not pp.literal_password(value)


# ---------------------------------------------------------------- RL206 and the secrets engine


@pytest.mark.parametrize(
    "line",
    [
        "    return password == 'admin'",
        "    return 'admin' == password",
        "    return password != 'toor'",
        "    return password.strip() == 'root'",
        "    return request.form.get('password') == 'guest'",
        "    return request.POST['pwd'] in ['admin', 'root']",
        "    return self.admin_password == 'changeme'",
    ],
)
def test_password_compared_with_a_literal_is_reported(line):
    code = f"def check(request, password, self=None):\n{line}\n"
    f = one(code, "RL206")
    assert f.severity.name == "ERROR" and f.cwe == (259, 798)
    assert "check_password" in f.message


@pytest.mark.parametrize(
    "line",
    [
        "    return password == confirm",
        "    return password == ''",
        "    return password == '-'",
        "    return password == '********'",
        "    return password_type == 'bcrypt'",
        "    return request.form['remember_password'] == 'on'",
        "    return password == f'{user}-pw'",
        "    return username == 'admin'",
        "    return password is None",
    ],
)
def test_comparisons_that_are_not_hardcoded_passwords(line):
    code = f"def check(request, password, confirm, password_type, user, username):\n{line}\n"
    assert "RL206" not in codes(code)


def test_a_real_looking_password_is_left_to_rl204_and_reported_once():
    value = "Xk8" + "#pq2Lm"
    code = f"def check(password):\n    return password == '{value}'\n"
    found = [f.code for f in scan(code, config=Config(engines=(("bandit", False), ("detect-secrets", False))))]
    assert "RL204" in found and "RL206" not in found
    assert pp.reported_by_secrets(value)
    assert not pp.reported_by_secrets("admin")


def test_placeholders_rl204_skips_are_reported_by_rl206_with_the_value_redacted():
    full = Config(engines=(("bandit", False), ("detect-secrets", False)))
    found = scan("def check(password):\n    return password == 'changeme'\n", config=full)
    assert [f.code for f in found if f.code in ("RL204", "RL206")] == ["RL206"]
    assert not contains_secret(found[0].message, "changeme", window=4)
    assert "'changeme'" not in found[0].message


def test_test_files_are_not_reported():
    code = "def check(password):\n    return password == 'admin'\n"
    assert codes(code, "tests/test_auth.py") == []
    assert codes(code, "auth.py") == ["RL206"]


# ---------------------------------------------------------------- RL207 empty database password


def test_empty_password_of_a_connection_points_at_the_value_and_fixes_from_the_environment():
    code = "import pymysql\n\ndef db():\n    return pymysql.connect(host='db', user='app', password='')\n"
    f = one(code, "RL207")
    assert code[f.span.start_byte : f.span.end_byte] == "''"
    assert "password= to connect()" in f.message
    fixed = apply_fix(code, f.fixes[0])
    assert "password=os.environ[\"DB_PASSWORD\"]" in fixed and "import os" in fixed
    assert parses(fixed) and "RL207" not in codes(fixed)


def test_empty_password_needs_a_connection():
    assert codes("def f(form):\n    form.update(password='')\n") == []
    assert codes("import redis\nr = redis.Redis(host='cache', password='')\n") == ["RL207"]
    assert codes("import ftplib\nftp = ftplib.FTP('host')\nftp.login(user='anonymous', passwd='')\n") == ["RL207"]
    assert codes("def f(password=''):\n    pass\n") == []


def test_empty_password_in_a_connection_dictionary():
    assert codes("CONFIG = {'user': 'root', 'password': '', 'host': 'localhost', 'database': 'app'}\n") == ["RL207"]
    assert codes("DATA = {'username': '', 'password': ''}\n") == []


@pytest.mark.parametrize("url,reported", [
    ("postgresql://user:@db.example.com/app", True),
    ("mysql+pymysql://root:@localhost/app", True),
    ("redis://:@cache:6379/0", False),  # no user: a different form, not reported
    ("https://user:@example.com/", False),  # not a database
    ("postgresql://user@db.example.com/app", False),
])
def test_empty_password_in_a_database_url(url, reported):
    assert codes(f"URI = '{url}'\n") == (["RL207"] if reported else [])
    assert codes(f"import sqlalchemy\nengine = sqlalchemy.create_engine('{url}')\n") == (["RL207"] if reported else [])
    assert codes(f'def f():\n    """Connect to {url}"""\n') == []  # prose in a docstring


# ---------------------------------------------------------------- RL208 default password


@pytest.mark.parametrize("code", [
    "import psycopg2\nconn = psycopg2.connect(user='root', password='root')\n",
    "def login(user='admin', password='admin'):\n    pass\n",
    "def login(user: str = 'admin', password: str = '123456'):\n    pass\n",
    "settings = {'PASSWORD': 'root'}\n",
    "class Config:\n    DB_PASSWORD = 'changeme'\n",
    "def set(cfg):\n    cfg['password'] = 'Admin'\n",
])
def test_default_passwords_are_reported(code):
    assert codes(code) == ["RL208"]


@pytest.mark.parametrize("code", [
    "PASSWORD = 'password'\n",
    "FIELDS = {'password': 'password'}\n",
    "def f(password='hunter'):\n    pass\n",
    "label = {'password_label': 'admin'}\n",
    "conn = connect(user='admin', password=os.environ['PW'])\n",
])
def test_other_values_and_field_names_are_not_default_passwords(code):
    assert codes(code) == []


def test_default_password_message_names_the_value_and_the_fix_keeps_parameter_defaults():
    f = one("def login(user='root', pwd='toor'):\n    pass\n", "RL208")
    assert "'toor'" in f.message and "default of parameter pwd" in f.message
    assert not f.fixes  # os.environ in a default would be read once, at import
    g = one("class Config:\n    DB_PASSWORD = 'changeme'\n", "RL208")
    fixed = apply_fix("class Config:\n    DB_PASSWORD = 'changeme'\n", g.fixes[0])
    assert 'DB_PASSWORD = os.environ["DB_PASSWORD"]' in fixed and parses(fixed)


# ---------------------------------------------------------------- RL321 is with a literal


@pytest.mark.parametrize("expr,eq", [
    ("x is 'a'", "x == 'a'"),
    ("x is not 300", "x != 300"),
    ("x is b'raw'", "x == b'raw'"),
    ("1.5 is x", "1.5 == x"),
    ("x is []", "x == []"),
    ("x is {}", "x == {}"),
    ("x is not -1", "x != -1"),
])
def test_is_with_a_literal_is_reported_and_fixed(expr, eq):
    code = f"def f(x):\n    return {expr}\n"
    f = one(code, "RL321")
    assert f.confidence is Confidence.HIGH
    fixed = apply_fix(code, f.fixes[0])
    assert fixed == f"def f(x):\n    return {eq}\n" and parses(fixed)
    assert "RL321" not in codes(fixed)


@pytest.mark.parametrize("expr", ["x is None", "x is not True", "x is False", "x is ...", "x is y",
                                  "x is f'{y}'", "x == 'a'", "type(x) is int", "a is b is c"])
def test_identity_of_objects_and_singletons_is_not_reported(expr):
    assert codes(f"def f(x, y, a, b, c):\n    return {expr}\n") == []


# ---------------------------------------------------------------- RL322 removed functions


@pytest.mark.parametrize("code,name", [
    ("import time\nt = time.clock()\n", "time.clock"),
    ("import time as t\nx = t.clock()\n", "time.clock"),
    ("from time import clock\nx = clock()\n", "time.clock"),
    ("import platform\nd = platform.linux_distribution()\n", "platform.linux_distribution"),
    ("import inspect\ndef f(fn):\n    return inspect.getargspec(fn)\n", "inspect.getargspec"),
    ("import ssl\ndef f(cert, host):\n    ssl.match_hostname(cert, host)\n", "ssl.match_hostname"),
    ("import os\nw = os.getcwdu()\n", "os.getcwdu"),
])
def test_removed_functions_are_reported(code, name):
    f = one(code, "RL322")
    assert f.message.startswith(f"{name}() was removed in Python")


@pytest.mark.parametrize("code", [
    "def clock():\n    return 0\nx = clock()\n",
    "import re\nx = re.escape(s)\n",
    "import html\nx = html.escape(s)\n",
    "import importlib\nimportlib.reload(mod)\n",
    "import time\ntry:\n    t = time.clock()\nexcept AttributeError:\n    t = time.perf_counter()\n",
    "import sys, time\nif sys.version_info < (3, 3):\n    t = time.clock()\n",
    "import time\nt = time.clock() if hasattr(time, 'clock') else time.perf_counter()\n",
    "class T:\n    def clock(self):\n        return 1\nt = T().clock()\n",
])
def test_current_functions_local_names_and_compat_code_are_not_reported(code):
    assert codes(code) == []


def test_renamed_functions_are_fixed_by_renaming():
    code = "import base64\n\ndef enc(b):\n    return base64.encodestring(b)\n"
    f = one(code, "RL322")
    fixed = apply_fix(code, f.fixes[0])
    assert "base64.encodebytes(b)" in fixed and f.fixes[0].safe
    assert codes(fixed) == [] and parses(fixed)
    # No mechanical rename for a different function (cgi.escape -> html.escape changes quoting).
    assert not one("import cgi\nx = cgi.escape(s)\n", "RL322").fixes


def test_a_module_removed_as_a_whole_says_the_import_fails():
    f = one("import imp\nm = imp.load_source('m', 'm.py')\n", "RL322")
    assert "ModuleNotFoundError" in f.message
    g = one("from base64 import decodestring\nx = decodestring(b'')\n", "RL322")
    assert "ImportError" in g.message


# ---------------------------------------------------------------- RL323 urlopen of any scheme


@pytest.mark.parametrize("body", [
    "    return urllib.request.urlopen(url).read()",
    "    return urllib.request.urlopen(url=url).read()",
    "    u = url.strip()\n    return urllib.request.urlopen(u).read()",
    "    return urllib.request.urlopen(urllib.request.Request(url)).read()",
    "    return urllib.request.urlopen('file://' + url).read()",
    "    return urllib.request.urlretrieve(PREFIX + url)",
])
def test_urlopen_of_a_url_of_any_scheme_is_reported(body):
    code = f"import urllib.request\nPREFIX = get_prefix()\n\ndef fetch(url):\n{body}\n"
    f = one(code, "RL323")
    assert "file:///etc/passwd" in f.message and "urlsplit" in f.message


@pytest.mark.parametrize("body", [
    "    return urllib.request.urlopen('https://example.com/' + url).read()",
    "    return urllib.request.urlopen(f'{BASE}/{url}').read()",
    "    return urllib.request.urlopen(BASE + '/x').read()",
    "    full = BASE + url\n    return urllib.request.urlopen(full).read()",
    "    return urllib.request.urlopen(urllib.request.Request(BASE + url, data=b'')).read()",
    "    if not url.startswith(('http://', 'https://')):\n        raise ValueError(url)\n    return urllib.request.urlopen(url).read()",
    "    if urlparse(url).scheme != 'https':\n        raise ValueError(url)\n    return urllib.request.urlopen(url).read()",
    "    return urllib.request.urlopen('file:///etc/app.conf').read()",
    "    return requests.get(url).text",
    "    return opener.urlopen(url)",
])
def test_fixed_http_prefixes_checked_schemes_and_other_clients_are_not_reported(body):
    code = f"import urllib.request, requests\nfrom urllib.parse import urlparse\nBASE = 'https://api.example.com'\n\ndef fetch(url, opener):\n{body}\n"
    assert "RL323" not in codes(code)


# ---------------------------------------------------------------- RL324 unmatchable anchors


@pytest.mark.parametrize("pattern,anchor", [
    (r"/^0\.\d+$/", "^"),
    (r"a^b", "^"),
    (r"foo\n^bar", "^"),
    (r"[a-z]^", "^"),
    (r"a$b", "$"),
    (r"^\w+$ ", "$"),
])
def test_unmatchable_anchors(pattern, anchor):
    assert pp.unmatchable_anchor(pattern) == anchor


@pytest.mark.parametrize("pattern", [
    r"^abc$", r"a|^b", r"(^a)", r"(?:x|^a)", r"(?P<n>^a)", r"x?^a", r"x*^a", r"x{0,2}^a", r"\A^a",
    r"\^a", r"a\$b", r"[\^$]b", r"abc$\n", r"ab$\s*", r"(?m)a^b", r"(?x) a ^ b", r"a$b?", r"(?#note)^a",
])
def test_anchors_that_can_match(pattern):
    assert pp.unmatchable_anchor(pattern) is None


def test_unmatchable_pattern_is_reported_at_the_literal_also_through_a_variable():
    code = "import re\nNUMBER = r'/^\\d+$/'\n\ndef check(s):\n    return re.match(NUMBER, s)\n"
    f = one(code, "RL324")
    assert code[f.span.start_byte : f.span.end_byte] == "r'/^\\d+$/'"
    assert "re.match()" in f.message and "MULTILINE" in f.message


@pytest.mark.parametrize("call", [
    "re.match(r'a^b', s, re.M)",
    "re.search(r'a^b', s, flags=re.MULTILINE | re.I)",
    "re.compile(r'a ^ b', re.VERBOSE)",
    "re.sub(r'a^b', '', s, flags=opts)",
    "other.match(r'a^b', s)",
])
def test_line_flags_and_other_libraries_are_not_reported(call):
    assert "RL324" not in codes(f"import re\n\ndef f(s, opts, other):\n    return {call}\n")


def test_a_module_tested_for_before_use_is_compat_code():
    code = ("import sys\nif sys.version_info[0] < 3:\n    import imp\nelse:\n    imp = None\n\n"
            "def load(name, path):\n    if imp:\n        return imp.load_dynamic(name, path)\n    return None\n")
    assert codes(code) == []
    assert codes(code.replace("    if imp:\n        return", "    if True:\n        return")) == ["RL322"]


# ---------------------------------------------------------------- RL325 assert as input validation


@pytest.mark.parametrize("body", [
    "    n = int(input('n? '))\n    assert n > 0",
    "    assert request.args['mode'] in ('a', 'b')",
    "    data = self.request.POST\n    size = int(data['size'])\n    limit = size * 2\n    assert limit < 100",
    "    if (name := request.form.get('name')):\n        assert name.isalnum()",
])
def test_asserts_on_input_are_reported(body):
    code = f"def handle(self, request):\n{body}\n"
    f = one(code, "RL325")
    assert "-O" in f.message and "raise" in f.message


@pytest.mark.parametrize("body", [
    "    assert len(items) > 0",
    "    n = compute()\n    assert n > 0",
    "    assert n > 0\n    n = int(input())",
    "    import sys\n    assert len(sys.argv) == 2",
    "    assert request_token == expected",
])
def test_asserts_on_program_state_are_not_reported(body):
    assert codes(f"def handle(items, request_token, expected, compute=None, n=0):\n{body}\n") == []


def test_assert_fix_raises_value_error_with_the_same_message():
    code = "def page(request):\n    n = int(request.args['n'])\n    assert 0 < n <= 100 and n % 2, 'bad page'\n    return n\n"
    f = one(code, "RL325")
    fixed = apply_fix(code, f.fixes[0])
    assert "    if not (0 < n <= 100 and n % 2):\n        raise ValueError('bad page')\n    return n" in fixed
    assert parses(fixed) and codes(fixed) == []
    simple = "def page(request):\n    assert request.args['n'].isdigit()\n"
    fixed = apply_fix(simple, one(simple, "RL325").fixes[0])
    assert fixed == "def page(request):\n    if not request.args['n'].isdigit():\n        raise ValueError(\"invalid input\")\n"
    inline = "def page(request):\n    x = 1; assert request.args['n'].isdigit()\n"
    assert not one(inline, "RL325").fixes


# ---------------------------------------------------------------- RL326 pickle payload classes


@pytest.mark.parametrize("ret,callable_", [
    ("return (eval, ('1+1',))", "eval"),
    ("return (sp.check_output, (['id'],))", "subprocess.check_output"),
    ("return (system, ('id',))", "os.system"),
    ("if protocol:\n            return (os.popen, ('id',))\n        return (type(self), ())", "os.popen"),
])
def test_reduce_returning_a_code_runner_is_reported_in_tests_too(ret, callable_):
    code = f"import os\nimport subprocess as sp\nfrom os import system\n\nclass P:\n    def __reduce_ex__(self, protocol):\n        {ret}\n"
    for path in ("app.py", "tests/test_pickle.py"):
        f = one(code, "RL326", path)
        assert f.message.startswith(f"__reduce__ returns {callable_}:")


@pytest.mark.parametrize("ret", [
    "return (type(self), (self.x,))",
    "return (copyreg._reconstructor, (type(self), object, None))",
    "return (functools.partial, (print, 'x'))",
    "def inner():\n            return (os.system, ('id',))\n        return (type(self), ())",
])
def test_reduce_that_rebuilds_the_object_is_not_reported(ret):
    code = f"import os, copyreg, functools\n\nclass P:\n    def __reduce__(self):\n        {ret}\n"
    assert "RL326" not in [f.code for f in scan(code)]
