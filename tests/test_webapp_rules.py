"""The web-application rules of webapp.toml (issue 19): confidence by evidence, quick fixes,
the word and key heuristics, and that odd input does not crash them. The valid/invalid examples
in the TOML are run by test_rule_examples.py; these tests check what examples cannot say."""

from __future__ import annotations

import pytest

from redline.findings import Confidence
from redline.fixes import apply_edits
from redline.pipeline import analyze_text
from redline.rules.predicates.webapp import _tokenish, state_verb, weak_key

CODES = {"RL145", "RL146", "RL147", "RL148", "RL334", "RL335", "RL116", "RL311"}


def findings(path: str, code: str, rule: str):
    return [f for f in analyze_text(path, code).findings if f.code == rule]


def one(path: str, code: str, rule: str):
    hits = findings(path, code, rule)
    assert len(hits) == 1, [(f.code, f.message) for f in hits]
    return hits[0]


def fixed(code: str, finding) -> str:
    assert finding.fixes, "no quick fix"
    return apply_edits(code.encode(), finding.fixes[0].edits).decode()


# ---------------------------------------------------------------------- heuristics


@pytest.mark.parametrize("value,weak", [
    ("secret", True), ("dev", True), ("your-secret-key-here", True), ("keyboard cat", True),
    ("change-me-in-production", True), ("abc123", True), ("thisisalongphraseofwords", True),
    ("", False), ("   ", False), ("${JWT_SECRET}", False),
    ("9f8a7c6e5d4b3a2918273645aabbccdd", False), ("Zq7#vR2!mK9@pL4$wX8^", False),
])
def test_weak_key(value, weak):
    assert (weak_key(value) is not None) is weak


@pytest.mark.parametrize("name,token", [
    ("reset_token", True), ("sessionId", True), ("make_confirmation_code", True), ("api_key", True),
    ("access_token_revoked_at", False), ("token_type", False), ("tokens", False), ("expires_at", False),
    ("csrf_token_name", False), ("cache_key", False), ("timestamp", False),
])
def test_token_names(name, token):
    assert (_tokenish(name) is not None) is token


def test_state_verbs_split_camel_case_and_paths():
    assert state_verb("/users/<id>/delete") == "delete"
    assert state_verb("transferMoney") == "transfer"
    assert state_verb("/items") is None
    assert state_verb("getSettings") is None


# ---------------------------------------------------------------------- RL146 confidence by evidence


FLASK = "from flask import Flask\napp = Flask(__name__)\n\n"


def test_get_handler_with_database_write_is_medium_and_points_at_the_write():
    code = FLASK + "@app.route('/posts/<int:pid>/like')\ndef like(pid):\n    post = Post.query.get(pid)\n    post.likes += 1\n    db.session.commit()\n    return 'ok'\n"
    f = one("app.py", code, "RL146")
    assert f.confidence == Confidence.MEDIUM
    assert "commits a database transaction" in f.message
    assert f.related and f.related[0].span.start_point[0] == 7  # 0-based: line 8, the commit()


def test_get_handler_with_only_a_verb_in_its_name_is_low():
    code = FLASK + "@app.route('/cart/checkout')\ndef checkout():\n    return do_checkout()\n"
    assert one("app.py", code, "RL146").confidence == Confidence.LOW


def test_read_only_get_handler_and_post_only_handler_are_not_reported():
    code = FLASK + "@app.route('/posts')\ndef posts():\n    return render_template('p.html', posts=Post.query.all())\n\n" \
                   "@app.route('/posts/<int:pid>/delete', methods=['POST'])\ndef delete(pid):\n    db.session.commit()\n"
    assert findings("app.py", code, "RL146") == []


def test_express_get_with_file_delete_is_reported_and_router_config_getter_is_not():
    code = "const fs = require('fs');\nrouter.get('/files/:name/remove', (req, res) => {\n  fs.unlinkSync(path.join(DIR, path.basename(req.params.name)));\n  res.send('ok');\n});\nconst port = app.get('port');\n"
    f = one("routes.js", code, "RL146")
    assert f.confidence == Confidence.MEDIUM and "changes files" in f.message


# ---------------------------------------------------------------------- RL145


