"""Issue 14's classes of Python misses and false alarms, end to end through the rules.

Each test names the class it guards; the snippets are written for the class, not taken from a
benchmark. `findings(code)` scans a snippet as a Python file with the default configuration
minus the workspace checks (undeclared imports judge a project, not a snippet).
"""

from __future__ import annotations

import textwrap

import pytest

from redline.config import Config
from redline.pipeline import analyze_text

CONFIG = Config(engines=(("bandit", False), ("dependencies", False), ("registry", False)))


def findings(code: str, path: str = "app.py") -> list[tuple[str, int, str]]:
    """(code, 1-based line, confidence) of every finding in `code`."""
    a = analyze_text(path, textwrap.dedent(code), CONFIG)
    assert not a.errors, a.errors
    return [(f.code, f.span.start_line + 1, f.confidence.value) for f in a.findings]


def codes(code: str) -> list[str]:
    return [c for c, _, _ in findings(code)]


def lines_of(code: str, rule: str) -> list[int]:
    return [line for c, line, _ in findings(code) if c == rule]


# ---------------------------------------------------------------- names through aliases and local imports


@pytest.mark.parametrize(
    "code, rule, line",
    [
        ("from subprocess import run as sh\ndef f(cmd):\n    sh(cmd, shell=True)\n", "RL102", 3),
        ("from flask import request\n@app.get('/x')\ndef x():\n    from os import system as run_it\n"
         "    run_it('ls ' + request.args['d'])\n", "RL102", 5),
        ("from hashlib import md5 as digest\ndef store(password):\n    return digest(password.encode()).hexdigest()\n", "RL301", 3),
        ("import hashlib as h\ndef store(password):\n    return h.sha1(password.encode()).hexdigest()\n", "RL301", 3),
        ("from pickle import loads as thaw\ndef f(request):\n    return thaw(request.body)\n", "RL107", 3),
        ("from random import randint as roll\nsession_token = roll(0, 2**32)\n", "RL304", 2),
        ("def f(request):\n    from urllib.request import urlopen as fetch\n    return fetch(request.GET['u']).read()\n", "RL106", 3),
    ],
)
def test_alias_and_local_import_reach_the_sink_rule(code, rule, line):
    assert lines_of(code, rule) == [line]


@pytest.mark.parametrize(
    "code",
    [
        "from subprocess import run\nrun(['ls', '-l'])\n",
        "from os import path as p\np.join('a', 'b')\n",
        "from mytools import run as sh\ndef f(cmd):\n    sh(cmd, shell=True)\n",  # not subprocess
        "def f(cmd, sh):\n    sh(cmd, shell=True)\n",
    ],
)
def test_alias_pattern_only_fires_for_real_aliases(code):
    assert "RL102" not in codes(code)


# ---------------------------------------------------------------- string builders, lists and dicts

FLASK_VIEW = "from flask import request\nimport io, os\n\n@app.get('/x')\ndef x():\n"


def view(body: str) -> str:
    return FLASK_VIEW + textwrap.indent(textwrap.dedent(body), "    ")


@pytest.mark.parametrize(
    "body, rule",
    [
        ("buf = io.StringIO()\nbuf.write(\"SELECT * FROM t WHERE a = '\")\nbuf.write(request.args['a'])\n"
         "buf.write(\"'\")\nreturn db.execute(buf.getvalue())\n", "RL101"),
        ("parts = ['SELECT * FROM t WHERE']\nparts.append(\"a = '%s'\" % request.args['a'])\n"
         "q = ' '.join(parts)\nreturn db.execute(q)\n", "RL101"),
        ("out = io.StringIO()\nout.write('tar czf backup.tgz ')\nout.write(request.args['dir'])\n"
         "os.system(out.getvalue())\n", "RL102"),
        ("opts = {'cmd': 'ls', 'dir': request.args['d']}\nos.system('ls ' + opts['dir'])\n", "RL102"),
        ("opts = {}\nopts['dir'] = request.args['d']\nos.system('ls ' + opts.get('dir', '.'))\n", "RL102"),
    ],
)
def test_taint_through_builders_and_containers(body, rule):
    code = view(body)
    assert rule in codes(code), code


@pytest.mark.parametrize(
    "body",
    [
        # the entry read was written under another constant key
        "opts = {'cmd': 'ls -l', 'dir': request.args['d']}\nos.system(opts['cmd'])\n",
        "opts = {}\nopts['cmd'] = 'ls -l'\nopts['dir'] = request.args['d']\nos.system(opts.get('cmd'))\n",
        # a builder of constant SQL, the input passed as a parameter
        "parts = ['SELECT * FROM t WHERE a = ?']\nparts.append('ORDER BY id')\n"
        "return db.execute(' '.join(parts), (request.args['a'],))\n",
    ],
)
def test_constant_entries_and_builders_stay_constant(body):
    code = view(body)
    assert not {"RL101", "RL102"} & set(codes(code)), code


