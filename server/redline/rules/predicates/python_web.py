"""Python web-handler predicates of the rule families RL143 (request data stored in the session)
and RL144 (exception details sent to the client).

Both read only the function around the match and the module's imports (the predicate contract)
and ask the local taint analysis (taint_python) where a value comes from.
"""

from __future__ import annotations

import re

from redline.rules.predicates import MatchContext, Verdict, predicate
from redline.rules.predicates.python_injection import _all_validated
from redline.rules.predicates.python_scope import (
    call_args,
    call_qualname,
    callee_name,
    enclosing,
    imports_for,
    imports_module,
    qualname,
    string_value,
    text,
    unwrap,
)
from redline.rules.predicates.python_sinks import HIGH, LOW, MEDIUM, related_for
from redline.rules.predicates.taint_python import in_request_handler, reaching_values, scope_for, value_of

# ---------------------------------------------------------------- RL143 trust boundary

SESSION_QUALNAMES = frozenset({"flask.session", "quart.session", "bottle.request.session"})


def _session_store(ctx, obj) -> str | None:
    """How `obj` names a server-side session: flask's `session` (as imported, or a bare
    `session` in a request handler whose imports we cannot see), or `request.session` /
    `self.request.session` (Django, Starlette, Pyramid). None for anything else."""
    obj = unwrap(obj)
    if obj is None:
        return None
    if obj.type == "identifier":
        name = text(obj)
        qual = imports_for(ctx.file, obj).get(name)
        if qual in SESSION_QUALNAMES:
            return "the session"
        if name == "session" and qual is None and in_request_handler(ctx.file, obj):
            # A fragment (imports not visible) or `from flask import *`: only inside a handler.
            if not imports_module(ctx.file, "sqlalchemy", "requests", "aiohttp", "boto3", "httpx"):
                return "the session"
        return None
    if obj.type == "attribute" and text(obj.child_by_field_name("attribute")) == "session":
        base = unwrap(obj.child_by_field_name("object"))
        if base is not None and text(base) in ("request", "req", "self.request"):
            return "the session"
    return None


def _server_meta(value) -> bool:
    """request.META['CSRF_COOKIE'], META['REMOTE_USER']...: keys the server or middleware set,
    not headers the client sent (those are HTTP_*)."""
    v = unwrap(value)
    if v is None or v.type != "subscript" or not text(v.child_by_field_name("value")).endswith(".META"):
        return False
    key = string_value(v.child_by_field_name("subscript"))
    return key is not None and not key.startswith(("HTTP_", "QUERY_STRING", "PATH_INFO"))


def _decorated(node) -> bool:
    fn = enclosing(node, ("function_definition",))
    return fn is not None and fn.parent is not None and fn.parent.type == "decorated_definition"


@predicate("python.trust_boundary")
def trust_boundary(ctx: MatchContext):
    """Request data stored unchecked in the session: `session['role'] = request.args['role']`,
    `request.session['next'] = request.GET['next']`, `session.update(user=request.form['u'])`."""
    node = ctx.node("match")
    store = _session_store(ctx, ctx.node("store"))
    if store is None:
        return None
    if node.type == "assignment":
        values = [node.child_by_field_name("right")]
    else:  # session.update(...), session.setdefault(key, value)
        positional, kw = call_args(node)
        values = (positional[1:2] if callee_name(node) == "setdefault" else positional) + list(kw.values())
    for value in values:
        if value is None:
            continue
        val = value_of(ctx.file, value, "session")
        if not val.tainted or _all_validated(ctx, value, node, "session", 0) or _server_meta(value):
            continue
        if val.what.startswith("route parameter") and not _decorated(node):
            continue  # a helper taking (request, ...) read as a Django view: its parameters are not the URL's
        return Verdict(
            confidence=MEDIUM,
            node=node,
            args={"how": f"Request data ({val.what})", "sink": store},
            related=related_for(val),
        )
    return None


# ---------------------------------------------------------------- RL144 error details to the client

TRACEBACK_CALLS = frozenset({"format_exc", "format_exception", "format_tb", "format_stack", "extract_tb",
                             "print_exc", "format_exception_only", "exc_info"})
RESPONSE_CALLS = frozenset({"HttpResponse", "JsonResponse", "HttpResponseServerError", "HttpResponseBadRequest",
                            "jsonify", "make_response", "Response", "JSONResponse", "HTMLResponse",
                            "PlainTextResponse", "render_template", "render"})
# Calls whose result carries the text of their arguments.
CARRY_CALLS = frozenset({"str", "repr", "format", "join", "dict", "list", "tuple", "dumps", "jsonify", "encode",
                         "format_map", "replace", "strip", "lower", "upper", "escape"})
RESPONSE_META = frozenset({"status", "status_code", "headers", "mimetype", "content_type", "media_type", "safe",
                           "encoder", "json_dumps_params", "background", "charset", "reason"})
BROAD = frozenset({"Exception", "BaseException"})


