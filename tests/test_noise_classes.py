"""False-positive classes from issue 13 ("findings people can trust on real code"), each pinned
as a class: the noise stays gone, and the true positive of the same class is still reported.

Written for the weakness class, not copied from any benchmark record. Secret-shaped values are
built at run time (`redline.secrets.fakes`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redline.config import Config
from redline.pipeline import analyze_text


def _lines(path: str, code: str, rule: str) -> list[int]:
    """1-based lines of `rule` findings for `code` scanned as `path` (fast engines only)."""
    return [f.span.start_point[0] + 1 for f in analyze_text(path, code, slow=False).findings if f.code == rule]


# ------------------------------------------------------------- RL301: HMAC digests are not weak hashes

HMAC_DIGESTS = [
    ("a.py", "import hmac, hashlib\nsig = hmac.new(key, msg, hashlib.sha1).hexdigest()\n"),
    ("a.py", "import hmac\nsig = hmac.new(key, msg, 'sha1').hexdigest()\n"),
    ("a.py", "import hmac, hashlib\nsig = hmac.new(key, msg, digestmod=hashlib.md5)\n"),
    ("a.py", "import hmac, hashlib\nsig = hmac.new(key, msg, lambda: hashlib.sha1())\n"),
    ("a.py", "import hmac, hashlib\nsig = hmac.new(key, msg, digestmod=lambda d=b'': hashlib.sha1(d))\n"),
    # a digest factory named as a signer's digest method (itsdangerous / Flask style)
    ("a.py", "import hashlib\n\ndef _lazy_sha1(string=b''):\n    return hashlib.sha1(string)\n\n"
             "class Signer:\n    digest_method = staticmethod(_lazy_sha1)\n"),
    ("a.js", "const crypto = require('crypto');\nconst sig = crypto.createHmac('sha1', key).update(body).digest('hex');\n"),
    ("A.java", "import javax.crypto.Mac;\nclass A {\n  byte[] f(byte[] b) throws Exception {\n"
               "    Mac m = Mac.getInstance(\"HmacSHA1\");\n    return m.doFinal(b);\n  }\n}\n"),
    ("a.go", "package main\n\nimport (\n\t\"crypto/hmac\"\n\t\"crypto/sha1\"\n)\n\n"
             "func sign(key, msg []byte) []byte {\n\tm := hmac.New(sha1.New, key)\n\tm.Write(msg)\n\treturn m.Sum(nil)\n}\n"),
    ("a.go", "package main\n\nimport (\n\t\"crypto/hmac\"\n\t\"crypto/sha1\"\n\t\"hash\"\n)\n\n"
             "func sign(key, msg []byte) []byte {\n\tm := hmac.New(func() hash.Hash { return sha1.New() }, key)\n"
             "\tm.Write(msg)\n\treturn m.Sum(nil)\n}\n"),
]


@pytest.mark.parametrize("path,code", HMAC_DIGESTS)
def test_hmac_with_sha1_or_md5_is_not_a_weak_hash(path, code):
    assert _lines(path, code, "RL301") == []


WEAK_HASHES = [
    ("a.py", "import hashlib\nh = hashlib.sha1(password.encode()).hexdigest()\n", 2),
    ("a.py", "import hashlib\nh = hashlib.md5(data).hexdigest()\n", 2),
    # a function returning sha1 that is *not* an HMAC digest factory
    ("a.py", "import hashlib\n\ndef fingerprint(b):\n    return hashlib.sha1(b)\n", 4),
    # a lambda elsewhere than an HMAC
    ("a.py", "import hashlib\nfp = lambda b: hashlib.sha1(b)\n", 2),
    ("a.js", "const crypto = require('crypto');\nconst h = crypto.createHash('sha1').update(password).digest('hex');\n", 2),
    ("a.go", "package main\n\nimport \"crypto/sha1\"\n\nfunc hashPassword(password string) [20]byte { return sha1.Sum([]byte(password)) }\n", 5),
    ("a.go", "package main\n\nimport \"crypto/sha1\"\n\nfunc h() func() []byte {\n\treturn func() []byte { s := sha1.New(); return s.Sum(nil) }\n}\n", 6),
]


@pytest.mark.parametrize("path,code,line", WEAK_HASHES)
def test_plain_weak_hashes_are_still_reported(path, code, line):
    assert _lines(path, code, "RL301") == [line]


# ------------------------------------------------------ RL403: a lock file of the workspace covers members

APP = json.dumps({"name": "app", "private": True, "dependencies": {"express": "^4.21.0"}})


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def _manifest_lines(path: Path, rule: str) -> list[int]:
    return _lines(str(path), path.read_text(), rule)


@pytest.mark.parametrize("lock", ["npm-shrinkwrap.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "bun.lockb"])
def test_npm_lock_next_to_the_manifest_covers_it(tmp_path, lock):
    _write(tmp_path, {".git/HEAD": "", "package.json": APP, lock: "{}\n"})
    assert _manifest_lines(tmp_path / "package.json", "RL403") == []


@pytest.mark.parametrize("lock", ["package-lock.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock"])
def test_a_workspace_root_lock_covers_member_packages(tmp_path, lock):
    root = {"name": "mono", "private": True, "workspaces": ["packages/*"]}
    _write(tmp_path, {".git/HEAD": "", "package.json": json.dumps(root), lock: "{}\n", "packages/app/package.json": APP})
    assert _manifest_lines(tmp_path / "packages/app/package.json", "RL403") == []


def test_a_pnpm_workspace_or_a_lock_naming_the_member_covers_it(tmp_path):
    _write(tmp_path, {".git/HEAD": "", "pnpm-workspace.yaml": "packages:\n  - frontend\n", "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
                      "frontend/package.json": APP})
    assert _manifest_lines(tmp_path / "frontend/package.json", "RL403") == []
    other = tmp_path / "other"
    lock = {"lockfileVersion": 3, "packages": {"": {}, "web": {"name": "app"}}}
    _write(other, {".git/HEAD": "", "package.json": json.dumps({"name": "x", "private": True}),
                   "package-lock.json": json.dumps(lock), "web/package.json": APP})
    assert _manifest_lines(other / "web/package.json", "RL403") == []


def test_python_lock_files_and_uv_workspaces(tmp_path):
    app = '[project]\nname = "svc"\nversion = "1"\ndependencies = ["fastapi>=0.110"]\n'
    config = Config(application=True)  # pyproject.toml is taken for a library unless configured

    def rl403(path: Path) -> list[int]:
        return [f.span.start_point[0] + 1 for f in analyze_text(str(path), app, config, slow=False).findings if f.code == "RL403"]

    _write(tmp_path / "none", {".git/HEAD": "", "pyproject.toml": app})
    assert rl403(tmp_path / "none/pyproject.toml") == [4]
    for lock in ("poetry.lock", "uv.lock", "pdm.lock"):
        d = tmp_path / lock.replace(".", "_")
        _write(d, {".git/HEAD": "", "pyproject.toml": app, lock: "# lock\n"})
        assert rl403(d / "pyproject.toml") == [], lock
    ws = tmp_path / "ws"
    _write(ws, {".git/HEAD": "", "pyproject.toml": '[project]\nname = "root"\n[tool.uv.workspace]\nmembers = ["backend"]\n',
                "uv.lock": "version = 1\n", "backend/pyproject.toml": app})
    assert rl403(ws / "backend/pyproject.toml") == []


def test_unpinned_without_any_covering_lock_is_still_reported(tmp_path):
    # no lock at all
    _write(tmp_path / "a", {".git/HEAD": "", "package.json": APP})
    assert _manifest_lines(tmp_path / "a/package.json", "RL403") == [1]
    # a lock above the repository root covers nothing inside it
    _write(tmp_path / "b", {"package-lock.json": "{}\n", "repo/.git/HEAD": "", "repo/package.json": APP})
    assert _manifest_lines(tmp_path / "b/repo/package.json", "RL403") == [1]
    # a lock in a parent folder that is not a workspace root and does not name the member
    _write(tmp_path / "c", {".git/HEAD": "", "package.json": json.dumps({"name": "x"}), "package-lock.json": "{}\n",
                            "tools/site/package.json": APP})
    assert _manifest_lines(tmp_path / "c/tools/site/package.json", "RL403") == [1]


# ------------------------------------------------- RL405: names that exist are not "unknown packages"

KNOWN_NAMES = [
    ("package.json", '{"dependencies": {\n"@tanstack/react-router": "^1.0.0",\n"@tanstack/router-devtools": "^1.0.0"\n}}'),
    ("package.json", '{"dependencies": {\n"JSONStream": "1.3.5",\n"@TanStack/React-Query": "5.0.0"\n}}'),
    ("requirements.txt", "Flask_SQLAlchemy==3.1.1\nruamel.yaml==0.18.6\nZope.Interface==6.0\ntyping_extensions==4.12.2\n"),
    ("pyproject.toml", '[project]\nname = "x"\ndependencies = ["Pydantic_Settings>=2", "SQLModel>=0.0.21"]\n'),
]


@pytest.mark.parametrize("path,code", KNOWN_NAMES)
def test_listed_names_and_scopes_are_not_unknown(path, code):
    assert _lines(path, code, "RL405") == []


def test_an_invented_name_is_still_unknown_and_an_unlisted_scope_member_is_not_a_squat():
    code = '{"dependencies": {\n"@tanstack/react-router": "1.0.0",\n"express-quantum-session-vault": "2.0.0"\n}}'
    assert _lines("package.json", code, "RL405") == [3]
    assert _lines("requirements.txt", "quantum_flux.capacitor-sdk==1.0\n", "RL405") == [1]


def test_a_name_the_lock_file_resolved_exists(tmp_path):
    pkg = {"name": "app", "devDependencies": {"vhost-ish-router": "3.0.2", "invented-thing-xyzzy": "1.0.0"}}
    text = json.dumps(pkg, indent=1)
    lock = {"lockfileVersion": 3, "packages": {"": {}, "node_modules/vhost-ish-router": {"version": "3.0.2"}}}
    _write(tmp_path, {".git/HEAD": "", "package.json": text, "package-lock.json": json.dumps(lock)})
    lines = _lines(str(tmp_path / "package.json"), text, "RL405")
    assert lines == [text.splitlines().index(next(l for l in text.splitlines() if "invented" in l)) + 1]


LOCK_TEXTS = {
    "package-lock.json": json.dumps({"lockfileVersion": 3, "packages": {"": {}, "node_modules/a-pkg": {}, "node_modules/@s/b": {}, "node_modules/@s/b/node_modules/c-pkg": {}}}),
    "npm-shrinkwrap.json": json.dumps({"lockfileVersion": 1, "dependencies": {"a-pkg": {"dependencies": {"c-pkg": {}}}, "@s/b": {}}}),
    "yarn.lock": '# yarn lockfile v1\n\n"@s/b@^1.0.0", "@s/b@^1.1.0":\n  version "1.1.0"\n\na-pkg@^2.0.0:\n  version "2.0.0"\n\n"c-pkg@npm:3.0.0":\n  version: 3.0.0\n',
    "pnpm-lock.yaml": "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies: {}\n\npackages:\n  '@s/b@1.0.0':\n    resolution: {}\n  a-pkg@2.0.0:\n    resolution: {}\n  /c-pkg/3.0.0:\n    resolution: {}\n",
    "bun.lock": '{\n  "lockfileVersion": 1,\n  "packages": {\n    "a-pkg": ["a-pkg@2.0.0", "", {}, "sha512-x"],\n    "@s/b": ["@s/b@1.0.0"],\n    "c-pkg": ["c-pkg@3"],\n  }\n}\n',
}


@pytest.mark.parametrize("name", sorted(LOCK_TEXTS))
def test_lock_file_names(tmp_path, name):
    from redline.deps import locks

    (tmp_path / name).write_text(LOCK_TEXTS[name])
    assert locks.names_in(str(tmp_path / name)) == {"a-pkg", "@s/b", "c-pkg"}


@pytest.mark.parametrize("name", ["poetry.lock", "uv.lock", "pdm.lock"])
def test_python_lock_file_names(tmp_path, name):
    from redline.deps import locks

    text = '[[package]]\nname = "Typing_Extensions"\nversion = "4"\n\n[package.dependencies]\nname = "not-a-package"\n\n[[package]]\nname = "greenlet"\n'
    (tmp_path / name).write_text(text)
    assert locks.names_in(str(tmp_path / name)) == {"typing-extensions", "greenlet"}
    (tmp_path / "Pipfile.lock").write_text(json.dumps({"default": {"Requests": {}}, "develop": {"pytest": {}}}))
    assert locks.names_in(str(tmp_path / "Pipfile.lock")) == {"requests", "pytest"}


# ------------------------------------------ RL204/RL205: what is not an assignment of a credential

from redline.secrets.fakes import expand  # noqa: E402  (secret-shaped values built at run time)

SECRET_CODES = ("RL204", "RL205", "RL902")


def _secret_lines(path: str, code: str) -> list[int]:
    """Lines of secret findings (both engines: Redline's and detect-secrets')."""
    found = analyze_text(path, expand(code), Config(engines=(("bandit", False),))).findings
    return sorted({f.span.start_point[0] + 1 for f in found if f.code in SECRET_CODES})


NOT_ASSIGNMENTS = [
    # loop variables
    ("main.go", "package main\n\nfunc f(accounts map[string]string) {\n\tfor user, password := range accounts {\n\t\tcheck(user, password)\n\t}\n}\n"),
    ("a.py", "for password in passwords:\n    check(password)\nfor user, token in pairs:\n    use(token)\n"),
    ("a.js", "for (const password of passwords) {\n  check(password);\n}\n"),
    # comparisons with another expression
    ("a.py", "if password == other_password:\n    ok()\n"),
    ("main.go", "package main\n\nfunc f(password, confirmPassword string) bool {\n\tif password != confirmPassword {\n\t\treturn false\n\t}\n\treturn true\n}\n"),
    ("a.js", "if (password === user.password) { ok(); }\n"),
    # comparisons with a literal in tests, wrong-password test values
    ("tests/test_auth.py", 'def test_login(user):\n    assert user.password != "Zq8kLm2Wp4x9"\n    assert "Wz7vQ2kLp9" != user.password\n'),
    ("tests/test_auth.py", 'def test_wrong(client):\n    r = login(client, "admin", password="wrong-Pass1x")\n    r = login(client, "admin", password="incorrect-Zq8")\n'),
    # comments and docstrings
    ("a.py", '# password = "Zq8kLm2Wp4x9"\nx = 1\n'),
    ("a.js", '// const apiSecret = "Zq8kLm2Wp4x9Yt5Rb3Nc";\n/*\n * password: "Zq8kLm2Wp4x9"\n */\n'),
    ("a.py", 'def login(password):\n    """Log in.\n\n    >>> login(password="Zq8kLm2Wp4x9")\n    password = "Xk9mQ2vL7tR4"\n    """\n'),
    # placeholders: the message of ${VAR:?message}, and defaults that are words
    ("docker-compose.yml", "services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD:?Variable not set}\n"
                           "      - PGPASSWORD=${PGPASSWORD?Password must be set}\n"),
    ("docker-compose.yml", "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-changethis}\n"
                           "      MYSQL_PASSWORD: ${MYSQL_PASSWORD-postgres}\n"),
    ("application.properties", "spring.datasource.password=${MYSQL_PASS:petclinic}\nspring.datasource.username=${MYSQL_USER:petclinic}\n"),
    (".env", "DB_PASSWORD=${DB_PASSWORD:-postgres}\nSECRET_KEY=${SECRET_KEY:?set me}\n"),
]


@pytest.mark.parametrize("path,code", NOT_ASSIGNMENTS)
def test_loops_comparisons_comments_docstrings_and_placeholders_are_not_secrets(path, code):
    assert _secret_lines(path, code) == []


STILL_SECRETS = [
    ("a.py", 'password = "Xk9#mQ2$vL7!"\n', [1]),
    ("a.py", 'def f():\n    """Doc."""\n    password = "Xk9#mQ2$vL7!"\n', [3]),
    ("a.py", 'CONFIG = """\npassword = \'Xk9mQ2vL7tR4\'\n"""\n', [2]),  # a string assigned, not a docstring
    ("a.py", 'if password == "Xk9#mQ2$vL7!":\n    grant()\n', [1]),  # a hard-coded check outside tests
    ("config.yaml", '# the old one\ndb:\n  password: "Xk9#mQ2$vL7!"\n', [3]),
    ("config.yaml", '# password: Xk9mQ2vL7tR4\n', [1]),  # a commented-out setting in configuration
    ("docker-compose.yml", "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-{{fake:password}}}\n", [4]),
    ("application.properties", "spring.datasource.password=${MYSQL_PASS:{{fake:alnum:16}}}\n", [1]),
    (".env", "DB_PASSWORD=${DB_PASSWORD-{{fake:alnum:16}}}\n", [1]),
    ("a.py", "# a token in a comment is still a token: {{fake:github-token}}\napi_secret = \"{{fake:alnum:32}}\"\n", [2]),
]


