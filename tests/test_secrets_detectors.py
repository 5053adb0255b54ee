"""Token-format detectors as data: each pattern is linear-time RE2 without nested unbounded
quantifiers, finds its own run-time fake in several syntaxes, ignores placeholders, and the
per-file prefilter lets every one of them through."""

from __future__ import annotations

import random
import re

import pytest

from redline.secrets import fakes, regex, scanner
from redline.secrets.detectors import BY_ID, DETECTORS
from redline.secrets.fakes import detector_fake, expand

IDS = [d.id for d in DETECTORS]


def fake_for(det, seed=0) -> str:
    return detector_fake(det, random.Random(f"{det.id}-{seed}"))


def test_detector_ids_are_unique_and_kebab_case():
    assert len(IDS) == len(set(IDS))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in IDS)
    assert all(d.code in ("RL201", "RL202") and d.confidence in ("high", "medium", "low") for d in DETECTORS)


@pytest.mark.parametrize("det", DETECTORS, ids=IDS)
def test_pattern_is_linear_and_python_compatible(det):
    regex.check_linear(det.pattern)
    regex.check_linear(det.prefilter)
    regex.compile_python(det.pattern)  # the same pattern under the fallback engine
    assert "secret" in regex.groups(regex.compile(det.pattern))


_UNBOUNDED_GROUP = re.compile(r"\((?:[^()\\]|\\.)*(?:[*+]|\{\d+,\})(?:[^()\\]|\\.)*\)(?:[*+]|\{\d+,\})")


@pytest.mark.parametrize("det", DETECTORS, ids=IDS)
def test_no_nested_unbounded_quantifier(det):
    assert not _UNBOUNDED_GROUP.search(det.pattern), det.pattern


def test_the_nested_quantifier_check_can_fail():
    assert _UNBOUNDED_GROUP.search(r"(?:[a-z]+-)+x")
    assert not _UNBOUNDED_GROUP.search(r"(?:[a-z]{2}_)?x+")


@pytest.mark.parametrize("det", DETECTORS, ids=IDS)
@pytest.mark.parametrize(
    "template,path,language",
    [
        ('token = "{}"\n', "a.py", "python"),
        ("const t = '{}';\n", "a.js", "javascript"),
        ("TOKEN={}\n", ".env", "dotenv"),
        ("see {} here\n", "notes.txt", "text"),
    ],
    ids=["python", "javascript", "dotenv", "text"],
)
def test_detector_finds_its_fake(det, template, path, language):
    value = fake_for(det)
    text = template.format(det.context.format(value)).encode()
    hits = scanner.scan_text(text, language, path)
    found = [h for h in hits if h.detector == det.id]
    assert found, f"{det.id} missed {value!r}: {[(h.detector, text[h.start:h.end]) for h in hits]}"
    h = found[0]
    assert text[h.start : h.end] == value.encode()
    assert h.code == det.code


@pytest.mark.parametrize("det", [d for d in DETECTORS if d.filters], ids=[d.id for d in DETECTORS if d.filters])
def test_placeholder_bodies_are_ignored(det):
    value = fake_for(det)
    random_part = scanner.random_part(value.encode(), det.prefix.encode()).decode()
    for filler in ("x", "X", "0"):
        placeholder = value.replace(random_part, filler * len(random_part))
        line = det.context.format(placeholder)
        hits = scanner.scan_text(f'token = "{line}"\n'.encode(), "python", "a.py")
        assert not [h for h in hits if h.detector == det.id], placeholder


def test_documentation_examples_and_sequences_are_ignored():
    aws = BY_ID["aws-access-key-id"]
    assert scanner.is_placeholder_token(b"AKIA" + b"IOSFODNN7" + b"EXAMPLE", aws.prefix.encode())
    assert scanner.is_placeholder_token(b"AIza" + b"Sy" + b"abcdefghijklmnopqrstuvwxyz1234567", b"AIza")
    assert scanner.is_placeholder_token(b"xoxe.xoxp-1-" + b"SlackAppConfigurationTokenHere", b"")
    assert not scanner.is_placeholder_token(fake_for(aws).encode(), aws.prefix.encode())


def test_random_part_skips_structured_ids():
    token = b"xoxa-2-" + b"5" + b"1" * 8 + b"-" + b"3" + b"1" * 10 + b"-e039d02840a0b9379c"
    assert scanner.random_part(token, b"xoxb-") == b"e039d02840a0b9379c"


@pytest.mark.parametrize("det", DETECTORS, ids=IDS)
def test_prefilter_lets_every_detector_through(det):
    value = fake_for(det, seed=1)
    text = f"x\ny\nvalue: {det.context.format(value)}\nz\n".encode()
    lines = scanner.candidate_lines(text)
    assert any(s <= text.index(value.encode()) < e for s, e in lines)


def test_most_lines_are_not_candidates():
    text = b"".join(b"def f%d(x):\n    return x + %d\n" % (i, i) for i in range(500))
    assert scanner.candidate_lines(text) == []
    text += b'api_token = "abc"\n'
    assert len(scanner.candidate_lines(text)) == 1


def test_jwt_needs_a_json_header():
    jwt = fakes.fake("jwt")
    assert [h.detector for h in scanner.scan_text(f't = "{jwt}"'.encode(), "python", "a.py")] == ["jwt"]
    bogus = "eyJ" + "hbasdGciOiJIUaddasdasf" + "." + jwt.split(".", 1)[1]
    assert not scanner.scan_text(f"{bogus}\n".encode(), "text", "a.txt")


def test_private_key_needs_key_material():
    block = expand("{{fake:pem:RSA}}")
    hits = scanner.scan_text(block.encode(), "text", "id_rsa.txt")
    assert [h.code for h in hits] == ["RL202"]
    assert hits[0].start == 0 and hits[0].end == len(block)
    header, _, rest = block.partition("\n")
    footer = rest.rsplit("\n", 1)[-1]
    assert not scanner.scan_text(f"{header}\nput your key here\n{footer}\n".encode(), "text", "a.txt")
    assert not scanner.scan_text(f"{header}{footer}\n".encode(), "text", "a.txt")
    escaped = block.replace("\n", "\\n")
    hits = scanner.scan_text(f'{{"private_key": "{escaped}"}}'.encode(), "json", "sa.json")
    assert [h.code for h in hits] == ["RL202"]


def test_fakes_are_deterministic_and_clean():
    assert expand("{{fake:github-token}}") == expand("{{fake:github-token}}")
    a, b = expand("{{fake:alnum:30}} {{fake:alnum:30}}").split()
    assert a != b and len(a) == 30
    assert expand("ghp_{{fake:=x:36}}") == "ghp_" + "x" * 36
    with pytest.raises(ValueError):
        fakes.fake("no-such-kind")
