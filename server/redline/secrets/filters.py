"""False-positive filters: small named functions that say why a value is not a real secret.

Two families:

- `TOKEN_FILTERS` run on values that matched a provider's token format: placeholder bodies
  (`ghp_xxxx...`, `AKIA` + `ZZZZ...`), documentation examples (`...EXAMPLE`), templates.
- `VALUE_FILTERS` run on values found by context (assigned or mapped to a credential name):
  everything above plus test and placeholder words (`changeme`, `dummy`, `example`), templates
  (`${VAR}`, `{{ var }}`, `<YOUR_KEY>`, `%s`), references to the environment or a secret manager,
  identifiers and paths rather than secrets, and prose (labels, help texts, error messages).

Each filter returns True when the value should be dropped. `reason(value, filters)` names the
first filter that fired (used by tests and `--explain`-style debugging).
"""

from __future__ import annotations

from typing import Callable, Iterable

from redline.secrets import entropy
from redline.secrets import regex as rx

Filter = Callable[[bytes], bool]

# Template and reference syntaxes; a value that *is* one of these (possibly with quotes) is not a
# secret. Checked with fullmatch after stripping.
_TEMPLATE = rx.compile(
    r"(?s)\A\s*(?:"
    r"\$\{\{?[^}]*\}\}?"  # ${VAR}, ${VAR:-default}, ${{ secrets.X }}
    r"|\$\([^)]*\)"  # $(command)
    r"|\$[A-Za-z_][A-Za-z0-9_]*"  # $VAR
    r"|\{\{[^}]*\}\}"  # {{ var }} (Jinja, Helm, Go templates, Mustache)
    r"|\{%[^%]*%\}"  # {% ... %}
    r"|<%=?[^%]*%>"  # ERB
    r"|<[A-Za-z_][^<>]*>"  # <YOUR_KEY>, <password>, <SUMOLOGIC ACCESS KEY>
    r"|\[[A-Z][A-Z0-9 _-]*\]"  # [PASSWORD]
    r"|\{[A-Za-z_][A-Za-z0-9_.]*\}"  # {SumoAccessKey}, {password} (format fields)
    r"|%\(?[A-Za-z_0-9]*\)?[sd]"  # %s, %(password)s
    r"|#\{[^}]*\}"  # #{ruby}
    r"|@[A-Za-z_][A-Za-z0-9_.]*@"  # @maven.property@
    r"|`[^`]*`"  # `command`
    r"|ENC\[[^\]]*\]"  # sops
    r")\s*$"
)
# A template or reference anywhere inside the value.
_HAS_TEMPLATE = rx.compile(
    r"\$\{[A-Za-z_][A-Za-z0-9_.:-]*(?:\}|:-)|\$\{\s*[A-Za-z_$][A-Za-z0-9_.$]*\(|\{\{\s*[A-Za-z_.$][^}]*\}\}|%\([A-Za-z_]+\)s|%[sd](?:\W|$)"
    r"|\{[0-9]?\}|<YOUR|<your|\$\{\{"
)
_FIELD = rx.compile(r"(?:^|[^{])\{([A-Za-z_][A-Za-z0-9_.]*)\}(?:[^}]|$)")  # {name}: f-strings, format()
# {type(e)}, {obj.attr[0]}: an f-string expression that calls or indexes (never secret text)
_EXPR_FIELD = rx.compile(r"\{[A-Za-z_][A-Za-z0-9_.]*(?:\([^{}()]*\)|\[[^{}\[\]]*\])[A-Za-z0-9_.()\[\]]*(?:![rsa])?(?::[^{}]*)?\}")
# An e-mail address or an SSH/protocol extension name (`auth-agent-req@openssh.com`).
_EMAIL = rx.compile(r"\A[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\z")
# A regular expression: a character class with a quantifier, or a group construct.
_REGEX = rx.compile(r"\A\^?\[[^\]]+\][+*]?\$?\z|\(\?[:P<=!]|\\[dswDSW][+*?]")
# Public constants that protocols fix and every implementation spells out: the WebSocket
# handshake GUID of RFC 6455 (`Sec-WebSocket-Accept` = base64(sha1(key + GUID))).
PUBLIC_CONSTANTS = frozenset({b"258eafa5-e914-47da-95ca-c5ab0dc85b11"})
_REFERENCE = rx.compile(
    r"(?i)\A\s*(?:"
    r"(?:vault|secret|secrets|ssm|sm|aws-sm|azurekeyvault|keyvault|gcp-sm|op|bw|doppler|env|file|k8s|kubernetes)"
    r":(?://)?[A-Za-z0-9_./:#@?=-]+"
    r"|arn:aws[a-z-]*:(?:secretsmanager|ssm|kms):[^\s]*"
    r"|projects/[^/\s]+/secrets/[^\s]+"
    r"|!(?:Ref|Sub|GetAtt|ImportValue|vault)\b.*"
    r"|\{\{resolve:[^}]*\}\}"
    r")\s*$"
)
_ENV_LOOKUP = rx.compile(
    r"(?i)(?:os\.environ|os\.getenv|getenv\(|process\.env|System\.getenv|Environment\.GetEnvironmentVariable"
    r"|env\(|ENV\[|\$ENV\{|secrets\.|vault\.|secretmanager|keyvault|ssm\.get|get_secret|getSecret"
    r"|config\(|settings\.|\bvar\.|\blocal\.|\bmodule\.|\bdata\.)"
)
# Placeholder and test words (lower case). A value containing one of them is a stand-in.
PLACEHOLDER_WORDS = (
    "example", "sample", "dummy", "fake", "placeholder", "changeme", "change_me", "change-me",
    "changeit", "your_", "your-", "yourpass", "yoursecret", "yourtoken", "yourkey", "your ",
    "xxxx", "****", "...", "####", "<insert", "insert_", "insert-", "replace_me", "replaceme",
    "replace-me", "todo", "fixme", "tbd", "redacted", "hidden", "masked", "notset", "not_set",
    "not-set", "not_a_", "not-a-", "notasecret", "nosecret", "test", "mock", "stub", "demo",
    "default", "sekret", "secret", "password", "passwd", "token", "apikey", "api_key", "api-key",
    "foobar", "foo_bar", "lorem", "ipsum", "none", "null", "undefined", "empty", "blank",
    "here", "unknown", "invalid", "sandbox", "localhost",
    # the wrong value a test logs in with
    "wrong", "incorrect", "bogus",
)
# Values a password field may hold that are not passwords.
NON_SECRET_VALUES = frozenset(
    {
        b"true", b"false", b"yes", b"no", b"on", b"off", b"null", b"none", b"nil", b"undefined",
        b"required", b"optional", b"string", b"str", b"text", b"password", b"secret", b"token",
        b"bearer", b"basic", b"digest", b"hidden", b"default", b"auto", b"env", b"environment",
        b"pass", b"pwd", b"passwd", b"user", b"username", b"login", b"key", b"apikey", b"admin",
    }
)


