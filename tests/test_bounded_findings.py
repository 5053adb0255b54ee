"""Issue 12: thousands of findings in one file (a minified bundle's one long line).

The number of findings shown per file is capped (`max-findings-per-file`, the most severe kept)
with one summary finding; the engine stops collecting a few times past the cap; positions on a
long line are computed per line through a column index (UTF-16 columns after non-ASCII text);
the "suppress on this line" edit is computed once per line and rule, not once per finding.
"""

from __future__ import annotations

import json
import random

import pytest

from session_sink import RecordingSink
from redline import cli, pipeline
from redline.config import Config, from_mapping
from redline.documents.positions import CHECKPOINT, Columns, Encoding, position_at
from redline.documents.source import line_starts_of
from redline.findings import LIMIT_CODE, Confidence, Finding, Severity, Span
from redline.lsp import convert, suppress
from redline.rules import engine as rule_engine
from redline.rules.registry import default_registry

PREFIX = 'var s = "é😀 ünïcödé";'  # non-ASCII (and an astral character: 2 UTF-16 units) first
UNIT = "eval(x);document.write(y);"


# One long line reads as minified (role `generated`, not scanned: redline/roles.py); these tests
# are about the cap, so they scan it as source.
AS_SOURCE = (("*.js", "production"),)


def one_line_js(repeats: int) -> str:
    return PREFIX + UNIT * repeats + "\n"


def _f(code: str, severity: Severity, confidence: Confidence, start: int) -> Finding:
    return Finding(code, code.lower(), "m", severity, confidence, (1,), Span(start, start + 1, (0, start), (0, start + 1)))


# ---------------------------------------------------------------- the cap


def test_cap_keeps_the_most_severe_and_confident_and_adds_one_summary():
    file = pipeline.make_source("a.js", b"x" * 100)
    findings = (
        [_f("RL105", Severity.WARNING, Confidence.HIGH, i) for i in range(10)]
        + [_f("RL103", Severity.ERROR, Confidence.LOW, 20 + i) for i in range(3)]
        + [_f("RL104", Severity.ERROR, Confidence.HIGH, 40 + i) for i in range(2)]
        + [_f("RL106", Severity.INFO, Confidence.HIGH, 60 + i) for i in range(5)]
    )
    out = pipeline.cap_findings(file, findings, Config(max_findings_per_file=6))
    summary = [f for f in out if f.code == LIMIT_CODE]
    kept = [f for f in out if f.code != LIMIT_CODE]
    assert len(summary) == 1 and len(kept) == 6
    # Errors first (the confident ones before the others), then the first warnings.
    assert [f.code for f in kept].count("RL104") == 2 and [f.code for f in kept].count("RL103") == 3
    assert [f.code for f in kept].count("RL105") == 1 and "RL106" not in [f.code for f in kept]
    message = summary[0].message
    assert message.startswith("14 more findings not shown in this file")
    assert "RL105 rl105 ×9" in message and "RL106 rl106 ×5" in message
    assert summary[0].property("hidden") == "14" and summary[0].span.start_byte == 0


def test_no_cap_below_the_limit_and_zero_turns_it_off():
    file = pipeline.make_source("a.js", b"x" * 100)
    findings = [_f("RL105", Severity.WARNING, Confidence.HIGH, i) for i in range(10)]
    assert pipeline.cap_findings(file, findings, Config(max_findings_per_file=10)) == findings
    assert pipeline.cap_findings(file, findings, Config(max_findings_per_file=0)) == findings


def test_the_setting_is_validated_and_accepts_editor_spelling():
    cfg, problems = from_mapping({"maxFindingsPerFile": 25}, "settings")
    assert cfg.max_findings_per_file == 25 and not problems
    cfg, problems = from_mapping({"max-findings-per-file": -1}, "redline.toml")
    assert cfg.max_findings_per_file == Config().max_findings_per_file and problems


def test_ignore_hides_the_summary():
    file = pipeline.make_source("a.js", b"x" * 100)
    findings = [_f("RL105", Severity.WARNING, Confidence.HIGH, i) for i in range(10)]
    out = pipeline.cap_findings(file, findings, Config(max_findings_per_file=3, ignore=("RL000",)))
    assert len(out) == 3 and all(f.code != LIMIT_CODE for f in out)


# ---------------------------------------------------------------- a minified one-line file


@pytest.fixture(scope="module")
def long_line():
    text = one_line_js(400)  # 800 findings on one line of about 10 KB
    return text, pipeline.analyze_text("app.js", text, Config(max_findings_per_file=50, role_overrides=AS_SOURCE), slow=False)


