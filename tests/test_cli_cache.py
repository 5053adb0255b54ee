"""The result cache of `redline scan` (.redline_cache/), `--no-cache` and `redline clean`."""

import json
import os
from pathlib import Path

import pytest

from redline import cache, cli
from redline.engines import get as get_engine

ENGINES = "[engines]\nbandit = false\ndetect-secrets = false\n"
APP = '''import os


def run(cmd):
    os.system(f"echo {cmd}")
'''


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "p"
    root.mkdir()
    (root / "redline.toml").write_text(ENGINES)
    (root / "app.py").write_text(APP)
    (root / "other.py").write_text(APP.replace("echo", "ls"))
    monkeypatch.chdir(root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "usercache"))
    cache.code_hash.cache_clear()
    return root


@pytest.fixture
def calls(monkeypatch):
    """Paths the tree-sitter engine scanned (it runs only on a cache miss)."""
    seen = []
    engine = get_engine("redline")
    real = engine.scan
    monkeypatch.setattr(engine, "scan", lambda file, config: seen.append(os.path.basename(file.path)) or real(file, config))
    return seen


def scan(argv, capsys):
    code = cli.main(["scan", *argv, "--jobs", "1", "--format", "json"])
    out, err = capsys.readouterr()
    doc = json.loads(out) if out else None
    return code, doc, err


def found(doc):
    return sorted((f["path"], f["start_line"], f["code"], f["fingerprint"]) for f in doc["findings"])


