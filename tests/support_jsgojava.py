"""Helpers for the JavaScript/TypeScript, Go and Java rule tests: a registry of only these
rule files (so the tests do not depend on other areas' rules), scanning, and applying fixes."""

from __future__ import annotations

from functools import lru_cache

from redline import languages as langs
from redline.findings import Finding, Fix
from redline.pipeline import make_source
from redline.rules import engine
from redline.rules.loader import builtin_rule_files, load_texts
from redline.rules.registry import Registry

# python.toml: rule families defined there (RL313 JWT) are extended for JavaScript in javascript.toml;
# its Python rules never fire on the JS/Go/Java files these tests scan.
FILES = ("families.toml", "python.toml", "javascript.toml", "go.toml", "java.toml")
EXT = {"javascript": "example.js", "typescript": "example.ts", "tsx": "example.tsx", "go": "example.go",
       "java": "Example.java"}


@lru_cache(maxsize=1)
def registry() -> Registry:
    paths = [p for p in builtin_rule_files() if p.name in FILES]
    return Registry(load_texts([(str(p), p.read_text("utf-8")) for p in paths]))


def scan(path: str, code: str) -> list[Finding]:
    file = make_source(path, code.encode("utf-8"))
    assert file is not None and file.tree is not None, path
    result = engine.scan(file, registry())
    assert not result.errors, result.errors
    return result.findings


def codes(path: str, code: str) -> list[str]:
    return [f.code for f in scan(path, code)]


def only(path: str, code: str, rule: str) -> list[Finding]:
    return [f for f in scan(path, code) if f.code == rule]


def apply_fix(code: str, fix: Fix) -> str:
    """The source with the fix's edits applied (edits never overlap; applied back to front)."""
    data = code.encode("utf-8")
    for edit in sorted(fix.edits, key=lambda e: e.span.start_byte, reverse=True):
        data = data[: edit.span.start_byte] + edit.new_text.encode("utf-8") + data[edit.span.end_byte :]
    return data.decode("utf-8")


def has_error_nodes(path: str, code: str) -> bool:
    lang = langs.from_path(path)
    tree = langs.parse(lang, code.encode("utf-8"))
    return tree.root_node.has_error
