"""Quick fixes of the Python rules, tested by applying them: the result parses without ERROR
nodes, the rule no longer fires, and the code is what a person would write."""

from __future__ import annotations

import pytest

from redline import languages as langs
from redline.config import Config
from redline.findings import Fix
from redline.pipeline import analyze_text

FAST = Config(engines=(("bandit", False), ("dependencies", False), ("registry", False), ("detect-secrets", False)))


def scan(code: str, rule: str):
    a = analyze_text("app.py", code, FAST)
    assert not a.errors, a.errors
    return [f for f in a.findings if f.code == rule]


def apply_fix(code: str, fix: Fix) -> str:
    data = code.encode("utf-8")
    for edit in sorted(fix.edits, key=lambda e: e.span.start_byte, reverse=True):
        data = data[: edit.span.start_byte] + edit.new_text.encode("utf-8") + data[edit.span.end_byte :]
    return data.decode("utf-8")


def fix_of(code: str, rule: str) -> Fix | None:
    found = scan(code, rule)
    assert found, f"{rule} did not fire on:\n{code}"
    fixes = [fx for f in found for fx in f.fixes]
    return fixes[0] if fixes else None


CASES = [
    # (id, rule, fix title contains, code, expected substrings of the result)
    ("sqlite-fstring", "RL101", "?",
     "import sqlite3\n\ndef get(conn, name):\n    return conn.execute(f\"SELECT * FROM users WHERE name = '{name}' AND age > {age}\")\n",
     ["conn.execute(\"SELECT * FROM users WHERE name = ? AND age > ?\", (name, age))"]),
    ("psycopg-percent-literal-percent", "RL101", "%s",
     "import psycopg2\n\ndef get(cur, uid):\n    cur.execute(\"SELECT * FROM t WHERE tag LIKE 'a%%' AND id = '%s'\" % uid)\n",
     ["cur.execute(\"SELECT * FROM t WHERE tag LIKE 'a%%' AND id = %s\", (uid,))"]),
    ("mysql-variable", "RL101", "%s",
     "import MySQLdb\n\ndef get(cur, a, b):\n    sql = \"SELECT * FROM t WHERE a = '{}' AND b = {}\".format(a, b)\n    cur.execute(sql)\n",
     ["sql = \"SELECT * FROM t WHERE a = %s AND b = %s\"", "cur.execute(sql, (a, b))"]),
    ("sqlalchemy-text", "RL101", ":name",
     "from sqlalchemy import text\n\ndef get(session, uid):\n    return session.execute(text(f\"SELECT * FROM users WHERE id = {uid}\"))\n",
     ["session.execute(text(\"SELECT * FROM users WHERE id = :p1\"), {\"p1\": uid})"]),
    ("sqlite-concat", "RL101", "?",
     "import sqlite3\n\ndef get(db, name):\n    db.execute(\"SELECT * FROM users WHERE name = '\" + name + \"'\")\n",
     ["db.execute(\"SELECT * FROM users WHERE name = ?\", (name,))"]),
    ("shell-subprocess", "RL102", "argument list",
     "import subprocess\n\ndef unpack(archive, dest):\n    subprocess.run(f'tar xzf {archive} -C {dest}', shell=True, check=True)\n",
     ['subprocess.run(["tar", "xzf", str(archive), "-C", str(dest)], check=True)']),
    ("shell-os-system", "RL102", "subprocess.call",
     "import os\n\ndef ping(host):\n    return os.system('ping -c 1 ' + host)\n",
     ["import os\nimport subprocess\n", 'return subprocess.call(["ping", "-c", "1", str(host)])']),
    ("shell-option-token", "RL102", "argument list",
     "import subprocess\n\ndef conv(name):\n    subprocess.check_call('convert --out=%s.png in.jpg' % name, shell=True)\n",
     ['subprocess.check_call(["convert", f"--out={name}.png", "in.jpg"])']),
    ("yaml", "RL112", "safe_load",
     "import yaml\ncfg = yaml.load(f, Loader=yaml.Loader)\n",
     ["cfg = yaml.safe_load(f)"]),
    ("verify-false", "RL305", "Remove",
     "import requests\nr = requests.get(url, verify=False, timeout=5)\n",
     ["requests.get(url, timeout=5)"]),
    ("verify-false-last", "RL305", "Remove",
     "import requests\nr = requests.get(url, verify=False)\n",
     ["requests.get(url)"]),
    ("random-choice", "RL304", "secrets",
     "import random\nimport string\n\ndef make_password():\n    password = ''.join(random.choice(string.ascii_letters) for _ in range(16))\n    return password\n",
     ["import string\nimport secrets\n", "secrets.choice(string.ascii_letters)"]),
    ("random-randint", "RL304", "secrets",
     "import random\n\ndef otp():\n    otp_code = random.randint(100000, 999999)\n    return otp_code\n",
     ["otp_code = secrets.randbelow(900000) + 100000"]),
    ("random-bits-no-other-import", "RL304", "secrets",
     "\"\"\"Tokens.\"\"\"\nfrom random import getrandbits\n\ndef new_token():\n    token = getrandbits(128)\n    return token\n",
     ["from random import getrandbits\nimport secrets\n", "token = secrets.randbits(128)"]),
    ("random-sample", "RL304", "secrets",
     "import random\nsecret_key = ''.join(random.sample(ALPHABET, 32))\n",
     ["secrets.SystemRandom().sample(ALPHABET, 32)"]),
    ("md5-signature", "RL301", "sha256",
     "import hashlib\n\ndef signature(body):\n    return hashlib.md5(body).hexdigest()\n",
     ["hashlib.sha256(body)"]),
    ("hashlib-new-sha1", "RL301", "SHA-256",
     "import hashlib\nh = hashlib.new('sha1', cert_bytes)\n",
     ["hashlib.new(\"sha256\", cert_bytes)"]),
    ("cookie-add", "RL307", "secure=True",
     "def login(resp, sid):\n    resp.set_cookie('sid', sid)\n",
     ["resp.set_cookie('sid', sid, secure=True, httponly=True)"]),
    ("cookie-flip", "RL307", "secure=True",
     "def login(resp, sid):\n    resp.set_cookie('sid', sid, secure=False, httponly=True,)\n",
     ["resp.set_cookie('sid', sid, secure=True, httponly=True,)"]),
    ("cookie-setting", "RL307", "True",
     "SESSION_COOKIE_SECURE = False\n",
     ["SESSION_COOKIE_SECURE = True"]),
    ("jinja", "RL105", "autoescap",
     "from jinja2 import Environment, FileSystemLoader\nenv = Environment(loader=FileSystemLoader('t'))\n",
     ["Environment(loader=FileSystemLoader('t'), autoescape=True)"]),
    ("tar", "RL114", "filter",
     "import tarfile\nwith tarfile.open(p) as tar:\n    tar.extractall(dest)\n",
     ["tar.extractall(dest, filter=\"data\")"]),
    ("flask-debug", "RL306", "Remove",
     "from flask import Flask\napp = Flask(__name__)\napp.run(host='127.0.0.1', debug=True)\n",
     ["app.run(host='127.0.0.1')"]),
]


