"""Predicates of the Python logic-error rules that have a security weakness behind them:
PAM authentication without the account check (RL133), a lock made by the function that uses
it (RL134), a loop whose condition nothing in the loop can change (RL135), indexing one
past the end of a sequence (RL136), and path traversal defences that miss cases (RL137).

Each one reads only the function around the match (the predicate contract): the facts they
need (who else sees the lock, what the loop body writes) are all local.
"""

from __future__ import annotations

from redline.rules.predicates import MatchContext, Verdict, predicate
from redline.rules.predicates.python_scope import (
    call_args,
    call_qualname,
    callee_name,
    enclosing_function,
    local_text,
    string_value,
    text,
    unwrap,
)
from redline.rules.predicates.taint_python import name_is_bound, scope_for

NESTED_SCOPES = frozenset({"function_definition", "lambda", "class_definition"})


def _walk(node, skip_nested: bool = True):
    """Every node under `node` (not `node` itself), without the bodies of nested functions,
    lambdas and classes when `skip_nested`."""
    stack = list(reversed(node.children))
    while stack:
        n = stack.pop()
        yield n
        if skip_nested and n.type in NESTED_SCOPES:
            continue
        stack.extend(reversed(n.children))


# ---------------------------------------------------------------- PAM (RL133)


@predicate("python.pam_no_account_check")
def pam_no_account_check(ctx: MatchContext):
    """pam_authenticate() in code that never calls pam_acct_mgmt() (CodeQL py/pam-auth-bypass)."""
    call = ctx.node("match")
    if b"pam_acct_mgmt" in local_text(ctx.file, call):
        return None
    return Verdict()


# ---------------------------------------------------------------- locks (RL134)

LOCK_TYPES = frozenset({"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition"})
LOCK_MODULES = ("threading", "multiprocessing", "asyncio")
LOCK_USES = frozenset({"acquire", "release", "locked", "__enter__", "__exit__"})


def _lock_constructor(ctx, call) -> bool:
    name = callee_name(call)
    if name not in LOCK_TYPES:
        return False
    qn = call_qualname(ctx.file, call) or ""
    if qn.startswith(tuple(m + "." for m in LOCK_MODULES)):
        return True
    fn = call.child_by_field_name("function")
    # A bare Lock() that nothing in reach defines (a fragment, a star import).
    return fn is not None and fn.type == "identifier" and not name_is_bound(ctx.file, fn)


@predicate("python.function_local_lock")
def function_local_lock(ctx: MatchContext):
    """`lock = threading.Lock()` in a function that then only acquires/releases it: every call
    makes its own lock, so no two callers ever wait for each other."""
    assign = ctx.node("match")
    target = ctx.node("lock")
    value = unwrap(assign.child_by_field_name("right"))
    fn = enclosing_function(assign)
    if fn is None or value is None or value.type != "call" or not _lock_constructor(ctx, value):
        return None
    name = text(target)
    scope = scope_for(ctx.file, assign)
    if name in scope.declared_global or len(scope.defs.get(name, ())) != 1:
        return None
    body = fn.child_by_field_name("body")
    used = False
    for n in _walk(body, skip_nested=False):
        if n.type != "identifier" or n.text != target.text or n.start_byte == target.start_byte:
            continue
        if any(a.type in NESTED_SCOPES for a in _ancestors(n, fn)):
            return None  # a nested function or lambda shares it (threads started from here)
        parent = n.parent
        if parent.type == "attribute" and parent.child_by_field_name("object") == n:
            attr = text(parent.child_by_field_name("attribute"))
            call = parent.parent
            if attr in LOCK_USES and call is not None and call.type == "call":
                used = used or attr == "acquire"
                continue
            return None
        if parent.type == "with_item" or (parent.type == "as_pattern" and parent.parent.type == "with_item"):
            used = True
            continue
        return None  # returned, passed on, stored: someone else may hold the same lock
    if not used:
        return None
    return Verdict(args={"lock": name, "kind": callee_name(value)})