def test_token_from_time_and_hash_is_high_with_the_time_as_related():
    code = "import hashlib, time\n\ndef new_api_key(user):\n    stamp = str(time.time())\n    api_key = hashlib.sha256((user.email + stamp).encode()).hexdigest()\n    return api_key\n"
    hits = findings("keys.py", code, "RL145")
    assert hits and hits[0].confidence == Confidence.HIGH
    assert any("current time" in r.message for r in hits[0].related)


def test_token_mixing_in_a_csprng_is_not_reported():
    code = "import hashlib, secrets, time\n\ndef new_api_key():\n    api_key = hashlib.sha256(f'{time.time()}{secrets.token_hex(16)}'.encode()).hexdigest()\n    return api_key\n"
    assert findings("keys.py", code, "RL145") == []


# ---------------------------------------------------------------------- RL335 and its fix


def test_weak_key_literal_fix_reads_the_environment():
    code = "import os\nSECRET_KEY = 'dev'\n"
    f = one("settings.py", code, "RL335")
    assert f.confidence == Confidence.HIGH
    assert fixed(code, f) == "import os\nSECRET_KEY = os.environ[\"SECRET_KEY\"]\n"


def test_weak_key_fallback_is_medium_and_has_no_fix():
    code = "const JWT_SECRET = process.env.JWT_SECRET || 'secret';\n"
    f = one("auth.js", code, "RL335")
    assert f.confidence == Confidence.MEDIUM and "falls back to" in f.message
    assert not f.fixes


def test_random_looking_key_is_left_to_the_secrets_engine():
    code = "SECRET_KEY = 'q8Zr3LmW0vT6yPb1Xk9sNd4Hf7Jc2Ga5'\n"
    assert findings("settings.py", code, "RL335") == []


def test_weak_key_in_a_test_folder_is_dropped():
    code = "SECRET_KEY = 'test'\n"
    assert findings("tests/settings.py", code, "RL335") == []


# ---------------------------------------------------------------------- RL334 fix


def test_session_defaults_fix_adds_a_secure_cookie():
    code = "const session = require('express-session');\napp.use(session({ secret: process.env.S, resave: false }));\n"
    f = one("server.js", code, "RL334")
    out = fixed(code, f)
    assert "cookie: { secure: true, httpOnly: true, sameSite: 'lax' }" in out
    assert findings("server.js", out, "RL334") == []


def test_session_defaults_fix_completes_an_existing_cookie_object():
    code = "const session = require('express-session');\napp.use(session({ secret: process.env.S, cookie: { maxAge: 1000 } }));\n"
    out = fixed(code, one("server.js", code, "RL334"))
    assert "cookie: { maxAge: 1000, secure: true }" in out


# ---------------------------------------------------------------------- RL148


def test_postmessage_wildcard_fix_and_self_messages():
    code = "function share(frame, user) {\n  frame.contentWindow.postMessage({ user }, '*');\n}\nwindow.postMessage(tick, '*');\n"
    f = one("embed.js", code, "RL148")
    assert "window.location.origin" in fixed(code, f)


def test_message_listener_that_only_logs_is_low():
    code = "window.addEventListener('message', (e) => { console.debug(e.data); });\n"
    assert one("embed.js", code, "RL148").confidence == Confidence.LOW


# ---------------------------------------------------------------------- RL147


def test_template_written_in_a_with_block_through_a_variable_path():
    code = ("from flask import request, render_template\n\n@app.post('/t/<name>')\ndef save(name):\n"
            "    target = os.path.join('templates', 'user', secure_filename(name) + '.html')\n"
            "    open(target, 'w').write(request.form['html'])\n    return render_template('user/' + name + '.html')\n")
    f = one("app.py", code, "RL147")
    assert f.confidence == Confidence.HIGH


# ---------------------------------------------------------------------- robustness