def test_one_long_line_is_capped_with_the_engine_stop_in_the_summary(long_line):
    _text, analysis = long_line
    shown = [f for f in analysis.findings if f.code != LIMIT_CODE]
    summary = [f for f in analysis.findings if f.code == LIMIT_CODE]
    assert len(shown) == 50 and len(summary) == 1
    # The engine stops at twice the cap (100 findings): 50 shown, 50 more counted, and it says
    # that it stopped and where.
    assert summary[0].property("hidden") == "50" and summary[0].property("stopped_after") == "100"
    assert "50 more findings not shown" in summary[0].message
    assert "stopped checking this file after 100 findings" in summary[0].message


def test_no_suppress_action_is_offered_for_the_summary(long_line):
    """The summary is no finding of its line: a `redline: ignore[RL000]` comment would do nothing."""
    text, analysis = long_line
    file = pipeline.make_source("bundle.min.js", text.encode())
    (summary,) = [f for f in analysis.findings if f.code == LIMIT_CODE]
    shown = next(f for f in analysis.findings if f.code != LIMIT_CODE)
    assert suppress.line_suppression(file, summary) is None
    assert suppress.file_suppression(file, LIMIT_CODE) is None
    assert suppress.line_suppression(file, shown) is not None


def test_without_a_cap_every_finding_is_reported():
    text = one_line_js(150)
    analysis = pipeline.analyze_text("app.js", text, Config(max_findings_per_file=0, role_overrides=AS_SOURCE), slow=False)
    codes = [f.code for f in analysis.findings]
    assert codes.count("RL103") == 150 and codes.count("RL105") == 150 and LIMIT_CODE not in codes


def test_utf16_positions_far_into_a_long_line_after_non_ascii_text():
    text = PREFIX + UNIT * 600 + "\n"  # about 16 KB: several column checkpoints
    data = text.encode()
    file = pipeline.make_source("bundle.min.js", data)
    result = rule_engine.scan(file, default_registry())
    far = [f for f in result.findings if f.span.start_byte > 3 * CHECKPOINT]
    assert far, "findings far into the line"
    diags = convert.diagnostics(file, result.findings, uri="file:///b.js", version=1, encoding=Encoding.UTF16)
    for f, d in zip(result.findings, diags):
        # The column in UTF-16 units, counted independently: the prefix has one astral character.
        expected = len(data[: f.span.start_byte].decode().encode("utf-16-le")) // 2
        assert d["range"]["start"] == {"line": 0, "character": expected}
        end = len(data[: f.span.end_byte].decode().encode("utf-16-le")) // 2
        assert d["range"]["end"] == {"line": 0, "character": end}
    last = result.findings[-1]
    assert data[last.span.end_byte :] == b";\n"
    assert diags[-1]["range"]["end"]["character"] == len(text) - 2 + 1  # the astral character counts 2
    # And the same in UTF-32 (code points) and UTF-8 (bytes).
    d32 = convert.diagnostics(file, [last], uri="u", version=1, encoding=Encoding.UTF32)
    assert d32[0]["range"]["end"]["character"] == len(text) - 2
    d8 = convert.diagnostics(file, [last], uri="u", version=1, encoding=Encoding.UTF8)
    assert d8[0]["range"]["end"]["character"] == len(data) - 2


def test_line_suppression_is_computed_once_per_line_and_rule(monkeypatch):
    file = pipeline.make_source("bundle.min.js", one_line_js(60).encode())
    findings = rule_engine.scan(file, default_registry()).findings
    assert len(findings) == 120
    calls = []
    real = suppress.line_suppression
    monkeypatch.setattr(suppress, "line_suppression", lambda f, finding, *a: calls.append(1) or real(f, finding, *a))
    diags = convert.diagnostics(file, findings, uri="u", version=1, encoding=Encoding.UTF16)
    assert len(calls) == 2  # one line, two rules (it read the whole line for each finding)
    edits = {d["data"]["rule"]: d["data"]["suppressLine"] for d in diags}
    assert edits["RL103"]["newText"].endswith("redline: ignore[RL103] <reason>")


