"""The configuration that applies to a document: its configuration file merged with the editor's.

For each document the nearest `redline.toml` / `.redline.toml` / `pyproject.toml` with a
`[tool.redline]` table at or above it applies (as for `redline scan`), or the file named by the
`configFile` setting. Editor settings go on top (`editorFirst`, the default), underneath
(`filesystemFirst`) or alone (`editorOnly`). Results are cached per configuration file and
dropped by `invalidate()` when a configuration file or the settings change.

Problems found in a file are kept per file (`problems`) so the server can show them as
diagnostics on that file; problems in the editor settings are keyed by `settings.SOURCE`.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from redline import config as cfg
from redline.config import Config, Problem
from redline.lsp.settings import SOURCE, Preference, ServerSettings

CONFIG_NAMES = frozenset(cfg.CONFIG_FILES)


def is_config_file(path: str) -> bool:
    return os.path.basename(path) in CONFIG_NAMES


class ConfigResolver:
    def __init__(self, known_rules: set[str] | None = None):
        self.known_rules = known_rules
        self.settings = ServerSettings()
        self.roots: list[Path] = []
        self._by_folder: dict[Path, Path | None] = {}
        self._by_file: dict[Path | None, Config] = {}
        self._rooted: dict[tuple[Config, str], Config] = {}
        self.problems: dict[str, list[Problem]] = {}

    # ------------------------------------------------------------ inputs

    def set_settings(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.invalidate()

    def set_roots(self, roots: Iterable[Path]) -> None:
        self.roots = [Path(os.path.abspath(r)) for r in roots]
        self.invalidate()

    def invalidate(self) -> None:
        self._by_folder.clear()
        self._by_file.clear()
        self._rooted.clear()
        self.problems.clear()

    # ------------------------------------------------------------ lookups

    def config_file_for(self, path: str) -> Path | None:
        """The configuration file that applies to `path` (a file path or a non-file URI)."""
        s = self.settings
        if s.configuration_preference is Preference.EDITOR_ONLY:
            return None
        if s.config_file:
            p = Path(os.path.expanduser(s.config_file))
            if not p.is_absolute() and self.roots:
                p = self.roots[0] / p
            return p
        folder = self._folder_of(path)
        if folder is None:
            return None
        if folder in self._by_folder:
            return self._by_folder[folder]
        found = None
        for d in [folder, *folder.parents]:
            hit = cfg.find_config_file(d)
            if hit is not None:
                found = hit
                break
        self._by_folder[folder] = found
        return found

    def _folder_of(self, path: str) -> Path | None:
        if os.path.isabs(path):
            return Path(path).parent
        return self.roots[0] if self.roots else None  # untitled buffers: the first workspace folder

    def for_path(self, path: str) -> Config:
        cfg = self.for_config_file(self.config_file_for(path))
        # File roles (redline/roles.py) are computed relative to the workspace folder, as
        # `redline scan` computes them relative to its root. One Config per (file, folder).
        root = self.root_for(path) if os.path.isabs(path) else None
        if root is None:
            return cfg
        key = (cfg, str(root))
        rooted = self._rooted.get(key)
        if rooted is None:
            rooted = self._rooted[key] = replace(cfg, root=str(root))
        return rooted

    def for_config_file(self, file: Path | None) -> Config:
        if file in self._by_file:
            return self._by_file[file]
        editor_data = self.settings.config
        prefer_file = self.settings.configuration_preference is Preference.FILESYSTEM_FIRST
        editor_problems: list[Problem] = []
        if file is None or not prefer_file:
            result = Config()
            if file is not None:
                result, self.problems[str(file)] = cfg.load_file(file, known_rules=self.known_rules)
            if editor_data:
                merged, editor_problems = cfg.from_mapping(editor_data, SOURCE, result, self.known_rules)
                # `source` anchors `exclude` globs: keep the file's folder when there is one.
                result = replace(merged, source=result.source) if file is not None else merged
        else:
            editor_cfg = Config()
            if editor_data:
                editor_cfg, editor_problems = cfg.from_mapping(editor_data, SOURCE, Config(), self.known_rules)
            result, self.problems[str(file)] = cfg.load_file(file, base=editor_cfg, known_rules=self.known_rules)
        if editor_problems:
            self.problems[SOURCE] = editor_problems
        if file is not None:
            result = self._editor_network_only(file, result, editor_data)
        self._by_file[file] = result
        return result

    def _editor_network_only(self, file: Path, result: Config, editor_data) -> Config:
        """Network keys come from the editor settings alone; a file that sets them is told so."""
        trusted = Config()
        if editor_data:
            trusted, _ = cfg.from_mapping(editor_data, SOURCE, Config(), self.known_rules)
        file_only, _ = cfg.load_file(file, known_rules=self.known_rules)
        keys = cfg.sets_network(file_only)
        if keys:
            self.problems.setdefault(str(file), []).append(Problem(
                str(file), ", ".join(keys),
                "ignored by the language server: a workspace file cannot turn the network on or "
                "redirect it; set it in your editor settings (redline.online) instead",
            ))
        return cfg.network_from(trusted, result)

    def root_for(self, path: str) -> Path | None:
        """The workspace folder holding `path` (the deepest one), or None."""
        p = Path(os.path.abspath(path)) if os.path.isabs(path) else None
        if p is None:
            return self.roots[0] if self.roots else None
        best = None
        for r in self.roots:
            if r == p or r in p.parents:
                if best is None or len(r.parts) > len(best.parts):
                    best = r
        return best
