"""The result cache and the dependencies engine on Python files (RL406, undeclared imports):
cached under a key that covers the manifests, the project's folders, the environment and the
advisory database (cache.ResultCache.deps_stamp), and a warm scan parses nothing."""

import json
import os
import sys

import pytest

from redline import cache, cli
from redline import languages as langs
from redline.deps import imports
from redline.engines import get as get_engine

ENGINES = "[engines]\nbandit = false\ndetect-secrets = false\n"
SUPPRESSED = 'import os\n\n\ndef run(cmd):\n    os.system("echo " + cmd)  # redline: ignore[RL102]\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "p"
    root.mkdir()
    (root / ".git").mkdir()  # the project's root: the workspace stops here
    (root / "redline.toml").write_text(ENGINES)
    (root / "requirements.txt").write_text("flask==3.0.0\n")
    (root / "web.py").write_text("import flask\nimport somethingrare\n")
    (root / "quiet.py").write_text(SUPPRESSED)
    monkeypatch.chdir(root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "usercache"))
    cache.code_hash.cache_clear()
    return root


@pytest.fixture
def deps_calls(monkeypatch):
    """Files the dependencies engine scanned (on a miss of its cached findings)."""
    seen = []
    engine = get_engine("dependencies")
    real = engine.scan
    monkeypatch.setattr(engine, "scan", lambda file, config: seen.append(os.path.basename(file.path)) or real(file, config))
    return seen


@pytest.fixture
def parses(monkeypatch):
    seen = []
    real = langs.parse
    monkeypatch.setattr(langs, "parse", lambda lang, text, *a, **k: seen.append(text) or real(lang, text, *a, **k))
    return seen


def rl406(capsys):
    # Each `redline scan` is a new process: forget the workspaces and folder listings that the
    # language server keeps between keystrokes (deps.imports), or a sub-folder's new module would
    # go unseen by the engine itself, cache or not.
    imports._ws_cache.clear()
    imports._listings.clear()
    assert cli.main(["scan", ".", "--jobs", "1", "--format", "json"]) in (0, 1)
    doc = json.loads(capsys.readouterr()[0])
    return sorted((f["path"], f["start_line"]) for f in doc["findings"] if f["code"] == "RL406"), doc


def test_a_warm_scan_reuses_rl406_and_parses_nothing(project, capsys, deps_calls, parses):
    (project / "loud.py").write_text(SUPPRESSED.replace("  # redline: ignore[RL102]", ""))
    first, doc1 = rl406(capsys)
    assert first == [("web.py", 2)] and "web.py" in deps_calls and parses
    deps_calls.clear()
    parses.clear()
    again, doc2 = rl406(capsys)
    assert again == first and deps_calls == ["requirements.txt"]  # manifests run every time
    assert parses == [SUPPRESSED.encode()]  # only the file with a marker: suppressions read comments in the tree
    assert doc1["findings"] == doc2["findings"]
    # The marker in quiet.py still suppresses its finding (its tree is made when asked for).
    assert [f["code"] for f in doc2["findings"] if f["path"] in ("quiet.py", "loud.py")] == ["RL102"]


@pytest.mark.parametrize(
    "change",
    ["declared in the manifest", "a new manifest beside it", "a module next to the file", "a module in a sub-folder",
     "a package in src/"],
)
def test_what_rl406_depends_on_outside_the_file_invalidates_it(project, capsys, deps_calls, change):
    assert rl406(capsys)[0] == [("web.py", 2)]
    deps_calls.clear()
    if change == "declared in the manifest":
        (project / "requirements.txt").write_text("flask==3.0.0\nsomethingrare==1.0\n")
    elif change == "a new manifest beside it":
        (project / "pyproject.toml").write_text('[project]\nname = "p"\ndependencies = ["somethingrare"]\n')
    elif change == "a module next to the file":
        (project / "somethingrare.py").write_text("x = 1\n")
    elif change == "a module in a sub-folder":
        (project / "lib").mkdir()
        assert rl406(capsys)[0] == [("web.py", 2)]  # an empty sub-folder changes nothing
        (project / "lib" / "somethingrare.py").write_text("x = 1\n")
    else:
        (project / "src").mkdir()
        (project / "src" / "somethingrare").mkdir()
        (project / "src" / "somethingrare" / "__init__.py").write_text("")
    assert rl406(capsys)[0] == []
    assert "web.py" in deps_calls


