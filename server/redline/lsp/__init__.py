"""Redline's language server (pygls 2): `redline lsp` or `python -m redline.lsp`.

Layout: `server.py` builds the server; `protocol.py` adapts pygls (one copy of each document,
encoding negotiation, errors for malformed params); `handlers/` translate LSP messages; the
session (`session.py`) holds one record per open document and calls the domain (`redline.documents`
for text and trees, `redline.workspace` for workspace scans, and here): `analysis.py` (fast/slow findings per
version), `convert.py` (findings -> diagnostics), `actions.py`, `suppress.py`, `explain.py`,
`workspace_config.py`, `settings.py`; `jobs.py` and `worker.py` run work off the event loop.
"""
