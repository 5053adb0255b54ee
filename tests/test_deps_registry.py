"""Online registry lookups (PyPI JSON API, npm registry) against a local server on 127.0.0.1."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from redline.config import Config
from redline.deps import database as D
from redline.deps import registry as R
from redline.deps import versions as V
from redline.engines.registry import ENGINE as REGISTRY_ENGINE
from redline.findings import Confidence, Severity
from redline.pipeline import analyze_text, make_source

EXISTING = {"/pypi/requests/json", "/pypi/rare-but-real/json", "/npm/express", "/npm/@acme-tools%2Fwidget"}


class Registry:
    def __init__(self):
        self.paths: list[str] = []
        self.fail = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.paths.append(self.path)
                if outer.fail:
                    status = 503
                else:
                    status = 200 if self.path in EXISTING else 404
                body = b'{"info": {}}' if status == 200 else b'{"message": "Not Found"}'
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.pypi, self.npm = f"{base}/pypi", f"{base}/npm"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv(D.ENV_DATA_DIR, str(tmp_path / "userdata"))
    R._clients.clear()
    s = Registry()
    yield s
    s.close()
    R._clients.clear()


def online(server) -> Config:
    return Config(online=True, pypi_url=server.pypi, npm_url=server.npm)


def test_client_answers_and_caches(server, tmp_path):
    client = R.RegistryClient(server.pypi, server.npm, tmp_path / "cache.json")
    assert client.exists(V.PYPI, "Requests") is True
    assert client.exists(V.PYPI, "no-such-pkg-zz") is False
    assert client.exists(V.NPM, "@acme-tools/widget") is True
    assert client.exists(V.NPM, "no-such-npm-zz") is False
    assert server.paths == ["/pypi/requests/json", "/pypi/no-such-pkg-zz/json", "/npm/@acme-tools%2Fwidget", "/npm/no-such-npm-zz"]
    assert client.exists(V.PYPI, "requests") is True and len(server.paths) == 4  # memory cache
    fresh = R.RegistryClient(server.pypi, server.npm, tmp_path / "cache.json")
    assert fresh.cached(V.PYPI, "no-such-pkg-zz") is False and fresh.cached(V.NPM, "express") is None  # disk cache
    assert fresh.exists(V.PYPI, "no-such-pkg-zz") is False and len(server.paths) == 4


def test_errors_are_unknown_not_missing(server, tmp_path):
    server.fail = True
    client = R.RegistryClient(server.pypi, server.npm, tmp_path / "cache.json")
    assert client.exists(V.PYPI, "whatever") is None
    assert client.cached(V.PYPI, "whatever") is None  # an error is not cached
    server.close()
    assert R.RegistryClient("http://127.0.0.1:9/pypi", server.npm, None, timeout=1).exists(V.PYPI, "x") is None


def test_expired_answers_are_asked_again(server, tmp_path, monkeypatch):
    client = R.RegistryClient(server.pypi, server.npm, tmp_path / "cache.json")
    assert client.exists(V.PYPI, "no-such-pkg-zz") is False
    later = R.time.time() + R.MISSING_TTL + 1
    monkeypatch.setattr(R.time, "time", lambda: later)
    assert client.cached(V.PYPI, "no-such-pkg-zz") is None
    assert client.exists(V.PYPI, "no-such-pkg-zz") is False and len(server.paths) == 2


def test_offline_makes_no_request(server):
    text = "quantum-flux-capacitor-sdk==1.0.0\n"
    a = analyze_text("requirements.txt", text, Config(pypi_url=server.pypi, npm_url=server.npm))
    assert [f.code for f in a.findings] == ["RL405"] and a.findings[0].severity is Severity.HINT
    assert server.paths == []


def test_online_upgrades_unknown_to_does_not_exist(server):
    text = "quantum-flux-capacitor-sdk==1.0.0\nrare-but-real==1.0\nrequests==2.32.3\nreqeusts==2.31.0\n"
    a = analyze_text("requirements.txt", text, online(server))
    by_line = {f.span.start_line: f for f in a.findings}
    missing = by_line[0]
    assert (missing.code, missing.severity, missing.confidence) == ("RL405", Severity.ERROR, Confidence.HIGH)
    assert "does not exist on PyPI" in missing.message and missing.engine == "registry"
    assert by_line[1].code == "RL405" and by_line[1].severity is Severity.HINT  # exists: the cache is filled now
    assert 2 not in by_line  # popular: never looked up
    typo = by_line[3]
    assert typo.code == "RL405" and "Did you mean requests?" in typo.message  # replaces the RL404 warning
    assert typo.fixes and typo.fixes[0].edits[0].new_text == "requests"
    assert sorted(server.paths) == ["/pypi/quantum-flux-capacitor-sdk/json", "/pypi/rare-but-real/json", "/pypi/reqeusts/json"]
    # Later scans use the cache: no new requests, and the fast engine alone now knows both answers.
    again = analyze_text("requirements.txt", text, online(server), slow=False)
    lines = {f.span.start_line: (f.code, f.severity) for f in again.findings}
    assert lines[0] == ("RL405", Severity.ERROR) and 1 not in lines
    assert len(server.paths) == 3


def test_npm_lookup_and_private_scopes(server):
    text = '{"dependencies": {"express": "4.21.0", "expres-quantum-zz": "1.0.0", "@acme-tools/widget": "1.0.0"}}'
    a = analyze_text("package.json", text, online(server))
    assert [(f.code, f.severity) for f in a.findings] == [("RL405", Severity.ERROR)]
    assert "does not exist on npm" in a.findings[0].message
    assert server.paths == ["/npm/expres-quantum-zz"]  # unknown scopes are never looked up


def test_registry_engine_is_slow_and_only_online():
    assert REGISTRY_ENGINE.slow and REGISTRY_ENGINE.name == "registry"
    file = make_source("requirements.txt", b"quantum-flux-zz==1.0\n")
    assert REGISTRY_ENGINE.applies(file)
    assert REGISTRY_ENGINE.scan(file, Config()) == []
    assert not REGISTRY_ENGINE.applies(make_source("package-lock.json", b"{}"))


def test_answers_written_by_another_process_are_seen(server, tmp_path):
    cache = tmp_path / "shared-cache.json"
    reader = R.RegistryClient(server.pypi, server.npm, cache)
    assert reader.cached(V.PYPI, "no-such-pkg-zz") is None  # nothing yet
    writer = R.RegistryClient(server.pypi, server.npm, cache)  # e.g. the language server's worker
    assert writer.exists(V.PYPI, "no-such-pkg-zz") is False
    assert reader.cached(V.PYPI, "no-such-pkg-zz") is False
