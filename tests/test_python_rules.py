"""Python rules beyond their examples: confidence from taint, Related locations, sanitizers and
guards, import resolution, framework detection, and that the shared query patterns reach every
rule (registry._merge_name_patterns)."""

from __future__ import annotations

import pytest

from redline.config import Config
from redline.findings import Confidence
from redline.pipeline import analyze_text
from redline.rules.registry import default_registry

FAST = Config(engines=(("bandit", False), ("dependencies", False), ("registry", False), ("detect-secrets", False)))


def findings(code: str, path: str = "app.py", code_filter: str | None = None):
    a = analyze_text(path, code, FAST)
    assert not a.errors, a.errors
    return [f for f in a.findings if code_filter is None or f.code == code_filter]


def one(code: str, rule: str, path: str = "app.py"):
    found = findings(code, path, rule)
    assert len(found) == 1, (rule, [(f.code, f.message) for f in findings(code, path)])
    return found[0]


def none_of(code: str, rule: str, path: str = "app.py"):
    found = findings(code, path, rule)
    assert not found, [(f.code, f.message) for f in found]


FLASK = "from flask import Flask, request, redirect, make_response\nimport os, subprocess, sqlite3\napp = Flask(__name__)\n\n"


# ---------------------------------------------------------------- confidence and Related


def test_tainted_sink_is_high_and_points_at_the_source():
    code = FLASK + "@app.route('/c')\ndef c():\n    host = request.args.get('host')\n    cmd = 'ping -c 1 ' + host\n    os.system(cmd)\n"
    f = one(code, "RL102")
    assert f.confidence is Confidence.HIGH
    assert f.related and "request.args" in f.related[0].message
    src_line = code.splitlines()[f.related[0].span.start_line]
    assert "request.args.get('host')" in src_line
    assert "os.system" in code.splitlines()[f.span.start_line]


def test_unknown_data_is_reported_lower_and_constants_not_at_all():
    unknown = one("import os\ndef run(name):\n    os.system('convert ' + name)\n", "RL102")
    assert unknown.confidence is Confidence.MEDIUM and not unknown.related
    none_of("import os\nTOOL = 'convert'\ndef run():\n    os.system(TOOL + ' -version')\n", "RL102")


@pytest.mark.parametrize(
    "line",
    [
        "os.system('ls ' + shlex.quote(request.args['p']))",
        "os.system('sleep %d' % int(request.args['n']))",
        "subprocess.run(['ls', request.args['p']])",
    ],
)
def test_sanitizers_and_argument_lists_silence_command_injection(line):
    none_of(FLASK + "import shlex\n\n@app.route('/c')\ndef c():\n    " + line + "\n", "RL102")


def test_allow_list_guard_silences_and_substring_check_does_not():
    guarded = FLASK + "ALLOWED = {'a', 'b'}\n\n@app.route('/c')\ndef c():\n    t = request.args['t']\n    if t not in ALLOWED:\n        return 'no'\n    os.system('tool ' + t)\n"
    none_of(guarded, "RL102")
    weak = FLASK + "@app.route('/c')\ndef c():\n    t = request.args['t']\n    if 'a' in t:\n        os.system('tool ' + t)\n"
    assert one(weak, "RL102").confidence is Confidence.HIGH


def test_full_match_guard_in_else_branch():
    code = "import re, os\ndef add(user):\n    if not re.fullmatch(r'[a-z]{3,16}', user):\n        print('bad')\n    else:\n        os.system('whitelist add ' + user)\n"
    none_of(code, "RL102")


# ---------------------------------------------------------------- imports and callee resolution


def test_from_imports_and_aliases_resolve_to_the_real_sink():
    one("from subprocess import run\ndef f(h):\n    run(f'ping {h}', shell=True)\n", "RL102")
    one("import pickle as p\ndef f(b):\n    return p.loads(b)\n", "RL107")
    none_of("def loads(b):\n    return b\ndef f(b):\n    return loads(b)\n", "RL107")
    one("def f(key):\n    from Crypto.Cipher import DES\n    return DES.new(key)\n", "RL302")


def test_os_exec_and_spawn_and_create_subprocess_shell():
    one("import os, sys\nos.execvp(sys.argv[1], sys.argv[1:])\n", "RL102")
    one("import asyncio\nasync def f(n):\n    await asyncio.create_subprocess_shell('convert ' + n)\n", "RL102")
    none_of("import os\nos.execv('/usr/bin/ls', ['ls', '-l'])\n", "RL102")


# ---------------------------------------------------------------- SQL


def test_sql_through_a_variable_and_a_custom_helper():
    code = "def get(db, scene):\n    sql = \"SELECT * FROM ranks WHERE scene = '{}'\".format(scene)\n    return db.exec(sql)\n"
    f = one(code, "RL101")
    assert "exec" in f.message and "str.format()" in f.message
    code = "def get(self, uid):\n    q = 'select name from users where id = %s' % uid\n    return sql.queryDB(self.conn, q)\n"
    one(code, "RL101")


