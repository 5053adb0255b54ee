"""Helpers for the language server's end-to-end tests (tests/test_lsp_*.py)."""