# ---------------------------------------------------------------- helpers, nested functions, lambdas

HELPER_CASES = {
    "module helper": "def build(d):\n    return 'ls ' + d\n\n@app.get('/x')\ndef x():\n    os.system(build(request.args['d']))\n",
    "nested def": "@app.get('/x')\ndef x():\n    def build(d):\n        return 'ls ' + d\n    os.system(build(request.args['d']))\n",
    "lambda": "@app.get('/x')\ndef x():\n    build = lambda d: 'ls ' + d\n    os.system(build(request.args['d']))\n",
    "method on self": "class V:\n    def cmd(self, d, flag='-l'):\n        return 'ls %s %s' % (flag, d)\n"
                      "    def get(self):\n        os.system(self.cmd(request.args['d']))\n",
    "keyword argument": "def build(flag, d=None):\n    return 'ls %s %s' % (flag, d)\n\n@app.get('/x')\n"
                        "def x():\n    os.system(build('-l', d=request.args['d']))\n",
}


@pytest.mark.parametrize("name", sorted(HELPER_CASES))
def test_request_data_through_a_helper_is_input(name):
    code = "from flask import request\nimport os, shlex\n\n" + HELPER_CASES[name]
    found = [(c, conf) for c, _, conf in findings(code) if c == "RL102"]
    assert found == [("RL102", "high")], (name, findings(code))


@pytest.mark.parametrize(
    "helper",
    [
        "def build(d):\n    return 'ls ' + shlex.quote(d)\n",  # the helper sanitizes
        "def build(d):\n    return 'ls -l'\n",  # the argument never reaches the return value
        "build = lambda d: 'ls -l'\n",
    ],
)
def test_a_helper_that_does_not_pass_input_on_clears_the_call(helper):
    code = ("from flask import request\nimport os, shlex\n\n" + helper +
            "\n@app.get('/x')\ndef x():\n    os.system(build(request.args['d']))\n")
    assert "RL102" not in codes(code), code


def test_recursive_and_generator_helpers_are_not_followed():
    code = ("from flask import request\nimport os\n\ndef build(d):\n    return build(d)\n\n"
            "def gen(d):\n    yield 'ls ' + d\n\n@app.get('/x')\ndef x():\n"
            "    os.system(build(request.args['d']))\n    os.system(''.join(gen(request.args['d'])))\n")
    assert all(conf != "high" for c, _, conf in findings(code) if c == "RL102")


# ---------------------------------------------------------------- branches that never run, guards that return early

BRANCH = "from flask import request, abort\nimport os\nDEBUG = {debug}\nALLOWED = {{'logs', 'tmp'}}\n\n@app.get('/x')\ndef x():\n"


def branch_view(body: str, debug: str = "False") -> str:
    return BRANCH.format(debug=debug) + textwrap.indent(textwrap.dedent(body), "    ")


@pytest.mark.parametrize(
    "body",
    [
        "d = 'tmp'\nif DEBUG:\n    d = request.args['d']\nos.system('ls ' + d)\n",
        "d = 'tmp'\nif False:\n    d = request.args['d']\nos.system('ls ' + d)\n",
        "d = 'tmp'\nif True:\n    pass\nelse:\n    d = request.args['d']\nos.system('ls ' + d)\n",
        "d = 'tmp'\nwhile 0:\n    d = request.args['d']\nos.system('ls ' + d)\n",
        "d = request.args['d']\nif d not in ALLOWED:\n    abort(400)\nos.system('ls ' + d)\n",
    ],
)
def test_input_on_a_path_that_cannot_run_or_is_guarded_is_not_reported(body):
    assert "RL102" not in codes(branch_view(body))


def test_the_same_branch_under_a_true_constant_is_reported():
    body = "d = 'tmp'\nif DEBUG:\n    d = request.args['d']\nos.system('ls ' + d)\n"
    assert "RL102" in codes(branch_view(body, debug="True"))


QUOTE_GUARD = ("from flask import request\n\n@app.get('/x')\ndef x():\n    v = request.args['v']\n"
               "    if \"'\" in v:\n        return 'bad'\n")


def test_a_quote_check_that_returns_early_guards_a_quoted_sql_value():
    code = QUOTE_GUARD + "    return db.execute(\"SELECT * FROM t WHERE a = '\" + v + \"'\")\n"
    assert "RL101" not in codes(code)


@pytest.mark.parametrize(
    "sink, rule",
    [
        ("return db.execute('SELECT * FROM t WHERE a = ' + v)", "RL101"),  # unquoted: 1 OR 1=1 has no quote
        ("os.system('ls ' + v)", "RL102"),  # no quote is no defence for a shell
    ],
)
def test_a_quote_check_does_not_guard_other_contexts(sink, rule):
    code = "import os\n" + QUOTE_GUARD + "    " + sink + "\n"
    assert rule in codes(code), code