def test_second_scan_of_an_unchanged_tree_comes_from_the_cache(project, capsys, calls):
    code1, doc1, _ = scan(["."], capsys)
    assert sorted(calls) == ["app.py", "other.py"]
    calls.clear()
    code2, doc2, _ = scan(["."], capsys)
    assert calls == []
    assert code1 == code2 == 1 and found(doc1) == found(doc2) and len(found(doc1)) == 2
    assert doc2["skipped"] == doc1["skipped"] and not any(".redline_cache" in s["path"] for s in doc2["skipped"])
    top = project / ".redline_cache"
    assert (top / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (top / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_a_changed_file_is_scanned_again_and_only_it(project, capsys, calls):
    scan(["."], capsys)
    calls.clear()
    (project / "app.py").write_text(APP + "\n\ndef more(cmd):\n    os.system('rm ' + cmd)\n")
    _code, doc, _ = scan(["."], capsys)
    assert calls == ["app.py"]
    assert ("app.py", 9, "RL102") in [f[:3] for f in found(doc)]


@pytest.mark.parametrize("change", ["config", "no-slow", "code"])
def test_configuration_engines_and_code_are_in_the_key(project, capsys, calls, monkeypatch, change):
    scan(["."], capsys)
    calls.clear()
    argv = ["."]
    if change == "config":
        (project / "redline.toml").write_text('[severity]\nRL102 = "info"\n' + ENGINES)
    elif change == "no-slow":
        argv.append("--no-slow")
    else:
        monkeypatch.setattr(cache, "code_hash", lambda: "another redline")
    _code, doc, _ = scan(argv, capsys)
    assert sorted(calls) == ["app.py", "other.py"]
    if change == "config":
        assert {f["severity"] for f in doc["findings"]} == {"info"}


def test_results_that_read_other_files_are_not_cached(project, capsys):
    """RL406 reads the manifests around a file: declaring the import removes it, though the
    importing file did not change."""
    (project / ".git").mkdir()  # the project's root
    (project / "requirements.txt").write_text("flask==3.0.0\n")
    (project / "web.py").write_text("import flask\nimport somethingrare\n")
    _code, doc, _ = scan(["."], capsys)
    assert [f[:3] for f in found(doc) if f[0] == "web.py"] == [("web.py", 2, "RL406")]
    (project / "requirements.txt").write_text("flask==3.0.0\nsomethingrare==1.0\n")
    _code, doc, _ = scan(["."], capsys)
    assert [f for f in found(doc) if f[0] == "web.py"] == []


def _entries(project: Path) -> list[Path]:
    return [
        p for p in (project / ".redline_cache").rglob("*")
        if p.is_file() and p.parent.name != ".redline_cache" and p.name != cache.PACK
    ]


def _packs(project: Path) -> list[Path]:
    return list((project / ".redline_cache").rglob(cache.PACK))


def _forge_packs(project: Path, key: bytes | None = None) -> None:
    """Every pack rewritten to say "no findings" for each of its entries: with its MAC line kept
    (key None) or signed with `key` (someone else's)."""
    import hashlib
    import hmac as hmac_mod

    for p in _packs(project):
        mac, _, payload = p.read_bytes().partition(b"\n")
        forged = json.dumps({k: "[]" for k in json.loads(payload)}).encode()
        if key is not None:
            mac = hmac_mod.new(key, cache.PACK.encode() + b"\0" + forged, hashlib.sha256).hexdigest().encode()
        p.write_bytes(mac + b"\n" + forged)


def test_forged_entries_do_not_hide_findings(project, capsys, calls, tmp_path, monkeypatch):
    # Workers write one file per entry (an in-process scan writes the pack only).
    assert cli.main(["scan", ".", "--jobs", "2", "--format", "json"]) in (0, 1)
    capsys.readouterr()
    entries = _entries(project)
    assert len(entries) == 5  # app.py, other.py, redline.toml; RL406 of app.py and other.py (cache.deps_stamp)
    # A forged entry: "no findings", with the MAC line kept or recomputed without the user's key.
    for p in entries:
        mac, _, _payload = p.read_bytes().partition(b"\n")
        p.write_bytes(mac + b"\n[]")
    _forge_packs(project)
    calls.clear()
    _code, doc, _ = scan(["."], capsys)
    assert sorted(calls) == ["app.py", "other.py"] and len(doc["findings"]) == 2
    # A cache committed by someone else (another user's key): nothing in it is believed.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "attacker"))
    scan(["."], capsys)
    forged_key = cache.secret_key()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "usercache"))
    assert cache.secret_key() != forged_key
    import hashlib
    import hmac as hmac_mod

    for p in _entries(project):
        k = p.name
        payload = b"[]"
        mac = hmac_mod.new(forged_key, k.encode() + b"\0" + payload, hashlib.sha256).hexdigest()
        p.write_bytes(mac.encode() + b"\n" + payload)
    _forge_packs(project, forged_key)
    calls.clear()
    _code, doc, _ = scan(["."], capsys)
    assert sorted(calls) == ["app.py", "other.py"] and len(doc["findings"]) == 2


def test_the_pack_serves_a_warm_scan_and_a_forged_pack_is_not_believed(project, capsys, calls):
    """The second scan reads its entries from the one pack (the entry files may be gone); a pack
    changed after signing, or signed with another key, is ignored and the entry files decide."""
    _code, first, _ = scan(["."], capsys)
    [pack] = _packs(project)
    for p in _entries(project):
        p.unlink()
    calls.clear()
    _code, doc, _ = scan(["."], capsys)
    assert calls == [] and doc["findings"] == first["findings"]
    _forge_packs(project)
    calls.clear()
    _code, doc, _ = scan(["."], capsys)
    assert sorted(calls) == ["app.py", "other.py"] and doc["findings"] == first["findings"]
    for p in _entries(project):  # the scan above wrote them and a good pack again
        p.unlink()
    _forge_packs(project, b"k" * 32)
    calls.clear()
    _code, doc, _ = scan(["."], capsys)
    assert sorted(calls) == ["app.py", "other.py"] and doc["findings"] == first["findings"]
    # A damaged pack (truncated) is ignored the same way.
    pack.write_bytes(pack.read_bytes()[:40])
    calls.clear()
    _code, doc, _ = scan(["."], capsys)
    assert doc["findings"] == first["findings"]


