"""Local taint for JavaScript/TypeScript: user input -> high confidence with the source as
related information; parameters and unknown values -> lower; constants and sanitized values ->
nothing."""

import pytest

from support_jsgojava import only


def one(path, code, rule):
    found = only(path, code, rule)
    assert len(found) == 1, [f.message for f in found]
    return found[0]


def test_destructured_query_parameter_is_tainted_and_points_at_the_source():
    code = (
        "app.get('/u', async (req, res) => {\n"
        "  const { id } = req.query;\n"
        "  const q = `SELECT * FROM users WHERE id = ${id}`;\n"
        "  res.json(await db.query(q));\n"
        "});\n"
    )
    f = one("a.js", code, "RL101")
    assert f.confidence.value == "high"
    assert "req.query" in f.message
    [rel] = f.related
    assert rel.span.start_line == 1 and "req.query" in rel.message


def test_handler_with_other_parameter_names_is_recognised_by_the_response_parameter():
    code = "router.post('/x', (r, response) => { response.send('<p>' + r.body.name + '</p>'); });\n"
    assert one("a.js", code, "RL105").confidence.value == "high"


def test_parameter_of_a_plain_function_is_medium_with_the_parameter_as_related():
    code = "function find(db, name) { return db.query(\"SELECT * FROM t WHERE name = '\" + name + \"'\"); }\n"
    f = one("a.js", code, "RL101")
    assert f.confidence.value == "medium"
    assert "parameter 'name'" in f.related[0].message


@pytest.mark.parametrize("expr", [
    "parseInt(req.query.id, 10)",
    "Number(req.query.id)",
    "mysql.escape(req.query.id)",
    "req.query.id.length",
])
def test_sanitized_values_are_not_flagged(expr):
    code = f"app.get('/u', (req, res) => db.query(`SELECT * FROM t WHERE id = ${{{expr}}}`));\n"
    assert not only("a.js", code, "RL101")


def test_constants_through_variables_are_not_flagged():
    code = "const T = 'users';\nconst COLS = ['a', 'b'].join(', ');\nfunction f(db) { return db.query(`SELECT ${COLS} FROM ${T} WHERE x = 1`); }\n"
    assert not only("a.js", code, "RL101")


def test_taint_flows_through_push_join_and_plus_equals():
    code = (
        "app.get('/s', (req, res) => {\n"
        "  const parts = ['SELECT * FROM t WHERE 1=1'];\n"
        "  parts.push(`AND owner = '${req.query.owner}'`);\n"
        "  let sql = parts.join(' ');\n"
        "  sql += ' ORDER BY id';\n"
        "  db.query(sql);\n"
        "});\n"
    )
    assert one("a.js", code, "RL101").confidence.value == "high"


def test_database_results_do_not_carry_the_request_taint():
    code = (
        "app.get('/u', async (req, res) => {\n"
        "  const r = await db.query('SELECT name FROM t WHERE id = $1', [req.query.id]);\n"
        "  res.send(r.rows[0].name);\n"
        "});\n"
    )
    assert not only("a.js", code, "RL105")


def test_browser_sources():
    code = "const p = new URLSearchParams(window.location.search);\ndocument.getElementById('o').innerHTML = p.get('msg');\n"
    f = one("a.js", code, "RL105")
    assert f.confidence.value == "high" and "location" in f.related[0].message


def test_process_argv_is_a_source():
    code = "const { execSync } = require('child_process');\nexecSync('ls ' + process.argv[2]);\n"
    assert one("a.js", code, "RL102").confidence.value == "high"


def test_local_variable_named_req_is_not_a_request():
    code = "const req = http.request(opts);\ndb.query(`SELECT * FROM t WHERE a = '${req.path}'`);\n"
    f = one("a.js", code, "RL101")
    assert f.confidence.value != "high"


def test_path_traversal_needs_user_input_or_a_joined_parameter():
    plain = "const fs = require('fs');\nfunction read(p) { return fs.readFileSync(p); }\n"
    joined = "const fs = require('fs');\nfunction read(dir, name) { return fs.readFileSync(path.join(dir, name)); }\n"
    tainted = "const fs = require('fs');\napp.get('/f', (req, res) => res.send(fs.readFileSync(path.join('/srv', req.params.f))));\n"
    assert not only("a.js", plain, "RL104")
    assert one("a.js", joined, "RL104").confidence.value == "low"
    assert one("a.js", tainted, "RL104").confidence.value == "high"


def test_base_folder_check_after_resolve_clears_path_traversal():
    code = (
        "const fs = require('fs');\n"
        "app.get('/f', (req, res) => {\n"
        "  const full = path.resolve(ROOT, req.query.name);\n"
        "  const rel = path.relative(ROOT, full);\n"
        "  if (rel.startsWith('..') || path.isAbsolute(rel)) return res.sendStatus(400);\n"
        "  fs.createReadStream(full).pipe(res);\n"
        "});\n"
    )
    assert not only("a.js", code, "RL104")


