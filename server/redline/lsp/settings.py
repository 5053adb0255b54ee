"""Editor settings: what `initializationOptions`, `workspace/configuration` (section "redline")
and `workspace/didChangeConfiguration` carry.

Two kinds of keys arrive together:
- the language-server keys below (`ServerSettings`): how the server behaves;
- every other key is a Redline configuration key (`select`, `ignore`, `severity`, `engines`,
  `minSeverity`, `maxFileSize`, ...), validated by `redline.config.from_mapping` and applied on
  top of (or under) the workspace's `redline.toml` / `[tool.redline]`.

Keys may be camelCase, snake_case or kebab-case. A bad value is reported as a `Problem` and the
default is kept for that key; the valid rest applies (as in ruff's and jedi-language-server's
servers). Pure functions, no protocol types: unit-tested without a server.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from redline.config import Problem

SOURCE = "editor settings"


class Preference(str, enum.Enum):
    """Who wins when the editor settings and the workspace's configuration file disagree."""

    EDITOR_FIRST = "editorFirst"  # editor settings override the file (default)
    FILESYSTEM_FIRST = "filesystemFirst"  # the file overrides the editor settings
    EDITOR_ONLY = "editorOnly"  # configuration files are ignored


class LogLevel(enum.IntEnum):
    """Lower is more severe; the numbers are LSP's MessageType values."""

    ERROR = 1
    WARNING = 2
    INFO = 3
    DEBUG = 4  # LSP "Log"


@dataclass(frozen=True, kw_only=True)
class ServerSettings:
    configuration_preference: Preference = Preference.EDITOR_FIRST
    # An explicit configuration file used for every document instead of discovery.
    config_file: str | None = None
    # Run `redline.scanWorkspace` once the server is initialized.
    scan_workspace_on_startup: bool = False
    # Idle time after the last change before the slow engines (bandit, detect-secrets) run.
    slow_engines_delay_ms: int = 750
    # Run the slow engines and workspace scans in a worker process (True) or a thread (False).
    worker_process: bool = True
    # Most files a workspace scan looks at.
    workspace_scan_max_files: int = 20_000
    log_level: LogLevel = LogLevel.INFO
    # Remember code inserted in one go (a paste, a completion, an agent's edit): tag its findings
    # and show a code lens above it (redline.lsp.blocks).
    review_lens: bool = True
    # Lines one change must insert to make such a block (or 50 characters per line of this).
    review_lens_min_lines: int = 8
    # Everything else: Redline configuration keys for redline.config.from_mapping.
    config: Mapping[str, Any] = field(default_factory=dict)


_KEYS = {
    "configuration-preference": "configuration_preference",
    "config-file": "config_file",
    "configuration": "config_file",
    "scan-workspace-on-startup": "scan_workspace_on_startup",
    "slow-engines-delay-ms": "slow_engines_delay_ms",
    "slow-engines-delay": "slow_engines_delay_ms",
    "worker-process": "worker_process",
    "workspace-scan-max-files": "workspace_scan_max_files",
    "log-level": "log_level",
    "review-lens": "review_lens",
    "review-lens-min-lines": "review_lens_min_lines",
}
_LOG_LEVELS = {
    "error": LogLevel.ERROR,
    "warning": LogLevel.WARNING,
    "warn": LogLevel.WARNING,
    "info": LogLevel.INFO,
    "debug": LogLevel.DEBUG,
    "log": LogLevel.DEBUG,
}
# Keys clients send that mean nothing to the server (VS Code's own extension settings).
_CLIENT_ONLY = {"interpreter", "path", "trace", "enable", "server"}


def norm_key(key: str) -> str:
    key = re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", key)
    return key.lower().replace("_", "-")


def section(data: Any) -> Mapping[str, Any] | None:
    """The Redline part of what a client sent: `{"redline": {...}}` or the mapping itself."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        return None
    inner = data.get("redline")
    if isinstance(inner, Mapping):
        return inner
    return data


def parse(data: Any, base: ServerSettings | None = None) -> tuple[ServerSettings, list[Problem]]:
    """Settings from a client mapping (applied on top of `base`, whose configuration keys it
    extends or overrides), and the problems found."""
    base = base or ServerSettings()
    mapping = section(data)
    if mapping is None:
        return base, [Problem(SOURCE, "-", f"expected an object, got {type(data).__name__}")]
    problems: list[Problem] = []
    changes: dict[str, Any] = {}
    config: dict[str, Any] = {}

    def bad(key: str, msg: str) -> None:
        problems.append(Problem(SOURCE, key, msg))

    for raw_key, value in mapping.items():
        key = norm_key(str(raw_key))
        name = _KEYS.get(key)
        if name is None:
            if key not in _CLIENT_ONLY:
                config[raw_key] = value
            continue
        if name == "configuration_preference":
            try:
                changes[name] = Preference(value)
            except ValueError:
                choices = ", ".join(p.value for p in Preference)
                bad(raw_key, f"expected one of {choices}")
        elif name == "config_file":
            if value is None or value == "":
                changes[name] = None
            elif isinstance(value, str):
                changes[name] = value
            else:
                bad(raw_key, "expected a path")
        elif name in ("scan_workspace_on_startup", "worker_process", "review_lens"):
            if isinstance(value, bool):
                changes[name] = value
            else:
                bad(raw_key, "expected true or false")
        elif name in ("slow_engines_delay_ms", "workspace_scan_max_files"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                bad(raw_key, "expected a number >= 0")
            else:
                changes[name] = value
        elif name == "review_lens_min_lines":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                bad(raw_key, "expected a number >= 1")
            else:
                changes[name] = value
        elif name == "log_level":
            level = _LOG_LEVELS.get(str(value).strip().lower())
            if level is None:
                bad(raw_key, "expected one of error, warning, info, debug")
            else:
                changes[name] = level
    changes["config"] = {**base.config, **config}
    return replace(base, **changes), problems