def test_sql_table_names_from_configuration_are_not_injection_but_request_values_are():
    none_of("def count(cur, table):\n    cur.execute('SELECT count(*) FROM %s WHERE a = ?' % table, (1,))\n", "RL101")
    code = FLASK + "@app.route('/t')\ndef t():\n    conn = sqlite3.connect('a.db')\n    return str(conn.execute('SELECT * FROM ' + request.args['t']).fetchall())\n"
    assert one(code, "RL101").confidence is Confidence.HIGH


def test_sql_numeric_formatting_is_low_confidence():
    f = one("def get(cur, gid):\n    cur.execute('SELECT x FROM moves WHERE game = %d' % gid)\n", "RL101")
    assert f.confidence is Confidence.LOW and "numbers only" in f.message


def test_sql_placeholders_built_for_a_list_are_fine():
    none_of("def f(cur, ids):\n    marks = ','.join('?' * len(ids))\n    cur.execute('SELECT * FROM t WHERE id IN (%s)' % marks, ids)\n", "RL101")


def test_sql_messages_that_merely_mention_sql_words_are_not_findings():
    none_of("def f(name):\n    print('Select the file from %s' % name)\n    log.info(f'update failed for {name}')\n", "RL101")


# ---------------------------------------------------------------- web rules


def test_path_traversal_needs_input_and_respects_basename_and_base_checks():
    one(FLASK + "@app.route('/f')\ndef f():\n    return open('/srv/' + request.args['n']).read()\n", "RL104")
    none_of(FLASK + "@app.route('/f')\ndef f():\n    return open('/srv/' + os.path.basename(request.args['n'])).read()\n", "RL104")
    none_of("def read(path):\n    return open(path).read()\n", "RL104")


def test_ssrf_host_versus_path():
    host = one(FLASK + "import requests\n@app.route('/p')\ndef p():\n    return requests.get('https://' + request.args['h'] + '/x').text\n", "RL106")
    path = one(FLASK + "import requests\n@app.route('/p')\ndef p():\n    return requests.get('https://api.example.com/u/' + request.args['u']).text\n", "RL106")
    assert host.confidence is Confidence.HIGH and path.confidence is Confidence.MEDIUM
    session = FLASK + "import requests\ns = requests.Session()\n@app.route('/p')\ndef p():\n    return s.get(request.args['u']).text\n"
    one(session, "RL106")


def test_open_redirect_relative_targets_and_guards():
    one(FLASK + "@app.route('/go')\ndef go():\n    return redirect(request.args.get('next') or '/')\n", "RL111")
    none_of(FLASK + "@app.route('/go')\ndef go():\n    return redirect('/users/' + request.args['u'])\n", "RL111")


def test_xss_in_flask_view_return_and_markup():
    one(FLASK + "@app.route('/h')\ndef h():\n    return '<h1>Hello ' + request.args['n'] + '</h1>'\n", "RL105")
    one(FLASK + "from markupsafe import Markup\n@app.route('/h')\ndef h():\n    return Markup(request.args['n'])\n", "RL105")
    none_of(FLASK + "from markupsafe import escape\n@app.route('/h')\ndef h():\n    return '<h1>Hello ' + escape(request.args['n']) + '</h1>'\n", "RL105")


def test_jinja_environment_without_import_is_recognized_by_its_loader():
    one("def render(path):\n    env = Environment(loader=FileSystemLoader(path))\n    return env\n", "RL105")


def test_template_injection_and_dynamic_import():
    one(FLASK + "from flask import render_template_string\n@app.route('/t')\ndef t():\n    return render_template_string('Hi ' + request.args['n'])\n", "RL108")
    one(FLASK + "import importlib\n@app.route('/m')\ndef m():\n    return str(importlib.import_module(request.args['m']))\n", "RL119")


def test_header_injection_and_location_header():
    one(FLASK + "from flask import Response\n@app.route('/r')\ndef r():\n    resp = Response('x')\n    resp.headers['X-Name'] = request.args['n']\n    return resp\n", "RL118")
    one(FLASK + "from flask import Response\n@app.route('/r')\ndef r():\n    resp = Response('x')\n    resp.headers['Location'] = request.args['n']\n    return resp\n", "RL111")


# ---------------------------------------------------------------- crypto and configuration


def test_weak_hash_context_decides_confidence_and_advice():
    pw = one("import hashlib\ndef store(password):\n    return hashlib.md5(password.encode()).hexdigest()\n", "RL301")
    assert pw.confidence is Confidence.HIGH and "argon2" in pw.message
    sig = one("import hashlib\ndef sign(body):\n    signature = hashlib.sha1(body).hexdigest()\n    return signature\n", "RL301")
    assert sig.confidence is Confidence.HIGH
    # An ETag is a name, not a protection (issue 13 class F): dropped, not lowered.
    none_of("import hashlib\ndef etag(body):\n    return hashlib.md5(body).hexdigest()\n", "RL301")
    low = one("import hashlib\ndef compute(body):\n    return hashlib.md5(body).hexdigest()\n", "RL301")
    assert low.confidence is Confidence.LOW
    none_of("import hashlib\ndef digest(body):\n    return hashlib.sha256(body).hexdigest()\n", "RL301")