def _ancestors(node, stop):
    n = node.parent
    while n is not None and n != stop:
        yield n
        n = n.parent


# ---------------------------------------------------------------- loops (RL135)

EXITS = frozenset({"break_statement", "return_statement", "raise_statement", "yield", "await"})
EXIT_CALLS = frozenset({"exit", "_exit", "quit", "abort"})
LITERALS = frozenset({"integer", "float", "string", "true", "false", "none"})


def _operands(cond) -> list | None:
    """The operands of a comparison when each is a name or a literal; None otherwise."""
    out = []
    for c in cond.named_children:
        c = unwrap(c)
        if c.type == "unary_operator" and c.named_child_count == 1:
            c = unwrap(c.named_children[-1])
        if c.type == "string" and any(p.type == "interpolation" for p in c.named_children):
            # An f-string reads the names in its replacement fields: they are operands too.
            names = [n for n in _walk(c) if n.type == "identifier"]
            if not names or any(n.parent is not None and n.parent.type in ("attribute", "call") for n in names):
                return None
            out.extend(names)
            continue
        if c.type not in LITERALS and c.type != "identifier":
            return None
        out.append(c)
    return out


@predicate("python.unmodified_loop_condition")
def unmodified_loop_condition(ctx: MatchContext):
    """`while i < n:` where the body never mentions i or n and cannot leave the loop: once
    entered it never ends."""
    loop = ctx.node("match")
    cond = unwrap(loop.child_by_field_name("condition"))
    fn = enclosing_function(loop)
    if fn is None or cond is None or cond.type != "comparison_operator":
        return None
    operands = _operands(cond)
    if not operands:
        return None
    names = {n.text for n in operands if n.type == "identifier"}
    if not names:
        return None  # literals only: written on purpose
    fn_text = fn.text
    if b"nonlocal" in fn_text or b"global" in fn_text or b"locals()" in fn_text or b"exec(" in fn_text:
        return None
    scope = scope_for(ctx.file, loop)
    for name in names:
        s = name.decode("utf-8", "replace")
        if s not in scope.params and s not in scope.defs:
            return None  # a global or a closure variable: a call may change it
    body = loop.child_by_field_name("body")
    for n in _walk(body):
        t = n.type
        if t in EXITS:
            return None
        if t == "identifier" and n.text in names:
            return None
        if t == "call" and callee_name(n) in EXIT_CALLS:
            return None
    return Verdict(args={"cond": text(cond)})


# ---------------------------------------------------------------- off by one (RL136)

GROWING = frozenset({"append", "insert", "extend", "pop", "remove", "clear"})


def _len_of(node):
    """`x` for `len(x)` (x a name), else None."""
    node = unwrap(node)
    if node is None or node.type != "call" or callee_name(node) != "len":
        return None
    fn = node.child_by_field_name("function")
    if fn is None or fn.type != "identifier":
        return None
    positional, _ = call_args(node)
    if len(positional) != 1 or unwrap(positional[0]).type != "identifier":
        return None
    return unwrap(positional[0])


