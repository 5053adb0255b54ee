"""Split a command line built from text and values into argv words, for the "run the program
without a shell" quick fixes of Go and Java. Refuses (None) when the text has shell syntax that
an argument list cannot express, or when a word mixes text and a value."""

from __future__ import annotations

from redline.rules.predicates import sql_params
from redline.secrets.regex import linear

SHELL_META = linear(r"[|&;<>()$`\\\"'*?\[\]{}~#!\n]")


def argv(parts: list):
    """[("text", str) | ("value", node)] for `sql_params.Text`/`Value` parts, or None."""
    out = []
    cur_text, cur_val = "", None
    for p in parts:
        if isinstance(p, sql_params.Text):
            if SHELL_META.search(p.text):
                return None
            for j, chunk in enumerate(p.text.split(" ")):
                if j > 0:
                    if cur_val is not None:
                        out.append(("value", cur_val))
                    elif cur_text:
                        out.append(("text", cur_text))
                    cur_text, cur_val = "", None
                if chunk:
                    if cur_val is not None:
                        return None
                    cur_text += chunk
        else:
            if cur_text or cur_val is not None:
                return None
            cur_val = p.node
    if cur_val is not None:
        out.append(("value", cur_val))
    elif cur_text:
        out.append(("text", cur_text))
    return out
