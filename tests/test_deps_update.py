"""`redline db update` against a local HTTP server on 127.0.0.1 serving OSV export fixtures."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from redline.deps import cli
from redline.deps import database as D
from redline.deps import update as U
from redline.deps import versions as V

FIXTURE = Path(__file__).parent / "data" / "deps" / "osv"


def export_zip(ecosystem: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for line in (FIXTURE / f"{ecosystem}.jsonl").read_text().splitlines():
            record = json.loads(line)
            zf.writestr(f"{record['id']}.json", json.dumps(record))
    return buf.getvalue()


class Server:
    """Serves `routes` (path -> (status, body, headers)); records every request path."""

    def __init__(self):
        self.routes: dict[str, tuple[int, bytes, dict]] = {}
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.requests.append(self.path)
                status, body, headers = outer.routes.get(self.path, (404, b"not found", {}))
                self.send_response(status)
                for k, v in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    with Server() as s:
        for eco in V.ECOSYSTEMS:
            s.routes[f"/{eco}/all.zip"] = (200, export_zip(eco), {})
        yield s


@pytest.fixture
def dest(tmp_path, monkeypatch):
    monkeypatch.setenv(D.ENV_DATA_DIR, str(tmp_path / "userdata"))
    monkeypatch.delenv(D.ENV_PATH, raising=False)
    D.reset_cache()
    path = tmp_path / "current.rldb"
    D.write_atomic(path, D.build([D.EcosystemInput(V.PYPI, [])]))  # "the old database"
    yield path
    D.reset_cache()


def test_offline_refuses_without_any_request(server, dest):
    before = dest.read_bytes()
    with pytest.raises(U.OfflineError, match="online"):
        U.update(server.url, online=False, dest=dest)
    assert server.requests == [] and dest.read_bytes() == before


def test_update_downloads_verifies_and_replaces(server, dest):
    result = U.update(server.url, online=True, dest=dest)
    assert sorted(server.requests) == sorted(f"/{e}/all.zip" for e in V.ECOSYSTEMS)
    assert result.counts[V.PYPI] == 5 and result.counts[V.NPM] == 2
    db = D.AdvisoryDB.load(dest)
    db.verify()
    assert {a.id for a in db.affecting(V.PYPI, "demo-pkg", "1.4")} == {"TEST-PY-1", "TEST-PY-2"}
    fetched = db.fetched(V.PYPI)
    assert fetched and db.data_date(V.PYPI) == fetched[:10]  # age counted from the download
    assert db.meta["ecosystems"]["PyPI"]["sources"][0]["url"] == f"{server.url}/PyPI/all.zip"


def test_default_destination_is_the_user_database(server, dest):
    U.update(server.url, online=True, ecosystems=(V.NPM,))
    assert D.user_database_path().is_file()
    assert D.database_path() == D.user_database_path()
    assert D.AdvisoryDB.load(D.user_database_path()).ecosystems() == [V.NPM]


def _assert_fails_and_keeps(server, dest, match):
    before = dest.read_bytes()
    with pytest.raises(U.UpdateError, match=match):
        U.update(server.url, online=True, dest=dest)
    assert dest.read_bytes() == before
    assert not [p for p in dest.parent.iterdir() if p.name.endswith(".tmp")]


def test_http_error_keeps_the_old_database(server, dest):
    del server.routes["/Go/all.zip"]
    _assert_fails_and_keeps(server, dest, "HTTP 404")


def test_not_a_zip(server, dest):
    server.routes["/npm/all.zip"] = (200, b"<html>captive portal</html>", {})
    _assert_fails_and_keeps(server, dest, "not a zip")


def test_crc_failure(server, dest):
    data = bytearray(export_zip(V.NPM))
    # Flip a byte inside the first member's compressed data (after its 30-byte header + name).
    name_len = int.from_bytes(data[26:28], "little")
    data[30 + name_len + 2] ^= 0xFF
    server.routes["/npm/all.zip"] = (200, bytes(data), {})
    _assert_fails_and_keeps(server, dest, "CRC|not JSON|zip|Error")


def test_member_that_is_not_an_osv_record(server, dest):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("X.json", json.dumps(["not", "a", "record"]))
    server.routes["/Maven/all.zip"] = (200, buf.getvalue(), {})
    _assert_fails_and_keeps(server, dest, "not an OSV record")


def test_archive_without_records_of_the_ecosystem(server, dest):
    server.routes["/Maven/all.zip"] = (200, export_zip(V.GO), {})
    _assert_fails_and_keeps(server, dest, "no Maven records")


def test_truncated_download(server, dest):
    body = export_zip(V.PYPI)
    server.routes["/PyPI/all.zip"] = (200, body[: len(body) // 2], {"Content-Length": str(len(body))})
    with pytest.raises(U.UpdateError):
        U.update(server.url, online=True, dest=dest, timeout=5)


def test_size_limit(server, dest):
    with pytest.raises(U.UpdateError, match="larger than"):
        U.update(server.url, online=True, dest=dest, max_bytes=100)


def test_unreachable_server(dest):
    with Server() as s:
        url = s.url
    with pytest.raises(U.UpdateError):
        U.update(url, online=True, dest=dest, timeout=2)


def test_cli_update_needs_online(server, dest, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["update", "--url", server.url, "--output", str(dest)]) == 2
    assert "online" in capsys.readouterr().err and server.requests == []
    config = tmp_path / "redline.toml"
    config.write_text(f'online = true\nadvisory-url = "{server.url}"\n')
    assert cli.main(["update", "--config", str(config), "--output", str(dest), "--ecosystem", "PyPI"]) == 0
    assert "updated" in capsys.readouterr().out and server.requests == ["/PyPI/all.zip"]
    # --online is the per-run switch; a failing download exits 1.
    del server.routes["/npm/all.zip"]
    assert cli.main(["update", "--url", server.url, "--online", "--ecosystem", "npm", "--output", str(dest)]) == 1
