"""`redline lsp` with faults for the robustness and slow-engine tests, chosen by the environment
variable REDLINE_TEST_FAULTS (comma-separated). Test-only: nothing here ships in the product.

- `rule`: the predicate of the code-injection rule raises when the argument is named `boom`.
- `engine`: an extra fast engine raises on every file containing ENGINE_BOOM.
- `slow`: an extra slow engine reports RL999 on each line containing SLOWMARK; on a text that
  also contains BLOCK it waits until the client runs the command `test.release`.
- `worker-dies`: the slow engine kills its worker process on a text containing DIE.
"""

from __future__ import annotations

import os
import sys
import threading

from redline.config import Config
from redline.documents.source import SourceFile
from redline.findings import Confidence, Finding, Severity

FAULTS = set(filter(None, os.environ.get("REDLINE_TEST_FAULTS", "").split(",")))
RELEASE = threading.Event()


class BrokenFastEngine:
    name = "test-broken"
    slow = False
    default_on = True

    def applies(self, file: SourceFile) -> bool:
        return True

    def scan(self, file: SourceFile, config: Config) -> list[Finding]:
        if b"ENGINE_BOOM" in file.text:
            raise RuntimeError("test engine exploded")
        return []


class MarkerSlowEngine:
    name = "test-slow"
    slow = True
    default_on = True

    def applies(self, file: SourceFile) -> bool:
        return True

    def scan(self, file: SourceFile, config: Config) -> list[Finding]:
        if b"DIE" in file.text and "worker-dies" in FAULTS:
            os._exit(3)
        if b"BLOCK" in file.text:
            RELEASE.wait(60)
        out = []
        start = 0
        for line in file.text.split(b"\n"):
            col = line.find(b"SLOWMARK")
            if col >= 0:
                out.append(
                    Finding(
                        code="RL999", name="test-slow-marker", message="slow marker found",
                        severity=Severity.WARNING, confidence=Confidence.HIGH, cwe=(999,),
                        span=file.span(start + col, start + col + 8), engine=self.name,
                    )
                )
            start += len(line) + 1
        return out


def install() -> None:
    """Add the faults to this process (the server, or a worker process it spawns)."""
    from redline import engines
    from redline.rules import predicates

    found = engines.all_engines()
    if "engine" in FAULTS:
        found.append(BrokenFastEngine())
    if "slow" in FAULTS or "worker-dies" in FAULTS:
        found.append(MarkerSlowEngine())
    if "rule" in FAULTS:
        predicates.load_all()
        name = "python.code_injection"
        original = predicates.PREDICATES[name]

        def broken(ctx):
            args = ctx.node("match").child_by_field_name("arguments")
            if args is not None and args.text == b"(boom)":
                raise ValueError("test predicate exploded")
            return original(ctx)

        predicates.PREDICATES[name] = broken


def main() -> int:
    install()
    from redline.lsp.server import create_server

    server = create_server()

    @server.command("test.release")
    def release(ls, params):
        RELEASE.set()
        return True

    server.start_io()
    return 0


if __name__ == "__main__":
    sys.exit(main())
elif __name__ == "__mp_main__":
    install()  # a worker process spawned by the server imports this module under that name
