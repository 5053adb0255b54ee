"""Issue 13's false-positive classes in the Python rules (bench/results/triage.md, "False-positive
and noise classes"): each class has a test that fails if it comes back, beside one that the true
case of the class is still reported. The examples are written for these tests."""

from __future__ import annotations

from redline.config import Config
from redline.pipeline import analyze_text

FAST = Config(engines=(("bandit", False), ("dependencies", False), ("registry", False), ("detect-secrets", False)))


def codes(code: str, rule: str, path: str = "app.py") -> list:
    a = analyze_text(path, code, FAST)
    assert not a.errors, a.errors
    return [(f.code, f.span, f.message) for f in a.findings if f.code == rule]


def reported(code: str, rule: str, path: str = "app.py") -> None:
    assert codes(code, rule, path), f"{rule} no longer reported"


def silent(code: str, rule: str, path: str = "app.py") -> None:
    found = codes(code, rule, path)
    assert not found, found


# ---------------------------------------------------------------- J: RL307 on a client's cookie jar


def test_j_cookie_jar_set_cookie_is_client_side():
    silent("import http.cookiejar\n\ndef remember(store: http.cookiejar.CookieJar, c):\n    store.set_cookie(c)\n", "RL307")
    silent("def keep(self, c):\n    self.cookiejar.set_cookie(c)\n", "RL307")
    silent(
        "from http.cookiejar import CookieJar\n\nclass SessionJar(CookieJar):\n"
        "    def merge(self, other):\n        for c in other:\n            self.set_cookie(c)\n"
        "    def set_cookie(self, c, *a, **k):\n        return super().set_cookie(c, *a, **k)\n",
        "RL307",
    )


def test_j_response_cookie_without_flags_is_still_reported():
    reported("def login(resp, sid):\n    resp.set_cookie('sid', sid)\n", "RL307")
    reported("def login(response, sid):\n    response.set_cookie(key='sid', value=sid)\n", "RL307")


# ---------------------------------------------------------------- K: TLS off on the caller's request, protocol tables


def test_k_tls_off_in_a_branch_on_the_callers_choice():
    silent(
        "import ssl\n\ndef make_context(verify=True):\n    if verify:\n        return ssl.create_default_context()\n"
        "    else:\n        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n        ctx.check_hostname = False\n"
        "        ctx.verify_mode = ssl.CERT_NONE\n        return ctx\n",
        "RL305",
    )
    silent(
        "import ssl\n\ndef apply(context, options):\n    if options.get('cert_reqs') == ssl.CERT_NONE:\n"
        "        context.check_hostname = False\n",
        "RL305",
    )


def test_k_protocol_constant_tables():
    silent("import ssl\nfrom OpenSSL import SSL\nVERSIONS = {ssl.PROTOCOL_TLSv1: SSL.TLSv1_METHOD}\n", "RL320")
    silent("import ssl\nfrom OpenSSL import SSL\nVERSIONS = {}\nVERSIONS[ssl.PROTOCOL_TLSv1_1] = SSL.TLSv1_1_METHOD\n", "RL320")
    silent("from OpenSSL import SSL\nBY_SETTING = {'TLS': SSL.TLS_METHOD, 'TLSv1.1': SSL.TLSv1_1_METHOD}\n", "RL320")


def test_k_tls_off_unconditionally_or_on_other_conditions_is_still_reported():
    reported("import ssl\n\ndef make_context():\n    ctx = ssl.create_default_context()\n    ctx.check_hostname = False\n    return ctx\n", "RL305")
    reported("import ssl\nDEBUG = True\n\ndef make_context():\n    ctx = ssl.create_default_context()\n    if DEBUG:\n        ctx.verify_mode = ssl.CERT_NONE\n    return ctx\n", "RL305")
    reported("import requests\n\ndef fetch(url):\n    return requests.get(url, verify=False)\n", "RL305")
    reported("import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n", "RL320")
    reported("import ssl\nOPTIONS = {'ssl_version': ssl.PROTOCOL_TLSv1}\n", "RL320")
    # A branch on some other parameter is not the caller's TLS choice.
    reported("import requests\n\ndef fetch(url, retry):\n    if retry:\n        return requests.get(url, verify=False)\n", "RL305")


# ---------------------------------------------------------------- E: RL311 on values that are not secrets


def test_e_protocol_constants_signals_eq_and_nonces_are_not_secrets():
    silent("import signal\n\ndef handle(sig):\n    if sig == signal.SIGHUP:\n        reload()\n", "RL311")
    silent("WAKE = 'W'\n\nclass Loop:\n    WAKEUP_SIGNAL = 'x'\n    def run(self, sig):\n        return sig != self.WAKEUP_SIGNAL\n", "RL311")
    silent("TOKEN_STRING = 'string'\n\ndef kind(token):\n    if token == TOKEN_STRING:\n        return 1\n", "RL311")
    silent("from .consts import SIGNATURE_HMAC\n\ndef pick(request):\n    return request.signature_method == SIGNATURE_HMAC\n", "RL311")
    silent("AUTH_HEADER = 'header'\n\ndef place(token_placement):\n    return token_placement == AUTH_HEADER\n", "RL311")
    silent("class Bearer:\n    def __eq__(self, other):\n        return self.token == other.token\n", "RL311")
    silent("def fresh(self, nonce):\n    return nonce != self.last_nonce\n", "RL311")
    silent("def stale(self, checksum):\n    return self.checksum != checksum\n", "RL311")
    silent("def clean(token):\n    return token.strip() == token\n", "RL311")


