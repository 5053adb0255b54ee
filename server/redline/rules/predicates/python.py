"""YAML predicate and fix for Python (RL112); the other Python rules live in python_injection.py,
python_crypto.py and python_fixes.py."""

from __future__ import annotations

from redline.findings import Fix, TextEdit
from redline.rules.predicates import MatchContext, Verdict, fix, predicate
from redline.rules.predicates.python_scope import call_qualname, keyword_node

_SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}




@predicate("python.yaml_unsafe_load")
def yaml_unsafe_load(ctx: MatchContext):
    """yaml.load / load_all without a safe Loader (positional or keyword)."""
    call = ctx.node("match")
    fn = ctx.text("fn")
    callee = call.child_by_field_name("function")
    obj = callee.child_by_field_name("object") if callee is not None and callee.type == "attribute" else None
    written = obj is not None and obj.type == "identifier" and obj.text == b"yaml"
    # Through the imports too: `import yaml as y; y.load(...)`, `from yaml import load`.
    if not written and call_qualname(ctx.file, call) != f"yaml.{fn}":
        return None
    if fn in ("unsafe_load", "unsafe_load_all"):
        return Verdict(args={"how": f"yaml.{fn}()"})
    loader = None
    kw = keyword_node(call, "Loader")
    if kw is not None:
        loader = kw.child_by_field_name("value")
    else:
        args = call.child_by_field_name("arguments")
        positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
        if len(positional) >= 2:
            loader = positional[1]
    if loader is not None:
        name = loader.text.decode().rsplit(".", 1)[-1]
        if name in _SAFE_LOADERS:
            return None
        return Verdict(args={"how": f"yaml.{fn}() with Loader={name}"}, data={"loader": kw})
    return Verdict(args={"how": f"yaml.{fn}() without a Loader"}, data={"loader": None})


@fix("python.yaml_safe_load")
def yaml_safe_load(ctx: MatchContext, verdict: Verdict):
    """yaml.load(x[, Loader=...]) -> yaml.safe_load(x)."""
    call = ctx.node("match")
    fn_node = ctx.node("fn")
    fn = ctx.text("fn")
    if fn_node is None or fn_node.parent is None or fn_node.parent.type != "attribute":
        return None  # `from yaml import load`: safe_load is not imported, the edit alone would break the code
    target = "safe_load_all" if fn.endswith("_all") else "safe_load"
    edits = [TextEdit(ctx.span(fn_node), target)]
    args = call.child_by_field_name("arguments")
    positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
    to_remove = []
    kw = keyword_node(call, "Loader")
    if kw is not None:
        to_remove.append(kw)
    elif len(positional) >= 2:
        to_remove.append(positional[1])
    for node in to_remove:
        # Remove ", Loader=..." including the comma before it.
        prev = node.prev_sibling
        start = prev.start_byte if prev is not None and prev.type == "," else node.start_byte
        edits.append(TextEdit(ctx.file.span(start, node.end_byte), ""))
    return Fix(title=f"Use yaml.{target}()", edits=tuple(edits), safe=True)
