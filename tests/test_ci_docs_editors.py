"""docs/editors-other.md: the Helix and Sublime Text set-ups are valid and send settings the server
accepts (the Emacs snippets are evaluated by Emacs in tests/test_emacs_eglot.py)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from redline import config as rconfig
from redline.lsp import settings as lsp_settings

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "editors-other.md").read_text("utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", DOC, re.M | re.S)


def assert_accepted(data) -> None:
    """What the server does with initializationOptions / a workspace/configuration answer."""
    parsed, problems = lsp_settings.parse(data)
    assert not problems, [str(p) for p in problems]
    assert parsed.config, "no Redline settings in the snippet"
    _cfg, cfg_problems = rconfig.from_mapping(parsed.config, "editor settings", known_rules=rconfig.known_rule_keys())
    assert not cfg_problems, [str(p) for p in cfg_problems]


def test_helix_languages_toml() -> None:
    (text,) = blocks("toml")
    data = tomllib.loads(text)
    server = data["language-server"]["redline"]
    assert [server["command"], *server["args"]] == ["redline", "lsp"]
    assert_accepted(server["config"])
    # Helix answers workspace/configuration by looking the section up inside `config`.
    assert "redline" in server["config"]
    assert_accepted(server["config"]["redline"])
    languages = data["language"]
    assert {lang["name"] for lang in languages} >= {"python", "javascript", "typescript", "go"}
    assert all("redline" in lang["language-servers"] for lang in languages)


def test_sublime_lsp_settings() -> None:
    (text,) = blocks("jsonc")
    data = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))
    client = data["clients"]["redline"]
    assert client["enabled"] is True
    assert client["command"] == ["redline", "lsp"]
    assert client["selector"]
    assert_accepted(client["initializationOptions"])
    assert_accepted(client["settings"]["redline"])