@pytest.mark.parametrize("path,code", [
    ("x.py", "SECRET_KEY = \n@app.route(\ndef (:\n    return hashlib.md5(time.time(\n"),
    ("x.py", "@app.route('/a')\n@\ndef f():\n    reset_token = \n"),
    ("x.js", "app.get('/x', (req, res) => { fs.writeFileSync(; \nwindow.addEventListener('message', );\n"),
    ("x.ts", "const sessionId: = Date.now(;\nsession({ cookie: });\njwt.sign(\n"),
    ("x.js", "postMessage();\nx.postMessage(a, '*', );\nwindow.onmessage = 5;\n"),
    ("x.py", "\x00\x01def reset_token(:\n\treturn (((\n"),
    ("x.go", "package x\nfunc f() {\n\tr.GET(\"/del\", func(c *gin.Context) {\n\t\tdb.Exec(\n\tvar jwtKey = []byte(\n"),
    ("X.java", "class X {\n  @GetMapping(\"/d\")\n  void d( { repo.deleteById(; }\n  String JWT_SECRET = \n  Jwts.builder().signWith(\n"),
    ("x.js", "new RegExp(;\nconst c = new ftp.Client(\nc.access({ host: });\nnodemailer.createTransport({ ignoreTLS: })\n"),
])
def test_broken_input_does_not_crash(path, code):
    analysis = analyze_text(path, code)
    assert not analysis.errors, analysis.errors


def test_go_get_route_with_only_a_named_handler_is_low():
    code = "package web\n\nfunc Routes(r *gin.Engine) {\n\tr.GET(\"/account/delete\", deleteAccount)\n}\n"
    assert one("routes.go", code, "RL146").confidence == Confidence.LOW


def test_spring_request_mapping_without_method_is_not_reported():
    code = "class C {\n  @RequestMapping(\"/orders/purge\")\n  void purge() { repository.deleteAll(); }\n}\n"
    assert findings("C.java", code, "RL146") == []


def test_js_regex_from_a_parameter_is_left_alone():
    code = "function highlight(text, word) { return text.replace(new RegExp(word, 'g'), '<b>$&</b>'); }\n"
    assert findings("hl.js", code, "RL117") == []


# ---------------------------------------------------------------------- RL131 (issue 19): query built outside find()


def test_js_where_clause_built_before_the_find_call():
    code = ("app.get('/users', async (req, res) => {\n"
            "  const filter = { $where: `this.team == '${req.query.team}'` };\n"
            "  res.json(await db.collection('users').find(filter).toArray());\n});\n")
    hits = findings("users.js", code, "RL131")
    assert hits and hits[0].confidence == Confidence.HIGH and "$where" in hits[0].message


def test_js_constant_where_clause_built_before_the_find_call_is_not_reported():
    code = "const filter = { $where: 'this.stock < this.minimum' };\nmodule.exports = (db) => db.collection('items').find(filter);\n"
    assert findings("items.js", code, "RL131") == []


def test_spring_get_running_a_prepared_select_is_not_a_state_change():
    code = ("class Db {\n  @GetMapping(value = \"/all\")\n  List<User> all() throws Exception {\n"
            "    PreparedStatement st = conn.prepareStatement(\"SELECT * FROM users\");\n    st.execute();\n    return read(st);\n  }\n}\n")
    assert findings("Db.java", code, "RL146") == []


# ---------------------------------------------------------------------- the issue's classes in one small app each

FLASK_APP = '''import hashlib
import os
import time

from flask import Flask, render_template, request
from pymongo import MongoClient

app = Flask(__name__)
app.config["SECRET_KEY"] = "your-secret-key-here"
notes = MongoClient()["app"]["notes"]


@app.route("/forgot", methods=["POST"])
def forgot():
    user = find_user(request.form["email"])
    reset_token = hashlib.md5((user.email + str(time.time())).encode()).hexdigest()
    send_reset_mail(user, reset_token)
    return "sent"


@app.route("/notes/<int:note_id>/delete")
def delete_note(note_id):
    notes.delete_one({"_id": note_id})
    return "deleted"


@app.route("/pages/<name>", methods=["POST"])
def save_page(name):
    open(f"templates/pages/{name}.html", "w").write(request.form["body"])
    return render_template(f"pages/{name}.html")
'''

EXPRESS_APP = '''const express = require('express');
const session = require('express-session');
const jwt = require('jsonwebtoken');
const fs = require('fs');

const app = express();
app.use(session({ secret: 'keyboard cat', resave: false, saveUninitialized: false }));

app.post('/login', (req, res) => {
  console.log('login attempt for ' + req.body.username);
  const token = jwt.sign({ sub: req.body.username }, 'secret');
  res.json({ token });
});

app.get('/users/:id/remove', async (req, res) => {
  await User.deleteOne({ _id: req.params.id });
  res.redirect('/users');
});

app.get('/search', async (req, res) => {
  const filter = { $where: `this.name.startsWith('${req.query.prefix}')` };
  res.json(await db.collection('users').find(filter).toArray());
});

app.post('/hooks', (req, res) => {
  if (req.headers['x-signature'] === process.env.HOOK_SIGNATURE) { res.sendStatus(204); }
});

app.post('/views/:name', (req, res) => {
  fs.writeFileSync(`views/custom/${req.params.name}.ejs`, req.body.template);
  res.render(`custom/${req.params.name}`);
});
'''


