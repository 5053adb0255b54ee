"""The detect-secrets engine: changed rows only, incremental rescan equal to a full scan, global
settings behind a lock, pragma honoured, types mapped to Redline codes. Fakes built at run time."""

from __future__ import annotations

import random
import threading

import pytest

from redline.documents.source import SourceFile
from redline.engines.detect_secrets import ENGINE, TYPE_CODES, changed_rows
from redline.pipeline import make_source
from redline.secrets.fakes import expand
from redline.secrets.redact import contains_secret


def source(path: str, text: str) -> SourceFile:
    file = make_source(path, text.encode())
    assert file is not None
    return file


def keyed(findings):
    return sorted((f.code, f.span.start_byte, f.span.end_byte, f.property("detect_secrets_type")) for f in findings)


LINES = [
    'blob = "{{fake:b64:48}}"',  # random-looking, but no credential holds it: not reported
    'GITHUB_TOKEN = "{{fake:github-token}}"',
    'password = "{{fake:password}}"',
    "x = 1",
    'hexdigest = "{{fake:hex:40}}"',  # not reported either
    "# nothing here",
    'client_secret = "{{fake:b64:48}}"',
    'signing_secret = "{{fake:hex:40}}"',
]


def test_scan_lines_scans_only_the_given_rows():
    text = expand("\n".join(LINES) + "\n")
    file = source("app.py", text)
    everything = ENGINE.scan(file)
    rows = {f.span.start_line for f in everything}
    assert {1, 2, 6, 7} <= rows and not {0, 4} & rows
    only = ENGINE.scan_lines(file, [1, 7, 99, -3])
    assert {f.span.start_line for f in only} == {1, 7}
    assert keyed(only) == keyed([f for f in everything if f.span.start_line in (1, 7)])


def test_types_map_to_redline_codes_and_messages_are_redacted():
    text = expand("\n".join(LINES) + "\n")
    file = source("app.py", text)
    found = ENGINE.scan(file)
    by_type = {(f.span.start_line, f.property("detect_secrets_type")): f for f in found}
    assert by_type[(1, "GitHub Token")].code == "RL201"
    assert by_type[(2, "Secret Keyword")].code == "RL204"  # a keyword on a password line
    # high-entropy strings held by a credential name take the context's code (RL205)
    assert by_type[(6, "Base64 High Entropy String")].code == "RL205"
    assert by_type[(7, "Hex High Entropy String")].code == "RL205"
    for f in by_type.values():
        value = file.text[f.span.start_byte : f.span.end_byte].decode()
        assert f.engine == "detect-secrets" and not contains_secret(f.message, value)
    assert set(TYPE_CODES) <= set(__import__("detect_secrets.core.plugins.util", fromlist=["x"]).get_mapping_from_secret_type_to_class())


def test_placeholders_are_dropped_like_in_the_fast_engine():
    file = source("app.py", expand('token = "ghp_{{fake:=x:36}}"\nkey = "AKIA{{fake:=Z:16}}"\n'))
    assert ENGINE.scan(file) == []


@pytest.mark.parametrize(
    "text",
    [
        'GITHUB_TOKEN = "{{fake:github-token}}"  # pragma: allowlist secret\n',
        '# pragma: allowlist nextline secret\nGITHUB_TOKEN = "{{fake:github-token}}"\n',
    ],
)
def test_pragma_is_honoured(text):
    assert ENGINE.scan(source("app.py", expand(text))) == []


def test_changed_rows():
    assert changed_rows(b"a\nb\nc\n", b"a\nb\nc\n") == (None, -1, -1)
    assert changed_rows(b"a\nb\nc\n", b"a\nB\nc\n") == (1, 1, 1)
    assert changed_rows(b"a\nb\nc\n", b"a\nb\nX\nY\nc\n") == (2, 3, 1)
    assert changed_rows(b"a\nb\nc\n", b"a\nc\n") == (1, 0, 1)


def test_rescan_equals_a_full_scan_after_random_edits():
    rng = random.Random(7)
    pool = [expand(line) for line in LINES] + [
        expand('api_key = "{{fake:stripe-secret-key}}"'),
        "# pragma: allowlist nextline secret",
        "",
        "def f():",
        "    return 2",
    ]
    lines = [rng.choice(pool) for _ in range(30)]
    file = source("app.py", "\n".join(lines) + "\n")
    findings = ENGINE.scan(file)
    for _ in range(25):
        old = file.text
        i = rng.randrange(len(lines) + 1)
        op = rng.random()
        if op < 0.4 and lines:
            lines[min(i, len(lines) - 1)] = rng.choice(pool)
        elif op < 0.7:
            lines[i:i] = [rng.choice(pool) for _ in range(rng.randrange(1, 4))]
        elif lines:
            del lines[i : i + rng.randrange(1, 3)]
        file = source("app.py", "\n".join(lines) + "\n")
        findings = ENGINE.rescan(file, old, findings)
        assert keyed(findings) == keyed(ENGINE.scan(file))
    assert findings  # the pool keeps secrets in the file


def test_rescan_shifts_findings_and_their_fix_edits():
    text = expand('x = 1\nGITHUB_TOKEN = "{{fake:github-token}}"\n')
    old = source("app.py", text)
    before = ENGINE.scan(old)
    new = source("app.py", "import sys\n\n" + text)
    after = ENGINE.rescan(new, old.text, before)
    [f] = [f for f in after if f.code == "RL201"]
    assert f.span.start_line == 3
    assert new.text[f.span.start_byte : f.span.end_byte] == old.text[before[0].span.start_byte : before[0].span.end_byte]
    for fix in f.fixes:
        for edit in fix.edits:
            assert 0 <= edit.span.start_byte <= len(new.text)


def test_settings_changed_elsewhere_are_restored():
    from detect_secrets.settings import get_settings

    file = source("app.py", expand('GITHUB_TOKEN = "{{fake:github-token}}"\n'))
    expected = keyed(ENGINE.scan(file))
    get_settings().disable_plugins("GitHubTokenDetector")  # someone else in the process
    assert keyed(ENGINE.scan(file)) == expected


def test_concurrent_calls_agree():
    files = [source(f"f{i}.py", expand("\n".join(LINES))) for i in range(6)]
    expected = [keyed(ENGINE.scan(f)) for f in files]
    results: dict[int, list] = {}

    def work(i):
        results[i] = keyed(ENGINE.scan(files[i]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(files))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [results[i] for i in range(len(files))] == expected


def test_unsaved_buffers_and_binary_files():
    untitled = SourceFile("", "python", expand('GITHUB_TOKEN = "{{fake:github-token}}"\n').encode())
    assert [f.code for f in ENGINE.scan(untitled)] == ["RL201"]
    assert ENGINE.scan(SourceFile("x.bin", "text", b"\x00\x01\x02password=abc")) == []


def test_no_secret_in_logs(caplog):
    import logging

    secret = expand("{{fake:github-token}}")
    logging.getLogger("detect-secrets").setLevel(logging.DEBUG)  # someone turned it up
    caplog.set_level(logging.DEBUG)
    file = source("app.py", f'token = "{secret}"\nplaceholder = "ghp_{{{{fake:=x:36}}}}"\n'.replace("{{fake:=x:36}}", "x" * 36))
    assert ENGINE.scan(file)
    assert logging.getLogger("detect-secrets").level == logging.ERROR  # its INFO lines quote values
    assert secret not in caplog.text and "x" * 36 not in caplog.text
