"""Rule codes are stable forever: a retired rule's code and name keep selecting its successor in
configuration, the CLI and suppressions (rules/model.py RETIRED)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from redline.config import from_mapping, known_rule_keys
from redline.rules.model import RETIRED, successor
from redline.rules.registry import default_registry

VIEW = (
    "import traceback\n"
    "from flask import Flask\n"
    "app = Flask(__name__)\n"
    "\n"
    "@app.route('/r')\n"
    "def r():\n"
    "    try:\n"
    "        return work()\n"
    "    except Exception:\n"
    "        return traceback.format_exc(), 500{marker}\n"
)


def test_every_retired_code_points_at_a_registered_rule_and_is_not_reused():
    reg = default_registry()
    for code, (name, new) in RETIRED.items():
        assert code not in reg.by_code, f"{code} is retired but registered again"
        assert name not in reg.by_name
        assert reg.get(new) is not None, f"{code}'s successor {new} is not a rule"
        assert reg.get(code) is reg.get(new) and reg.get(name) is reg.get(new)


@pytest.mark.parametrize("sel", ["RL120", "rl120", "stack-trace-exposure"])
def test_retired_selectors_resolve_to_the_successor(sel):
    assert successor(sel) == "RL144"
    cfg, problems = from_mapping({"ignore": [sel]}, "redline.toml", known_rules=known_rule_keys())
    assert problems == []
    assert cfg.ignore == (sel,)


def test_a_prefix_is_not_rewritten():
    assert successor("RL12") == "RL12"
    assert successor("RL101") == "RL101"


def _scan(tmp_path, marker: str, *extra: str):
    (tmp_path / "app.py").write_text(VIEW.format(marker=marker))
    out = subprocess.run(
        [sys.executable, "-m", "redline", "scan", str(tmp_path), "--format", "json", "--no-slow", *extra],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode in (0, 1), out.stderr
    return [f["code"] for f in json.loads(out.stdout)["findings"]]


def test_old_suppression_still_suppresses_the_successor(tmp_path):
    assert "RL144" in _scan(tmp_path, "")
    codes = _scan(tmp_path, "  # redline: ignore[RL120] reviewed: internal tool")
    assert "RL144" not in codes
    assert "RL399" not in codes  # not reported as a marker naming no rule


def test_old_code_in_ignore_option(tmp_path):
    assert "RL144" not in _scan(tmp_path, "", "--ignore", "RL120")