@pytest.mark.parametrize("path,code,lines", STILL_SECRETS)
def test_real_assignments_defaults_and_checks_are_still_reported(path, code, lines):
    assert _secret_lines(path, code) == lines


def test_an_assignment_in_a_test_is_found_and_left_to_the_test_role_policy():
    # the context model finds it (an assignment, not a comparison); the test-role policy drops
    # low-confidence secrets in tests (redline/roles.py) unless the configuration reports them
    code = 'client = Client(password="Xk9#mQ2$vL7!")\nassert user.password != "Zq8kLm2Wp4x9"\n'
    cfg = Config(engines=(("bandit", False),), role_policy=(("test", "report"),))
    found = analyze_text("tests/test_client.py", code, cfg).findings
    assert sorted({f.span.start_point[0] + 1 for f in found if f.code in SECRET_CODES}) == [1]
    assert _secret_lines("tests/test_client.py", code) == []


def test_a_provider_token_in_a_comment_is_still_reported():
    found = analyze_text("a.py", expand("# {{fake:github-token}}\n"), Config(engines=(("bandit", False),))).findings
    assert [f.code for f in found] == ["RL201"]


# ---------------------- RL204/RL205: names and values that only resemble credentials (real-code triage)

NOT_CREDENTIAL_NAMES = [
    # a member of an enum whose class name contains `pass` (the verb): the last part names the value
    ("compiler.py", 'pass_arg = {\n    _PassArg.context: "context",\n    _PassArg.eval_context: "context.eval_ctx",\n}\n'),
    ("a.js", 'const m = { [PassMode.strict]: "strictMode", [TokenKind.start]: "openParen" };\n'),
    # the WebSocket handshake nonce (RFC 6455) is public by design
    ("ws.py", 'headers = {"Sec-WebSocket-Key": "{{fake:b64:22}}=="}\n'),
    ("ws.js", "req.setHeader('Sec-WebSocket-Key', '{{fake:b64:22}}==');\n"),
    # a type test: the literal is a type name (superagent-style `typeof pass === 'object'`)
    ("lib/client.js", "if (typeof pass === 'object' && pass !== null) { opts = pass; }\n"
                      "if (typeof(password) !== 'string') throw new TypeError('password');\n"),
    # the literal argument of a method called on the credential is not its value
    ("auth.py", 'password = password.encode("latin1")\nself.password = self.password.encode("utf-8")\n'),
    # a protocol extension name, a regular expression, a JOSE algorithm parameter, a computed f-string
    ("channel.py", 'if key == "auth-agent-req@openssh.com":\n    pass\n'),
    ("http.py", '_TOKEN = rb"[!#$%&\'*+\\-.^_`|~0-9a-zA-Z]+"\nTOKEN_RE = r"(?P<token>\\w+)"\n'),
    ("claims.py", 'self.setdefault("id_token_encrypted_response_enc", "A128CBC-HS256")\n'),
    ("stats.py", 'key = f"robotstxt/exception_count/{type(e)}"\n'),
    # the WebSocket GUID of RFC 6455, held by a `key` name in every implementation
    ("ws.py", 'WS_KEY = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"\n'),
    # a template literal that computes the header from variables (`${base64(`${user}:${pass}`)}`)
    ("lib/request-base.js", "this.set('Authorization', `Basic ${base64Encoder(`${user}:${pass}`)}`);\n"),
    # a lexer comparing its token with a directive name behind a sigil
    ("lexer.py", 'if token == "#bygroup":\n    pass\nelif token == "@media":\n    pass\nelif token == "$ref":\n    pass\n'),
]


