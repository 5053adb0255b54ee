"""The engine interface: anything that turns a SourceFile into findings."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from redline.config import Config
from redline.documents.source import SourceFile
from redline.findings import Finding


@runtime_checkable
class Engine(Protocol):
    name: str  # also the key of its switch in `[tool.redline.engines]`
    slow: bool  # slow engines run debounced off the keystroke path in the server
    default_on: bool

    def applies(self, file: SourceFile) -> bool:
        """Cheap test: does this engine have anything to say about this file?"""

    def scan(self, file: SourceFile, config: Config) -> list[Finding]:
        """Findings for the whole file. May raise; the caller logs and drops its results."""


class PartialResult(Exception):
    """Raised by an engine when some of its rules failed: `findings` holds the others' results,
    `errors` the (rule code, error) pairs. The pipeline keeps the findings and logs the errors."""

    def __init__(self, findings: list[Finding], errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{code}: {err}" for code, err in errors))
        self.findings, self.errors = findings, errors
