"""Secrets found by context (a literal assigned, passed, compared or mapped to a credential
name) in every language and configuration format, URLs and connection strings, and what the
placeholder, template, reference and prose filters keep out. Values are built at run time."""

from __future__ import annotations

import pytest

from redline.pipeline import make_source
from redline.secrets import scanner
from redline.secrets.fakes import expand

PW = "{{fake:password}}"
TOK = "{{fake:alnum:32}}"

FOUND = [
    # (path, source, expected code, expected name)
    ("a.py", f'password = "{PW}"', "RL204", "password"),
    ("a.py", f'DB_PASSWORD: str = "{PW}"', "RL204", "DB_PASSWORD"),
    ("a.py", f'connect(host="db", passwd="{PW}")', "RL204", "passwd"),
    ("a.py", f'settings["api_key"] = "{TOK}"', "RL205", "api_key"),
    ("a.py", f'os.environ.setdefault("SECRET_KEY", "{TOK}")', "RL205", "SECRET_KEY"),
    ("a.py", f'if password == "{PW}":', "RL204", "password"),
    ("a.py", f'if "{PW}" == password:', "RL204", "password"),
    ("a.py", f'self.client_secret = b"{TOK}"', "RL205", "self.client_secret"),
    ("a.js", f"const clientSecret = '{TOK}';", "RL205", "clientSecret"),
    ("a.js", f"const cfg = {{ apiKey: `{TOK}` }};", "RL205", "apiKey"),
    ("a.js", f'fetch(u, {{ headers: {{ "X-API-Key": "{TOK}" }} }})', "RL205", "X-API-Key"),
    ("a.ts", f'private readonly token: string = "{TOK}";', "RL205", "token"),
    ("a.ts", f'if (password !== "{PW}") {{ deny(); }}', "RL204", "password"),
    ("a.go", f'password := "{PW}"', "RL204", "password"),
    ("a.go", f'var apiToken string = "{TOK}"', "RL205", "apiToken"),
    ("a.go", f'cfg := Config{{User: "app", Password: "{PW}"}}', "RL204", "Password"),
    ("a.go", f"const authToken = `{TOK}`", "RL205", "authToken"),
    ("A.java", f'private static final String DB_PASSWORD = "{PW}";', "RL204", "DB_PASSWORD"),
    ("A.java", f'ds.setPassword("{PW}");', "RL204", "ds.setPassword"),
    ("A.java", f'props.put("mail.smtp.password", "{PW}");', "RL204", "mail.smtp.password"),
    ("A.java", f'char[] secret = "{TOK}".toCharArray();', "RL205", "secret"),
    ("main.tf", f'  password = "{PW}"', "RL204", "password"),
    ("vars.tfvars", f'db_password = "{PW}"', "RL204", "db_password"),
    ("c.yaml", f"  password: {PW}", "RL204", "password"),
    ("c.yaml", f'  client_secret: "{TOK}"', "RL205", "client_secret"),
    ("c.yaml", f"env:\n  - name: API_TOKEN\n    value: {TOK}", "RL205", "API_TOKEN"),
    ("c.yaml", f"env: [{{name: DB_PASSWORD, value: {PW}}}]", "RL204", "DB_PASSWORD"),
    ("compose.yml", f"    environment:\n      - POSTGRES_PASSWORD={PW}", "RL204", "POSTGRES_PASSWORD"),
    ("c.json", f'{{"auth": {{"token": "{TOK}"}}}}', "RL205", "token"),
    ("c.toml", f'[db]\npassword = "{PW}"', "RL204", "password"),
    (".env", f"STRIPE_KEY={TOK}", "RL205", "STRIPE_KEY"),
    (".env", f'export DB_PASS="{PW}"', "RL204", "DB_PASS"),
    ("app.ini", f"[mail]\npassword = {PW} ; smtp", "RL204", "password"),
    ("app.cfg", f"secret_key: {TOK}", "RL205", "secret_key"),
    ("app.properties", f"spring.datasource.password={PW}", "RL204", "spring.datasource.password"),
    ("Dockerfile", f"FROM alpine\nENV API_TOKEN={TOK}", "RL205", "API_TOKEN"),
    ("Dockerfile", f"FROM alpine\nARG DB_PASSWORD={PW}", "RL204", "DB_PASSWORD"),
    ("run.sh", f'export GITHUB_TOKEN="{TOK}"', "RL205", "GITHUB_TOKEN"),
    ("run.sh", f'curl -H "Authorization: Bearer {TOK}" https://api.internal.corp', "RL205", "Authorization"),
    ("run.sh", f"curl -u admin:{PW} https://ci.internal.corp", "RL204", ""),
    ("run.sh", f"curl -u {TOK}: https://api.internal.corp", "RL205", ""),
    ("web.xml", f'<add key="DbPassword" value="{PW}"/>', "RL204", "DbPassword"),
    ("web.xml", f"<password>{PW}</password>", "RL204", "password"),
    ("notes.txt", f"the api_token: {TOK}", "RL205", "api_token"),
    ("variables.tf", f'variable "db_password" {{\n  type    = string\n  default = "{PW}"\n}}', "RL204", "db_password"),
    ("variables.tf", f'variable "db" {{\n  type      = string\n  sensitive = true\n  default   = "{PW}"\n}}', "RL204", "db"),
    ("variables.tf", f'variable "db" {{\n  default   = "{PW}"\n  sensitive = true\n}}', "RL204", "db"),
    # URLs and connection strings
    ("a.py", f'DATABASE_URL = "postgres://app:{PW}@db.internal:5432/app"', "RL203", ""),
    ("a.js", f'redis.createClient("redis://:{PW}@cache.internal:6379")', "RL203", ""),
    ("a.yaml", f"broker: amqp://svc:{PW}@mq.internal:5672//", "RL203", ""),
    ("a.cs.txt", f'"Server=db.internal;Database=app;User Id=app;Password={PW};"', "RL203", "Password"),
    ("requirements.txt", f"--index-url https://ci:{TOK}@pypi.internal.corp/simple", "RL203", ""),
]


