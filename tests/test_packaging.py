"""Install it and it works (issue 17): the wheel and the sdist carry the advisory database, the
popular-package lists and their notices; a build from a clone without ../shared has them; one
version source; `redline db update` writes to the per-user cache folder, which wins over the
bundled database; `redline db info` and `--version` say which database and how old; an old
database earns one hint, never an error."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import redline
from redline.deps import database as D
from redline.deps import toplists as T
from redline.deps import versions as V

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "deps" / "osv"
DATA = ("advisories.rldb", "top-pypi.txt", "top-npm.txt", "NOTICE-advisories.md", "LICENSE-Apache-2.0.txt")


def _env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")}
    env.update({"REDLINE_DATA_DIR": str(tmp_path / "user-cache"), "PYTHONSAFEPATH": "1", **extra})
    return env


def _redline(args: list[str], tmp_path: Path, cwd: Path | None = None, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "redline", *args], capture_output=True, text=True, cwd=cwd or tmp_path, env=_env(tmp_path, **extra), timeout=300
    )


def _db_file(path: Path, snapshot: str) -> Path:
    D.write_atomic(path, D.build(D.read_jsonl_dir(FIXTURE), snapshot=snapshot))
    return path


# ------------------------------------------------------------------------ committed data


def test_the_package_data_is_committed_with_its_snapshot_date():
    tracked = subprocess.run(["git", "ls-files", "server/redline/data"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert {f"server/redline/data/{name}" for name in DATA} <= set(tracked)
    db = D.AdvisoryDB.load(D.packaged_database_path())
    assert dt.date.fromisoformat(db.snapshot) and set(db.ecosystems()) == set(V.ECOSYSTEMS)
    assert db.counts()[V.PYPI]["records"] > 1000
    for eco in (V.PYPI, V.NPM):
        assert T.snapshot(eco) == db.snapshot and len(T.load(eco)) > 10_000


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """A wheel and an sdist built, without network, from the committed files only (a clone
    without ../shared), and a wheel built from that sdist."""
    tmp = tmp_path_factory.mktemp("dists")
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], check=True, timeout=300)
    assert not (clone.parent / "shared").exists()
    out = tmp / "out"
    pip = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w"]
    subprocess.run([*pip, str(out / "wheel"), str(clone)], check=True, timeout=600, capture_output=True)
    subprocess.run(
        [sys.executable, "-c", f"from setuptools import build_meta as b; b.build_sdist({str(out / 'sdist')!r})"],
        cwd=clone, check=True, timeout=600, capture_output=True,
    )
    (sdist,) = (out / "sdist").glob("redline-*.tar.gz")
    with tarfile.open(sdist) as tf:
        tf.extractall(tmp / "unpacked", filter="data")
    (unpacked,) = (tmp / "unpacked").iterdir()
    subprocess.run([*pip, str(out / "from-sdist"), str(unpacked)], check=True, timeout=600, capture_output=True)
    (wheel,) = (out / "wheel").glob("redline-*.whl")
    (wheel2,) = (out / "from-sdist").glob("redline-*.whl")
    return {"wheel": wheel, "sdist": sdist, "wheel-from-sdist": wheel2}


@pytest.mark.parametrize("kind", ["wheel", "wheel-from-sdist"])
def test_the_wheels_carry_the_data_the_licence_and_the_notices(dists, kind):
    with zipfile.ZipFile(dists[kind]) as zf:
        names = set(zf.namelist())
        assert {f"redline/data/{name}" for name in DATA} <= names
        committed = subprocess.run(
            ["git", "show", "HEAD:server/redline/data/advisories.rldb"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        assert zf.read("redline/data/advisories.rldb") == committed
        dist_info = f"redline-{redline.__version__}.dist-info"
        assert f"{dist_info}/licenses/LICENSE" in names
        assert any(n.startswith(f"{dist_info}/licenses/") and n.endswith("NOTICE-advisories.md") for n in names)
        meta = zf.read(f"{dist_info}/METADATA").decode()
        assert f"\nVersion: {redline.__version__}\n" in meta  # the one version source
        assert any(n.startswith("redline/rules/builtin/") and n.endswith(".toml") for n in names)


def test_the_sdist_carries_the_data_docs_and_changelog(dists):
    with tarfile.open(dists["sdist"]) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    assert {f"server/redline/data/{name}" for name in DATA} <= names
    assert {"LICENSE", "CHANGELOG.md", "README.md", "docs/rules/RL101.md"} <= names


def test_version_is_defined_once():
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    assert 'dynamic = ["version"]' in text and 'attr = "redline.__version__"' in text
    assert "\nversion = " not in text.split("[tool.setuptools.dynamic]")[0]
    assert f"## {redline.__version__}" in (ROOT / "CHANGELOG.md").read_text("utf-8")


def test_the_extension_is_released_with_the_server_version():
    """The platform .vsix bundles this server: one release, one version number."""
    import json

    manifest = json.loads((ROOT / "vscode-client" / "package.json").read_text("utf-8"))
    assert manifest["version"] == redline.__version__


# ---------------------------------------------------------------- where the database lives


@pytest.mark.parametrize(
    "platform, environ, want",
    [
        ("linux", {"XDG_CACHE_HOME": "/xdg/cache"}, Path("/xdg/cache/redline")),
        ("linux", {"XDG_CACHE_HOME": "relative/ignored"}, Path.home() / ".cache" / "redline"),
        ("linux", {}, Path.home() / ".cache" / "redline"),
        ("darwin", {"XDG_CACHE_HOME": "/xdg/cache"}, Path.home() / "Library" / "Caches" / "redline"),
        ("win32", {"LOCALAPPDATA": "/users/me/AppData/Local"}, Path("/users/me/AppData/Local/redline/Cache")),
        ("linux", {"REDLINE_DATA_DIR": "/explicit"}, Path("/explicit")),
    ],
)
def test_the_user_cache_folder_follows_each_platform(platform, environ, want):
    assert D.user_cache_dir(platform, environ) == want


def test_the_cache_database_wins_over_the_bundled_one(tmp_path, monkeypatch):
    monkeypatch.delenv(D.ENV_DATA_DIR, raising=False)
    monkeypatch.delenv(D.ENV_PATH, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform not in ("darwin",) and not sys.platform.startswith("win"):
        assert D.user_database_path() == tmp_path / "xdg" / "redline" / D.FILE_NAME
    assert D.database_source() == ("bundled", D.packaged_database_path())
    _db_file(D.user_database_path(), dt.date.today().isoformat())
    assert D.database_source() == ("cache", D.user_database_path())
    # REDLINE_DATA_DIR empty: the folder comes from XDG_CACHE_HOME as for a user
    r = _redline(["db", "info"], tmp_path, XDG_CACHE_HOME=str(tmp_path / "xdg"), REDLINE_DATA_DIR="")
    assert r.returncode == 0, r.stderr
    assert f"database: {D.user_database_path()}" in r.stdout and "downloaded by `redline db update`" in r.stdout


def test_db_info_names_the_bundled_database_its_snapshot_and_counts(tmp_path):
    r = _redline(["db", "info", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    db = D.AdvisoryDB.load(D.packaged_database_path())
    assert info["source"] == "bundled" and info["path"] == str(D.packaged_database_path())
    assert info["snapshot"] == db.snapshot
    assert {e: c["records"] for e, c in info["ecosystems"].items()} == {e: c["records"] for e, c in db.counts().items()}
    assert info["popular_packages"]["PyPI"]["names"] == len(T.load(V.PYPI))
    text = _redline(["db", "info"], tmp_path).stdout
    assert "source:   bundled with Redline" in text and f"snapshot: {db.snapshot}" in text


def test_version_shows_the_version_and_the_database_date(tmp_path):
    old = _db_file(tmp_path / "old.rldb", "2020-02-03")
    r = _redline(["--version"], tmp_path, REDLINE_ADVISORY_DB=str(old))
    assert r.returncode == 0 and r.stdout.splitlines() == [
        f"redline {redline.__version__}",
        "advisory database 2020-02-03 ($REDLINE_ADVISORY_DB)",
    ]
    bundled = _redline(["--version"], tmp_path).stdout
    assert f"advisory database {D.AdvisoryDB.load(D.packaged_database_path()).snapshot} (bundled with Redline)" in bundled


# ------------------------------------------------------------------------ the stale hint


def test_an_old_database_earns_one_hint_on_stderr_never_an_error(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("demo-pkg==1.0\n")
    (project / "sub").mkdir()
    (project / "sub" / "requirements.txt").write_text("demo-pkg==1.0\n")
    old = (dt.date.today() - dt.timedelta(days=D.STALE_AFTER_DAYS + 5)).isoformat()
    r = _redline(["scan", ".", "--fail-on", "never", "--no-cache"], tmp_path, cwd=project, REDLINE_ADVISORY_DB=str(_db_file(tmp_path / "old.rldb", old)))
    assert r.returncode == 0, r.stderr
    hints = [line for line in r.stderr.splitlines() if "advisory database is" in line]
    assert hints == [f"redline: the advisory database is {D.STALE_AFTER_DAYS + 5} days old (snapshot {old}); `redline db update` downloads a fresh one (needs `online = true`)"]
    fresh = dt.date.today().isoformat()
    r = _redline(["scan", ".", "--fail-on", "never", "--no-cache"], tmp_path, cwd=project, REDLINE_ADVISORY_DB=str(_db_file(tmp_path / "new.rldb", fresh)))
    assert r.returncode == 0 and "advisory database is" not in r.stderr


def test_the_hint_is_given_once_per_process(tmp_path, monkeypatch):
    monkeypatch.setenv(D.ENV_PATH, str(_db_file(tmp_path / "old.rldb", "2020-01-01")))
    monkeypatch.setattr(D, "_hinted", type(D._hinted)())
    D.reset_cache()
    try:
        first = D.stale_hint_once(dt.date(2020, 3, 1))
        assert first is not None and "60 days old" in first
        assert D.stale_hint_once(dt.date(2020, 3, 1)) is None
    finally:
        D.reset_cache()


def test_the_editor_gets_one_log_message_per_session(tmp_path, monkeypatch):
    from redline.lsp.handlers import lifecycle
    from redline.lsp.settings import LogLevel

    monkeypatch.setenv(D.ENV_PATH, str(_db_file(tmp_path / "old.rldb", "2020-01-01")))
    monkeypatch.setattr(D, "_hinted", type(D._hinted)())
    D.reset_cache()

    class Session:
        logged: list = []

        def log(self, level, message):
            self.logged.append((level, message))

    session = Session()
    try:
        lifecycle._stale_database_hint(session)
        lifecycle._stale_database_hint(session)
    finally:
        D.reset_cache()
    assert len(session.logged) == 1 and session.logged[0][0] == LogLevel.INFO
    assert "advisory database is" in session.logged[0][1] and "2020-01-01" in session.logged[0][1]


def test_a_database_without_a_snapshot_date_counts_from_its_build(tmp_path):
    data = D.build(D.read_jsonl_dir(FIXTURE))
    db = D.AdvisoryDB.from_bytes(data)
    assert db.snapshot == dt.date.today().isoformat() and db.stale_hint() is None
    with pytest.raises(D.DatabaseError):
        D.build(D.read_jsonl_dir(FIXTURE), snapshot="last week")


# ------------------------------------------------------------------ platform .vsix checks
# vscode-client/scripts/check-vsix.py reads a .vsix and says whether every native binary in it is
# built for its target (mk/package.mk runs it on each package it makes). Here it is given packages
# made up in the test, right and wrong, with hand-built ELF, Mach-O and PE headers.

import importlib.util  # noqa: E402
import platform  # noqa: E402
import struct  # noqa: E402


def _load_check_vsix():
    spec = importlib.util.spec_from_file_location("check_vsix", ROOT / "vscode-client" / "scripts" / "check-vsix.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_vsix"] = module
    spec.loader.exec_module(module)
    return module


CV = _load_check_vsix()
_ELF = {"x86_64": 62, "arm64": 183}
_MACHO = {"x86_64": 0x01000007, "arm64": 0x0100000C}
_PE = {"x86_64": 0x8664, "arm64": 0xAA64}


def _elf(arch: str) -> bytes:
    return b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) + struct.pack("<HH", 3, _ELF[arch]) + bytes(60)


def _macho(*archs: str) -> bytes:
    if len(archs) == 1:
        return struct.pack("<II", 0xFEEDFACF, _MACHO[archs[0]]) + bytes(60)
    head = struct.pack(">II", 0xCAFEBABE, len(archs))
    for i, a in enumerate(archs):
        head += struct.pack(">IIIII", _MACHO[a], 3, 4096 * (i + 1), 4096, 12)
    return head + bytes(64)


def _pe(arch: str) -> bytes:
    return b"MZ" + bytes(0x3A) + struct.pack("<I", 0x80) + bytes(0x40) + b"PE\0\0" + struct.pack("<H", _PE[arch]) + bytes(32)


# Per target: how a native module is named and built, and a wheel tag for it.
_NATIVE = {
    "linux-x64": (lambda py: f".cpython-{py[2:]}-x86_64-linux-gnu.so", lambda: _elf("x86_64"), "manylinux_2_17_x86_64"),
    "linux-arm64": (lambda py: f".cpython-{py[2:]}-aarch64-linux-gnu.so", lambda: _elf("arm64"), "manylinux_2_17_aarch64"),
    "darwin-x64": (lambda py: f".cpython-{py[2:]}-darwin.so", lambda: _macho("x86_64"), "macosx_10_9_x86_64"),
    "darwin-arm64": (lambda py: f".cpython-{py[2:]}-darwin.so", lambda: _macho("arm64"), "macosx_11_0_arm64"),
    "win32-x64": (lambda py: f".cp{py[2:]}-win_amd64.pyd", lambda: _pe("x86_64"), "win_amd64"),
}


def _vsix_files(target: str) -> dict[str, bytes]:
    files = {name: b"x" for name in CV.COMMON_FILES}
    manifest = f'<Identity Id="redline" Version="0.1.0" Publisher="redline"{f" TargetPlatform={chr(34)}{target}{chr(34)}" if target != "universal" else ""}/>'
    files["extension.vsixmanifest"] = manifest.encode()
    if target == "universal":
        return files
    suffix, binary, plat = _NATIVE[target]
    for py in CV.PYTHONS:
        base = f"{CV.LIBS}{py}/"
        for name in CV.REDLINE_FILES:
            files[base + name + ("/python.toml" if name.endswith("builtin") else "")] = b"x"
        for module in CV.REQUIRED_NATIVE:
            files[base + module + ("_cpp" if module.endswith("/") else "") + suffix(py)] = binary()
        files[base + "tree_sitter_bash/_binding.abi3" + (".pyd" if target.startswith("win") else ".so")] = binary()
        files[base + "tree_sitter-0.26.1.dist-info/WHEEL"] = f"Wheel-Version: 1.0\nTag: {py}-{py}-{plat}\n".encode()
        files[base + "tree_sitter-0.26.1.dist-info/METADATA"] = b"Name: tree-sitter\nLicense-Expression: MIT\n"
        files[base + "tree_sitter_bash-0.25.1.dist-info/WHEEL"] = f"Tag: cp310-abi3-{plat}\n".encode()
        files[base + "tree_sitter_bash-0.25.1.dist-info/licenses/LICENSE"] = b"MIT"
        files[base + "pygls-2.1.1.dist-info/WHEEL"] = b"Tag: py3-none-any\n"
        files[base + "pygls-2.1.1.dist-info/METADATA"] = b"Name: pygls\nClassifier: License :: OSI Approved :: Apache Software License\n"
        files[base + "redline-bundle.json"] = json.dumps({"target": target, "left_out": []}).encode()
    return files


def _write_vsix(path: Path, files: dict[str, bytes]) -> str:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return str(path)


@pytest.mark.parametrize("target", ["universal", *CV.TARGETS])
def test_a_package_built_for_its_target_passes_the_vsix_check(tmp_path, target):
    report = CV.check(_write_vsix(tmp_path / "ok.vsix", _vsix_files(target)))
    assert report.problems == [] and report.target == target
    if target != "universal":
        assert report.binaries == {py: len(CV.REQUIRED_NATIVE) + 1 for py in CV.PYTHONS}


@pytest.mark.parametrize("target", CV.TARGETS)
def test_another_targets_binaries_fail_the_vsix_check(tmp_path, target):
    # Every other target's package contents, relabelled as this target: each binary is wrong.
    for other in CV.TARGETS:
        if other == target or CV.ARCH[other] == CV.ARCH[target]:
            continue
        files = _vsix_files(other)
        files["extension.vsixmanifest"] = files["extension.vsixmanifest"].replace(other.encode(), target.encode())
        problems = CV.check(_write_vsix(tmp_path / f"{other}.vsix", files)).problems
        wrong = [p for p in problems if "expected" in p and CV.ARCH[target][0] in p]
        assert len(wrong) >= len(CV.REQUIRED_NATIVE) * len(CV.PYTHONS), (other, problems[:5])


def test_a_universal2_mac_binary_serves_both_mac_targets(tmp_path):
    for target in ("darwin-x64", "darwin-arm64"):
        files = _vsix_files(target)
        for name in list(files):
            if name.endswith(".so"):
                files[name] = _macho("x86_64", "arm64")
        assert CV.check(_write_vsix(tmp_path / f"{target}.vsix", files)).problems == []
        files[f"{CV.LIBS}cp311/re2/_re2.cpython-311-darwin.so"] = _macho("x86_64" if target == "darwin-arm64" else "arm64")
        assert len(CV.check(_write_vsix(tmp_path / f"{target}-thin.vsix", files)).problems) == 1


def test_the_vsix_check_reads_names_tags_and_notices(tmp_path):
    files = _vsix_files("linux-x64")
    base = f"{CV.LIBS}cp312/"
    files[base + "re2/_re2.cpython-311-x86_64-linux-gnu.so"] = _elf("x86_64")  # another Python's module
    files[base + "extra/_speedups.so"] = b"#!/bin/sh\n"  # named like a binary, is not one
    files[base + "yaml-6.0.dist-info/WHEEL"] = b"Tag: cp312-cp312-win_amd64\n"  # another platform's wheel
    files[base + "yaml-6.0.dist-info/METADATA"] = b"Name: PyYAML\n"  # and no licence stated
    del files["extension/NOTICE-advisories.md"]
    del files[f"{CV.LIBS}cp313/redline/data/NOTICE-advisories.md"]
    problems = "\n".join(CV.check(_write_vsix(tmp_path / "bad.vsix", files)).problems)
    assert "built for CPython 311, in the cp312 folder" in problems
    assert "_speedups.so: named like a native binary but not an ELF" in problems
    assert "platform win_amd64" in problems and "yaml-6.0.dist-info: states no licence" in problems
    assert "extension/NOTICE-advisories.md is missing" in problems
    assert "cp313/redline/data/NOTICE-advisories.md is missing" in problems


def test_the_vsix_check_wants_every_python_folder_and_its_compiled_modules(tmp_path):
    files = {n: d for n, d in _vsix_files("darwin-arm64").items() if f"{CV.LIBS}cp313/" not in n and "pydantic_core" not in n}
    problems = "\n".join(CV.check(_write_vsix(tmp_path / "partial.vsix", files)).problems)
    assert "bundled Python folders ['cp311', 'cp312'], expected ['cp311', 'cp312', 'cp313']" in problems
    assert "cp311/pydantic_core/_pydantic_core* (a compiled module Redline needs) is missing" in problems


def test_only_an_optional_grammar_may_be_left_out_of_a_vsix(tmp_path):
    files = _vsix_files("win32-x64")
    files[f"{CV.LIBS}cp311/redline-bundle.json"] = json.dumps({"left_out": ["tree-sitter-dockerfile"]}).encode()
    report = CV.check(_write_vsix(tmp_path / "win.vsix", files))
    assert report.problems == [] and "left out: tree-sitter-dockerfile" in report.summary()
    files[f"{CV.LIBS}cp311/redline-bundle.json"] = json.dumps({"left_out": ["google-re2"]}).encode()
    assert any("google-re2 was left out, and Redline needs it" in p for p in CV.check(_write_vsix(tmp_path / "w2.vsix", files)).problems)


def test_the_universal_vsix_bundles_nothing(tmp_path):
    files = _vsix_files("universal")
    files[f"{CV.LIBS}cp311/redline/__init__.py"] = b""
    assert any("the universal package bundles 1 files" in p for p in CV.check(_write_vsix(tmp_path / "u.vsix", files)).problems)


def test_the_vsix_check_knows_this_machines_own_extension_modules():
    import tree_sitter._binding as binding

    head = Path(binding.__file__).read_bytes()[:4096]
    machine = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower())
    fmt = {"linux": "ELF", "darwin": "Mach-O", "win32": "PE"}[sys.platform]
    kind = CV.binary_kind(head)
    assert kind is not None and kind[0] == fmt and machine in kind[1]
    assert CV.binary_kind(b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + bytes(64)) is None  # a Java class file
    assert CV.binary_kind(b"print('hi')\n" * 8) is None


def test_the_bundler_the_check_and_make_package_name_the_same_targets():
    spec = importlib.util.spec_from_file_location("bundle_python", ROOT / "vscode-client" / "scripts" / "bundle-python.py")
    bundler = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bundler)
    assert tuple(bundler.PLATFORMS) == CV.TARGETS
    assert tuple("cp" + v.replace(".", "") for v in bundler.VERSIONS) == CV.PYTHONS
    assert bundler.OPTIONAL == CV.OPTIONAL
    mk = (ROOT / "mk" / "package.mk").read_text("utf-8")
    assert f"VSIX_PLATFORMS := {' '.join(CV.TARGETS)}\n" in mk
    # Each target's pip platform tags are ones the check accepts for it.
    for target, tags in bundler.PLATFORMS.items():
        for tag in tags:
            assert CV.wheel_tag_problem(f"cp311-cp311-{tag}", target, "cp311") is None, (target, tag)


def _macho_for(arch: str, macos: tuple[int, int]) -> bytes:
    header = struct.pack("<IIIIIIII", 0xFEEDFACF, _MACHO[arch], 3, 6, 1, 24, 0, 0)
    build_version = struct.pack("<IIIIII", 0x32, 24, 1, macos[0] << 16 | macos[1] << 8, 0, 0)
    return header + build_version


def test_the_vsix_check_reads_the_oldest_macos_a_binary_runs_on(tmp_path):
    files = _vsix_files("darwin-x64")
    files[f"{CV.LIBS}cp313/re2/_re2.cpython-313-darwin.so"] = _macho_for("x86_64", (13, 0))
    report = CV.check(_write_vsix(tmp_path / "mac13.vsix", files))
    assert report.problems == [] and report.macos == (13, 0) and "needs macOS 13.0+" in report.summary()
    files[f"{CV.LIBS}cp313/re2/_re2.cpython-313-darwin.so"] = _macho_for("x86_64", (14, 0))
    assert CV.check(_write_vsix(tmp_path / "mac14.vsix", files)).problems == [
        f"{CV.LIBS}cp313/re2/_re2.cpython-313-darwin.so: needs macOS 14.0, newer than 13.0"
    ]
    # In a universal binary, the slice of the target's architecture counts.
    x86, arm = _macho_for("x86_64", (10, 9)), _macho_for("arm64", (14, 0))
    fat = struct.pack(">II", 0xCAFEBABE, 2) + struct.pack(">IIIII", _MACHO["x86_64"], 3, 64, len(x86), 0)
    fat += struct.pack(">IIIII", _MACHO["arm64"], 0, 64 + len(x86), len(arm), 0)
    fat = fat.ljust(64, b"\0") + x86 + arm
    assert CV.macos_min(fat, "x86_64") == (10, 9) and CV.macos_min(fat, "arm64") == (14, 0)
