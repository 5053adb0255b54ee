"""Predicates and fixes for GitHub Actions workflows (.github/workflows/*.yml, action.yml).

`${{ ... }}` expressions are expanded by the runner *before* the shell sees the script, so an
expression whose value an outsider controls (an issue title, a branch name, a commit message)
becomes shell code. The list of such fields follows GitHub Security Lab's guidance; ids, SHAs,
numbers and `inputs` of manually dispatched workflows are not attacker-controlled.
"""

from __future__ import annotations

import re

from redline.findings import Confidence, Fix, TextEdit
from redline.rules.predicates import MatchContext, Verdict, fix, predicate
from redline.rules.predicates.iac_common import region_in
from redline.rules.predicates.yaml_model import (
    ACTIONS,
    document_of,
    doc_kind,
    enclosing_mapping,
    get,
    key_path,
    mapping_of,
    pair_key,
    pair_value,
    pairs,
    root_mapping,
    scalar,
    sequence_items,
)
from redline.secrets.regex import linear

EXPRESSION = linear(rb"\$\{\{(?P<expr>.*?)\}\}", re.S)

_FIELDS = r"(?:message|author\.(?:email|name)|committer\.(?:email|name))"
UNTRUSTED = linear(
    r"github\.event\.issue\.(?:title|body)\b"
    r"|github\.event\.pull_request\.(?:title|body)\b"
    r"|github\.event\.pull_request\.head\.(?:ref|label)\b"
    r"|github\.event\.pull_request\.head\.repo\.default_branch\b"
    r"|github\.event\.(?:comment|review|review_comment)\.body\b"
    r"|github\.event\.discussion\.(?:title|body)\b"
    r"|github\.event\.pages\.[^.\s]+\.page_name\b"
    rf"|github\.event\.commits\.[^.\s]+\.{_FIELDS}"
    rf"|github\.event\.head_commit\.{_FIELDS}"
    rf"|github\.event\.workflow_run\.(?:head_branch|display_title|head_commit\.{_FIELDS})\b"
    r"|github\.event\.workflow_run\.pull_requests\.[^.\s]+\.head\.ref\b"
    r"|github\.head_ref\b"
    r"|toJSON\(\s*github\.event(?:\.(?:issue|pull_request|comment|review|review_comment|discussion|head_commit|commits|workflow_run))?\s*\)",
    re.I,
)


def normalise(expr: str) -> str:
    """`github.event['pull_request']["title"]`, `commits[0]` -> dotted form."""
    expr = re.sub(r"\[\s*['\"]([^'\"]+)['\"]\s*\]", r".\1", expr)
    return re.sub(r"\[\s*(\*|\d+)\s*\]", r".\1", expr)


def untrusted(expr: str) -> str | None:
    m = UNTRUSTED.search(normalise(expr))
    return m.group(0) if m else None


def _is_actions(ctx: MatchContext) -> bool:
    return doc_kind(ctx.file.path, ctx.node("match")) == ACTIONS


def _step_path(path: list[str], key: str) -> bool:
    """jobs.<id>.steps.[].<key> or runs.steps.[].<key> (composite actions)."""
    return (len(path) == 5 and path[0] == "jobs" and path[2:4] == ["steps", "[]"] and path[4] == key) or \
        (len(path) == 4 and path[:3] == ["runs", "steps", "[]"] and path[3] == key)


def _with_path(path: list[str], key: str) -> bool:
    return (len(path) == 6 and path[0] == "jobs" and path[2:5] == ["steps", "[]", "with"] and path[5] == key) or \
        (len(path) == 5 and path[:4] == ["runs", "steps", "[]", "with"] and path[4] == key)


def _step_uses(step_mapping) -> str:
    return (scalar(get(step_mapping, "uses")) or "").strip().lower()


# ------------------------------------------------------------------ RL560 script injection


def tainted_expressions(value) -> list[tuple[int, int, str, str]]:
    """(start, end, whole expression text, untrusted field) inside a scalar value node."""
    out = []
    for m in EXPRESSION.finditer(value.text):
        expr = m.group("expr").decode("utf-8", "replace")
        field = untrusted(expr)
        if field:
            out.append((m.start(), m.end(), m.group(0).decode("utf-8", "replace"), field))
    return out


@predicate("gha.script_injection")
def script_injection(ctx: MatchContext):
    if not _is_actions(ctx):
        return None
    pair = ctx.node("match")
    path = key_path(pair)
    key = pair_key(pair)
    value = pair_value(pair)
    if value is None:
        return None
    if key == "run" and _step_path(path, "run"):
        where = "a run: script"
    elif key == "script" and _with_path(path, "script"):
        if not _step_uses(_step_mapping(pair)).startswith("actions/github-script"):
            return None
        where = "an actions/github-script script"
    else:
        return None
    found = tainted_expressions(value)
    if not found:
        return None
    start, end, _text, field = found[0]
    return Verdict(node=region_in(value, start, end), args={"field": field, "where": where},
                   data={"pair": pair, "found": found, "fixable": key == "run"})


