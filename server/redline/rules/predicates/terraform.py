"""The Terraform predicate and quick fix shared by every rule in terraform.toml.

Each Terraform rule's query matches `resource`/`data` blocks of the types it covers; the
predicate looks up that rule's checks for the block's type (terraform_rules.TABLES) and turns
their issues into one finding per block: reported at the first issue, the others listed in the
message and attached as related locations. The fix applies every issue's edits at once.
"""

from __future__ import annotations

from redline.findings import Fix, Related, Span, TextEdit
from redline.rules.predicates import MatchContext, Verdict, fix, predicate
from redline.rules.predicates.terraform_checks import Issue, Module, run_checks
from redline.rules.predicates.terraform_model import Block
from redline.rules.predicates.terraform_rules import TABLES, table_key


def _module(ctx: MatchContext) -> Module:
    return Module(ctx.file.tree.root_node)


@predicate("terraform.checks")
def checks(ctx: MatchContext):
    node = ctx.node("match")
    if node is None or node.type != "block":
        return None
    block = Block(node)
    if block.kind not in ("resource", "data"):
        return None
    table = TABLES.get(ctx.rule.name, {})
    tests = table.get(table_key(block))
    if not tests:
        return None
    issues = run_checks(tests, block, _module(ctx))
    if not issues:
        return None
    first = issues[0]
    what = "; ".join(i.what for i in issues[:4]) + (f"; and {len(issues) - 4} more" if len(issues) > 4 else "")
    confidences = [i.confidence for i in issues if i.confidence is not None]
    confidence = max(confidences, key=lambda c: c.rank) if confidences and len(confidences) == len(issues) else None
    related = tuple(Related(Span.of_node(i.node), i.what) for i in issues[1:])
    return Verdict(
        confidence=confidence,
        node=first.node,
        args={"resource": block.address, "what": what},
        related=related,
        data={"issues": issues},
    )


# ------------------------------------------------------------------ quick fix


def _line_start(source: bytes, offset: int) -> int:
    return source.rfind(b"\n", 0, offset) + 1


def _indent_of_line(source: bytes, offset: int) -> str:
    start = _line_start(source, offset)
    end = start
    while end < len(source) and source[end : end + 1] in (b" ", b"\t"):
        end += 1
    return source[start:end].decode()


def _inner_indent(block: Block, source: bytes) -> str:
    attrs = [c for c in (block.body.named_children if block.body is not None else []) if c.type in ("attribute", "block")]
    if attrs:
        return _indent_of_line(source, attrs[0].start_byte)
    return _indent_of_line(source, block.node.start_byte) + "  "


def _nested_text(path: list[str], value: str, indent: str, step: str = "  ") -> list[str]:
    """Lines for `a { b { c = value } }` starting at `indent`."""
    if len(path) == 1:
        first, *rest = value.split("\n")
        return [f"{indent}{path[0]} = {first}"] + [f"{indent}{line.strip()}" if line.strip() else "" for line in rest]
    return [f"{indent}{path[0]} {{"] + _nested_text(path[1:], value, indent + step) + [f"{indent}}}"]


def _add_edits(ctx: MatchContext, block: Block, lines_by_path: list[tuple[list[str], str]]) -> TextEdit:
    """Insert attributes (or nested blocks) before the closing brace of `block`."""
    source = ctx.file.text
    end = next((c for c in block.node.children if c.type == "block_end"), None)
    close = end.start_byte if end is not None else block.node.end_byte - 1
    indent = _inner_indent(block, source)
    lines: list[str] = []
    for path, value in lines_by_path:
        lines += _nested_text(path, value, indent)
    text = "\n".join(lines) + "\n"
    line_start = _line_start(source, close)
    if source[line_start:close].strip() == b"":
        return TextEdit(ctx.file.span(line_start, line_start), text)
    # `resource "x" "y" {}` or `{ a = 1 }` on one line: open it up.
    outer = _indent_of_line(source, block.node.start_byte)
    prev = close
    while prev > 0 and source[prev - 1 : prev] in (b" ", b"\t"):
        prev -= 1
    return TextEdit(ctx.file.span(prev, close), "\n" + text + outer)


def build_edits(ctx: MatchContext, issues: list[Issue]) -> list[TextEdit]:
    edits: list[TextEdit] = []
    adds: dict[int, tuple[Block, list[tuple[list[str], str]]]] = {}
    for issue in issues:
        for e in issue.edits:
            if e.kind == "set" and e.attr is not None and e.attr.expr is not None:
                expr = e.attr.expr
                edits.append(TextEdit(ctx.file.span(expr.start_byte, expr.end_byte), e.text))
            elif e.kind == "set_node" and e.node is not None:
                edits.append(TextEdit(ctx.file.span(e.node.start_byte, e.node.end_byte), e.text))
            elif e.kind == "add" and e.block is not None:
                key = e.block.node.start_byte
                holder, existing = adds.setdefault(key, (e.block, []))
                path = e.path.split(".")
                # Walk down blocks that already exist so we add inside the deepest one.
                while len(path) > 1 and holder.block(path[0]) is not None:
                    holder = holder.block(path[0])
                    path = path[1:]
                    key = holder.node.start_byte
                    holder, existing = adds.setdefault(key, (holder, []))
                existing.append((path, e.text))
    for holder, items in adds.values():
        edits.append(_add_edits(ctx, holder, items))
    return edits


def _title(issues: list[Issue]) -> str:
    parts: list[str] = []
    for i in issues:
        for e in i.edits:
            text = e.describe().split("\n")[0]
            if text not in parts:
                parts.append(text)
    shown = ", ".join(parts[:3]) + (", ..." if len(parts) > 3 else "")
    return f"Set {shown}"


@fix("terraform.apply_edits")
def apply_edits(ctx: MatchContext, verdict: Verdict):
    issues = [i for i in verdict.data.get("issues", []) if i.edits]
    if not issues:
        return None
    edits = build_edits(ctx, issues)
    if not edits:
        return None
    return Fix(title=_title(issues), edits=tuple(sorted(edits, key=lambda t: t.span.start_byte)), safe=False)