def test_column_index_equals_position_at_on_random_text():
    rng = random.Random(12)
    alphabet = ["a", "b", " ", "é", "ü", "€", "😀", "\t", "漢"]
    for _ in range(30):
        parts = []
        for _ in range(rng.randrange(1, 5)):
            parts.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 3 * CHECKPOINT))))
        data = rng.choice(["\n", "\r\n", "\r"]).join(parts).encode()
        if rng.random() < 0.3:
            data = data[: len(data) // 2] + b"\xff\x80" + data[len(data) // 2 :]  # invalid UTF-8
        starts = line_starts_of(data)
        cols = Columns(data, starts)
        for off in [rng.randrange(0, len(data) + 1) for _ in range(40)] + [0, len(data)]:
            for enc in Encoding:
                assert cols.position(off, enc) == position_at(data, starts, off, enc), (off, enc)


# ---------------------------------------------------------------- the engine's stop and rescans


def test_rescan_after_a_stopped_scan_scans_in_full():
    file = pipeline.make_source("bundle.min.js", one_line_js(100).encode())
    registry = default_registry()
    first = rule_engine.scan(file, registry, limit=40)
    assert first.findings[-1].code == LIMIT_CODE or any(f.code == LIMIT_CODE for f in first.findings)
    again = rule_engine.rescan(file, registry, first.findings, [], [], limit=40)
    assert again.full and again.findings == first.findings


# ---------------------------------------------------------------- redline scan


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_scan_reports_carry_the_summary(tmp_path, monkeypatch, capsys, fmt):
    (tmp_path / "app.js").write_text(one_line_js(100))
    (tmp_path / "redline.toml").write_text(
        'max-findings-per-file = 20\nroles = { "*.js" = "production" }\n[engines]\nbandit = false\ndetect-secrets = false\n'
    )
    monkeypatch.chdir(tmp_path)
    code = cli.main(["scan", ".", "--format", fmt])
    out, _err = capsys.readouterr()
    assert code == 1
    if fmt == "json":
        doc = json.loads(out)
        items = _json_findings(doc)
        codes = [f.get("code") or f.get("rule") for f in items]
        assert codes.count(LIMIT_CODE) == 1 and len(codes) == 21
        assert any("more findings not shown" in str(f) for f in items)
    elif fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        assert [r["ruleId"] for r in results].count(LIMIT_CODE) == 1 and len(results) == 21
        assert any("more findings not shown" in r["message"]["text"] for r in results)
    else:
        assert "more findings not shown in this file" in out and LIMIT_CODE in out


def _json_findings(doc) -> list[dict]:
    if isinstance(doc, dict) and "findings" in doc:
        return list(doc["findings"])
    out = []
    for f in doc.get("files", []):
        out.extend(f.get("findings", []))
    return out


# ---------------------------------------------------------------- the editor


def test_the_editor_shows_the_cap_and_its_summary_and_keeps_it_while_typing():
    from redline.documents.store import Change
    from redline.lsp import session as session_mod
    from redline.lsp.settings import parse

    sink = RecordingSink()
    s = session_mod.Session(sink)
    settings, problems = parse({"maxFindingsPerFile": 30, "roles": {"*.js": "production"}})
    assert not problems
    s.configure(settings)
    uri = "file:///w/app.js"
    text = one_line_js(100)
    s.open(uri, "javascript", 1, text)
    diags = sink.published[-1][2]
    summary = [d for d in diags if d["code"] == LIMIT_CODE]
    assert len(diags) == 31 and len(summary) == 1
    assert summary[0]["range"]["start"] == {"line": 0, "character": 0}
    assert "more findings not shown in this file" in summary[0]["message"]
    col = len(text) // 2
    s.change(uri, 2, [Change(((0, col), (0, col)), " ")])
    diags = sink.published[-1][2]
    assert len(diags) == 31 and [d["code"] for d in diags].count(LIMIT_CODE) == 1


def _offset_reference(data: bytes, starts: list[int], line: int, character: int, enc: Encoding) -> int:
    """offset_at, one character at a time (what it did before it converted whole lines)."""
    from redline.documents.positions import line_end, offset_at

    if enc is Encoding.UTF8 or line >= len(starts):
        return offset_at(data, starts, line, character, enc)
    start, end = starts[line], line_end(data, starts, line)
    units, off = 0, start
    for ch in data[start:end].decode("utf-8", "surrogateescape"):
        n = 1 if enc is Encoding.UTF32 else (2 if ord(ch) > 0xFFFF else 1)
        if units + n > character:
            break
        units += n
        off += len(ch.encode("utf-8", "surrogateescape"))
    return off


def test_offset_at_on_long_non_ascii_lines_equals_the_per_character_count():
    from redline.documents.positions import offset_at

    rng = random.Random(7)
    alphabet = ["a", " ", "é", "€", "😀", "漢", "\t"]
    for _ in range(40):
        data = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 3000))).encode()
        if rng.random() < 0.3:
            cut = rng.randrange(len(data))
            data = data[:cut] + b"\xf0\x9f" + data[cut:]  # a truncated sequence: invalid UTF-8
        starts = line_starts_of(data)
        for _ in range(30):
            character = rng.randrange(0, len(data) + 3)
            for enc in (Encoding.UTF16, Encoding.UTF32):
                assert offset_at(data, starts, 0, character, enc) == _offset_reference(data, starts, 0, character, enc)
