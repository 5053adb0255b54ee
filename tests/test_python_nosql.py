"""RL149 NoSQL operator injection (issue 19): JSON request values placed in a MongoDB query or
update document built outside the call. The TOML examples run in test_rule_examples.py; these
check the lines, confidences and the classes the examples do not show."""

from __future__ import annotations

import pytest

from redline.findings import Confidence
from redline.pipeline import analyze_text

HEAD = "from flask import request\nimport pymongo\nimport json\ndb = pymongo.MongoClient().app\n\n"


def rl149(code: str):
    return [(f.span.start_line + 1 - HEAD.count("\n"), f.confidence) for f in analyze_text("app.py", HEAD + code).findings
            if f.code == "RL149"]


@pytest.mark.parametrize("code,line", [
    # a filter built in a helper variable, the value read through .get() of the parsed body
    ("@app.route('/login', methods=['POST'])\ndef login():\n    body = request.get_json(force=True)\n"
     "    who = body.get('user')\n    pw = body.get('pw')\n    cond = {'user': who, 'pw': pw}\n"
     "    return str(db.users.find_one(cond))\n", 6),
    # Django-style: json.loads of the raw body, stored into the filter with a subscript
    ("def view(request):\n    payload = json.loads(request.body)\n    flt = {}\n    flt['token'] = payload['token']\n"
     "    return db.sessions.delete_one(flt)\n", 4),
    # the update document taken whole from the JSON body
    ("@app.route('/u/<uid>', methods=['PATCH'])\ndef patch(uid):\n"
     "    db.users.update_many({'_id': uid}, {'$set': request.json})\n    return ''\n", 3),
    # a nested $or list
    ("@app.route('/f', methods=['POST'])\ndef f():\n    name = request.json['name']\n"
     "    q = {'$or': [{'owner': name}, {'shared_with': name}]}\n    return str(list(db.docs.find(q)))\n", 4),
])
def test_json_values_in_a_document_built_outside_the_call_are_high(code, line):
    assert rl149(code) == [(line, Confidence.HIGH)]


@pytest.mark.parametrize("code", [
    # int() and ObjectId() make scalars
    "@app.route('/o', methods=['POST'])\ndef o():\n    oid = ObjectId(request.json['id'])\n"
    "    return str(db.orders.find_one({'_id': oid, 'n': int(request.json['n'])}))\n",
    # query-string and route values are strings
    "@app.route('/u/<name>')\ndef u(name):\n    return str(db.users.find_one({'name': name, 'tag': request.args.get('t')}))\n",
    # isinstance check before the query
    "@app.route('/t', methods=['POST'])\ndef t():\n    tok = request.get_json()['tok']\n"
    "    if not isinstance(tok, str):\n        return 'bad', 400\n    return str(db.tokens.find_one({'tok': tok}))\n",
    # constants only
    "def active():\n    return list(db.users.find({'active': True}))\n",
    # the operand of a comparison operator is a value, objects included
    "@app.route('/r', methods=['POST'])\ndef r():\n    return str(db.t.count_documents({'age': {'$gte': request.json['min']}}))\n",
])
def test_strings_casts_checks_and_constants_are_not_reported(code):
    assert rl149(code) == []


def test_a_field_name_from_the_request_is_medium():
    code = "@app.route('/by')\ndef by():\n    key = request.args['field']\n    q = {key: 'x'}\n    return str(db.t.find(q))\n"
    assert rl149(code) == [(4, Confidence.MEDIUM)]


def test_without_a_mongodb_import_nothing_is_reported():
    code = ("from flask import request\n\n@app.route('/s', methods=['POST'])\ndef s():\n"
            "    return str(index.find({'q': request.json['q']}))\n")
    assert [f for f in analyze_text("app.py", code).findings if f.code == "RL149"] == []


@pytest.mark.parametrize("code", [
    "import pymongo\ndb.users.find(",
    "import pymongo\ndb.users.find({request.json: })\n",
    "import pymongo\nq = q\ndb.users.find(q)\n",
    "import pymongo\ndef f(request):\n    a = b\n    b = a\n    return db.x.find({'k': a})\n",
])
def test_broken_or_circular_input_does_not_crash(code):
    analyze_text("app.py", code)