@pytest.mark.parametrize("path,code", NOT_CREDENTIAL_NAMES)
def test_enum_members_handshake_nonces_and_sigil_words_are_not_secrets(path, code):
    assert _secret_lines(path, code) == []


STILL_CREDENTIAL_NAMES = [
    ("a.py", 'config.db_password = "Xk9#mQ2$vL7!"\n', [1]),
    ("a.js", 'passwordInput.value = "Xk9#mQ2$vL7!";\n', [1]),
    ("a.py", 'api.key = "{{fake:alnum:24}}"\n', [1]),
    ("a.py", 'if token == "#{{fake:alnum:20}}":\n    grant()\n', [1]),  # random after the sigil: still a secret
    ("a.py", 'headers = {"X-Api-Key": "{{fake:alnum:32}}"}\n', [1]),
    ("a.js", "if (pass === 'Xk9#mQ2$vL7!') { grant(); }\n", [1]),  # a hard-coded check, no typeof
    ("a.py", 'password = SecretStr("Xk9#mQ2$vL7!")\ntoken = str("{{fake:alnum:24}}")\n', [1, 2]),  # wrappers
    ("a.py", 'api_key = "{{fake:alnum:8}}-{{fake:alnum:4}}-{{fake:alnum:4}}-{{fake:alnum:12}}"\n', [1]),  # a UUID-shaped key
]


