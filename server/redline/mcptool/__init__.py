"""`redline mcp`: the Model Context Protocol server for coding agents (docs/mcp.md).

Two layers, so the engine-facing part can be tested and reused without the SDK:

- `core`: pure functions over the same engine `redline scan` and `redline lsp` use
  (`scan_code`, `scan_files`, `fix_code`, `check_packages`, `explain_rule`). They return plain
  JSON-able dicts and raise `BadInput` with a message meant for the agent.
- `server`: the official `mcp` SDK's `MCPServer` over stdio, one tool per core function, with
  typed (structured) output and a short text summary.

The package is deliberately not called `mcp`: `redline/mcp/` would sit beside the SDK's own
top-level `mcp` package in tracebacks and tooling, and a script run from inside the folder
would shadow it.
"""