def test_where_code_stored_into_a_query_built_outside_the_call_is_high():
    code = ("@app.route('/near')\ndef near():\n    q = {'active': True}\n"
            "    q['$where'] = \"this.city == '\" + request.args['city'] + \"'\"\n    return str(list(db.shops.find(q)))\n")
    assert rl149(code) == [(4, Confidence.HIGH)]


def test_where_code_in_a_dictionary_literal_is_left_to_rl131():
    code = ("@app.route('/near')\ndef near():\n    q = {'$where': \"this.city == '\" + request.args['city'] + \"'\"}\n"
            "    return str(list(db.shops.find(q)))\n")
    found = {f.code for f in analyze_text("app.py", HEAD + code).findings}
    assert "RL131" in found and "RL149" not in found


def test_constant_where_code_stored_is_not_reported():
    code = "def f():\n    q = {}\n    q['$where'] = 'this.a > this.b'\n    return db.t.find(q)\n"
    assert rl149(code) == []


FASTAPI = "from fastapi import FastAPI, Body\nimport motor.motor_asyncio\napp = FastAPI()\ndb = motor.motor_asyncio.AsyncIOMotorClient().app\n\n"


def test_a_handler_parameter_declared_as_a_json_structure_is_high():
    code = FASTAPI + ("@app.post('/login')\nasync def login(creds: dict):\n"
                      "    return await db.users.find_one({'name': creds['name'], 'pw': creds['pw']})\n")
    found = [(f.span.start_line + 1, f.confidence) for f in analyze_text("app.py", code).findings if f.code == "RL149"]
    assert found == [(8, Confidence.HIGH)]


@pytest.mark.parametrize("params", ["name: str = Body(...), pw: str = Body(...)", "name: str, pw: int"])
def test_handler_parameters_declared_as_scalars_are_not_reported(params):
    code = FASTAPI + (f"@app.post('/login')\nasync def login({params}):\n"
                      "    return await db.users.find_one({'name': name, 'pw': pw})\n")
    assert [f for f in analyze_text("app.py", code).findings if f.code == "RL149"] == []


def test_a_match_stage_of_an_aggregation_pipeline_is_a_filter():
    code = ("@app.route('/stats', methods=['POST'])\ndef stats():\n    team = request.get_json()['team']\n"
            "    stages = [{'$match': {'team': team}}, {'$group': {'_id': '$kind', 'n': {'$sum': 1}}}]\n"
            "    return str(list(db.events.aggregate(stages)))\n")
    assert rl149(code) == [(4, Confidence.HIGH)]


def test_a_pipeline_of_constants_and_casts_is_not_reported():
    code = ("@app.route('/stats', methods=['POST'])\ndef stats():\n    team = str(request.get_json()['team'])\n"
            "    return str(list(db.events.aggregate([{'$match': {'team': team}}, {'$limit': 10}])))\n")
    assert rl149(code) == []


def test_a_filter_variable_built_as_a_dictionary_is_judged_once_by_its_values():
    casted = ("@app.route('/o', methods=['POST'])\ndef o():\n    flt = {'customer': str(request.get_json()['c'])}\n"
              "    return str(list(db.orders.find(flt)))\n")
    raw = ("@app.route('/o', methods=['POST'])\ndef o():\n    flt = {'customer': request.get_json()['c']}\n"
           "    return str(list(db.orders.find(flt)))\n")
    codes = lambda code: sorted(f.code for f in analyze_text("app.py", HEAD + code).findings if f.code in ("RL131", "RL149"))
    assert codes(casted) == []
    assert codes(raw) == ["RL149"]
    # the whole query from the request stays RL131's
    whole = "@app.route('/w', methods=['POST'])\ndef w():\n    q = request.get_json()\n    return str(list(db.orders.find(q)))\n"
    assert codes(whole) == ["RL131"]
