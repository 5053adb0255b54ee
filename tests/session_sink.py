"""A Sink for driving `redline.lsp.session.Session` directly in tests: it records what the
session publishes and drops log lines, messages and refresh requests."""

from __future__ import annotations


class RecordingSink:
    def __init__(self):
        self.published = []  # (uri, version, diagnostics)

    def publish(self, uri, version, diagnostics):
        self.published.append((uri, version, diagnostics))

    def log(self, level, message):
        pass

    def show(self, level, message):
        pass

    def refresh(self):
        pass