def test_an_in_process_scan_writes_one_pack_and_no_entry_files(project, capsys, calls):
    _code, first, _ = scan(["."], capsys)
    assert _entries(project) == []
    [pack] = _packs(project)
    assert len(json.loads(pack.read_bytes().partition(b"\n")[2])) == 5
    calls.clear()
    _code, doc, _ = scan(["."], capsys)
    assert calls == [] and doc["findings"] == first["findings"]


def test_a_scan_of_one_file_keeps_the_others_in_the_pack(project, capsys, calls):
    scan(["."], capsys)
    scan(["app.py"], capsys)
    for p in _entries(project):
        p.unlink()
    calls.clear()
    scan(["."], capsys)
    assert calls == []  # other.py's entries stayed in the pack


def test_a_key_readable_by_others_turns_the_cache_off(project, capsys, calls):
    scan(["."], capsys)
    os.chmod(cache.key_dir() / "cache-key", 0o644)
    calls.clear()
    _code, doc, _ = scan(["."], capsys)
    assert sorted(calls) == ["app.py", "other.py"] and len(doc["findings"]) == 2


def test_a_symbolic_link_in_place_of_the_cache_is_not_followed(project, capsys, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / ".redline_cache").symlink_to(elsewhere)
    _code, doc, _ = scan(["."], capsys)
    assert len(doc["findings"]) == 2 and list(elsewhere.iterdir()) == []


def test_no_cache_writes_nothing(project, capsys):
    scan([".", "--no-cache"], capsys)
    assert not (project / ".redline_cache").exists()


def test_worker_processes_share_the_cache(project, capsys):
    code = cli.main(["scan", ".", "--jobs", "2", "--format", "json"])
    first = json.loads(capsys.readouterr()[0])
    assert len(_entries(project)) == 5
    code = cli.main(["scan", ".", "--jobs", "2", "--format", "json"])
    second = json.loads(capsys.readouterr()[0])
    assert found(first) == found(second)


def test_a_crash_in_a_cached_analysis_stays_in_its_file(project, capsys, monkeypatch):
    real = cache.ResultCache.analyze

    def analyze(self, source, shown, config, slow):
        if shown == "other.py":
            raise ValueError("bug")
        return real(self, source, shown, config, slow)

    monkeypatch.setattr(cache.ResultCache, "analyze", analyze)
    code, doc, err = scan(["."], capsys)
    assert code == 1 and "other.py: error: redline: ValueError: bug" in err and len(doc["findings"]) == 1


def test_clean(project, capsys, tmp_path):
    scan(["."], capsys)
    assert (project / ".redline_cache").is_dir()
    assert cli.main(["clean"]) == 0
    assert not (project / ".redline_cache").exists()
    assert "removed" in capsys.readouterr()[1]
    assert cli.main(["clean"]) == 0  # nothing to remove: fine
    (project / ".redline_cache").mkdir()
    (project / ".redline_cache" / "precious.txt").write_text("x")
    assert cli.main(["clean"]) == 2  # not ours: kept
    assert (project / ".redline_cache" / "precious.txt").exists()


def test_findings_round_trip_through_an_entry(project):
    from redline.config import Config
    from redline.findings import Confidence, Finding, Fix, Related, Severity, Span, TextEdit

    span = Span(3, 9, (0, 3), (1, 2))
    f = Finding("RL101", "sql-injection", "m é", Severity.ERROR, Confidence.MEDIUM, (89, 20), span, "redline",
                (Fix("t", (TextEdit(span, "x"), TextEdit(Span(0, 0, (0, 0), (0, 0)), "y")), True),),
                (Related(Span(0, 1, (0, 0), (0, 1)), "enters here"),), (("bandit_id", "B608"),), "abc")
    c = cache.ResultCache.open(str(project), Config(), [], True)
    c.put("a.py", b"text", [f])
    assert c.get("a.py", b"text") == [f]
    assert c.get("a.py", b"other text") is None and c.get("b.py", b"text") is None
