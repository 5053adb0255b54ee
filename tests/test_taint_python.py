"""Local taint for Python (rules/predicates/taint_python.py): where the value at a sink comes from."""

from __future__ import annotations

import pytest

from redline.pipeline import make_source
from redline.rules.predicates import load_all
from redline.rules.predicates.python_scope import call_args
from redline.rules.predicates.taint_python import CONST, TAINTED, UNKNOWN, value_of

load_all()


def sink_values(code: str, kind: str = "cmd") -> list:
    """The Val of the first argument of every `sink(...)` call, in source order."""
    file = make_source("example.py", code.encode())
    out = []
    stack = [file.tree.root_node]
    while stack:
        n = stack.pop()
        if n.type == "call" and n.child_by_field_name("function").text == b"sink":
            out.append((n.start_byte, value_of(file, call_args(n)[0][0], kind)))
        stack.extend(n.children)
    return [v for _, v in sorted(out, key=lambda x: x[0])]


def levels(code: str, kind: str = "cmd") -> list[int]:
    return [v.level for v in sink_values(code, kind)]


FLASK = "from flask import request\nimport os, shlex, re\n"


@pytest.mark.parametrize(
    "expr, level",
    [
        ("request.args.get('a')", TAINTED),
        ("request.args['a'].strip().lower()", TAINTED),
        ("request.form.get('a', '').encode('utf-8')", TAINTED),
        ("request.files['f'].filename", TAINTED),
        ("request.get_json()['x']", TAINTED),
        ("'ls ' + request.args['a']", TAINTED),
        ("f\"ls {request.args['a']}\"", TAINTED),
        ("'ls {}'.format(request.args['a'])", TAINTED),
        ("'ls %s' % request.args['a']", TAINTED),
        ("' '.join(['ls', request.args['a']])", TAINTED),
        ("base64.b64decode(request.args['a'])", TAINTED),
        ("shlex.quote(request.args['a'])", CONST),
        ("int(request.args['a'])", CONST),
        ("request.args.get('n', type=int)", CONST),
        ("'sleep %d' % request.args['n']", CONST),
        ("'ls -l'", CONST),
        ("helper(request.args['a'])", UNKNOWN),
        ("input('cmd? ')", TAINTED),
    ],
)
def test_expressions(expr, level):
    code = FLASK + f"@app.route('/x')\ndef view():\n    sink({expr})\n"
    assert levels(code) == [level]


def test_assignments_branches_and_reaching_definitions():
    code = FLASK + (
        "@app.route('/x')\n"
        "def view():\n"
        "    a = request.args['a']\n"
        "    b = 'ls ' + a\n"
        "    sink(b)\n"  # through two assignments
        "    a = 'constant'\n"
        "    sink(a)\n"  # the later unconditional assignment hides the request value
        "    if cond:\n"
        "        c = request.args['c']\n"
        "    else:\n"
        "        c = 'x'\n"
        "    sink(c)\n"  # either branch may reach
        "    d = request.args['d']\n"
        "    d = shlex.quote(d)\n"
        "    sink(d)\n"  # sanitized in place
        "    e = 'cmd '\n"
        "    e += request.args['e']\n"
        "    sink(e)\n"  # augmented assignment keeps both
        "    for item in request.args.getlist('i'):\n"
        "        sink(item)\n"
        "    with io.StringIO(request.args['p']) as fh:\n"
        "        sink(fh)\n"
        "    sink([x for x in request.args.getlist('z')])\n"
    )
    assert levels(code) == [TAINTED, CONST, TAINTED, CONST, TAINTED, TAINTED, TAINTED, TAINTED]


def test_parameters_of_plain_functions_are_unknown_and_route_parameters_are_tainted():
    code = (
        "from flask import Flask\nfrom fastapi import FastAPI, Depends\n"
        "def helper(p):\n    sink(p)\n"
        "@app.route('/u/<name>/<int:uid>')\ndef user(name, uid):\n    sink(name)\n    sink(uid)\n"
        "@api.get('/items/{item_id}')\ndef item(item_id: int, q: str, db=Depends(get_db)):\n    sink(item_id)\n    sink(q)\n    sink(db)\n"
    )
    assert levels(code) == [UNKNOWN, TAINTED, CONST, CONST, TAINTED, UNKNOWN]


def test_django_views_take_url_parameters_from_the_request():
    code = "from django.http import HttpResponse\ndef view(request, slug):\n    sink(slug)\n    sink(request.GET['q'])\n"
    assert levels(code) == [TAINTED, TAINTED]


def test_module_constants_imports_and_closures():
    code = (
        "import os\nBASE = '/srv'\nmode = os.environ.get('MODE')\n"
        "def f():\n    sink(BASE + '/x')\n    sink(mode)\n    sink(os.sep)\n    sink(UNDEFINED_SETTING)\n"
        "    def inner():\n        sink(local)\n    local = 'k'\n"
        "import sys\nsink(sys.argv[1])\n"
    )
    assert levels(code) == [CONST, UNKNOWN, CONST, CONST, CONST, TAINTED]


def test_source_node_points_at_where_input_enters():
    code = FLASK + "@app.route('/x')\ndef view():\n    a = request.args['a']\n    sink('ls ' + a)\n"
    (val,) = sink_values(code)
    assert val.tainted and val.what == "request.args"
    assert val.source.text == b"request.args['a']"


def test_cycles_and_self_references_terminate():
    code = (
        "def f(x):\n    a = a + x\n    for i in range(3):\n        b = c\n        c = b + x\n    sink(a)\n    sink(b)\n"
        "    sink(b + 'x')\n"
    )
    assert levels(code) == [UNKNOWN, UNKNOWN, UNKNOWN]


def test_a_local_named_request_that_is_not_the_framework_object():
    code = "import urllib.request as request\ndef f(u):\n    sink(request.urlopen(u))\n"
    assert levels(code) == [UNKNOWN]
