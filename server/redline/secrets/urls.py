"""Credentials inside URLs and connection strings, and `curl -u user:password`.

    postgres://app:s3cr3t-Pw@db.internal:5432/app      mysql://, mongodb+srv://, redis://, amqp://
    https://user:token@git.example.org/repo.git         basic auth in any URL
    jdbc:sqlserver://h;user=app;password=...            ADO.NET / JDBC / ODBC `Password=` pairs
    curl -u admin:...  /  --user "admin:..."

The password must survive the same placeholder and template filters as any other value
(`postgres://user:password@`, `redis://:${REDIS_PASSWORD}@`, `amqp://guest:guest@` are not
reported), and a URL to a local host is reported with low confidence.
"""

from __future__ import annotations

from redline.secrets import entropy
from redline.secrets import filters as flt
from redline.secrets import hits as H
from redline.secrets import regex as rx
from redline.secrets.context import gate
from redline.secrets.hits import Hit
from redline.secrets.names import Kind

URL_RE = rx.compile(
    r"(?P<url>(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{1,30})://(?P<user>[^\s:/?#@\"'<>\\`]{0,200})"
    r":(?P<secret>[^\s/?#\"'<>\\`]{1,300})@(?P<host>[A-Za-z0-9._~%-]+|\[[0-9A-Fa-f:.]+\])[^\s\"'<>\\`]*)"
)
PAIR_RE = rx.compile(r"(?i)(?:^|[;?&\s\"'])(?:password|passwd|pwd)\s*=\s*(?P<secret>[^;&\s\"'#]{1,300})")
CURL_RE = rx.compile(
    r"(?:^|\s)(?:-u|--user)(?:\s+|=)[\"']?(?P<user>[^\s:\"']*)[\"']?:[\"']?(?P<secret>[^\s\"']*)"
)
_U = rx.groups(URL_RE)
_P = rx.groups(PAIR_RE)
_C = rx.groups(CURL_RE)
PREFILTER = r"://[^\s/@]{0,200}@|(?i:password|passwd|pwd)\s*=|\s(?:-u|--user)[\s=]"

LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]", "host.docker.internal")
_DOC_HOSTS = ("example.com", "example.org", "example.net", "domain.com", "host", "hostname", "server")
_DB_ENV = {
    "postgres": "DATABASE_URL", "postgresql": "DATABASE_URL", "mysql": "DATABASE_URL",
    "mariadb": "DATABASE_URL", "mongodb": "MONGODB_URI", "mongodb+srv": "MONGODB_URI",
    "redis": "REDIS_URL", "rediss": "REDIS_URL", "amqp": "AMQP_URL", "amqps": "AMQP_URL",
    "mssql": "DATABASE_URL", "sqlserver": "DATABASE_URL", "oracle": "DATABASE_URL",
}


def _password_ok(secret: bytes, user: bytes = b"") -> str | None:
    """The confidence for a URL or option password, None for defaults and placeholders."""
    if user and secret == user:
        return None  # guest:guest, postgres:postgres (defaults of local containers)
    if len(secret) < 4 or flt.reason(secret, flt.URL_FILTERS):
        return None
    if len(secret) < 6 or entropy.shannon(secret) >= 2.0:  # short passwords are still passwords here
        return "medium"
    return None


def _url_hits(line: bytes, base: int) -> list[Hit]:
    _G = _U
    out = []
    for m in URL_RE.finditer(line):
        if len(out) >= MAX_HITS:
            break
        secret = m.group(_G["secret"])
        user = m.group(_G["user"])
        host = m.group(_G["host"]).decode("ascii", "replace").lower()
        if any(host == h or host.endswith("." + h) for h in _DOC_HOSTS):
            continue
        if flt.reason(user, (flt.is_template,)):
            continue
        confidence = _password_ok(secret, user)
        if confidence is None:
            continue
        if host in LOCAL_HOSTS or host.endswith(".local") or host.endswith(".localhost"):
            confidence = "low"
        scheme = m.group(_G["scheme"]).decode("ascii", "replace").lower()
        out.append(
            Hit(
                code=H.URL,
                detector="url-credentials",
                title=f"password in a {scheme}:// URL",
                start=base + m.start(_G["secret"]),
                end=base + m.end(_G["secret"]),
                lit_start=base + m.start(_G["secret"]),
                lit_end=base + m.end(_G["secret"]),
                value_start=base + m.start(_G["url"]),
                value_end=base + m.end(_G["url"]),
                name="",
                env=_DB_ENV.get(scheme.removeprefix("jdbc:"), f"{scheme.upper().replace('+', '_').replace('.', '_').replace('-', '_')}_URL"),
                confidence=confidence,
                shown=2,
            )
        )
    return out


def _pair_hits(line: bytes, base: int) -> list[Hit]:
    _G = _P
    out = []
    low = line.lower()
    # Only in connection strings: another key=value pair separated by ; or & on the line.
    if not (b";" in line or b"&" in line) or not any(
        k in low for k in (b"server=", b"host=", b"data source=", b"user=", b"user id=", b"uid=", b"database=", b"://", b"dsn=")
    ):
        return out
    for m in PAIR_RE.finditer(line):
        secret = m.group(_G["secret"])
        confidence = _password_ok(secret)
        if confidence is None:
            continue
        out.append(
            Hit(
                code=H.URL,
                detector="connection-string-password",
                title="password in a connection string",
                start=base + m.start(_G["secret"]),
                end=base + m.end(_G["secret"]),
                lit_start=base + m.start(_G["secret"]),
                lit_end=base + m.end(_G["secret"]),
                env="DATABASE_PASSWORD",
                confidence=confidence,
                shown=2,
            )
        )
    return out


def _curl_hits(line: bytes, base: int) -> list[Hit]:
    _G = _C
    out = []
    for m in CURL_RE.finditer(line):
        secret, user = m.group(_G["secret"]), m.group(_G["user"])
        if flt.reason(user, (flt.is_template,)):
            continue
        group, code, title, env = "secret", H.PASSWORD, "password in a -u/--user option", "API_PASSWORD"
        if not secret:
            # `curl -u sk_live_...:` - an API key passed as the user name, no password
            confidence = gate(Kind.SECRET, user)
            group, code, title, env = "user", H.SECRET, "API key in a -u/--user option", "API_KEY"
        else:
            confidence = _password_ok(secret, user) if len(secret) >= 6 else None
        if confidence is None:
            continue
        out.append(
            Hit(
                code=code,
                detector="basic-auth-option",
                title=title,
                start=base + m.start(_G[group]),
                end=base + m.end(_G[group]),
                lit_start=base + m.start(_G[group]),
                lit_end=base + m.end(_G[group]),
                env=env,
                confidence=confidence,
                shown=2,
            )
        )
    return out


MAX_HITS = 100  # per line (window): generated data, not typed code


def scan_line(line: bytes, base: int) -> list[Hit]:
    out: list[Hit] = []
    if b"@" in line and b"://" in line:
        out.extend(_url_hits(line, base))
    if b"=" in line and (b";" in line or b"&" in line):
        out.extend(_pair_hits(line, base))
    if b"-u" in line:
        out.extend(_curl_hits(line, base))
    return out[:MAX_HITS]