@pytest.mark.parametrize("path,source,code,name", FOUND, ids=[f"{p}:{s[:30]}" for p, s, _, _ in FOUND])
def test_found_by_context(path, source, code, name):
    text = expand(source).encode()
    file = make_source(path, text)
    hits = scanner.scan_text(text, file.language, path)
    assert [h.code for h in hits] == [code], [(h.code, h.detector, text[h.start : h.end]) for h in hits]
    h = hits[0]
    assert h.name == name
    value = text[h.start : h.end]
    assert b" " not in value.strip() or code == "RL204"
    assert not value.startswith((b'"', b"'")) and not value.endswith((b'"', b"'", b";", b","))


NOT_FOUND = [
    ("a.py", "password = get_password()"),
    ("a.py", 'password = os.environ["DB_PASSWORD"]'),
    ("a.py", 'token = os.getenv("API_TOKEN", "")'),
    ("a.py", 'password = ""'),
    ("a.py", 'password = "changeme"'),
    ("a.py", 'password = "<your-password>"'),
    ("a.py", 'api_key = "YOUR_API_KEY_HERE"'),
    ("a.py", 'secret = "xxxxxxxxxxxxxxxx"'),
    ("a.py", 'token = "abcdefghijklmnop"'),
    ("a.py", 'password = "%s"'),
    ("a.py", 'password = "{password}"'),
    ("a.py", 'token = f"{prefix}-{value}"'),
    ("a.py", 'password_field = forms.CharField(label="Password")'),
    ("a.py", 'help_text = "Your password must contain at least 8 characters."'),
    ("a.py", 'errors["password"] = "The two password fields did not match."'),
    ("a.py", 'PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]'),
    ("a.py", 'CSRF_HEADER_NAME = "HTTP_X_CSRFTOKEN"'),
    ("a.py", 'token_url = "https://oauth2.googleapis.com/token"'),
    ("a.py", 'private_key_path = "/etc/ssl/private/server.key"'),
    ("a.py", 'secret_name = "prod/db/password"'),
    ("a.py", 'cache_key = "user:profile:v2:settings"'),
    ("a.py", 'public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"'),
    ("a.py", 'password = "pbkdf2_sha256$600000$salt$hash"'),
    ("a.py", 'TEST_PASSWORD = "Zx8kq2LmWp"'),
    ("a.py", 'fake_token = "Zx8kq2LmWpR4tY7uI9oP"'),
    ("a.py", 'tokenizer = "bert-base-uncased-v2"'),
    ("a.py", 'author = "Jane Doe <jane@corp.example>"'),
    ("a.py", "# set the password in the admin"),
    ("a.js", "const password = req.body.password;"),
    ("a.js", "const token = process.env.API_TOKEN || '';"),
    ("a.js", "const apiKey = `${prefix}${suffix}`;"),
    ("a.go", 'password := os.Getenv("DB_PASSWORD")'),
    ("a.go", "db_pass := m1xQ9vR2tY7u"),
    ("A.java", 'String password = System.getenv("DB_PASSWORD");'),
    ("A.java", 'log.info("password reset for {}", user);'),
    ("c.c", "char secret = 'x';"),
    ("c.yaml", "password: ${DB_PASSWORD}"),
    ("c.yaml", "password: {{ .Values.db.password }}"),
    ("c.yaml", "token: ${{ secrets.GITHUB_TOKEN }}"),
    ("c.yaml", "password: !vault |"),
    ("c.yaml", "client_secret: vault:secret/data/app#client_secret"),
    ("c.yaml", "api_key: arn:aws:secretsmanager:eu-west-1:123456789012:secret:app"),
    ("c.yaml", "password: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]"),
    (".env", "DB_PASSWORD="),
    (".env", "API_TOKEN=${API_TOKEN}"),
    ("run.sh", 'curl -u "$USER:$PASSWORD" https://ci.internal.corp'),
    ("run.sh", "curl -u user:password https://ci.internal.corp"),
    ("a.py", 'DATABASE_URL = "postgres://postgres:postgres@localhost/app"'),
    ("a.py", 'DATABASE_URL = "postgres://app:${DB_PASSWORD}@db/app"'),
    ("a.py", 'URL = "https://user:password@example.com/api"'),
    ("a.py", 'URL = "https://github.com/org/repo.git"'),
    ("main.tf", "  password = var.db_password"),
    ("main.tf", "  password = random_password.db.result"),
    ("main.tf", 'variable "db_password" {\n  type      = string\n  sensitive = true\n}'),
    ("main.tf", 'variable "region" {\n  default = "eu-west-1"\n}\nvariable "db" {\n  sensitive = true\n}'),
    ("main.tf", 'variable "db" {\n  sensitive = true\n  default   = var.other\n}'),
    ("notes.txt", "Set the token with: export TOKEN=..."),
    ("a.py", 'self.assertFalse(f.has_error("password1", "anything"))'),
    ("a.py", 'attrs={"autocomplete": "current-password", "autofocus": True}'),
    ("a.py", 'dependencies = [("auth", "0002_alter_permission_name_max_length")]'),
]


