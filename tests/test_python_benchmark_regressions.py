"""Rule examples that were copies of benchmark records (tests/data/benchmark_regressions/).

They were moved out of the rule files (issue 14) so that the rules' own examples are not the
benchmark, but they still guard against regressions: an `invalid` case must still be flagged by
its rule, a `valid` one must not. Passing them is not evidence of detection on unseen code; the
records they came from are scored apart as "in-sample" by `bench/detection.py --held-out`.
"""

import tomllib
from pathlib import Path

import pytest

from redline.pipeline import analyze_text

DATA = Path(__file__).parent / "data" / "benchmark_regressions"


def _cases():
    for path in sorted(DATA.glob("*.toml")):
        for i, case in enumerate(tomllib.loads(path.read_text("utf-8"))["case"]):
            yield pytest.param(case, id=f"{path.stem}-{case['rule']}-{case['kind']}-{i}")


@pytest.mark.parametrize("case", list(_cases()))
def test_regression_case(case):
    assert case["record"] and case["kind"] in ("valid", "invalid")
    analysis = analyze_text(case.get("path", "example.py"), case["code"])
    assert not analysis.errors, analysis.errors
    codes = [f.code for f in analysis.findings]
    if case["kind"] == "invalid":
        assert case["rule"] in codes, f"{case['rule']} no longer fires on (from {case['record']}):\n{case['code']}"
    else:
        assert case["rule"] not in codes, f"{case['rule']} now fires on (from {case['record']}):\n{case['code']}"