@pytest.mark.parametrize("path,code,lines", STILL_CREDENTIAL_NAMES)
def test_dotted_credential_names_and_api_key_headers_are_still_secrets(path, code, lines):
    assert _secret_lines(path, code) == lines


# ---------------------------------- RL902 / detect-secrets: random-looking is not enough for a secret

HIGH_ENTROPY_NON_SECRETS = [
    ("migrations/versions/ae10_add_user.py", 'revision = "{{fake:hex:12}}"\ndown_revision = "{{fake:hex:12}}"\nbranch_labels = None\n'),
    ("tests/test_payloads.py", 'PAYLOAD = "{{fake:hex:64}}"\nexpected = bytes.fromhex("{{fake:hex:48}}")\n'),
    ("cache.py", 'etag = "{{fake:hex:32}}"\nheaders = {"ETag": \'"{{fake:hex:40}}"\'}\n'),
    ("pkg.py", 'sha256 = "{{fake:hex:64}}"\nchecksum = "{{fake:hex:64}}"\nDIGEST = "{{fake:hex:40}}"\nfile_hash = "{{fake:hex:64}}"\n'),
    ("ids.py", 'REQUEST_ID = "{{fake:hex:8}}-{{fake:hex:4}}-4{{fake:hex:3}}-a{{fake:hex:3}}-{{fake:hex:12}}"\nblob = "{{fake:b64:48}}"\n'),
    ("a.json", '{"integrity": "sha512-{{fake:b64:86}}==", "shasum": "{{fake:hex:40}}"}\n'),
]