def is_empty(value: bytes) -> bool:
    return not value.strip()


def is_template(value: bytes) -> bool:
    """`${VAR}`, `{{ var }}`, `<YOUR_KEY>`, `%s`, `$VAR`, `` `cmd` `` ... (the whole value). A
    `{field}` counts only when the field is a name (`{password}`, not `{ZqL5kVrX1n8tA2}`)."""
    if not _TEMPLATE.search(value):
        return False
    v = value.strip()
    if v[:1] == b"{" and v[-1:] == b"}" and v[1:2] not in (b"{", b"%"):
        return is_identifier(v[1:-1])
    return True


def has_template(value: bytes) -> bool:
    """A template or format field inside the value (`"Bearer ${TOKEN}"`, `f"{token}"`)."""
    if _HAS_TEMPLATE.search(value):
        return True
    return any(len(m.group(1)) <= 3 or is_identifier(m.group(1)) for m in _FIELD.finditer(value))


def is_computed_fstring(value: bytes) -> bool:
    """An f-string field that calls or indexes (`f"robotstxt/count/{type(e)}"`): computed text."""
    return bool(_EXPR_FIELD.search(value))


def is_email_or_protocol_name(value: bytes) -> bool:
    """`user@example.org`, `auth-agent-req@openssh.com`: an address or a protocol name."""
    return bool(_EMAIL.search(value.strip()))


def is_regex(value: bytes) -> bool:
    r"""`[!#$%&'*+.^_|~0-9a-zA-Z]+`, `(?P<name>...)`, `\d+`: a pattern, not a secret."""
    return bool(_REGEX.search(value.strip()))


