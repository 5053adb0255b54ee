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


# ---------------------------------------------------------------- module-level facts, per name

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from redline.rules.predicates.taint_python import (  # noqa: E402
    CONST_VAL,
    _Evaluator,
    module_bindings,
    module_scope,
)

MODULE_FRAGMENTS = [
    "import os\n", "import subprocess as x\n", "from flask import request\n", "from . import y\n",
    "x = request.args['a']\n", "y = 'const'\n", "z += request.args['b']\n", "w = z\n",
    "def x():\n    y = input()\n    return y\n", "class y:\n    z = request.args\n", "@deco\ndef z(a):\n    return a\n",
    "@a.route('/')\nclass w(object):\n    pass\n", "async def q(): pass\n", "def  w (): pass\n", "def\\\n  q(): pass\n",
    "if cond:\n    def w():\n        pass\nelse:\n    w = input()\n", "try:\n    import json as q\nexcept ImportError:\n    q = None\n",
    "for x in sys.argv:\n    pass\n", "with open(f) as z:\n    pass\n", "# def y\n", "s = 'def q'\n", "\"\"\"class x\"\"\"\n",
    "def (\n", "x = (\n", "    def z(): pass\n", "class\n", "(q := input())\n", "xq = 1\n", "def qx(): pass\n",
]
NAMES = ["x", "y", "z", "w", "q", "os", "json", "request", "xq", "qx", "s", "nowhere"]


def _is_top_level_definition(d) -> bool:
    fn = d.target.parent
    if d.kind != "const" or fn is None or fn.type not in ("function_definition", "class_definition"):
        return False
    outer = fn.parent
    if outer is not None and outer.type == "decorated_definition":
        outer = outer.parent
    return outer is not None and outer.type == "module"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(MODULE_FRAGMENTS), min_size=1, max_size=8))
def test_module_bindings_are_the_module_scope_without_its_definitions(fragments):
    """module_bindings (built from the module-level statements other than definitions) is the
    module scope's bindings less the top-level defs and classes, and a global read from a
    function folds over exactly those: other top-level definitions are never read."""
    file = make_source("m.py", "".join(fragments).encode())
    full = module_scope(file).defs
    for name in NAMES:
        rest = [d for d in full.get(name, []) if not _is_top_level_definition(d)]
        assert [(d.pos, d.kind, d.target.start_byte) for d in module_bindings(file, name)] == [
            (d.pos, d.kind, d.target.start_byte) for d in rest
        ], (name, "".join(fragments))
        for kind in ("cmd", "sql"):
            ev = _Evaluator(file, kind)
            expected = ev._global_default(name)
            if rest:
                expected = CONST_VAL
                for d in rest:
                    expected = expected | ev._def_value(module_scope(file), name, d)
            assert _Evaluator(file, kind)._module_value(name) == expected, (name, kind, "".join(fragments))


def test_globals_from_module_statements_and_not_from_other_definitions():
    code = (
        "def build():\n    return 'x'\n"
        "@register\nclass Handler:\n    pass\n"
        "def f():\n    sink(build)\n    sink(Handler)\n    sink(data)\n    sink(PATTERN)\n    sink(other)\n"
        "from flask import request\ndata = request.args['a']\nPATTERN = 'x'\nif DEBUG:\n    def other():\n        pass\n"
    )
    # build and Handler are other top-level definitions: not read (UNKNOWN, like any unknown
    # global); `other` is defined by a module-level statement (an if) and is read.
    assert levels(code) == [UNKNOWN, UNKNOWN, TAINTED, CONST, CONST]


def test_name_is_bound_reads_the_function_and_module_statements_only():
    from redline.rules.predicates.taint_python import name_is_bound

    code = (
        "from .fs import mktemp\nimport subprocess as sp\nrunner = make()\n"
        "def helper():\n    pass\n"
        "def f(param):\n    def local():\n        pass\n    from x import y\n"
        "    use(mktemp, sp, runner, param, local, y, helper, nowhere)\n"
    )
    file = make_source("example.py", code.encode())
    stack, call = [file.tree.root_node], None
    while stack:
        n = stack.pop()
        if n.type == "call" and n.child_by_field_name("function").text == b"use":
            call = n
        stack.extend(n.children)
    names = call_args(call)[0]
    assert [name_is_bound(file, n) for n in names] == [True, True, True, True, True, True, False, False]


def test_a_function_reading_an_unbound_request_global_handles_requests():
    from redline.rules.predicates.taint_python import in_request_handler

    def handler(code: str) -> bool:
        file = make_source("example.py", code.encode())
        stack, last_return = [file.tree.root_node], None
        while stack:
            n = stack.pop()
            if n.type == "return_statement":
                last_return = n
            stack.extend(n.children)
        return in_request_handler(file, last_return)

    # A fragment without its imports: `request.data` is the framework's request (as source_of reads it).
    assert handler("def update(client):\n    token = decode(request.data)\n    return token\n")
    assert handler("from flask import request\ndef update():\n    x = request.form\n    return x\n")
    # A method that reads its handler's request object (webapp2, tornado, class-based views).
    assert handler("class H:\n    def get(self, key):\n        q = self.request.GET\n        return q\n")
    assert not handler("class H:\n    def get(self, key):\n        q = self.request_count\n        return q\n")
    # Bound here: a local, a parameter, a module-level object, an import of something else.
    assert not handler("def f():\n    request = build()\n    return request.data\n")
    assert not handler("def f(request_id):\n    return request_id.data\n")
    assert not handler("request = Session()\ndef f():\n    return request.data\n")
    assert not handler("import urllib.request as request\ndef f(u):\n    return request.urlopen(u)\n")
    assert not handler("def f(x):\n    return x.request.data_size\n")


def test_containers_filled_by_append_extend_add_update_carry_what_was_put_in():
    code = FLASK + (
        "def f():\n    parts = ['ls']\n    parts.append(request.args['a'])\n    sink(' '.join(parts))\n"
        "def g():\n    opts = []\n    opts.extend(['-l', '-a'])\n    opts.insert(0, 'ls')\n    sink(' '.join(opts))\n"
        "def h(extra):\n    seen = set()\n    seen.add(extra)\n    sink(seen)\n"
        "def k():\n    env = {}\n    env.update(request.form)\n    sink(env)\n"
        "def m():\n    parts = []\n    sink(' '.join(parts))\n    parts.append(request.args['late'])\n"
    )
    # The last one: the append comes after the use.
    assert levels(code) == [TAINTED, CONST, UNKNOWN, TAINTED, CONST]