@pytest.mark.parametrize("path,code", HIGH_ENTROPY_NON_SECRETS)
def test_hex_payloads_etags_revisions_checksums_and_uuids_are_not_secrets(path, code):
    assert _secret_lines(path, code) == []


def test_random_strings_held_by_credential_names_are_still_reported():
    code = 'client_secret = "{{fake:b64:48}}"\nsigning_key = "{{fake:hex:64}}"\nrevision = "{{fake:hex:12}}"\n'
    assert _secret_lines("settings.py", code) == [1, 2]
    # a real cloud key in a test file is still a leak
    found = analyze_text("tests/test_upload.py", expand('AWS_ACCESS_KEY_ID = "{{fake:aws-access-key-id}}"\n')).findings
    assert [f.code for f in found if f.code.startswith("RL2")] == ["RL201"]


def test_detect_secrets_second_opinion_on_a_value_redline_dropped_is_rl902():
    code = 'client_secret = "{{fake:b64:20}}demo{{fake:b64:24}}"\n'  # a random value that contains `demo`
    # detect-secrets is off by default (issue 13): this test is about its second opinion
    found = analyze_text("app.py", expand(code), Config(engines=(("bandit", False), ("detect-secrets", True)))).findings
    assert [(f.code, f.engine) for f in found] == [("RL902", "detect-secrets")]