@pytest.mark.parametrize("rule,title,code,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_fix_applies_parses_and_silences_the_rule(rule, title, code, expected):
    fix = fix_of(code, rule)
    assert fix is not None, f"no fix for {rule}"
    assert title in fix.title, fix.title
    fixed = apply_fix(code, fix)
    assert not langs.parse("python", fixed.encode()).root_node.has_error, fixed
    assert not scan(fixed, rule), fixed
    for text in expected:
        assert text in fixed, f"{text!r} not in:\n{fixed}"


@pytest.mark.parametrize(
    "code",
    [
        # a table name is not a value: no placeholder can replace it
        "import sqlite3\ndef f(conn, t, v):\n    conn.execute(f\"SELECT * FROM {t} WHERE a = '{v}'\")\n",
        # part of a LIKE pattern
        "import sqlite3\ndef f(conn, v):\n    conn.execute(f\"SELECT * FROM t WHERE a LIKE '%{v}%'\")\n",
        # no known driver: the placeholder style is unknown
        "def f(conn, v):\n    conn.execute(f\"SELECT * FROM t WHERE a = '{v}'\")\n",
        # parameters already passed
        "import sqlite3\ndef f(conn, v, w):\n    conn.execute(f\"SELECT * FROM t WHERE a = '{v}' AND b = ?\", (w,))\n",
    ],
)
def test_sql_fix_is_not_offered_when_it_would_change_the_query(code):
    assert fix_of(code, "RL101") is None


@pytest.mark.parametrize(
    "code",
    [
        "import subprocess\ndef f(p):\n    subprocess.run(f'cat {p} | grep x', shell=True)\n",
        "import subprocess\ndef f(p):\n    subprocess.run(f'ls \"{p}\"', shell=True)\n",
        "import subprocess\ndef f(cmd):\n    subprocess.run(cmd, shell=True)\n",
    ],
)
def test_shell_fix_is_not_offered_for_shell_syntax(code):
    assert fix_of(code, "RL102") is None


def test_password_hash_gets_no_sha256_fix_but_a_kdf_hint():
    code = "import hashlib\ndef store(password):\n    return hashlib.md5(password.encode()).hexdigest()\n"
    (finding,) = scan(code, "RL301")
    assert not finding.fixes
    assert "argon2" in finding.message and "pbkdf2_hmac" in finding.message


def test_import_is_added_once_and_after_the_existing_imports():
    code = "import os\nimport random\n\nimport secrets\n\ndef f():\n    token = random.getrandbits(64)\n    return token\n"
    fix = fix_of(code, "RL304")
    fixed = apply_fix(code, fix)
    assert fixed.count("import secrets") == 1


def test_fix_in_a_file_without_imports():
    code = "def f():\n    token = random_bits()\n    key = __import__('random').random()\n    return token\n"
    # no random module call recognized here: nothing to fix, and no crash
    assert not scan(code, "RL304")
    code = "from random import choice\n\ndef pin():\n    pin_code = choice('0123456789')\n    return pin_code\n"
    fixed = apply_fix(code, fix_of(code, "RL304"))
    assert "import secrets" in fixed and "secrets.choice('0123456789')" in fixed
    assert not langs.parse("python", fixed.encode()).root_node.has_error