def test_flask_app_of_the_issue_gets_each_class_reported():
    codes = {f.code for f in analyze_text("app.py", FLASK_APP).findings}
    assert {"RL335", "RL145", "RL146", "RL147"} <= codes, codes


def test_express_app_of_the_issue_gets_each_class_reported():
    codes = {f.code for f in analyze_text("server.js", EXPRESS_APP).findings}
    assert {"RL335", "RL334", "RL116", "RL146", "RL131", "RL311", "RL147"} <= codes, codes


# ---------------------------------------------------------------------- RL145 / RL146 quick fixes


def test_predictable_token_fix_python_uses_secrets_and_imports_it():
    code = "import hashlib, time\n\ndef forgot(user):\n    reset_token = hashlib.md5((user.email + str(time.time())).encode()).hexdigest()\n    return reset_token\n"
    out = fixed(code, findings("reset.py", code, "RL145")[0])
    assert "reset_token = secrets.token_urlsafe(32)" in out and "import secrets" in out
    assert findings("reset.py", out, "RL145") == []


def test_predictable_token_fix_js_uses_crypto():
    code = "const crypto = require('crypto');\nconst sessionId = Date.now().toString(36);\n"
    out = fixed(code, one("s.js", code, "RL145"))
    assert "const sessionId = crypto.randomBytes(32).toString('hex');" in out


def test_state_change_fix_registers_post():
    code = FLASK + "@app.route('/notes/<int:nid>/delete')\ndef delete(nid):\n    db.session.commit()\n"
    assert "@app.route('/notes/<int:nid>/delete', methods=[\"POST\"])" in fixed(code, one("app.py", code, "RL146"))
    js = "router.get('/users/:id/delete', async (req, res) => { await User.deleteOne({ _id: req.params.id }); });\n"
    assert fixed(js, one("r.js", js, "RL146")).startswith("router.post('/users/:id/delete'")


def test_get_handler_that_only_counts_views_is_low():
    code = FLASK + "@app.route('/posts/<int:pid>')\ndef show(pid):\n    post = Post.query.get_or_404(pid)\n    post.views += 1\n    db.session.commit()\n    return render_template('post.html', post=post)\n"
    assert one("app.py", code, "RL146").confidence == Confidence.LOW


def test_js_log_of_decoded_route_params_is_reported_and_raw_url_is_not():
    code = ("app.get('/users/:name', (req, res) => {\n  logger.info('profile viewed: ' + req.params.name);\n"
            "  console.log(req.method + ' ' + req.originalUrl);\n  res.end();\n});\n")
    hits = findings("server.js", code, "RL116")
    assert [h.span.start_point[0] for h in hits] == [1]


def test_get_pages_that_show_a_form_are_not_state_changes():
    code = FLASK + ("@app.route('/wiki/<page>/edit')\ndef edit_page(page):\n    return render_template('edit.html', page=load(page))\n\n"
                    "@app.route('/movies/add', methods=['GET', 'POST'])\ndef add_movie():\n    form = MovieForm()\n"
                    "    if not form.validate_on_submit():\n        return render_template('new.html', form=form)\n"
                    "    db.session.add(Movie(title=form.title.data))\n    db.session.commit()\n    return redirect('/movies')\n")
    assert findings("app.py", code, "RL146") == []


def test_postmessage_of_layout_data_is_low():
    code = "frame.onload = () => frame.contentWindow.postMessage({ type: 'resize', height: el.scrollHeight }, '*');\n"
    assert one("embed.js", code, "RL148").confidence == Confidence.LOW


def test_js_two_local_values_are_not_a_timing_probe():
    code = ("function register(password, repeatPassword) {\n  if (password !== repeatPassword) { throw new Error('mismatch'); }\n}\n"
            "function check(secret) { if (secret !== PropTypesSecret) { warn(); } }\n")
    assert findings("form.js", code, "RL311") == []