# ------------------------------------- RL406: the project's own code, examples, transitive dependencies

def _rl406(path: Path, tests: str = "default", examples: str = "default") -> list[tuple[int, str]]:
    """RL406 findings; `tests="report"` / `examples="report"` show them in test and example files
    too, where the default file-role policy hides them (redline/roles.py): these tests are about
    the check itself."""
    config = Config(engines=(("bandit", False), ("detect-secrets", False)),
                    role_policy=(("test", tests), ("example", examples)))
    found = analyze_text(str(path), path.read_text(), config).findings
    return [(f.span.start_point[0] + 1, f.property("module")) for f in found if f.code == "RL406"]


PYPROJECT = '[project]\nname = "webkit"\ndependencies = ["click>=8"]\n[project.optional-dependencies]\ntest = ["pytest"]\n'


def test_the_projects_own_packages_are_not_undeclared(tmp_path):
    _write(tmp_path, {
        ".git/HEAD": "", "pyproject.toml": PYPROJECT,
        "src/webkit/__init__.py": "", "src/webkit/core.py": "import click\nimport webkit.util\nfrom webkit import core\n",
        # helper apps a test puts on the path (one level below the tests folder)
        "tests/test_apps/blueprintapp/__init__.py": "", "tests/test_apps/cliapp/app.py": "",
        "tests/test_cli.py": "import pytest\nfrom blueprintapp import bp\nfrom cliapp.app import app\nimport webkit\n",
        # a project with top-level packages beside scripts
        "backend/app/__init__.py": "", "scripts/seed.py": "from app import models\nimport webkit\n",
        # stubs-only standard library module
        "src/webkit/typing.py": "import typing as t\nif t.TYPE_CHECKING:\n    from _typeshed import WSGIApplication\n",
    })
    for f in ("src/webkit/core.py", "tests/test_cli.py", "scripts/seed.py", "src/webkit/typing.py"):
        assert _rl406(tmp_path / f) == [], f


def test_modules_a_test_creates_itself_are_not_undeclared(tmp_path):
    test = (
        "def test_paths(tmp_path, monkeypatch):\n"
        "    (tmp_path / 'config_module_app.py').write_text('x = 1')\n"
        "    monkeypatch.syspath_prepend(tmp_path)\n"
        "    from config_module_app import x\n"
        "    purge_module(\"site_pkg\")\n"
        "    import site_pkg\n"
        "    import somethingrare_xyz\n"
    )
    _write(tmp_path, {".git/HEAD": "", "pyproject.toml": PYPROJECT, "tests/test_paths.py": test})
    assert _rl406(tmp_path / "tests/test_paths.py", tests="report") == [(7, "somethingrare_xyz")]
    assert _rl406(tmp_path / "tests/test_paths.py") == []  # a test file: hidden by default


def test_pip_compile_inputs_declare(tmp_path):
    _write(tmp_path, {".git/HEAD": "", "pyproject.toml": PYPROJECT,
                      "requirements/tests.in": 'pytest\ngreenlet ; python_version < "3.11"\n',
                      "requirements/tests.txt": "pytest==8.1.1\n",
                      "tests/test_ctx.py": "try:\n    from greenlet import greenlet\nexcept ImportError:\n    greenlet = None\nimport pytest\n"})
    assert _rl406(tmp_path / "tests/test_ctx.py") == []


def test_examples_are_judged_against_their_own_manifest(tmp_path):
    _write(tmp_path, {
        ".git/HEAD": "", "pyproject.toml": PYPROJECT,
        # an example with its own manifest: its imports are checked against it, not the project's
        "examples/celery/pyproject.toml": '[project]\nname = "celery-example"\ndependencies = ["celery[redis]>=5"]\n',
        "examples/celery/src/task_app/tasks.py": "import celery\nfrom task_app import views\nimport redis_somethingrare\n",
        "examples/celery/src/task_app/views.py": "",
        # an example without one: not checked
        "examples/loose/app.py": "import flask_somethingrare\nimport uvicorn\n",
        "docs/conf.py": "import sphinx_somethingrare_theme\n",
    })
    tasks = tmp_path / "examples/celery/src/task_app/tasks.py"
    assert _rl406(tasks, examples="report") == [(3, "redis_somethingrare")]
    assert _rl406(tmp_path / "examples/loose/app.py", examples="report") == []
    assert _rl406(tmp_path / "docs/conf.py", examples="report") == []
    # by default example code gets no RL406 at all (roles.py: on 59 real releases every
    # undeclared import in examples was noise)
    assert _rl406(tasks) == []


