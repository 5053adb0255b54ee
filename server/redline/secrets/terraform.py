"""Terraform: the `default` of a variable marked `sensitive = true`, whatever its name.

A variable named like a credential (`db_password`) is handled by the context detector from its
header line; this module covers the others, which Terraform itself calls sensitive:

    variable "db" {
      type      = string
      sensitive = true
      default   = "..."      <- reported (RL204)
    }
"""

from __future__ import annotations

from redline.secrets import hits as H
from redline.secrets import names
from redline.secrets import regex as rx
from redline.secrets.context import _value_at, gate
from redline.secrets.hits import Hit
from redline.secrets.names import Kind
from redline.secrets.syntax import Syntax

PREFILTER = r"sensitive[ \t]*=[ \t]*true"
MAX_BLOCK = 4096
_HEADER = rx.compile(r'(?m)^variable[ \t]+"([^"\n]+)"[ \t]*\{')
_DEFAULT = rx.compile(r"(?m)^[ \t]*default[ \t]*=")


def sensitive_default(text: bytes, line_start: int, syn: Syntax) -> list[Hit]:
    """The default of the `variable` block holding the `sensitive = true` line at `line_start`."""
    lo = max(0, line_start - MAX_BLOCK)
    headers = list(_HEADER.finditer(text[lo:line_start]))
    if not headers:
        return []
    header = headers[-1]
    block_start = lo + header.start()
    if b"\n}" in text[lo + header.end() : line_start]:
        return []  # the header belongs to an earlier block
    end = text.find(b"\n}", line_start)
    block_end = len(text) if end == -1 else end
    name = header.group(1).decode("utf-8", "replace")
    if names.classify(name) is not None:
        return []  # reported from the header line by the context detector
    m = _DEFAULT.search(text[block_start:block_end])
    if m is None:
        return []
    row_start = block_start + m.start()
    row_end = text.find(b"\n", row_start)
    row_end = block_end if row_end == -1 else row_end
    line = text[row_start:row_end]
    v = _value_at(line, m.end() - m.start(), syn)
    if v is None or gate(Kind.PASSWORD, line[v.start : v.end]) is None:
        return []
    return [
        Hit(
            code=H.PASSWORD,
            detector="terraform-sensitive-default",
            title="secret",
            start=row_start + v.start,
            end=row_start + v.end,
            lit_start=row_start + v.lit_start,
            lit_end=row_start + v.lit_end,
            quote=v.quote,
            name=name,
            env="SECRET",
            confidence="medium",
            shown=2,
        )
    ]
