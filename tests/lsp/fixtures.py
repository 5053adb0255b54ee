"""pytest-lsp fixtures: a server per test, driven with VS Code's and Neovim's capabilities."""

from __future__ import annotations

import pytest_lsp
from pytest_lsp import LanguageClient

from lsp.harness import CLIENTS, server_config


async def finish(client: LanguageClient) -> None:
    """Shut the server down; one that was never initialized (a skipped test) just loses its
    stdin, so that pytest-lsp's teardown, which waits for the process, can end."""
    if client.capabilities is not None:
        await client.shutdown_session()
    elif client._server is not None and client._server.returncode is None:
        client._server.stdin.close()


@pytest_lsp.fixture(config=server_config(), params=CLIENTS)
async def lsp(lsp_client: LanguageClient, request):
    """A started (not yet initialized) server; `lsp.client_name` names the capabilities to use."""
    lsp_client.client_name = request.param
    yield
    await finish(lsp_client)


@pytest_lsp.fixture(config=server_config())
async def vscode(lsp_client: LanguageClient):
    """A started server for tests that need VS Code's capabilities only."""
    lsp_client.client_name = "visual-studio-code"
    yield
    await finish(lsp_client)


def fault_config(faults: str):
    import sys

    from lsp.harness import ROOT

    return server_config(
        command=[sys.executable, str(ROOT / "tests" / "lsp" / "fault_server.py")],
        env={"REDLINE_TEST_FAULTS": faults},
    )


@pytest_lsp.fixture(config=fault_config("rule,engine"))
async def faulty(lsp_client: LanguageClient):
    """A server whose RL103 predicate and an extra fast engine raise on marked input."""
    lsp_client.client_name = "visual-studio-code"
    yield
    await finish(lsp_client)


@pytest_lsp.fixture(config=fault_config("slow"), params=CLIENTS)
async def slow_lsp(lsp_client: LanguageClient, request):
    """A server with a slow engine that reports SLOWMARK lines and blocks on BLOCK until the
    client runs `test.release`."""
    lsp_client.client_name = request.param
    yield
    await finish(lsp_client)


@pytest_lsp.fixture(config=fault_config("worker-dies"))
async def dying_worker(lsp_client: LanguageClient):
    """A server whose slow engine kills its worker process on DIE."""
    lsp_client.client_name = "visual-studio-code"
    yield
    await finish(lsp_client)


@pytest_lsp.fixture(config=fault_config("slow"))
async def slow_vscode(lsp_client: LanguageClient):
    """`slow_lsp` with VS Code's capabilities only (for checks on the order of pushes)."""
    lsp_client.client_name = "visual-studio-code"
    yield
    await finish(lsp_client)