def test_a_check_for_another_character_does_not_guard_sql():
    code = QUOTE_GUARD.replace("\"'\" in v", "';' in v") + "    return db.execute(\"SELECT * FROM t WHERE a = '\" + v + \"'\")\n"
    assert "RL101" in codes(code)


def test_a_file_that_is_one_function_calling_an_unknown_name_is_quick():
    """The module and its only function span the same bytes; looking a callee up through the
    enclosing scopes must still end (it looped until the time limit)."""
    import time

    code = "def handler(client):\n\tvalidate(client)\n\tos.remove('keys/%s.key' % client)\n\treturn 'ok'"
    t = time.perf_counter()
    analyze_text("app.py", code, CONFIG)
    assert time.perf_counter() - t < 2.0


# ---------------------------------------------------------------- weak randomness judged by where the value goes


@pytest.mark.parametrize(
    "code",
    [
        "import random\ndef remember(resp):\n    value = random.getrandbits(64)\n    resp.set_cookie('sid', str(value))\n",
        "import random, string\ndef new_user(db):\n    pw = ''.join(random.choice(string.ascii_letters) for _ in range(10))\n"
        "    db.create(username='x', password=pw)\n",
        "import random\nfrom flask import session\ndef login():\n    session['marker'] = '%08x' % random.getrandbits(32)\n",
        "import random\ndef invite(mailer, addr):\n    mailer.send(addr, token=str(random.randint(10**5, 10**6)))\n",
    ],
)
def test_random_value_used_as_a_secret_is_reported(code):
    assert ("RL304", "high") in [(c, conf) for c, _, conf in findings(code)], findings(code)


@pytest.mark.parametrize(
    "code",
    [
        "import random\ndef pick(items):\n    idx = random.randint(0, len(items) - 1)\n    return items[idx]\n",
        "import random\ndef theme(resp, themes):\n    resp.set_cookie('theme', random.choice(themes))\n",
        "import random, time\ndef backoff(resp):\n    delay = random.uniform(0.1, 0.5)\n    time.sleep(delay)\n"
        "    resp.set_cookie('session_delay', str(delay))\n",
    ],
)
def test_random_value_with_no_security_use_is_not_reported(code):
    assert "RL304" not in codes(code), findings(code)


# ---------------------------------------------------------------- XSS: HTML built from input and returned by a view


@pytest.mark.parametrize(
    "body, conf",
    [
        ("name = request.args.get('name')\nhtml = '<p>Hello %s</p>' % name\nreturn html\n", "high"),
        ("rows = []\nfor item in request.args.getlist('item'):\n    rows.append('<li>%s</li>' % item)\n"
         "body = '<ul>' + ''.join(rows) + '</ul>'\nreturn body\n", "high"),
        ("return f\"<a href='/u/{request.args['u']}'>profile</a>\"\n", "high"),
    ],
)
def test_view_returning_html_built_from_input(body, conf):
    code = "from flask import request, make_response, escape\n\n@app.route('/v')\ndef v():\n" + textwrap.indent(body, "    ")
    assert [(c, k) for c, _, k in findings(code) if c == "RL105"] == [("RL105", conf)], findings(code)


@pytest.mark.parametrize(
    "body",
    [
        # input only in a response header: header injection at most, not XSS
        "resp = make_response('<p>ok</p>')\nresp.headers['X-Request'] = request.args['id']\nreturn resp\n",
        "name = escape(request.args.get('name'))\nhtml = '<p>Hello %s</p>' % name\nreturn html\n",
    ],
)
def test_view_not_xss(body):
    code = "from flask import request, make_response, escape\n\n@app.route('/v')\ndef v():\n" + textwrap.indent(body, "    ")
    assert "RL105" not in codes(code), findings(code)


def test_a_check_for_the_other_quote_does_not_guard_sql():
    code = QUOTE_GUARD.replace("\"'\" in v", "'\"' in v") + "    return db.execute(\"SELECT * FROM t WHERE a = '\" + v + \"'\")\n"
    assert "RL101" in codes(code)


def test_form_validation_is_not_an_sql_guard():
    """validate_on_submit() checks the form's own validators, not that a value is safe in SQL."""
    code = ("@app.route('/s', methods=['POST'])\ndef s():\n    form = SearchForm()\n"
            "    if not form.validate_on_submit():\n        return 'bad'\n    term = form.data['term']\n"
            "    cur.execute(f\"SELECT * FROM film WHERE title = '{term}'\")\n")
    assert "RL101" in codes(code)


def test_a_builder_of_non_input_pieces_is_not_reported():
    """DDL assembled from model metadata (Django's createcachetable): only input in a builder counts."""
    code = ("def create(cursor, table, fields):\n    parts = ['CREATE TABLE %s (' % table]\n"
            "    for f in fields:\n        parts.append('%s %s,' % (f.column, f.db_type))\n"
            "    parts.append(');')\n    cursor.execute('\\n'.join(parts))\n")
    assert "RL101" not in codes(code)