@pytest.mark.parametrize("path,source", NOT_FOUND, ids=[f"{p}:{s[:40]}" for p, s in NOT_FOUND])
def test_not_found(path, source):
    text = source.encode()
    file = make_source(path, text)
    language = file.language if file else "text"
    hits = scanner.scan_text(text, language, path)
    assert not hits, [(h.code, h.detector, h.name, text[h.start : h.end]) for h in hits]


def test_context_and_format_on_the_same_value_report_once_with_the_name():
    text = expand('slack_token = "{{fake:slack-token}}"').encode()
    hits = scanner.scan_text(text, "python", "a.py")
    assert [(h.detector, h.name) for h in hits] == [("slack-token", "slack_token")]


def test_several_secrets_on_one_line():
    text = expand('cfg = {"password": "{{fake:password}}", "token": "{{fake:github-token}}"}').encode()
    hits = scanner.scan_text(text, "python", "a.py")
    assert [h.code for h in hits] == ["RL204", "RL201"]


def test_crlf_and_lone_cr_line_ends():
    password = expand("{{fake:password}}").encode()
    body = b'a = 1\r\npassword = "' + password + b'"\r\nb = 2\r\n'
    hits = scanner.scan_text(body, "python", "a.py")
    assert [body[h.start : h.end] for h in hits] == [password]
    cr = body.replace(b"\r\n", b"\r")
    hits = scanner.scan_text(cr, "python", "a.py")
    assert [cr[h.start : h.end] for h in hits] == [password]
    env = b"A=1\rDB_PASSWORD=" + password + b"\rB=2"
    hits = scanner.scan_text(env, "dotenv", ".env")
    assert [env[h.start : h.end] for h in hits] == [password]


def test_very_long_lines_are_scanned_in_windows():
    token = expand("{{fake:github-token}}")
    text = ("x" * 250_000 + f' t = "{token}" ' + "y" * 250_000).encode()
    hits = scanner.scan_text(text, "javascript", "bundle.min.js")
    assert [h.detector for h in hits] == ["github-token"]


def test_binary_and_empty_input():
    assert scanner.scan_text(b"", "text", "a.txt") == []
    assert scanner.scan_text(b"\x00\x01password=" + b"\xff" * 100, "text", "a.bin") == []
    assert scanner.scan_text("password = 'ünïcödé-Zx8kq2LmWp'".encode(), "python", "a.py")  # still found


def test_half_typed_lines_do_not_crash():
    for text in [b'password = "', b"password =", b"password", b'"password": ', b"-----BEGIN RSA", b"://a:@", b"xoxb-"]:
        assert scanner.scan_text(text, "python", "a.py") == []


def test_a_single_word_password_is_reported_with_low_confidence():
    hits = scanner.scan_text(b'password = "megadeth"', "python", "a.py")
    assert [(h.code, h.confidence) for h in hits] == [("RL204", "low")]
    assert not scanner.scan_text(b'password = "password"', "python", "a.py")


def test_generated_lines_are_bounded_per_window():
    token = expand("{{fake:github-token}}").encode()
    line = b'"' + b'","'.join([token] * 1000) + b'"\n'  # < one window
    hits = scanner.scan_text(line, "json", "a.json")
    assert len(hits) == scanner.MAX_HITS
    names = b" ".join([b"token"] * 5000) + b' token = "' + expand("{{fake:alnum:32}}").encode() + b'"\n'
    assert scanner.scan_text(names, "text", "a.txt") == []  # past the names looked at per line


def test_many_secrets_in_a_file_are_all_reported():
    body = b"".join(b'password%d = "%s"\n' % (i, expand("{{fake:password}}").encode()) for i in range(300))
    assert len(scanner.scan_text(body, "python", "a.py")) == 300