def test_insecure_random_only_for_security_values():
    f = one("import random\ndef make_reset_token():\n    return random.getrandbits(64)\n", "RL304")
    assert "token" in f.message
    none_of("import random\ndef jitter():\n    return random.uniform(0, 1)\n", "RL304")


def test_tls_keyword_only_on_http_clients():
    one("import requests\nrequests.post(u, data=d, verify=False)\n", "RL305")
    none_of("import jwt\njwt.decode(t, verify=False)\n", "RL305")
    none_of("def save(obj):\n    obj.save(verify=False)\n", "RL305")


def test_django_debug_only_in_settings_modules():
    one("DEBUG = True\nALLOWED_HOSTS = []\n", "RL306", path="proj/settings.py")
    one("DEBUG = True\n", "RL306", path="proj/settings/dev.py")
    none_of("DEBUG = True\n", "RL306", path="tools/log.py")


def test_cookie_flags():
    f = one("def login(resp, sid):\n    resp.set_cookie('sid', sid)\n", "RL307")
    assert f.confidence is Confidence.MEDIUM and "Secure" in f.message and "HttpOnly" in f.message
    f = one("def login(resp, sid):\n    resp.set_cookie('sid', sid, secure=True)\n", "RL307")
    assert f.confidence is Confidence.LOW and "HttpOnly" in f.message


def test_weak_tls_version_and_static_iv_and_salt():
    one("import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1_1)\n", "RL320")
    one("from Crypto.Cipher import AES\ndef e(k, d):\n    iv = b'\\x00' * 16\n    return AES.new(k, AES.MODE_CBC, iv).encrypt(d)\n", "RL309")
    one("import hashlib\ndef h(pw):\n    return hashlib.pbkdf2_hmac('sha256', pw, b'static-salt', 600000)\n", "RL310")


def test_timing_comparison_of_secrets():
    one("import hmac, hashlib\ndef ok(key, msg, sig):\n    return sig == hmac.new(key, msg, hashlib.sha256).hexdigest()\n", "RL311")
    none_of("def f(token):\n    return token == ''\n", "RL311")


# ---------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "code",
    [
        "def f(:\n    os.system('ls ' +",
        "x = request.args[\n",
        "cur.execute(f'SELECT {",
        "\x00\x01 binary",
        "def f():\n" + "    x = x + 'a'\n" * 300 + "    os.system(x)\n",
        "s = " + " + ".join(["'a'"] * 3000) + "\nos.system(s)\n",
    ],
)
def test_broken_and_pathological_code_never_raises(code):
    a = analyze_text("app.py", code, FAST)
    # The only thing reported is a bound on hostile shapes (a 3,000-term expression is a syntax
    # tree deeper than the 256 levels queries start at): a skip with its reason, not a failure.
    assert all(message.startswith("skipped: ") for _engine, message in a.errors), a.errors


def test_a_deep_expression_is_partly_skipped_and_the_rest_still_checked():
    a = analyze_text("app.py", "s = " + " + ".join(["'a'"] * 3000) + "\nos.system(s)\n", FAST)
    assert [m for _e, m in a.errors if "nested more than 256 levels deep" in m]
    assert "RL102" in [f.code for f in a.findings]


def test_every_python_rule_is_reachable_through_the_shared_patterns():
    # The merged query must still deliver each rule its matches: every Python rule fires on
    # at least one of its invalid examples with the merged registry (test_rule_examples runs
    # them all; this guards the dispatch table itself).
    compiled = default_registry().compiled("python")
    shared = {r.code for _cap, table in compiled.dispatch.values() for rules in table.values() for r in rules}
    owners = {r.code for r in compiled.pattern_rules}
    python_rules = {r.code for r in default_registry().query_rules("python")}
    assert python_rules <= shared | owners
    assert len(compiled.dispatch) >= 1
    assert compiled.query.pattern_count < sum(len(r.query_for("python").split(") @match")) - 1 for r in default_registry().query_rules("python"))


def test_string_prefix_of_a_leaf_node_is_empty_not_an_error():
    """py-tree-sitter 0.25+ raises IndexError for node.child(0) of a leaf (seen on pygments'
    make lexer, where it dropped RL117 for the file)."""
    from redline import languages as langs
    from redline.rules.predicates import python_strings

    leaf = langs.parse("python", b"x = 1\n").root_node.children[0].children[0].children[0]
    assert leaf.type == "identifier" and leaf.child_count == 0
    assert python_strings._prefix(leaf) == ""
