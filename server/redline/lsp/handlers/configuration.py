"""Settings and configuration files: workspace/configuration, didChangeConfiguration, watched files.

Settings arrive in initializationOptions (lifecycle.py), are pulled with workspace/configuration
(section "redline") when the client supports it, and are pushed or announced with
didChangeConfiguration. Changes to redline.toml / .redline.toml / pyproject.toml arrive as
didChangeWatchedFiles (registered dynamically where the client allows it) or as didSave of an
open configuration file. Any of these re-lints the open documents. Changes to other watched files
(Java classes, properties files) re-check the open documents whose findings read them.
"""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types

from redline.documents.store import uri_path
from redline.lsp import settings as settings_mod
from redline.lsp.settings import LogLevel
from redline.lsp.workspace_config import CONFIG_NAMES, is_config_file

log = logging.getLogger(__name__)
WATCH_ID = "redline-config-files"
_PENDING: set = set()  # running settings pulls (the loop keeps only weak references to tasks)


def apply_settings(ls, data, origin: str) -> None:
    """Settings from `data` on top of those of initializationOptions; re-lint when they changed."""
    session = ls.session
    new, problems = settings_mod.parse(data, session.init_settings)
    for p in problems:
        session.log(LogLevel.WARNING, f"{origin}: {p}")
    if new != session.settings:
        session.configure(new)
        session.config_changed()


async def pull_settings(ls) -> None:
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="redline")])
        )
    except Exception as e:  # noqa: BLE001 - a client that fails here keeps the settings it sent
        ls.session.log(LogLevel.WARNING, f"workspace/configuration failed: {e}")
        return
    value = result[0] if isinstance(result, (list, tuple)) and result else None
    if value is not None:
        apply_settings(ls, value, "workspace/configuration")


async def watch_config_files(ls) -> None:
    """Watch the configuration files, and the files other files' findings depend on
    (redline.workspace.CROSS_FILE_GLOBS: a Java class called from an open document)."""
    from redline.workspace import CROSS_FILE_GLOBS

    globs = [f"**/{name}" for name in sorted(CONFIG_NAMES)] + list(CROSS_FILE_GLOBS)
    watchers = [types.FileSystemWatcher(glob_pattern=g) for g in globs]
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id=WATCH_ID,
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
                    )
                ]
            )
        )
    except Exception as e:  # noqa: BLE001
        ls.session.log(LogLevel.WARNING, f"could not watch configuration files: {e}")


def register(server) -> None:
    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls, params: types.DidChangeConfigurationParams) -> None:
        # Synchronous on purpose: settings that come with the notification take effect before the
        # next message is handled, so a diagnostic pull sent right after it (Neovim) answers under
        # the new settings. (An async handler only starts on a later turn of the event loop.)
        settings = params.settings
        if isinstance(settings, dict) and ("redline" in settings or not ls.session.client.configuration):
            apply_settings(ls, settings, "didChangeConfiguration")
        elif ls.session.client.configuration:
            # The "pull" model: the notification only says "ask again"; that needs a round trip.
            task = asyncio.get_running_loop().create_task(pull_settings(ls))
            _PENDING.add(task)
            task.add_done_callback(_PENDING.discard)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [uri_path(c.uri) for c in params.changes]
        if any(is_config_file(p) for p in paths):
            ls.session.log(LogLevel.INFO, "configuration file changed: re-linting open documents")
            ls.session.config_changed()
        ls.session.files_changed([p for p, c in zip(paths, params.changes) if c.uri.startswith("file:")])
