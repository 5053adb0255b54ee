"""The parsed built-in rules kept in the user's cache folder (rules/loader.py, issue 16): used
while the rule files and the code are unchanged, rebuilt when a rule file changes, ignored when
damaged, forged or writable by others, and predicates imported per language when loaded from it."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from redline.rules import loader

SERVER = Path(__file__).resolve().parents[1] / "server"


@pytest.fixture
def rule_files(tmp_path, monkeypatch):
    """Copies of the built-in rule files, a private cache folder, and a count of real parses."""
    folder = tmp_path / "builtin"
    folder.mkdir()
    for p in loader.builtin_rule_files():
        shutil.copy(p, folder / p.name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(loader, "builtin_rule_files", lambda: sorted(folder.glob("*.toml")))
    parses = []
    real = loader.load_texts

    def counting(files, check_queries=True):
        parses.append(len(files))
        return real(files, check_queries=check_queries)

    monkeypatch.setattr(loader, "load_texts", counting)
    return folder, parses


def cache_files(tmp_path) -> list[Path]:
    return sorted((tmp_path / "cache" / "redline").glob("rules-*.pickle"))


def test_second_load_comes_from_the_cache(rule_files, tmp_path):
    _folder, parses = rule_files
    first = loader.load_builtin()
    assert parses == [len(loader.builtin_rule_files())]
    [path] = cache_files(tmp_path)
    assert path.stat().st_mode & 0o077 == 0
    second = loader.load_builtin()
    assert len(parses) == 1  # not parsed again
    assert second == first
    assert [r.source_file for r in second] == [r.source_file for r in first]


def test_a_changed_rule_file_is_parsed_again(rule_files, tmp_path):
    folder, parses = rule_files
    original = loader.load_builtin()
    python = folder / "python.toml"
    text = python.read_text("utf-8")
    python.write_text(text + "\n# a comment: new content, same rules\n", "utf-8")
    changed = loader.load_builtin()
    assert len(parses) == 2
    assert changed == original
    assert len(cache_files(tmp_path)) == 2  # the older one is kept (another checkout may use it)
    python.write_text(text, "utf-8")
    assert loader.load_builtin() == original
    assert len(parses) == 2  # the original content again: its cache file is still there


def test_a_changed_message_reaches_the_rules(rule_files):
    folder, parses = rule_files
    before = {r.code: r for r in loader.load_builtin()}
    families = folder / "families.toml"
    text = families.read_text("utf-8")
    code = next(c for c, r in before.items() if r.source_file.endswith("families.toml"))
    old = before[code].message
    assert old in text
    families.write_text(text.replace(old, old + " Changed for the test.", 1), "utf-8")
    after = {r.code: r for r in loader.load_builtin()}
    assert after[code].message == old + " Changed for the test."
    assert len(parses) == 2


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other key", "not rules", "empty"])
def test_a_damaged_or_stale_cache_is_ignored_and_rewritten(rule_files, tmp_path, damage):
    _folder, parses = rule_files
    good = loader.load_builtin()
    [path] = cache_files(tmp_path)
    data = path.read_bytes()
    key, rules, modules = pickle.loads(data)
    if damage == "garbage":
        path.write_bytes(b"\x80\x05not a pickle at all")
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "other key":
        path.write_bytes(pickle.dumps(("0" * 64, rules[:3], modules)))
    elif damage == "not rules":
        path.write_bytes(pickle.dumps((key, ["RL101"], modules)))
    else:
        path.write_bytes(b"")
    again = loader.load_builtin()
    assert again == good
    assert len(parses) == 2  # parsed, not taken from the damaged file
    loader.load_builtin()
    assert len(parses) == 2  # and the rewritten file is good again


def test_a_cache_file_others_can_write_is_not_loaded(rule_files, tmp_path):
    _folder, parses = rule_files
    loader.load_builtin()
    [path] = cache_files(tmp_path)
    os.chmod(path, 0o666)
    loader.load_builtin()
    assert len(parses) == 2


def test_a_symbolic_link_in_place_of_the_cache_is_not_followed(rule_files, tmp_path):
    _folder, parses = rule_files
    loader.load_builtin()
    [path] = cache_files(tmp_path)
    elsewhere = tmp_path / "planted.pickle"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    loader.load_builtin()
    assert len(parses) == 2


def test_the_cache_lives_in_the_user_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert loader.rule_cache_path("ab" * 32).parent == tmp_path / "xdg" / "redline"


def test_an_unwritable_cache_folder_only_costs_the_parse(rule_files, tmp_path, monkeypatch):
    _folder, parses = rule_files
    (tmp_path / "cache").write_text("a file where the folder should be")
    first = loader.load_builtin()
    second = loader.load_builtin()
    assert first == second and len(parses) == 2


def test_predicates_are_imported_per_language_when_rules_come_from_the_cache(tmp_path):
    """In a fresh process whose rules come from the cache: no predicate module is imported until
    a language's query is compiled, then that language's (not Java's), and a Python file is
    scanned with the same findings as when the rules were parsed."""
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), PYTHONPATH=str(SERVER))
    script = """
import sys
from redline.pipeline import analyze_text
from redline.rules.registry import default_registry
default_registry()
print("before", sorted(m for m in sys.modules if m.startswith("redline.rules.predicates.")))
found = analyze_text("app.py", "import os\\ndef f(x):\\n    os.system('ls ' + x)\\n", slow=False).findings
print("codes", sorted(f.code for f in found))
print("java", "redline.rules.predicates.taint_java" in sys.modules, "python", "redline.rules.predicates.python_injection" in sys.modules)
"""
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120) for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr
    fresh, cached = (r.stdout.splitlines() for r in runs)
    assert list((tmp_path / "cache" / "redline").glob("rules-*.pickle"))
    assert cached[0] == "before []"  # loaded from the cache: nothing imported yet
    assert fresh[1] == cached[1] and "RL102" in fresh[1]
    assert cached[2] == "java False python True"