def test_ssrf_with_fixed_host_is_not_flagged_but_user_host_is():
    fixed = "const axios = require('axios');\napp.get('/u', (req, res) => axios.get(`https://api.example.com/u/${req.query.id}`));\n"
    host = "const axios = require('axios');\napp.get('/u', (req, res) => axios.get(`https://${req.query.host}/u`));\n"
    assert not only("a.js", fixed, "RL106")
    assert one("a.js", host, "RL106").confidence.value == "high"


def test_typescript_casts_do_not_hide_the_source():
    code = "app.get('/x', (req: Request, res: Response) => {\n  const name = (req.query.name as string)!;\n  res.send(`<p>${name}</p>`);\n});\n"
    assert one("a.ts", code, "RL105").confidence.value == "high"


def test_insecure_random_decides_from_names():
    assert one("a.js", "const apiKey = Math.random().toString(16);\n", "RL304").confidence.value == "medium"
    assert not only("a.js", "const x = Math.random() * width;\n", "RL304")
    # a string id without a security name: not a secret, not reported (issue 13 class M)
    assert not only("a.js", "const id = Math.random().toString(36).slice(2);\n", "RL304")


def test_pseudo_random_bytes_is_reported_anywhere_and_fixed_to_random_bytes():
    f = one("a.js", "const crypto = require('crypto');\nconst buf = crypto.pseudoRandomBytes(8);\n", "RL304")
    assert f.confidence.value == "medium" and f.span.start_line == 1
    assert one("a.js", "const crypto = require('crypto');\nconst resetToken = crypto.pseudoRandomBytes(32);\n",
               "RL304").confidence.value == "high"
    [fx] = f.fixes
    assert fx.edits[0].new_text == "randomBytes"
    # a seeded generator's method of the same name is not node's crypto
    assert not only("a.js", "const gen = makeGen(1);\nconst b = gen.pseudoRandomBytes(4);\n", "RL304")


def test_weak_hash_for_an_etag_is_dropped():
    # issue 13 class M: a non-security digest (ETag, cache key, checksum) was a low hint triage counted as noise
    code = "function etag(body) { return crypto.createHash('md5').update(body).digest('hex'); }\n"
    assert not only("a.js", code, "RL301")
    code = "function sign(body) { return crypto.createHash('md5').update(body).digest('hex'); }\n"
    assert one("a.js", code, "RL301").confidence.value == "medium"


def test_regex_exec_is_not_command_execution():
    code = "const re = /(\\d+)/;\nfunction f(s) { return re.exec(s); }\n"
    assert not only("a.js", code, "RL102")


def test_nosql_operator_injection_only_for_objects_from_body_or_query():
    body = "app.post('/l', async (req, res) => res.json(await User.findOne({ name: req.body.name })));\n"
    params = "app.get('/u/:name', async (req, res) => res.json(await User.findOne({ name: req.params.name })));\n"
    assert one("a.js", body, "RL131").confidence.value == "high"
    assert not only("a.js", params, "RL131")


def test_error_handler_leak_is_high_in_a_four_parameter_handler():
    code = "app.use(function (err, req, res, next) { res.status(500).json({ message: err.message, stack: err.stack }); });\n"
    f = one("a.js", code, "RL306")
    assert f.confidence.value == "high"


def test_paths_from_the_command_line_are_low():
    # Whoever runs a CLI already chooses its files; a request choosing them is the attack.
    code = "const fs = require('fs');\nconst input = process.argv[2];\nconsole.log(fs.readFileSync(path.join('data', input), 'utf8'));\n"
    assert one("a.js", code, "RL104").confidence.value == "low"


def test_nestjs_parameter_decorators_are_sources():
    code = ("@Controller('files')\nexport class FilesController {\n  @Get()\n"
            "  read(@Query('name') name: string) { return fs.readFileSync(path.join('/srv', name)); }\n}\n")
    f = one("a.ts", code, "RL104")
    assert f.confidence.value == "high" and "@Query" in f.related[0].message


def test_library_knowledge_comes_from_the_javascript_model():
    from redline.rules.models import load
    from redline.rules.predicates import taint_js

    model = load("javascript")
    assert taint_js.MODEL is model
    assert model.sanitizes("sql", "escapeId", "connection.escapeId")
    assert model.sanitizes("html", "sanitize", "DOMPurify.sanitize")
    assert model.sanitizes("cmd", "escapeValue", "x.escapeValue")  # any category: escape*/sanitize*/clean*
    # on = "callee": a receiver named clean* does not make its methods sanitizers
    assert not model.sanitizes("sql", "run", "cleanup.run")
    assert "parseInt" in model.propagates("safe") and "trim" in model.propagates("passthrough")
    assert "join" in model.propagates("transform")
    # sources: the request's properties and methods, and NestJS decorators, are model entries too
    assert {"query", "body"} <= taint_js.REQUEST_PROPS and "get" in taint_js.REQUEST_METHODS
    assert "Query" in taint_js.NEST_DECORATORS
    # and the analysis follows it: an escaped value is safe in SQL, the raw one is not
    assert not only("a.js", "function f(db, n) { return db.query(\"SELECT * FROM t WHERE a = '\" + escapeId(n) + \"'\"); }\n", "RL101")
    assert only("a.js", "function f(db, n) { return db.query(\"SELECT * FROM t WHERE a = '\" + n + \"'\"); }\n", "RL101")