def is_public_constant(value: bytes) -> bool:
    """A constant a protocol publishes (the WebSocket GUID)."""
    return value.strip().lower() in PUBLIC_CONSTANTS


def is_reference(value: bytes) -> bool:
    """A pointer to a secret manager (`vault:secret/db#password`, an ARN, `!Ref DbPassword`)."""
    return bool(_REFERENCE.search(value))


def is_env_lookup(value: bytes) -> bool:
    """Code that reads the value at run time (`os.environ[...]`, `process.env.X`, `var.x`)."""
    return bool(_ENV_LOOKUP.search(value))


def is_placeholder_word(value: bytes) -> bool:
    """Contains a placeholder or test word: `changeme`, `dummy`, `example`, `your-token-here`."""
    low = value.lower()
    try:
        text = low.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(w in text for w in PLACEHOLDER_WORDS)


def is_low_diversity(value: bytes) -> bool:
    """`xxxxxxxx`, `00000000`, `aaaa1111`: a handful of distinct characters or long runs."""
    return entropy.is_low_diversity(value)


def is_sequential(value: bytes) -> bool:
    """`abcdefgh`, `12345678`, `qwertyuiop`: mostly a run of the alphabet, the digits or a
    keyboard row."""
    return entropy.is_sequential(value)


TOKEN_PLACEHOLDER_WORDS = (
    "example", "placeholder", "your_", "your-", "yourtoken", "yourkey", "here", "redacted",
    "dummy", "sample", "changeme", "insert", "replace", "xxxx", "....",
)


def is_token_placeholder(value: bytes) -> bool:
    """A token body spelling a placeholder (`...TokenHere`, `YOUR_KEY`, `EXAMPLE`, `xxxx`)."""
    low = value.lower()
    return any(w.encode() in low for w in TOKEN_PLACEHOLDER_WORDS)


def is_documentation_example(value: bytes) -> bool:
    """AWS-style documentation values end or contain `EXAMPLE` (`AKIAIOSFODNN7EXAMPLE`)."""
    return b"EXAMPLE" in value or b"example" in value


def is_masked(value: bytes) -> bool:
    """Only masking characters: `********`, `••••`, `...`."""
    stripped = value.replace("•".encode(), b"").strip(b"*.xX#-_ ")
    return not stripped


def is_non_secret_word(value: bytes) -> bool:
    """`true`, `required`, `password`, `env`: a word that a credential field holds as a mode."""
    return value.strip().lower() in NON_SECRET_VALUES


def is_identifier(value: bytes) -> bool:
    """A name rather than a secret: `real_secret`, `DB_PASSWORD`, `csrftoken`, `auth.User`,
    `myPassword`, `SomeClass` (words only, no digits or symbols), also behind one sigil that
    marks a directive or a lexer state (`#bygroup`, `@media`, `$ref`)."""
    v = value.strip()
    if v[:1] in (b"#", b"@", b"$", b"%", b"!") and v[1:2].isalpha():
        v = v[1:]
    if not v or len(v) > 80:
        return False
    parts = [p for p in _split_seps(v) if p]
    if not parts:
        return False
    if not any(p.isalpha() for p in parts):
        return False
    for p in parts:
        if p.isdigit():  # 0002_alter_permission
            continue
        if len(parts) > 1:  # FORBIDDEN_VALUE2, api_v2: words with a number at the end
            p = p.rstrip(b"0123456789")
        if not p.isalpha():
            return False
        # lower, UPPER, Capitalized, camelCase / PascalCase with words of 2+ letters
        if p.islower() or p.isupper():
            continue
        if not _camel_ok(p):
            return False
    return True


def _split_seps(v: bytes) -> list[bytes]:
    out, cur = [], bytearray()
    for b in v:
        if b in b"_.-/:":
            out.append(bytes(cur))
            cur = bytearray()
        else:
            cur.append(b)
    out.append(bytes(cur))
    return out


def _camel_ok(p: bytes) -> bool:
    """camelCase or PascalCase made of words of two or more letters."""
    words: list[bytes] = []
    cur = bytearray()
    for b in p:
        if 65 <= b <= 90 and cur and not (65 <= cur[-1] <= 90):
            words.append(bytes(cur))
            cur = bytearray()
        cur.append(b)
    words.append(bytes(cur))
    return all(len(w) >= 2 and (w[1:].islower() or w.isupper()) for w in words)


