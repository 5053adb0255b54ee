"""initialize / initialized / shutdown / workspace folders."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from lsprotocol import types

from redline.documents.store import uri_path
from redline.lsp import settings as settings_mod
from redline.lsp.client import ClientFeatures
from redline.lsp.handlers import configuration
from redline.lsp.settings import LogLevel

log = logging.getLogger(__name__)
# The advisory database's age is a hint, not something the first diagnostics should wait for
# (reading it imports the database code): it is logged this long after `initialized`.
STALE_HINT_DELAY_S = 3.0


def folder_paths(folders, root_uri: str | None = None, root_path: str | None = None) -> list[Path]:
    paths = [Path(uri_path(f.uri)) for f in folders or () if f.uri.startswith("file:")]
    if not paths and root_uri and root_uri.startswith("file:"):
        paths = [Path(uri_path(root_uri))]
    if not paths and root_path:
        paths = [Path(root_path)]
    return paths


def register(server) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls, params: types.InitializeParams) -> None:
        session = ls.session
        session.encoding = ls.protocol.encoding
        session.client = ClientFeatures.of(params.capabilities)
        init, problems = settings_mod.parse(params.initialization_options)
        session.init_settings = init
        session.set_roots(folder_paths(params.workspace_folders, params.root_uri, params.root_path))
        session.configure(init)
        for p in problems:
            session.log(LogLevel.WARNING, f"initializationOptions: {p}")

    @server.feature(types.INITIALIZED)
    async def initialized(ls, params: types.InitializedParams) -> None:
        session = ls.session
        if session.client.watched_files_registration:
            await configuration.watch_config_files(ls)
        if session.client.configuration:
            await configuration.pull_settings(ls)
        asyncio.get_running_loop().call_later(STALE_HINT_DELAY_S, _stale_database_hint, session)
        if session.settings.scan_workspace_on_startup:
            from redline.lsp.handlers import commands

            ls.startup_scan = asyncio.ensure_future(commands.scan_workspace(ls, None, []))

    @server.feature(types.SHUTDOWN)
    def shutdown(ls, params: None) -> None:
        ls.session.shutdown()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(ls, params: types.DidChangeWorkspaceFoldersParams) -> None:
        # pygls has already updated ls.workspace.folders.
        folders = list(ls.workspace.folders.values())
        ls.session.set_roots(folder_paths(folders))
        ls.session.config_changed()


def _stale_database_hint(session) -> None:
    """One log message per session when the advisory database is older than 30 days."""
    try:
        from redline.deps.database import stale_hint_once

        hint = stale_hint_once()
    except Exception:  # noqa: BLE001 - a hint must never break initialization
        return
    if hint:
        session.log(LogLevel.INFO, hint)