def _step_mapping(pair):
    """The step mapping that contains `pair` (a key directly in it or inside `with:`)."""
    n = pair
    while n is not None:
        if n.type in ("block_mapping", "flow_mapping") and n.parent is not None and n.parent.parent is not None \
                and n.parent.parent.type == "block_sequence_item":
            return n
        n = n.parent
    return None


def env_name(field: str) -> str:
    f = normalise(field)
    f = re.sub(r"^toJSON\(\s*", "", f).rstrip(") ")
    parts = [p for p in f.split(".") if p not in ("github", "event", "*") and not p.isdigit()]
    name = "_".join(parts[-3:]) if parts else "VALUE"
    name = name.replace("pull_request", "pr").replace("workflow_run", "run")
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper() or "VALUE"


def _quote_context(line: bytes) -> str:
    """The shell quoting at the end of `line`: "double", "single" or "none"."""
    state = "none"
    i = 0
    while i < len(line):
        c = line[i : i + 1]
        if state == "none":
            if c == b"\\":
                i += 1
            elif c == b'"':
                state = "double"
            elif c == b"'":
                state = "single"
        elif state == "double":
            if c == b"\\":
                i += 1
            elif c == b'"':
                state = "none"
        elif state == "single" and c == b"'":
            state = "none"
        i += 1
    return state


def _replacement(content, rel: int, name: str) -> str:
    """What replaces `${{ expr }}` at offset `rel` of a scalar: the variable, quoted for the shell
    context it sits in and escaped for the YAML scalar style."""
    t = content.type
    text = content.text
    nl = text.rfind(b"\n", 0, rel)
    line = text[nl + 1 : rel]
    if nl == -1 and t in ("double_quote_scalar", "single_quote_scalar"):
        line = line[1:]  # the YAML opening quote
    var = "${" + name + "}"
    if t == "double_quote_scalar":
        state = _quote_context(line.replace(b'\\"', b'"'))
        return var if state == "double" else '\\"' + var + '\\"'
    if t == "single_quote_scalar":
        state = _quote_context(line.replace(b"''", b"'"))
        if state == "double":
            return var
        return "''\"" + var + "\"''" if state == "single" else '"' + var + '"'
    state = _quote_context(line)
    if state == "double":
        return var
    if state == "single":
        return "'\"" + var + "\"'"
    if t == "plain_scalar" and rel == 0:
        return var  # a plain scalar cannot start with a quote; the expansion is still not code
    return '"' + var + '"'


def _line_indent(source: bytes, offset: int) -> int:
    return offset - (source.rfind(b"\n", 0, offset) + 1)


@fix("gha.env_indirection")
def env_indirection(ctx: MatchContext, verdict: Verdict):
    """Move each untrusted expression into the step's env: and use "$NAME" in the script."""
    if not verdict.data.get("fixable"):
        return None
    pair = verdict.data["pair"]
    value = pair_value(pair)
    step = enclosing_mapping(pair)
    if step is None or value is None:
        return None
    existing_env = get(step, "env")
    env_mapping = mapping_of(existing_env) if existing_env is not None else None
    if existing_env is not None and (env_mapping is None or env_mapping.type != "block_mapping"):
        return None  # env given as an expression or a flow mapping: leave it to the user
    taken = {pair_key(p) for p in pairs(env_mapping)} if env_mapping is not None else set()
    names: dict[str, str] = {}
    edits: list[TextEdit] = []
    for start, end, text, field in verdict.data["found"]:
        inner = text[3:-2].strip()
        if inner not in names:
            base = env_name(field)
            name, n = base, 2
            while name in taken:
                name, n = f"{base}_{n}", n + 1
            taken.add(name)
            names[inner] = name
        content = _content(value)
        rel = value.start_byte + start - content.start_byte
        edits.append(TextEdit(ctx.file.span(value.start_byte + start, value.start_byte + end),
                              _replacement(content, rel, names[inner])))
    source = ctx.file.text
    if env_mapping is not None:
        last = pairs(env_mapping)[-1]
        indent = " " * _line_indent(source, last.start_byte)
        lines = "".join(f"\n{indent}{n}: ${{{{ {e} }}}}" for e, n in names.items())
        edits.append(TextEdit(ctx.file.span(last.end_byte, last.end_byte), lines))
    else:
        indent = " " * _line_indent(source, pair.start_byte)
        body = "".join(f"\n{indent}  {n}: ${{{{ {e} }}}}" for e, n in names.items())
        edits.append(TextEdit(ctx.file.span(pair.end_byte, pair.end_byte), f"\n{indent}env:{body}"))
    shown = ", ".join(names.values())
    return Fix(title=f"Pass the untrusted value through env ({shown}) and quote it in the script",
               edits=tuple(sorted(edits, key=lambda e: e.span.start_byte)), safe=True)