def test_transitive_dependencies_in_a_lock_file_are_not_undeclared(tmp_path):
    # (names not installed here, so that only the lock file can account for them)
    lock = '[[package]]\nname = "click"\nversion = "8.1.7"\n\n[[package]]\nname = "Lockedonly_Dep.xyz"\nversion = "4.12.2"\n'
    _write(tmp_path, {".git/HEAD": "", "pyproject.toml": PYPROJECT, "uv.lock": lock,
                      "src/webkit/x.py": "import lockedonly_dep_xyz\nimport somethingrare_xyz\n"})
    assert _rl406(tmp_path / "src/webkit/x.py") == [(2, "somethingrare_xyz")]
    js = tmp_path / "web"
    pkg = {"name": "web", "private": True, "dependencies": {"react": "18.3.1"}}
    plock = {"lockfileVersion": 3, "packages": {"": {}, "node_modules/react": {}, "node_modules/scheduler": {}}}
    _write(js, {".git/HEAD": "", "package.json": json.dumps(pkg), "package-lock.json": json.dumps(plock),
                "src/a.js": "import React from 'react';\nimport { x } from 'scheduler';\nimport q from 'somethingrare-xyz';\n"})
    assert _rl406(js / "src/a.js") == [(3, "somethingrare-xyz")]


def test_workspace_members_import_each_other(tmp_path):
    root = {"name": "mono", "private": True, "workspaces": ["packages/*"]}
    _write(tmp_path, {
        ".git/HEAD": "", "package.json": json.dumps(root),
        "packages/ui/package.json": json.dumps({"name": "@mono/ui"}),
        "packages/client/package.json": json.dumps({"name": "mono-client"}),
        "packages/app/package.json": json.dumps({"name": "app", "dependencies": {"react": "^18"}}),
        "packages/app/src/index.ts": "import { Button } from '@mono/ui';\nimport c from 'mono-client';\nimport x from 'somethingrare-xyz';\n",
    })
    assert _rl406(tmp_path / "packages/app/src/index.ts") == [(3, "somethingrare-xyz")]


def test_undeclared_imports_are_still_reported(tmp_path):
    _write(tmp_path, {".git/HEAD": "", "pyproject.toml": PYPROJECT, "tests/__init__.py": "",
                      "src/webkit/a.py": "import click\nimport somethingrare_xyz\n",
                      "tests/test_a.py": "import pytest\nimport reqeusts\n"})
    assert _rl406(tmp_path / "src/webkit/a.py") == [(2, "somethingrare_xyz")]
    assert _rl406(tmp_path / "tests/test_a.py", tests="report") == [(2, "reqeusts")]
    assert _rl406(tmp_path / "tests/test_a.py") == []  # a test file: hidden by default


def test_an_example_depending_on_the_project_gets_its_dependencies(tmp_path):
    _write(tmp_path, {
        ".git/HEAD": "", "pyproject.toml": PYPROJECT.replace('"click>=8"', '"click>=8", "Werkzeug_Xyz>=3"'),
        "examples/tutorial/pyproject.toml": '[project]\nname = "tutorial"\ndependencies = ["webkit"]\n',
        "examples/tutorial/flaskr/db.py": "import click\nimport werkzeug_xyz\nimport webkit\nimport notdeclared_xyz\n",
    })
    assert _rl406(tmp_path / "examples/tutorial/flaskr/db.py", examples="report") == [(4, "notdeclared_xyz")]
    assert _rl406(tmp_path / "examples/tutorial/flaskr/db.py") == []


def test_optional_imports_and_namespace_portions_are_not_undeclared(tmp_path):
    pyproject = '[project]\nname = "webkit"\ndependencies = ["backports.zoneinfo; python_version<\'3.9\'"]\n'
    code = (
        "try:\n    import fastjson_xyz as json\nexcept ImportError:\n    import json\n"  # optional accelerator
        "def probe():\n    try:\n        import greenlet_xyz  # noqa\n    except (ImportError, AttributeError):\n        return False\n"
        "from backports import zoneinfo\n"  # a namespace portion of a declared distribution
        "try:\n    import needed_xyz\nexcept OSError:\n    pass\n"  # not an import guard: still reported
        "import plain_xyz\n"
        "def probe2():\n    try:\n        import black_xyz\n        return True\n    except Exception:\n        return False\n"
    )
    _write(tmp_path, {".git/HEAD": "", "pyproject.toml": pyproject, "src/webkit/a.py": code})
    assert _rl406(tmp_path / "src/webkit/a.py") == [(12, "needed_xyz"), (15, "plain_xyz")]


def test_dependencies_declared_in_setup_py_beside_a_tool_pyproject(tmp_path):
    # pyproject.toml holds only tool settings; setup.py declares the dependencies (in lists that
    # install_requires and extras_require are built from, some with a marker added in code)
    setup_py = (
        "from setuptools import setup\n"
        "marker = '; sys_platform != \"win32\"'\n"
        "requirements = [\n    'routing-lib-xyz>=23.1',\n    \"fastloop_xyz>=0.15\" + marker,\n]\n"
        "extras = {'docs': ['sphinx-theme-xyz'], 'all': [\"html-tagger-xyz[extra] >=1.2\"]}\n"
        "setup(name='webkit', install_requires=requirements, extras_require=extras)\n"
    )
    code = ("import routing_lib_xyz\nimport fastloop_xyz\nimport sphinx_theme_xyz\nimport html_tagger_xyz\n"
            "import undeclared_xyz\n")
    _write(tmp_path, {".git/HEAD": "", "pyproject.toml": "[tool.ruff]\nline-length = 100\n", "setup.py": setup_py,
                      "webkit/a.py": code})
    assert _rl406(tmp_path / "webkit/a.py") == [(5, "undeclared_xyz")]


