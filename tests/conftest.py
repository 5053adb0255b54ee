import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REDLINE_SHARED", ROOT.parent / "shared"))


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found at {SHARED}: CI runs with shared/ beside the clone")
    return SHARED


@pytest.fixture
def advisory_fixture_db(tmp_path, monkeypatch):
    """The small OSV fixture (tests/data/deps/osv) built into an advisory database and put in
    place of the bundled one (and of any per-user copy) for one test."""
    from redline.deps import database as D

    path = tmp_path / "fixture.rldb"
    D.write_atomic(path, D.build(D.read_jsonl_dir(ROOT / "tests" / "data" / "deps" / "osv")))
    monkeypatch.setenv(D.ENV_PATH, str(path))
    monkeypatch.setenv(D.ENV_DATA_DIR, str(tmp_path / "userdata"))
    D.reset_cache()
    yield path
    D.reset_cache()
