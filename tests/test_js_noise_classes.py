"""Issue 13 class M in JavaScript: the false-positive classes triage found in real npm packages,
each with the true case next to it so that a fix that silences the rule fails here.

- RL101: a query builder passing on SQL fragments it made itself (`this.client.raw(sql)`,
  `sequelize.literal(this.quoteIdentifier(as))`, `raw(`CURRENT_TIMESTAMP(${p})`)`): no SQL text
  and no request data in sight.
- RL130: writing back an own key of the same object (`for (const k of Object.keys(f)) f[k] = ...`)
  and walking a schema's declared paths (an ODM applying defaults).
- RL301/RL304: low-confidence hints for weak hashes and Math.random() in non-security uses are
  dropped in JavaScript (RL304 here; RL301's classes are in test_js_taint.py).
"""

import pytest

from support_jsgojava import only

ORM_INTERNALS = [
    "class TableCompiler {\n  drop(sql) { return this.client.raw(sql); }\n}",
    "function now(precision) { return this.client.raw(`CURRENT_TIMESTAMP(${precision})`); }",
    "function join(asRight) { return this.sequelize.literal(this.quoteIdentifier(asRight)); }",
    "function wrap(item) { return this.sequelize.literal(item); }",
]


@pytest.mark.parametrize("code", ORM_INTERNALS)
def test_query_builder_fragments_are_not_sql_injection(code):
    assert not only("builder.js", code, "RL101")


@pytest.mark.parametrize("code", [
    "function byName(knex, name) { return knex.raw(`select * from users where name = '${name}'`); }",
    "app.get('/t', (req, res) => knex.raw(req.query.expr).then((r) => res.json(r)));",
    "app.get('/s', (req, res) => sequelize.literal(req.query.order));",
])
def test_sql_text_or_request_data_still_reported(code):
    assert only("repo.js", code, "RL101")


OWN_KEYS = [
    "function eqOnly(filter) {\n  for (const key of Object.keys(filter)) {\n    if (isOperator(filter[key])) filter[key] = { $eq: filter[key] };\n  }\n}",
    "function castAll(val) {\n  const names = Object.keys(val);\n  let i = names.length;\n  while (i--) {\n    const k = names[i];\n    val[k] = cast(val[k]);\n  }\n}",
    "function trimAll(o) {\n  for (const k in o) { o[k] = String(o[k]).trim(); }\n}",
    "function applyDefaults(doc, schema) {\n  for (const p of schema.paths) {\n    const parts = p.split('.');\n    let cur = doc;\n"
    "    for (let i = 0; i < parts.length - 1; i++) { cur = cur[parts[i]] = cur[parts[i]] || {}; }\n"
    "    cur[parts[parts.length - 1]] = schema.defaults[p];\n  }\n}",
    # the recursive form: defaults applied level by level along each declared path
    "function fill(doc, schema) {\n  for (const p of Object.keys(schema.paths)) {\n    const type = schema.paths[p];\n"
    "    const parts = type.splitPath();\n    let cur = doc;\n    for (let j = 0; j < parts.length; ++j) {\n"
    "      const piece = parts[j];\n      if (j === parts.length - 1) {\n"
    "        if (cur[piece] !== undefined) { fill(cur[piece], type.schema); break; }\n"
    "        cur[piece] = type.getDefault(doc);\n        break;\n      }\n      cur = cur[piece];\n    }\n  }\n}",
]


@pytest.mark.parametrize("code", OWN_KEYS)
def test_own_key_rewrites_and_schema_paths_are_not_prototype_pollution(code):
    assert not only("odm.js", code, "RL130")


@pytest.mark.parametrize("code", [
    # keys of another object written into the target: the classic merge
    "function merge(target, source) {\n  for (const key in source) {\n    if (typeof source[key] === 'object') target[key] = merge(target[key] || {}, source[key]);\n"
    "    else target[key] = source[key];\n  }\n  return target;\n}",
    # a caller's path walked key by key
    "function setPath(obj, path, value) {\n  const parts = path.split('.');\n  let cur = obj;\n"
    "  for (let i = 0; i < parts.length - 1; i++) { cur = cur[parts[i]] = cur[parts[i]] || {}; }\n"
    "  cur[parts[parts.length - 1]] = value;\n}",
    "app.post('/s', (req, res) => { store[req.body.a][req.body.b] = req.body.c; });",
])
def test_real_pollution_shapes_still_reported(code):
    assert only("util.js", code, "RL130")


@pytest.mark.parametrize("code", [
    "const requestId = Math.random().toString(36).slice(2);",
    "const bust = '?v=' + Math.random();",
    "function uuid() {\n  return 'xxxxxxxx'.replace(/x/g, () => ((Math.random() * 16) | 0).toString(16));\n}",
])
def test_math_random_without_a_security_name_is_dropped(code):
    assert not only("ids.js", code, "RL304")


def test_math_random_for_a_secret_is_still_reported():
    assert only("ids.js", "const resetToken = Math.random().toString(36).slice(2);", "RL304")