def test_e_secret_comparisons_are_still_reported():
    reported("class Inspector:\n    def check(self, request):\n        if request.token != self.api_key:\n            raise PermissionError()\n", "RL311")
    reported("import os\nAPI_TOKEN = os.environ['API_TOKEN']\n\ndef ok(request):\n    return request.headers['X-Token'] == API_TOKEN\n", "RL311")
    reported("from .settings import ADMIN_PASSWORD\n\ndef ok(typed):\n    return typed == ADMIN_PASSWORD\n", "RL311")
    reported("import hmac, hashlib\n\ndef valid(key, body, sig):\n    return sig == hmac.new(key, body, hashlib.sha256).hexdigest()\n", "RL311")
    reported("def ok(request, user):\n    return request.form['password'] == user.password\n", "RL311")


# ---------------------------------------------------------------- F: weak hashes as names, keys and protocol digests


def test_f_weak_hash_as_a_name_key_or_protocol_digest():
    silent("import hashlib\n\ndef thumb_guid(request):\n    return hashlib.sha1(request.url.encode()).hexdigest()\n", "RL301")
    silent("import hashlib\n\ndef slot_of(host):\n    slot_name = hashlib.md5(host.encode()).hexdigest()\n    return slot_name\n", "RL301")
    silent("from hashlib import sha1\n\ndef compiled_name(name):\n    return 'tmpl_' + sha1(name.encode()).hexdigest()\n", "RL301")
    silent("import hashlib\n\ndef upgrade(key):\n    return hashlib.sha1(key + b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest()\n", "RL301")
    silent("import hashlib, os\nsalt = os.urandom(hashlib.sha1().digest_size)\n", "RL301")
    silent("import hashlib, os\n\ndef client_nonce(count, nonce):\n    cnonce = hashlib.sha1(nonce + os.urandom(8)).hexdigest()[:16]\n    return cnonce\n", "RL301")


def test_f_weak_hash_for_secrets_and_signatures_is_still_reported():
    reported("import hashlib\n\ndef store(password):\n    return hashlib.md5(password.encode()).hexdigest()\n", "RL301")
    reported("import hashlib\n\ndef sign(body, secret):\n    signature = hashlib.sha1(secret + body).hexdigest()\n    return signature\n", "RL301")
    reported("import hashlib, os\nsession_key = hashlib.md5(os.urandom(8)).hexdigest()\n", "RL301")
    reported("import hashlib\nh = hashlib.md5(data).hexdigest()\n", "RL301")
    # A key or certificate fingerprint is compared to trust it: not a mere name.
    reported("import hashlib\n\ndef fingerprint(der):\n    return hashlib.sha1(der)\n", "RL301")


# ---------------------------------------------------------------- H: OAuth error responses are meant for the client

OAUTH_VIEW = (
    "from flask import Flask\n{imp}\napp = Flask(__name__)\n\n@app.post('/oauth/token')\ndef token():\n"
    "    try:\n        return issue_token()\n    except {exc} as err:\n"
    "        return {{'error': err.error, 'error_description': str(err)}}, 400\n"
)


def test_h_oauth_protocol_errors_returned_to_the_client():
    silent(OAUTH_VIEW.format(imp="from authlib.oauth2.rfc6749 import InvalidGrantError", exc="InvalidGrantError"), "RL144")
    silent(OAUTH_VIEW.format(imp="from oauthlib.oauth2 import errors", exc="errors.InvalidClientError"), "RL144")
    silent(OAUTH_VIEW.format(imp="from .provider import OAuth2Error", exc="OAuth2Error"), "RL144")


def test_h_other_exceptions_returned_to_the_client_are_still_reported():
    reported(OAUTH_VIEW.format(imp="import sqlite3", exc="Exception"), "RL144")
    reported(OAUTH_VIEW.format(imp="from authlib.oauth2 import OAuth2Error", exc="(OAuth2Error, KeyError)"), "RL144")


# ---------------------------------------------------------------- G: the library's purpose (generated code, own caches)


def test_g_generated_code_is_not_code_injection():
    # The code object is judged once, where compile() reads its source; exec() of it adds nothing.
    found = codes("def run(source, namespace):\n    code = compile(source, '<generated>', 'exec')\n    exec(code, namespace)\n", "RL103")
    assert [span.start_point[0] for _, span, _ in found] == [1], found
    silent(
        "import ast\n\ndef build(body):\n    module = ast.fix_missing_locations(ast.Module(body=body, type_ignores=[]))\n"
        "    return compile(module, '<rules>', 'exec')\n",
        "RL103",
    )


def test_g_own_cache_load_is_a_hint():
    code = (
        "import pickle\n\nclass DiskCache:\n    def store(self, path, value):\n        with open(path, 'wb') as f:\n"
        "            pickle.dump(value, f)\n\n    def fetch(self, path):\n        with open(path, 'rb') as f:\n            return pickle.load(f)\n"
    )
    found = codes(code, "RL107")
    a = analyze_text("app.py", code, FAST)
    assert found and all(f.confidence.value == "low" for f in a.findings if f.code == "RL107"), found


def test_g_code_and_pickles_from_input_are_still_reported():
    reported("def run(source, namespace):\n    exec(compile(source, '<generated>', 'exec'), namespace)\n", "RL103")
    reported("from flask import request\n\n@app.post('/run')\ndef run():\n    code = compile(request.form['src'], 'x', 'exec')\n    exec(code)\n", "RL103")
    reported("exec(code_from_user)\n", "RL103")
    a = analyze_text("app.py", "import pickle\n\ndef fetch(path):\n    with open(path, 'rb') as f:\n        return pickle.load(f)\n", FAST)
    assert [f for f in a.findings if f.code == "RL107" and f.confidence.value == "medium"]
    reported("import pickle\nfrom flask import request\n\nclass C:\n    def save(self, v, f):\n        pickle.dump(v, f)\n\n@app.post('/x')\ndef x():\n    return pickle.loads(request.data)\n", "RL107")