def test_standard_library_of_other_python_versions_is_not_undeclared(tmp_path):
    code = (
        "import sys\n"
        "if sys.version_info >= (3,):\n    from urllib.parse import urljoin\nelse:  # Python 2\n"
        "    import httplib\n    from urlparse import urljoin\n    import cPickle as pickle\n    from StringIO import StringIO\n"
        "if sys.version_info >= (3, 14):\n    from compression import zstd\n    from annotationlib import Format\n"
        "import notstdlib_xyz\n"
    )
    _write(tmp_path, {".git/HEAD": "", "pyproject.toml": PYPROJECT, "src/webkit/a.py": code})
    assert _rl406(tmp_path / "src/webkit/a.py") == [(12, "notstdlib_xyz")]


# ------------------------------------------------ one weakness, one finding: nested matches of a rule

NESTED_SAME_RULE = [
    # a rule that matches the outer call and the call inside it reports the line once
    ("a.py", "def load(f, ctx):\n    eval(compile(f.read(), 'startup.py', 'exec'), ctx)\n", "RL103"),
    ("a.py", "def load(f, d):\n    exec(compile(f.read(), 'settings.py', 'exec'), d)\n", "RL103"),
]


@pytest.mark.parametrize("path,code,rule", NESTED_SAME_RULE)
def test_nested_matches_of_one_rule_on_a_line_are_one_finding(path, code, rule):
    assert _lines(path, code, rule) == [2]


def test_separate_weaknesses_of_one_rule_on_a_line_both_stay():
    from redline.documents.source import SourceFile
    from redline.findings import Confidence, Finding, Severity
    from redline.pipeline import deduplicate
    from redline.rules.registry import default_registry

    reg = default_registry()
    rule = reg.by_code["RL103"]
    file = SourceFile(path="a.py", language="python", text=b"x = eval(a) + eval(b)\n", tree=None)

    def at(start, end):
        return Finding(code="RL103", name=rule.name, message="m", severity=Severity.ERROR, confidence=Confidence.HIGH,
                       cwe=rule.cwe, span=file.span(start, end), engine="redline")

    first, second, outer = at(4, 11), at(14, 21), at(4, 21)
    assert sorted(deduplicate([second, first], reg), key=lambda x: x.span.start_byte) == [first, second]
    assert deduplicate([first, outer], reg) == [first]  # nested: the same weakness, the narrower kept


# ------------------------------------------- RL105 (JavaScript): an object sent as a response is JSON

JSON_RESPONSES = [
    ("server.js", "fastify.get('/a/:id', (req, reply) => { const { id } = req.params; reply.code(201).send({ data: `${id}` }); });\n"),
    ("server.js", "app.get('/a/:id', (req, res) => { res.send([req.params.id, req.query.q]); });\n"),
]


@pytest.mark.parametrize("path,code", JSON_RESPONSES)
def test_an_object_or_array_sent_as_a_response_is_json_not_html(path, code):
    assert _lines(path, code, "RL105") == []


def test_request_text_sent_as_html_is_still_xss():
    code = "app.get('/a/:id', (req, res) => { res.send('<p>' + req.params.id + '</p>'); });\n"
    assert _lines("server.js", code, "RL105") == [1]


def test_import_fallbacks_and_bundler_module_ids_are_not_undeclared(tmp_path):
    code = (
        "try:\n    import importlib.metadata as importlib_metadata\nexcept (ModuleNotFoundError, ImportError):\n"
        "    import importlib_metadata_xyz\n"
        "try:\n    import thing_xyz\nexcept OSError:\n    import other_xyz\n"  # not an import guard: both reported
    )
    _write(tmp_path, {".git/HEAD": "", "pyproject.toml": PYPROJECT, "src/webkit/a.py": code})
    assert _rl406(tmp_path / "src/webkit/a.py") == [(6, "thing_xyz"), (8, "other_xyz")]
    pkg = '{"name": "webkit", "dependencies": {"left-pad": "1.0.0"}}'
    js = "var p = require('_process');\nvar l = require('left-pad');\nvar u = require('undeclared-xyz');\n"
    _write(tmp_path, {"package.json": pkg, "lib/bundle.js": js})
    config = Config(engines=(("bandit", False), ("detect-secrets", False)))
    found = analyze_text(str(tmp_path / "lib/bundle.js"), js, config).findings
    assert [f.property("module") for f in found if f.code == "RL406"] == ["undeclared-xyz"]
