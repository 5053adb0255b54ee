"""NoSQL operator injection in Python (RL149): a value the client sent as JSON placed into a
MongoDB query or update document, inline or in a document built before the call.

A JSON body can carry an object where the code expects a string: `{"password": {"$ne": null}}`
matches every document, `{"$gt": ""}` any non-empty value, `{"$regex": ".*"}` anything. Form
fields, query-string values and route parameters are strings (a string cannot become an
operator), so only values parsed from JSON count, unless a key of the document itself comes
from the request (the client then chooses the field or the operator). Casts (`str(x)`,
`int(x)`, `ObjectId(x)`, `bool(x)`) and `isinstance(x, str)` checks end the finding.

The whole query taken from the request and `$where` code are RL131's (python_injection.py).
"""

from __future__ import annotations

from redline.findings import Related, Span
from redline.rules.predicates import MatchContext, Verdict, predicate
from redline.rules.predicates.python_scope import (
    arg,
    call_qualname,
    callee_name,
    enclosing_function,
    imports_module,
    parameters,
    string_value,
    text,
    unwrap,
)
from redline.rules.predicates.python_sinks import HIGH, MEDIUM, related_for, scope_uses
from redline.rules.predicates.taint_python import reaching_values, value_of

MONGO_FILTER_METHODS = frozenset({"find", "find_one", "find_one_and_update", "find_one_and_delete", "find_one_and_replace",
                                  "update_one", "update_many", "delete_one", "delete_many", "count_documents",
                                  "replace_one", "distinct", "count", "remove", "aggregate"})
MONGO_UPDATE_METHODS = frozenset({"update_one", "update_many", "find_one_and_update"})
MONGO_MODULES = ("pymongo", "motor", "mongoengine", "flask_pymongo", "mongomock")
# Calls whose result cannot be a dict or list (a document or an operator).
SCALAR_CASTS = frozenset({"str", "int", "float", "bool", "ObjectId", "Decimal", "UUID", "escape", "quote", "strip",
                          "lower", "upper", "isoformat", "len", "hash", "hexdigest", "format"})
JSON_LOADERS = frozenset({"json.loads", "simplejson.loads", "ujson.loads", "orjson.loads", "rapidjson.loads",
                          "flask.json.loads", "bson.json_util.loads"})
MAX_DEPTH = 5
# Parameter annotations under which a web framework hands over the parsed JSON as it is.
STRUCTURED_ANNOTATIONS = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "Any", "Json", "JSON", "object"})
UPDATE_OPERATORS = frozenset({"$set", "$setOnInsert", "$push", "$addToSet"})
WHY_VALUE = ("JSON can carry an object instead of a string, and {\"$ne\": null} or {\"$regex\": \".*\"} there matches "
             "every document (a login without the password, another user's records). Cast the value to the type the "
             "field holds (str(x), int(x), ObjectId(x)) or reject non-strings with isinstance() before building the query.")
WHY_UPDATE = ("the client chooses which fields are written (an is_admin flag, another user's owner field). Copy the "
              "allowed fields one by one, each cast to its type.")
WHY_CODE = ("JavaScript in that operator runs inside the database, and quotes in the value change it (' || '1'=='1). "
            "Express the condition with query operators ({'field': value}) instead of code.")
# Operators whose operand is JavaScript: in a dictionary literal they are RL131's (its query
# matches the pair wherever the document is built); stored with query['$where'] = ... they are here.
CODE_OPERATORS = frozenset({"$where", "$function", "$accumulator"})
WHY_KEY = ("the client chooses which field is matched, or names an operator ($ne, $where). Map it to a field name "
           "from a fixed list.")
# Operators whose operand is itself a filter or a set of fields: an object there chooses operators.
DOCUMENT_OPERATORS = frozenset({"$set", "$setOnInsert", "$push", "$addToSet", "$and", "$or", "$nor", "$not", "$elemMatch",
                                "$match"})


def _json_origin(file, node, depth: int = 0):
    """The node where `node`'s value was parsed from JSON sent by the client, following
    subscripts, `.get()`, and the variables it was read from; None when it is not such a value
    or a cast made it a scalar."""
    node = unwrap(node)
    if node is None or depth > MAX_DEPTH:
        return None
    t = node.type
    if t == "subscript":
        return _json_origin(file, node.child_by_field_name("value"), depth + 1)
    if t == "attribute":
        if text(node.child_by_field_name("attribute")) == "json" and "request" in text(node.child_by_field_name("object")):
            return node  # flask request.json, starlette/aiohttp request.json()
        return None
    if t == "call":
        name = callee_name(node)
        if name in SCALAR_CASTS:
            return None
        fn = node.child_by_field_name("function")
        if name in ("get", "pop", "setdefault") and fn is not None and fn.type == "attribute":
            return _json_origin(file, fn.child_by_field_name("object"), depth + 1)
        if name in ("get_json", "json") and fn is not None and fn.type == "attribute" \
                and "request" in text(fn.child_by_field_name("object")):
            return node
        if (call_qualname(file, node) or "") in JSON_LOADERS or name == "loads":
            source = arg(node, 0)
            return node if source is not None and value_of(file, source).tainted else None
        return None
    if t == "identifier":
        for value in reaching_values(file, node):
            found = _json_origin(file, value, depth + 1)
            if found is not None:
                return found
        return _structured_parameter(file, node)
    return None