def _content(value):
    n = value
    while n.type in ("flow_node", "block_node") and n.named_child_count:
        n = n.named_children[-1]
    return n


# ------------------------------------------------------------------ RL561 untrusted checkout

_HEAD_REF = linear(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|refs/pull/|github\.event\.workflow_run\.head_(?:sha|branch)"
    r"|github\.event\.pull_request\.merge_commit_sha|github\.event\.workflow_run\.head_repository|github\.event\.pull_request\.head\.repo",
    re.I,
)
_CHECKOUT_COMMAND = linear(r"\bgh\s+pr\s+checkout\b|\bgit\s+(?:fetch|checkout|pull|switch)\b[^\n]*(?:pull/|head\.(?:sha|ref)|head_ref|workflow_run\.head_)", re.I)
_DANGEROUS_TRIGGERS = {"pull_request_target": Confidence.HIGH, "workflow_run": Confidence.HIGH,
                       "issue_comment": Confidence.MEDIUM}


def triggers(node) -> set[str]:
    root = root_mapping(document_of(node))
    if root is None:
        return set()
    on = get(root, "on")
    if on is None:
        on = get(root, "true")
    if on is None:
        return set()
    m = mapping_of(on)
    if m is not None:
        return {pair_key(p) for p in pairs(m)}
    items = sequence_items(on)
    if items:
        return {s.strip() for s in (scalar(i) for i in items) if s}
    s = scalar(on)
    return {s.strip()} if s else set()


@predicate("gha.untrusted_checkout")
def untrusted_checkout(ctx: MatchContext):
    if not _is_actions(ctx):
        return None
    pair = ctx.node("match")
    on = triggers(pair) & set(_DANGEROUS_TRIGGERS)
    if not on:
        return None
    trigger = sorted(on, key=lambda t: -_DANGEROUS_TRIGGERS[t].rank)[0]
    path = key_path(pair)
    key = pair_key(pair)
    value = scalar(pair_value(pair)) or ""
    if key in ("ref", "repository") and _with_path(path, key):
        if not _step_uses(_step_mapping(pair)).startswith("actions/checkout"):
            return None
        if not _HEAD_REF.search(normalise(value)):
            return None
        what = f"actions/checkout with {key}: {value.strip()}"
    elif key == "run" and _step_path(path, "run"):
        m = _CHECKOUT_COMMAND.search(value)
        if m is None:
            return None
        what = f"`{m.group(0).strip()}`"
    else:
        return None
    return Verdict(node=pair, confidence=_DANGEROUS_TRIGGERS[trigger], args={"what": what, "trigger": trigger})


# ------------------------------------------------------------------ RL562 write-all


@predicate("gha.write_all")
def write_all(ctx: MatchContext):
    if not _is_actions(ctx):
        return None
    pair = ctx.node("match")
    path = key_path(pair)
    if not (path == ["permissions"] or (len(path) == 3 and path[0] == "jobs" and path[2] == "permissions")):
        return None
    value = pair_value(pair)
    if (scalar(value) or "").strip().lower() != "write-all":
        return None
    scope = "the workflow" if len(path) == 1 else f"job {path[1]}"
    return Verdict(node=pair, args={"scope": scope}, data={"value": value})


@fix("gha.read_only_permissions")
def read_only_permissions(ctx: MatchContext, verdict: Verdict):
    value = verdict.data.get("value")
    if value is None:
        return None
    return Fix(title="Grant only read access to the repository contents (add the write scopes the jobs need)",
               edits=(TextEdit(ctx.file.span(value.start_byte, value.end_byte), "{ contents: read }"),), safe=False)


# ------------------------------------------------------------------ RL563 unpinned third-party actions

_FIRST_PARTY = ("actions/", "github/")
_SHA = linear(r"^[0-9a-f]{40}$")


@predicate("gha.unpinned_action")
def unpinned_action(ctx: MatchContext):
    if not _is_actions(ctx):
        return None
    pair = ctx.node("match")
    path = key_path(pair)
    if not (_step_path(path, "uses") or (len(path) == 3 and path[0] == "jobs" and path[2] == "uses")):
        return None
    ref = (scalar(pair_value(pair)) or "").strip()
    if not ref or ref.startswith(("./", "docker://")) or "@" not in ref or "${{" in ref:
        return None
    action, _, version = ref.rpartition("@")
    if action.lower().startswith(_FIRST_PARTY) or _SHA.match(version):
        return None
    return Verdict(node=pair_value(pair), args={"action": action, "version": version})


@predicate("gha.unsafe_commands")
def unsafe_commands(ctx: MatchContext):
    if not _is_actions(ctx):
        return None
    pair = ctx.node("match")
    path = key_path(pair)
    if len(path) < 2 or path[-2] != "env":
        return None
    if (scalar(pair_value(pair)) or "").strip().lower() not in ("true", "1", "yes"):
        return None
    return Verdict()