def _detail_in(ctx, expr, depth: int = 0) -> tuple[str, object] | None:
    """('a stack trace' | "the exception's message", node) when `expr` carries a traceback or
    the object/text of the exception being handled, directly or through local variables."""
    stack = [unwrap(expr)]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        t = n.type
        if t == "call":
            name = callee_name(n)
            qn = call_qualname(ctx.file, n) or ""
            if name in TRACEBACK_CALLS and (qn.startswith(("traceback.", "sys.")) or name == "format_exc"):
                return "a stack trace", n
            if name not in CARRY_CALLS and name not in RESPONSE_CALLS:
                continue  # handle(request, e): what an unknown function returns is not e's text
        if t == "attribute":
            attr = text(n.child_by_field_name("attribute"))
            if attr in ("__name__", "__class__", "status_code", "code"):
                continue  # the exception's type or status: not its details
        if t == "identifier":
            clause = _handling(n)
            if clause is not None:
                return "the exception's message", (n, clause)
            if depth < 2:
                for v in reaching_values(ctx.file, n):
                    found = _detail_in(ctx, v, depth + 1)
                    if found is not None:
                        return found
            continue
        if t in ("string", "comment") and not any(c.type == "interpolation" for c in n.named_children):
            continue
        if t in ("lambda", "function_definition"):
            continue
        stack.extend(n.named_children)
    return None


def _response_built(ctx, value) -> bool:
    """A returned response object made by a response constructor (`return jsonify(...)`,
    `resp = make_response(...); return resp, 500`)."""
    v = unwrap(value)
    if v is not None and v.type in ("expression_list", "tuple") and v.named_child_count:
        v = unwrap(v.named_children[0])
    if v is None:
        return False
    if v.type == "call":
        return callee_name(v) in RESPONSE_CALLS
    if v.type == "identifier":
        values = reaching_values(ctx.file, v)
        return bool(values) and all(unwrap(x) is not None and unwrap(x).type == "call"
                                    and callee_name(unwrap(x)) in RESPONSE_CALLS for x in values)
    return False


def _handling(ident):
    """The except clause that binds `ident` (`except E as ident:`) around it, or None."""
    name = text(ident)
    clause = enclosing(ident, ("except_clause", "function_definition"))
    while clause is not None and clause.type == "except_clause":
        for c in clause.named_children:
            if c.type == "as_pattern":
                alias = c.child_by_field_name("alias")
                if alias is not None and text(alias) == name:
                    return clause
        clause = enclosing(clause, ("except_clause", "function_definition"))
    return None


OAUTH_MODULES = ("authlib", "oauthlib", "requests_oauthlib", "flask_oauthlib", "oauth2_provider", "social_core")
OAUTH_ERROR_NAMES = ("OAuthError", "OAuth1Error", "OAuth2Error", "OAuthException", "OAuth2Exception")


def _protocol_error(ctx, clause) -> bool:
    """The caught class is an OAuth protocol error: RFC 6749/6750/8628 define its `error` and
    `error_description` for the client (invalid_grant, invalid_token), so returning it is the
    protocol, not a leak. Read by type: the class's name or the OAuth library it comes from."""
    for c in clause.named_children:
        if c.type not in ("as_pattern", "identifier", "attribute", "tuple", "parenthesized_expression"):
            continue
        types = c.named_children[0] if c.type == "as_pattern" and c.named_child_count else c
        types = unwrap(types)
        items = types.named_children if types is not None and types.type == "tuple" else [types]
        found = False
        for item in items:
            qn = qualname(ctx.file, item) or ""
            if not qn:
                return False
            if not (qn.endswith(OAUTH_ERROR_NAMES) or qn.startswith(tuple(m + "." for m in OAUTH_MODULES))):
                return False
            found = True
        return found
    return False


def _caught(clause) -> str:
    for c in clause.named_children:
        if c.type == "as_pattern" and c.named_child_count:
            return text(c.named_children[0])
    return ""


@predicate("python.error_details")
def error_details(ctx: MatchContext):
    """A request handler that returns, or builds a response from, a traceback (high) or the
    exception it caught (medium for `except Exception`, low for a narrower class, which is
    often a message meant for the user)."""
    node = ctx.node("match")
    if node.type == "return_statement":
        if not scope_for(ctx.file, node).route:
            return None  # a helper's return value is not the response (a view's is)
        values = [c for c in node.named_children if c.type != "comment"]
        if values and _response_built(ctx, values[0]):
            return None  # the response constructor's own match reports it
        where = "the view's return value"
    else:
        if ctx.node("fn") is not None and text(ctx.node("fn")) not in RESPONSE_CALLS:
            return None
        positional, kw = call_args(node)
        values = positional + [v for k, v in kw.items() if k not in RESPONSE_META]
        where = f"{text(node.child_by_field_name('function'))}()"
    if not values or not in_request_handler(ctx.file, node):
        return None
    if re.search(rb"\bDEBUG\b", (enclosing(node, ("function_definition",)) or node).text):
        return None  # details only in debug mode (app.debug / settings.DEBUG)
    for value in values:
        found = _detail_in(ctx, value)
        if found is None:
            continue
        what, where_node = found
        if what == "a stack trace":
            return Verdict(confidence=HIGH, node=value, args={"how": f"{where} with {what}", "what": what})
        _ident, clause = where_node
        if _protocol_error(ctx, clause):
            continue
        conf = MEDIUM if _caught(clause) in BROAD or not _caught(clause) else LOW
        return Verdict(confidence=conf, node=value, args={"how": f"{where} with {what}", "what": what})
    return None