def _bound_past_end(ctx, loop):
    """(index name, sequence name) when the loop lets the index reach len(seq): `while i <=
    len(seq)`, `for i in range(len(seq) + 1)`, `range(0, len(seq) + 1)`."""
    if loop.type == "while_statement":
        cond = unwrap(loop.child_by_field_name("condition"))
        if cond is None or cond.type != "comparison_operator" or cond.named_child_count != 2:
            return None
        ops = [c.type for c in cond.children if not c.is_named]
        left, right = (unwrap(c) for c in cond.named_children)
        if ops == ["<="] and left.type == "identifier" and _len_of(right) is not None:
            return left, _len_of(right)
        if ops == [">="] and right.type == "identifier" and _len_of(left) is not None:
            return right, _len_of(left)
        return None
    left, right = unwrap(loop.child_by_field_name("left")), unwrap(loop.child_by_field_name("right"))
    if left is None or left.type != "identifier" or right is None or right.type != "call" or callee_name(right) != "range":
        return None
    positional, kw = call_args(right)
    if kw or len(positional) not in (1, 2):
        return None
    if len(positional) == 2 and not (unwrap(positional[0]).type == "integer"):
        return None
    stop = unwrap(positional[-1])
    if stop.type != "binary_operator":
        return None
    op = stop.child_by_field_name("operator")
    one = unwrap(stop.child_by_field_name("right"))
    seq = _len_of(stop.child_by_field_name("left"))
    if op is None or op.type != "+" or one is None or one.text != b"1" or seq is None:
        return None
    return left, seq


@predicate("python.index_past_end")
def index_past_end(ctx: MatchContext):
    """seq[i] inside a loop that lets i reach len(seq): the last round reads or writes one past
    the end (IndexError in Python; the same code ported to C overflows)."""
    loop = ctx.node("match")
    found = _bound_past_end(ctx, loop)
    if found is None:
        return None
    index, seq = found
    body = loop.child_by_field_name("body")
    hit = None
    for n in _walk(body):
        if n.type == "identifier" and n.text == seq.text:
            parent = n.parent
            if parent.type == "attribute" and text(parent.child_by_field_name("attribute")) in GROWING:
                return None  # the sequence grows or shrinks in the loop
            if parent.type in ("assignment", "augmented_assignment") and parent.child_by_field_name("left") == n:
                return None
        if n.type == "comparison_operator" and index.text in n.text and b"len(" in n.text:
            return None  # a bounds check inside the loop
        if n.type == "subscript" and hit is None:
            value, sub = unwrap(n.child_by_field_name("value")), unwrap(n.child_by_field_name("subscript"))
            if value is not None and sub is not None and value.text == seq.text and sub.type == "identifier" and sub.text == index.text:
                hit = n
    if hit is None:
        return None
    return Verdict(node=hit, args={"seq": text(seq), "index": text(index)})


# ---------------------------------------------------------------- incomplete path checks (RL137)

TRAVERSAL_NEEDLES = frozenset({"/../", "\\..\\"})
REMOVED_SEQUENCES = frozenset({"../", "..\\", "..", "./"})


@predicate("python.incomplete_path_check")
def incomplete_path_check(ctx: MatchContext):
    """`'/../' in path` as the traversal check (a leading '../' and absolute paths pass), or
    `path.replace('../', '')` as the clean-up (one pass: '....//' becomes '../')."""
    node = ctx.node("match")
    fn = enclosing_function(node)
    body = fn.text if fn is not None else local_text(ctx.file, node)
    if node.type == "comparison_operator":
        ops = [c.type for c in node.children if not c.is_named]
        if ops not in (["in"], ["not in"]) or node.named_child_count != 2:
            return None
        needle = node.named_children[0]
        if needle.type != "string" or _plain(needle) not in TRAVERSAL_NEEDLES:
            return None
        if b"isabs" in body or b"startswith" in body or b"realpath" in body or b"abspath" in body or b"normpath" in body:
            return None  # other checks around it
        return Verdict(args={"how": f"the test {text(node)} (a path that starts with '../', or an absolute path, passes it)"})
    # x.replace('../', '')
    positional, _ = call_args(node)
    if len(positional) != 2 or _plain(positional[1]) != "" or _plain(positional[0]) not in REMOVED_SEQUENCES:
        return None
    if any(a.type in ("while_statement",) for a in _ancestors(node, fn)):
        return None  # repeated until nothing changes
    return Verdict(args={"how": f"{text(node.child_by_field_name('function'))}({text(positional[0])}, '') "
                                "(one pass: '....//' becomes '../')"})


def _plain(node) -> str | None:
    return string_value(node)