def test_an_undeclared_import_that_appears_is_reported(project, capsys):
    (project / "requirements.txt").write_text("flask==3.0.0\nsomethingrare==1.0\n")
    assert rl406(capsys)[0] == []
    (project / "requirements.txt").write_text("flask==3.0.0\n")
    assert rl406(capsys)[0] == [("web.py", 2)]


def _stamp(project):
    c = cache.ResultCache(str(project), b"k" * 32, "e" * 64)
    return c.deps_stamp(str(project / "web.py"))


def test_the_environment_and_the_advisory_database_are_in_the_stamp(project, tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    db = tmp_path / "advisories.rldb"
    db.write_bytes(b"one")
    monkeypatch.setattr("redline.deps.database.database_path", lambda: db)
    before = _stamp(project)
    assert _stamp(project) == before  # nothing changed
    (site / "somethingrare").mkdir()  # `pip install somethingrare`
    installed = _stamp(project)
    assert installed != before
    db.write_bytes(b"a newer database")
    assert _stamp(project) != installed


def test_a_file_outside_any_workspace_has_a_stamp_too(tmp_path, monkeypatch):
    (tmp_path / "lone").mkdir()
    (tmp_path / "lone" / ".git").mkdir()
    (tmp_path / "lone" / "a.py").write_text("import somethingrare\n")
    c = cache.ResultCache(str(tmp_path / "lone"), b"k" * 32, "e" * 64)
    first = c.deps_stamp(str(tmp_path / "lone" / "a.py"))
    (tmp_path / "lone" / "requirements.txt").write_text("flask\n")
    c2 = cache.ResultCache(str(tmp_path / "lone"), b"k" * 32, "e" * 64)
    assert c2.deps_stamp(str(tmp_path / "lone" / "a.py")) != first


def test_a_linked_file_gets_the_stamp_of_the_folder_it_lives_in(tmp_path, monkeypatch):
    """The stamp is worked out once per folder (its real path resolved once); a file that is a
    symbolic link into another project gets that project's stamp, not its neighbours'."""
    for name, requirement in (("a", "flask\n"), ("b", "django\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / ".git").mkdir()
        (tmp_path / name / "requirements.txt").write_text(requirement)
        (tmp_path / name / "real.py").write_text("import somethingrare\n")
    (tmp_path / "a" / "link.py").symlink_to(tmp_path / "b" / "real.py")
    c = cache.ResultCache(str(tmp_path / "a"), b"k" * 32, "e" * 64)
    plain = c.deps_stamp(str(tmp_path / "a" / "real.py"))
    linked = c.deps_stamp(str(tmp_path / "a" / "link.py"))
    other = cache.ResultCache(str(tmp_path / "b"), b"k" * 32, "e" * 64).deps_stamp(str(tmp_path / "b" / "real.py"))
    assert linked == other and linked != plain
    # A relative path names the same folder as the absolute one (from the same working folder:
    # the environment's part of the stamp leaves the working folder out of sys.path).
    monkeypatch.chdir(tmp_path / "a")
    absolute = cache.ResultCache(str(tmp_path / "a"), b"k" * 32, "e" * 64).deps_stamp(str(tmp_path / "a" / "real.py"))
    assert cache.ResultCache(str(tmp_path / "a"), b"k" * 32, "e" * 64).deps_stamp("real.py") == absolute


def test_a_project_that_becomes_a_library_gets_a_new_stamp(tmp_path, monkeypatch):
    # RL406 judges lazy and integration imports of a library as optional (deps.imports), so a
    # pyproject.toml that gains [build-system] (same declared names, same folders) must not
    # reuse the cached verdicts of the application it was.
    (tmp_path / ".git").mkdir()
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "webkit"\ndependencies = ["click>=8"]\n')
    (tmp_path / "web.py").write_text("import click\n")
    monkeypatch.setattr("redline.deps.database.database_path", lambda: tmp_path / "none.rldb")
    app = _stamp(tmp_path)
    pyproject.write_text('[project]\nname = "webkit"\ndependencies = ["click>=8"]\n'
                         '[build-system]\nrequires = ["click>=8"]\n')  # a name it already declares
    assert _stamp(tmp_path) != app