_CALL = rx.compile(r"^(?:new\s+)?[A-Za-z_$][A-Za-z0-9_$.]*\(")


def is_call(value: bytes) -> bool:
    """Code, not a value: `getPassword()`, `AWS.SharedIniFileCredentials({...})`."""
    return bool(_CALL.search(value.strip()))


def is_path_or_url(value: bytes) -> bool:
    """A file path or a URL without credentials (`/etc/ssl/key.pem`, `~/.ssh/id_rsa`,
    `https://auth.example.org/token`)."""
    v = value.strip()
    if b"://" in v:
        scheme, _, rest = v.partition(b"://")
        return b"@" not in rest.split(b"/")[0]
    if v.startswith((b"/", b"./", b"../", b"~/", b"file:")) and b" " not in v:
        return v.count(b"/") >= 2 or v.startswith(b"~/") or b"." in v.rsplit(b"/", 1)[-1]
    if len(v) > 2 and v[1:3] in (b":\\", b":/") and v[:1].isalpha():
        return True
    return False


def is_prose(value: bytes) -> bool:
    """A label, help text or error message rather than a passphrase: a sentence ending with
    `.`, `!` or `?`, or three or more words starting with a capital or ending with `:`."""
    v = value.strip()
    spaces = v.count(b" ")
    if spaces >= 1 and v[-1:] in b".!?" or spaces >= 2 and (v[-1:] in b":)" or v[:1].isupper() and v[1:2].islower()):
        return True
    return False


def is_number(value: bytes) -> bool:
    """Only digits and separators: ports, PINs in tests, version numbers, amounts."""
    return value.strip().replace(b".", b"").replace(b"-", b"").replace(b"_", b"").isdigit()


def is_hash_of_password(value: bytes) -> bool:
    """A password hash (`$2b$12$...`, `pbkdf2_sha256$...`, `{SSHA}...`) is not the password."""
    v = value.strip()
    return (
        v.startswith((b"$2a$", b"$2b$", b"$2y$", b"$argon2", b"$5$", b"$6$", b"$1$", b"{SSHA}", b"{SHA}"))
        or v.startswith((b"pbkdf2_", b"argon2$", b"bcrypt$", b"sha1$", b"md5$", b"scrypt$"))
    )


TOKEN_FILTERS: tuple[Filter, ...] = (
    is_template,
    is_low_diversity,
    is_sequential,
    is_documentation_example,
    is_token_placeholder,
    is_public_constant,
)
VALUE_FILTERS: tuple[Filter, ...] = (
    is_empty,
    is_template,
    has_template,
    is_computed_fstring,
    is_email_or_protocol_name,
    is_regex,
    is_public_constant,
    is_reference,
    is_env_lookup,
    is_call,
    is_masked,
    is_non_secret_word,
    is_number,
    is_path_or_url,
    is_hash_of_password,
    is_placeholder_word,
    is_low_diversity,
    is_sequential,
    is_identifier,
    is_prose,
)

# For passwords inside URLs and options: no identifier or prose test (`user:hunter@host` has
# no variable names), and the URL test makes no sense inside a URL.
URL_FILTERS: tuple[Filter, ...] = tuple(
    f for f in VALUE_FILTERS if f not in (is_identifier, is_prose, is_path_or_url)
)


_TEST_DIRS = frozenset({"test", "tests", "testing", "spec", "specs", "__tests__", "fixtures", "testdata", "mocks", "__mocks__"})


def is_test_path(path: str) -> bool:
    """A test file or fixture (`tests/`, `test_x.py`, `x_test.go`, `x.spec.ts`, `XTest.java`)."""
    original = path.replace("\\", "/").split("/")
    parts = [p.lower() for p in original]
    name = parts[-1]
    stem = name.split(".", 1)[0]
    return (
        any(p in _TEST_DIRS for p in parts[:-1])
        or stem.startswith("test_")
        or stem.endswith(("_test", "_tests", "_spec"))
        or original[-1].split(".", 1)[0].endswith(("Test", "Tests"))  # FooTest.java
        or ".test." in name
        or ".spec." in name
        or name == "conftest.py"
    )


def reason(value: bytes, filters: Iterable[Filter]) -> str | None:
    """The name of the first filter that drops `value`, or None when it is kept."""
    for f in filters:
        if f(value):
            return f.__name__
    return None
