"""The VS Code extension and the server agree: languages, file names, settings keys, engines.

The extension's settings reach the server through `redline.config.from_mapping` (via
`redline.lsp.settings.parse`), so every server-side setting the extension contributes must be a key
those accept, and every value its schema allows must validate.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from redline import config as rconfig
from redline import languages

ROOT = Path(__file__).resolve().parents[3]
CLIENT = ROOT / "vscode-client"
MANIFEST = json.loads((CLIENT / "package.json").read_text("utf-8"))
PROPERTIES = MANIFEST["contributes"]["configuration"]["properties"]
CLIENT_ONLY = {"redline.enable", "redline.path", "redline.interpreter", "redline.trace.server"}


def _ts_string_array(name: str) -> list[str]:
    text = (CLIENT / "src" / "common" / "constants.ts").read_text("utf-8")
    m = re.search(rf"export const {name}[^=]*=\s*\[(.*?)\];", text, re.S)
    assert m, name
    return re.findall(r"'([^']+)'", m.group(1))


def test_every_language_id_the_server_knows_activates_the_extension() -> None:
    activation = {e.split(":", 1)[1] for e in MANIFEST["activationEvents"] if e.startswith("onLanguage:")}
    missing = sorted(set(languages.LANGUAGE_IDS) - activation)
    assert not missing, f"add to vscode-client package.json activationEvents and constants.ts: {missing}"
    assert set(_ts_string_array("LANGUAGE_IDS")) == activation


def test_every_file_name_pattern_the_server_knows_is_selected() -> None:
    selected = {p.removeprefix("**/") for p in _ts_string_array("FILE_PATTERNS")}
    # requirements*.txt and *.requirements.txt: the first pattern covers both.
    wanted = {p for p, _ in languages.FILENAME_PATTERNS} - {"*.requirements.txt"}
    missing = sorted(wanted - selected)
    assert not missing, f"add to FILE_PATTERNS in vscode-client/src/common/constants.ts: {missing}"


def test_engine_switches_match_the_servers_engines() -> None:
    assert sorted(PROPERTIES["redline.engines"]["properties"]) == sorted(rconfig.ENGINES)


def _sample_values(schema: dict) -> list:
    if "enum" in schema:
        return list(schema["enum"])
    if schema["type"] == "integer":
        low = schema.get("minimum", 0)
        return [low, max(low, schema.get("default", low)) + 1]
    return {
        "boolean": [True, False],
        "array": [["RL101", "sql-injection"]],
        "string": ["redline.toml"],
        "object": [{name: False for name in schema.get("properties", {})}],
    }[schema["type"]]


@pytest.mark.parametrize("key", sorted(set(PROPERTIES) - CLIENT_ONLY))
def test_server_settings_are_accepted_by_the_server(key: str) -> None:
    from redline.lsp import settings as lsp_settings

    short = key.removeprefix("redline.")
    for value in _sample_values(PROPERTIES[key]):
        parsed, problems = lsp_settings.parse({"redline": {short: value}})
        assert not problems, (key, value, [str(p) for p in problems])
        # Keys the language server does not consume itself are Redline configuration keys.
        if parsed.config:
            _cfg, cfg_problems = rconfig.from_mapping(parsed.config, "editor settings", known_rules=rconfig.known_rule_keys())
            assert not cfg_problems, (key, value, [str(p) for p in cfg_problems])


def test_client_only_settings_are_ignored_by_the_server() -> None:
    from redline.lsp import settings as lsp_settings

    parsed, problems = lsp_settings.parse(
        {"redline": {"enable": True, "path": "/x/redline", "interpreter": "/x/python", "trace": {"server": "off"}}}
    )
    assert not problems
    assert dict(parsed.config) == {}


def test_default_severity_and_confidence_values_parse() -> None:
    from redline.findings import Confidence, Severity

    assert PROPERTIES["redline.minSeverity"]["enum"] == [s.value for s in Severity]
    assert PROPERTIES["redline.minConfidence"]["enum"] == [c.value for c in Confidence]
