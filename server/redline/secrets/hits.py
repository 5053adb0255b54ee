"""What a detector reports: a `Hit`, turned into a `Finding` by the engine."""

from __future__ import annotations

from dataclasses import dataclass

# Rule codes (see rules/builtin/secrets.toml).
TOKEN = "RL201"
PRIVATE_KEY = "RL202"
URL = "RL203"
PASSWORD = "RL204"
SECRET = "RL205"


@dataclass(frozen=True, slots=True)
class Hit:
    code: str  # RL2xx
    detector: str  # detector id, or "password" / "secret" / "url-credentials" ...
    title: str  # what was found, for the message ("GitHub token", "password")
    start: int  # the secret: bytes [start, end) of the file
    end: int
    # The string literal holding the secret, quotes included: [lit_start, lit_end); equal to the
    # secret when it is not in a literal (a plain YAML value, a token in a comment).
    lit_start: int
    lit_end: int
    quote: bytes = b""  # the literal's quote character, b"" when unquoted
    name: str = ""  # the variable, key or header it is assigned or mapped to
    env: str = ""  # the environment variable a fix reads it from
    confidence: str = "high"
    shown: int = 4  # how many leading characters a redacted message may show
    # What the environment variable of the fix stands for, when more than the secret (a whole
    # connection URL): bytes [value_start, value_end); -1 means the secret itself.
    value_start: int = -1
    value_end: int = -1

    @property
    def width(self) -> int:
        return self.end - self.start

    def overlaps(self, other: "Hit") -> bool:
        return self.start < other.end and other.start < self.end
