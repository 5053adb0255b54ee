"""Predicate and fix of python_http.toml: HTTP requests that can wait forever (RL336).

`requests` has no default timeout: `requests.get(url)` waits as long as the server keeps the
connection open, so one slow or malicious peer holds a worker (thread, process, Celery task)
until someone restarts it. httpx has a 5-second default, so only an explicit `timeout=None`
turns it off there. This is bandit's B113 check, judged by qualified name (`from requests
import get`, `import requests as r` included) instead of the text of the call, so that bandit
itself need not run for it.
"""

from __future__ import annotations

from redline.findings import Fix
from redline.rules.predicates import MatchContext, Verdict, fix, predicate
from redline.rules.predicates.python_fixes import append_arguments, replace_node
from redline.rules.predicates.python_scope import call_qualname, has_splat, keyword_node, text

# Module-level functions that send a request (requests.api and httpx's top-level API).
REQUESTS_CALLS = frozenset({"get", "options", "head", "post", "put", "patch", "delete", "request"})
HTTPX_CALLS = REQUESTS_CALLS | {"stream", "Client", "AsyncClient"}
DEFAULT_TIMEOUT = "10"


def _library(qualname: str) -> tuple[str, str] | None:
    """('requests' | 'httpx', function) for a call of one of the two libraries' request API."""
    parts = qualname.split(".")
    if len(parts) == 2 and parts[0] == "requests" and parts[1] in REQUESTS_CALLS:
        return "requests", parts[1]
    if len(parts) == 3 and parts[:2] == ["requests", "api"] and parts[2] in REQUESTS_CALLS:
        return "requests", parts[2]
    if len(parts) == 2 and parts[0] == "httpx" and parts[1] in HTTPX_CALLS:
        return "httpx", parts[1]
    return None


@predicate("python.http_without_timeout")
def http_without_timeout(ctx: MatchContext):
    call = ctx.node("match")
    if call is None or call.type != "call":
        return None
    qn = call_qualname(ctx.file, call)
    found = _library(qn) if qn else None
    if found is None:
        return None
    lib, name = found
    kw = keyword_node(call, "timeout")
    if kw is not None:
        value = kw.child_by_field_name("value")
        if value is None or value.type != "none":
            return None  # a timeout is given (a number, a tuple, a variable: the caller's choice)
        return Verdict(args={"call": f"{lib}.{name}()", "how": "with timeout=None"}, data={"none": True})
    if lib == "httpx":
        return None  # httpx applies a 5-second timeout unless told otherwise
    if has_splat(call):
        return None  # `**options` may carry the timeout
    return Verdict(args={"call": f"{lib}.{name}()", "how": "without a timeout"}, data={"none": False})


@fix("python.add_timeout")
def add_timeout(ctx: MatchContext, verdict: Verdict):
    call = ctx.node("match")
    if call is None or call.type != "call" or call.child_by_field_name("arguments") is None:
        return None
    if verdict.data.get("none"):
        kw = keyword_node(call, "timeout")
        value = kw.child_by_field_name("value") if kw is not None else None
        if value is None:
            return None
        edit = replace_node(ctx, value, DEFAULT_TIMEOUT)
    else:
        if call.child_by_field_name("arguments").type != "argument_list":
            return None
        edit = append_arguments(ctx, call, f"timeout={DEFAULT_TIMEOUT}")
    # A timeout changes behaviour for slow but legitimate transfers: for review, not "fix all".
    return Fix(title=f"Add timeout={DEFAULT_TIMEOUT} (seconds) to {text(call.child_by_field_name('function'))}()",
               edits=(edit,), safe=False)