def _structured_parameter(file, ident):
    """The annotation of a request-handler parameter declared as a JSON structure (FastAPI
    `filters: dict`, `body: Dict[str, Any]`, `data: Any`): the framework parses the body into it
    as it is, objects included. Parameters declared `str`/`int` are validated scalars."""
    fn = enclosing_function(ident)
    if fn is None:
        return None
    for name, _pnode, _default, ann in parameters(fn):
        if name != text(ident) or ann is None:
            continue
        words = text(ann).replace(" ", "")
        if words.split("[", 1)[0].rsplit(".", 1)[-1] in STRUCTURED_ANNOTATIONS and value_of(file, ident).tainted:
            return ann
    return None


def _checked_scalar(file, value, before: int) -> bool:
    """An isinstance(name, str|int...) check of the variable `value` before the call."""
    value = unwrap(value)
    if value is None or value.type != "identifier":
        return False
    for use in scope_uses(file, value, text(value)):
        if use.start_byte >= before:
            break
        p = use.parent
        call = p.parent if p is not None and p.type == "argument_list" else None
        if call is not None and call.type == "call" and callee_name(call) == "isinstance":
            kinds = arg(call, 1)
            if kinds is not None and any(w in text(kinds) for w in ("str", "int", "float", "bool")):
                return True
    return False


def _documents(file, node, depth: int = 0):
    """Dictionary literals that `node` is (a literal, or a variable bound to one before the call)."""
    node = unwrap(node)
    if node is None or depth > 3:
        return []
    if node.type == "dictionary":
        return [node]
    if node.type == "list":  # an aggregation pipeline: its stages
        return [item for item in node.named_children if item.type == "dictionary"]
    if node.type == "identifier":
        out = []
        for value in reaching_values(file, node):
            out += _documents(file, value, depth + 1)
        return out
    return []


def _stores(file, ident, before: int):
    """(key, value) of `name[key] = value` statements on the variable `ident` before `before`."""
    out = []
    if ident is None or unwrap(ident).type != "identifier":
        return out
    for use in scope_uses(file, ident, text(unwrap(ident))):
        if use.start_byte >= before:
            break
        sub = use.parent
        if sub is None or sub.type != "subscript" or sub.child_by_field_name("value") != use:
            continue
        assign = sub.parent
        if assign is None or assign.type != "assignment" or assign.child_by_field_name("left") != sub:
            continue
        key = sub.child_by_field_name("subscript")
        out.append((key, assign.child_by_field_name("right")))
    return out


def _pairs(file, doc, depth: int = 0):
    """(key, value) pairs of a document, nested documents and lists of documents included."""
    if depth > 4:
        return
    for pair in doc.named_children:
        if pair.type != "pair":
            continue
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        yield key, value
        v = unwrap(value)
        if v is not None and v.type == "dictionary":
            yield from _pairs(file, v, depth + 1)
        elif v is not None and v.type == "list":
            for item in v.named_children:
                if item.type == "dictionary":
                    yield from _pairs(file, item, depth + 1)


def _finding(file, call, which: str, key, value, stored: bool = False):
    """A verdict for one (key, value) of a query or update document (`stored`: set with
    `doc[key] = value`), or None."""
    key_name = string_value(key) if key is not None else None
    if key_name in CODE_OPERATORS:
        val = value_of(file, value) if stored and value is not None else None
        if val is None or not val.tainted:
            return None
        return Verdict(confidence=HIGH, node=value, args={"what": f"Request data ({val.what})", "where": f"a {key_name} clause",
                                                          "why": WHY_CODE}, related=related_for(val))
    if key is not None and key_name is None and value_of(file, key).tainted:
        kv = value_of(file, key)
        return Verdict(confidence=MEDIUM, node=key,
                       args={"what": f"A field name from the request ({kv.what})", "where": which, "why": WHY_KEY},
                       related=related_for(kv))
    if value is None:
        return None
    if (key_name or "").startswith("$") and key_name not in DOCUMENT_OPERATORS:
        return None  # the operand of $gt, $in, $eq... is compared as a value, objects included
    origin = _json_origin(file, value)
    if origin is None or _checked_scalar(file, value, call.start_byte):
        return None
    val = value_of(file, value)
    if not val.tainted:
        return None
    field_words = f"field '{key_name}'" if key_name and not key_name.startswith("$") else (key_name or "a field")
    related = (Related(Span.of_node(origin), "parsed from the client's JSON here: it may hold an object such as {\"$ne\": null}"),)
    if origin.type not in ("call", "attribute", "subscript"):  # a parameter's annotation
        related = (Related(Span.of_node(origin), "declared as a JSON structure: the framework passes the client's objects through"),)
    return Verdict(confidence=HIGH, node=value,
                   args={"what": f"A JSON value from the request ({val.what}) for {field_words}", "where": which,
                         "why": WHY_UPDATE if key_name in UPDATE_OPERATORS or which == "the update document" and not key_name
                         else WHY_VALUE},
                   related=related)


@predicate("python.nosql_operator_injection")
def nosql_operator_injection(ctx: MatchContext):
    call = ctx.node("match")
    name = ctx.text("fn")
    if name not in MONGO_FILTER_METHODS or not imports_module(ctx.file, *MONGO_MODULES):
        return None
    if name == "aggregate":
        docs = [("the aggregation pipeline", arg(call, 0, "pipeline"))]
    else:
        docs = [("the query filter", arg(call, 0, "filter"))]
    if name in MONGO_UPDATE_METHODS:
        docs.append(("the update document", arg(call, 1, "update")))
    for which, node in docs:
        if node is None:
            continue
        candidates = []
        for doc in _documents(ctx.file, node):
            candidates += [(k, v, False) for k, v in _pairs(ctx.file, doc)]
        candidates += [(k, v, True) for k, v in _stores(ctx.file, node, call.start_byte)]
        for key, value, stored in candidates:
            v = _finding(ctx.file, call, which, key, value, stored)
            if v is not None:
                return v
    return None
