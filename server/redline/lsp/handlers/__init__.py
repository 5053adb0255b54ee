"""Protocol handlers, one module per concern. Each only translates between LSP messages and calls
on the `Session` (redline.lsp.session) or pure functions; each module has `register(server)`."""

from __future__ import annotations


def register_all(server) -> None:
    from redline.lsp.handlers import (
        code_actions, code_lens, commands, configuration, diagnostics, hover, lifecycle, text_sync,
    )

    for module in (lifecycle, text_sync, diagnostics, code_actions, hover, configuration, commands, code_lens):
        module.register(server)
