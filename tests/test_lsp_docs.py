"""docs/editors.md documents every setting the server reads, and its example is accepted."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

from redline import config as rconfig
from redline.lsp import settings as lsp_settings

DOC = (Path(__file__).resolve().parent.parent / "docs" / "editors.md").read_text("utf-8")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def test_every_setting_is_documented():
    table = DOC[DOC.index("## Settings") : DOC.index("## Commands")]
    documented = set(re.findall(r"^\| `(\w+)`", table, re.M)) | set(re.findall(r"`(\w+)`", table))
    server_keys = {_camel(f.name) for f in fields(lsp_settings.ServerSettings) if f.name != "config"}
    # Every key the configuration accepts (not the dataclass fields: `source` and `root` are set by
    # Redline, and `roles` fills two fields).
    config_keys = {_camel(k.replace("-", "_")) for k in rconfig.KEYS}
    missing = (server_keys | config_keys) - documented
    assert not missing, f"settings missing from docs/editors.md: {sorted(missing)}"


def test_documented_example_is_accepted():
    (example,) = re.findall(r"^```json\n(.*?)^```", DOC, re.M | re.S)
    parsed, problems = lsp_settings.parse(json.loads(example))
    assert problems == []
    _cfg, cfg_problems = rconfig.from_mapping(parsed.config, "editor settings", known_rules=rconfig.known_rule_keys())
    assert cfg_problems == []
    assert parsed.slow_engines_delay_ms == 1000 and parsed.log_level is lsp_settings.LogLevel.WARNING


def test_commands_are_documented():
    from redline.lsp.handlers import commands

    assert f"`{commands.SCAN}`" in DOC and f"`{commands.SHOW_RULE}`" in DOC
