"""RL143 (request data stored in the session) and RL144 (exception details sent to the client)
for Python: the cases the examples in python.toml do not show."""

from __future__ import annotations

import pytest

from test_python_dataflow import findings


def rule_hits(code: str, rule: str) -> list[tuple[int, str]]:
    return [(line, conf) for c, line, conf in findings(code) if c == rule]


@pytest.mark.parametrize(
    "code, line",
    [
        ("from flask import session, request\n@app.get('/a')\ndef a():\n    session['next'] = request.args['next']\n", 4),
        # through a local variable and a helper
        ("from flask import session, request\ndef clean(v):\n    return v.strip()\n@app.get('/a')\ndef a():\n"
         "    who = clean(request.headers.get('X-User'))\n    session['user'] = who\n", 7),
        ("def view(request):\n    request.session.setdefault('theme', request.COOKIES['theme'])\n", 2),
    ],
)
def test_request_data_stored_in_the_session(code, line):
    assert [ln for ln, _ in rule_hits(code, "RL143")] == [line]


@pytest.mark.parametrize(
    "code",
    [
        "from flask import session\n@app.get('/a')\ndef a():\n    session['visits'] = session.get('visits', 0) + 1\n",
        # validated against an allow-list first
        "from flask import session, request\nROLES = {'reader', 'editor'}\n@app.post('/a')\ndef a():\n"
        "    r = request.form['role']\n    if r in ROLES:\n        session['role'] = r\n",
        # a database session is not the user's session
        "from sqlalchemy.orm import Session\ndef add(db_session, request):\n    db_session['x'] = request.GET['x']\n",
        "cache = {}\ndef f(request):\n    cache['session'] = request.GET['x']\n",
    ],
)
def test_not_a_trust_boundary_violation(code):
    assert not rule_hits(code, "RL143")


@pytest.mark.parametrize(
    "code, conf",
    [
        ("import traceback\nfrom flask import Flask\n@app.get('/a')\ndef a():\n    try:\n        go()\n"
         "    except Exception:\n        return {'trace': traceback.format_exc()}, 500\n", "high"),
        ("from flask import make_response\n@app.get('/a')\ndef a():\n    try:\n        go()\n"
         "    except Exception as e:\n        resp = make_response('failed: ' + str(e), 500)\n        return resp\n", "medium"),
        ("import sys, traceback\nfrom django.http import HttpResponse\ndef v(request):\n    try:\n        go()\n"
         "    except Exception:\n        text = ''.join(traceback.format_exception(*sys.exc_info()))\n"
         "        return HttpResponse(text, status=500)\n", "high"),
        # a narrower exception class is often a message meant for the user: low
        ("from flask import jsonify\n@app.post('/a')\ndef a():\n    try:\n        parse()\n"
         "    except ValueError as e:\n        return jsonify(error=str(e)), 400\n", "low"),
    ],
)
def test_error_details_in_the_response(code, conf):
    hits = rule_hits(code, "RL144")
    assert [c for _, c in hits] == [conf], findings(code)


@pytest.mark.parametrize(
    "code",
    [
        # logged, generic message out
        "import traceback\nfrom flask import Flask\n@app.get('/a')\ndef a():\n    try:\n        go()\n"
        "    except Exception:\n        app.logger.error(traceback.format_exc())\n        return 'error', 500\n",
        # not a request handler
        "import traceback\ndef job():\n    try:\n        go()\n    except Exception as e:\n        return str(e)\n",
        # details only when DEBUG is on
        "import traceback\nfrom flask import Flask\n@app.get('/a')\ndef a():\n    try:\n        go()\n"
        "    except Exception:\n        return traceback.format_exc() if app.config['DEBUG'] else 'error'\n",
        # the exception's type name only
        "from flask import jsonify\n@app.get('/a')\ndef a():\n    try:\n        go()\n"
        "    except Exception as e:\n        return jsonify(error=type(e).__name__), 500\n",
    ],
)
def test_no_error_details_in_the_response(code):
    assert not rule_hits(code, "RL144"), findings(code)


def test_a_helper_that_takes_the_request_is_not_a_view():
    """django.contrib.auth.login(request, user, backend=None) stores its own arguments."""
    code = ("from django.contrib.auth import get_user_model\n\ndef login(request, user, backend=None):\n"
            "    request.session['backend'] = backend\n")
    assert not rule_hits(code, "RL143")


def test_what_an_error_handler_returns_is_not_the_exception():
    code = ("from django.http import HttpResponse\n\ndef view(request):\n    try:\n        return work(request)\n"
            "    except Exception as e:\n        result = handle_exception(request, e)\n        return result\n")
    assert not rule_hits(code, "RL144")


def test_a_method_that_takes_the_request_but_is_not_a_view():
    code = ("class Filter:\n    def cleanse(self, request, value):\n        try:\n            return check(value)\n"
            "        except Exception as e:\n            return '{!r} while evaluating {!r}'.format(e, value)\n")
    assert not rule_hits(code, "RL144")


def test_server_set_meta_keys_are_not_client_data():
    code = ("from django.conf import settings\n\ndef mw(request, response):\n"
            "    request.session['csrf'] = request.META['CSRF_COOKIE']\n")
    assert not rule_hits(code, "RL143")
