"""pytest-lsp fixtures: a server per test, driven with VS Code's and Neovim's capabilities."""

from __future__ import annotations

import pytest_lsp
from pytest_lsp import LanguageClient

from lsp.harness import CLIENTS, server_config


@pytest_lsp.fixture(config=server_config(), params=CLIENTS)
async def lsp(lsp_client: LanguageClient, request):
    """A started (not yet initialized) server; `lsp.client_name` names the capabilities to use."""
    lsp_client.client_name = request.param
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=server_config())
async def vscode(lsp_client: LanguageClient):
    """A started server for tests that need VS Code's capabilities only."""
    lsp_client.client_name = "visual-studio-code"
    yield
    await lsp_client.shutdown_session()
