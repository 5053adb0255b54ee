"""Dataflow models as data: what a language's taint analysis knows about libraries, in TOML.

One file per language (`rules/models/<language>.toml`), read once (cached) and checked against
the schema below; a bad file raises `ModelError` naming the file, the entry and the key. The
taint analyzers (rules/predicates/taint_<language>.py) and the rule predicates read these
tables instead of keeping their own. The shape follows Semgrep's taint mode (sources, sinks,
sanitizers, propagators) and CodeQL's models-as-data (a callee, an argument, a category).
The schema is language-neutral; docs/models.md has the reference with examples.

Top-level keys (all optional except `language`):

    language = "java"

    [[source]]                       # where user input enters
    kind = "call"                    # "call": a method call returns user input
    methods = ["getParameter", ...]  #   the method names
    receiver_types = [...]           #   the receiver's static type (simple name)...
    receiver_names = [...]           #   ...or, when its type is unknown, its variable name
    receiver_calls = [...]           #   ...or a call that returns such a receiver (getRequest())
    label = "..."                    #   optional words for the message (default: the call text)

    [[source]]
    kind = "annotation"              # a parameter annotated so (Spring @RequestParam, JAX-RS)
    names = [...]

    [[source]]
    kind = "helper"                  # a helper given the request returns part of it
    pattern = "^(get|read)\\w*Param" #   RE2, on the method name

    [[source]]
    kind = "member"                  # a property read (or method call) on a known object:
    receiver_names = ["req"]         #   req.query, ctx.request, location.hash; `names` are the
    names = ["query", "body"]        #   properties, `methods` the methods (req.get('x')); the
    methods = ["get", "header"]      #   analyzer decides which objects are that receiver
    label = "request data"

    [[source]]
    kind = "entry"                   # parameters of an entry point: main(String[] args)
    methods = ["main"]
    label = "command-line arguments"

    [[sink]]                         # where a category of data must not arrive unchecked
    category = "sql"                 # the sink category (rules pick theirs)
    callees = ["executeQuery", ...]  # method or constructor names
    argument = 0                     # the argument index that matters (-1: every argument)
    receiver_types = [...]           # optional: only on receivers of these types
    strength = "strong"              # optional free tag a rule may use ("strong", "weak", "not")

    [[sanitizer]]                    # a call whose result is safe for a category
    categories = ["html"]            # or ["*"]: safe for every category
    names = [...]                    # exact callee names...
    qualified = [...]                # ...or exact "Receiver.callee" texts
    pattern = "..."                  # ...or RE2 on the lower-cased callee / "receiver.callee"
    on = "callee"                    # optional: the pattern reads the callee name only ("callee"),
                                     # or also "receiver.callee" ("both", the default)

    [[guard]]                        # checks that make a value safe when they pass
    category = "path"
    kinds = ["base", "dotdot", "regex", "allow"]   # the language's guard kinds

    [[propagator]]                   # how values flow through calls
    kind = "passthrough"             # result carries the receiver's and the arguments' taint
    names = [...]                    # kinds: passthrough, safe (result is never tainted: a
                                     # length, a boolean), append (adds the arguments to the
                                     # receiver: builders, collections), format (receiver class
                                     # + method joining its arguments: String.format), builder
                                     # (constructors whose result carries their arguments),
                                     # getter (reads an element back: get, getFirst), remove
                                     # (removes an element by index/key), put (stores a value
                                     # under a key), container (constructors of lists and maps
                                     # whose elements are tracked per constant index or key),
                                     # write (writes its arguments into a writer, and through it
                                     # into the buffer the writer wraps), transform (a function
                                     # whose result carries its arguments' data: path.join, atob),
                                     # decode (stores its input into the variables passed by
                                     # address: json.Unmarshal(data, &v), c.Bind(&v))
    receivers = [...]                # optional, for "format": the receiver class names

    [types]                          # factory methods whose result type is known
    getWriter = "PrintWriter"

    [aliases]                        # fully qualified names read as their simple name
    "java.security.MessageDigest" = "MessageDigest"
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from redline.secrets.regex import linear

HERE = Path(__file__).resolve().parent

SOURCE_KINDS = ("call", "annotation", "helper", "entry", "member")
PROPAGATOR_KINDS = ("passthrough", "safe", "append", "format", "builder", "getter", "remove", "put", "container",
                    "write", "transform", "decode")
SANITIZER_ON = ("both", "callee")

# key -> (type, required); types: "str", "int", "list[str]", "table[str]"
_SCHEMA: dict[str, dict[str, tuple[str, bool]]] = {
    "source": {"kind": ("str", True), "methods": ("list[str]", False), "receiver_types": ("list[str]", False),
               "receiver_names": ("list[str]", False), "receiver_calls": ("list[str]", False),
               "label": ("str", False), "names": ("list[str]", False), "pattern": ("str", False)},
    "sink": {"category": ("str", True), "callees": ("list[str]", True), "argument": ("int", False),
             "receiver_types": ("list[str]", False), "strength": ("str", False)},
    "sanitizer": {"categories": ("list[str]", True), "names": ("list[str]", False),
                  "qualified": ("list[str]", False), "pattern": ("str", False), "on": ("str", False)},
    "guard": {"category": ("str", True), "kinds": ("list[str]", True)},
    "propagator": {"kind": ("str", True), "names": ("list[str]", True), "receivers": ("list[str]", False)},
}
_TOP = {"language", "source", "sink", "sanitizer", "guard", "propagator", "types", "aliases"}


class ModelError(ValueError):
    """A model file that does not follow the schema."""


@dataclass(frozen=True)
class Source:
    kind: str
    methods: frozenset[str] = frozenset()
    receiver_types: frozenset[str] = frozenset()
    receiver_names: frozenset[str] = frozenset()
    receiver_calls: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    pattern: object | None = None
    label: str = ""


@dataclass(frozen=True)
class Sink:
    category: str
    callees: frozenset[str]
    argument: int = 0
    receiver_types: frozenset[str] = frozenset()
    strength: str = ""


@dataclass(frozen=True)
class Sanitizer:
    categories: frozenset[str]
    names: frozenset[str] = frozenset()
    qualified: frozenset[str] = frozenset()
    pattern: object | None = None
    on: str = "both"

    def matches(self, name: str, full: str) -> bool:
        if name in self.names or full in self.qualified:
            return True
        if self.pattern is None:
            return False
        return bool(self.pattern.search(name.lower()) or (self.on == "both" and self.pattern.search(full.lower())))


@dataclass(frozen=True)
class Model:
    language: str
    sources: tuple[Source, ...] = ()
    sinks: tuple[Sink, ...] = ()
    sanitizers: tuple[Sanitizer, ...] = ()
    guards: dict[str, frozenset[str]] = field(default_factory=dict)
    propagators: dict[str, frozenset[str]] = field(default_factory=dict)
    format_receivers: frozenset[str] = frozenset()
    types: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    _memo: dict = field(default_factory=dict, compare=False, repr=False)  # (callee, receiver.callee) -> sanitizers

    # ---------------------------------------------------------------- queries

    def sources_of(self, kind: str) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.kind == kind)

    def source_methods(self, kind: str = "call") -> frozenset[str]:
        out: set[str] = set()
        for s in self.sources_of(kind):
            out |= s.methods
        return frozenset(out)

    def sink_callees(self, category: str, strength: str | None = None) -> frozenset[str]:
        out: set[str] = set()
        for s in self.sinks:
            if s.category == category and (strength is None or s.strength == strength):
                out |= s.callees
        return frozenset(out)

    def sinks_for(self, category: str, callee: str) -> tuple[Sink, ...]:
        return tuple(s for s in self.sinks if s.category == category and callee in s.callees)

    def _matching(self, name: str, full: str) -> tuple[Sanitizer, ...]:
        key = (name, full)
        hit = self._memo.get(key)
        if hit is None:
            hit = tuple(s for s in self.sanitizers if s.matches(name, full))
            if len(self._memo) > 20_000:
                self._memo.clear()
            self._memo[key] = hit
        return hit

    def sanitizes(self, category: str, name: str, full: str) -> bool:
        return any("*" in s.categories or category in s.categories for s in self._matching(name, full))

    def sanitizes_other(self, category: str, name: str, full: str) -> bool:
        """A sanitizer for some other category: its result is still the data, encoded for
        another context (HTML-escaped text is as untrusted in SQL as it was before)."""
        return any("*" not in s.categories and category not in s.categories for s in self._matching(name, full))

    def propagates(self, kind: str) -> frozenset[str]:
        return self.propagators.get(kind, frozenset())

    def simple_name(self, dotted: str) -> str:
        """`java.security.MessageDigest` -> `MessageDigest` when the model knows the name (or any
        dotted name's last part: a fully qualified name is the class it names)."""
        dotted = "".join(dotted.split())
        return self.aliases.get(dotted) or dotted.rsplit(".", 1)[-1]


def _check(path: Path, section: str, index: int, entry) -> dict:
    where = f"{path.name}: [[{section}]] #{index + 1}"
    if not isinstance(entry, dict):
        raise ModelError(f"{where}: must be a table")
    schema = _SCHEMA[section]
    for key in entry:
        if key not in schema:
            raise ModelError(f"{where}: unknown key {key!r} (known: {', '.join(sorted(schema))})")
    for key, (typ, required) in schema.items():
        if key not in entry:
            if required:
                raise ModelError(f"{where}: missing key {key!r}")
            continue
        value = entry[key]
        ok = {
            "str": isinstance(value, str),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "list[str]": isinstance(value, list) and all(isinstance(v, str) for v in value),
        }[typ]
        if not ok:
            raise ModelError(f"{where}: {key!r} must be {typ}")
    if "pattern" in entry:
        try:
            entry = dict(entry, pattern=linear(entry["pattern"]))
        except ValueError as e:
            raise ModelError(f"{where}: 'pattern': {e}") from None
    return entry


def parse(path: Path, text: str | None = None) -> Model:
    """Read and check one model file (`text` instead of the file's content, for tests)."""
    try:
        data = tomllib.loads(text if text is not None else path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ModelError(f"{path.name}: {e}") from None
    unknown = set(data) - _TOP
    if unknown:
        raise ModelError(f"{path.name}: unknown top-level keys {sorted(unknown)} (known: {', '.join(sorted(_TOP))})")
    language = data.get("language")
    if not isinstance(language, str):
        raise ModelError(f"{path.name}: missing `language = \"...\"`")
    for section in ("types", "aliases"):
        table = data.get(section, {})
        if not isinstance(table, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in table.items()):
            raise ModelError(f"{path.name}: [{section}] must map names to names")
    entries = {}
    for section in _SCHEMA:
        items = data.get(section, [])
        if not isinstance(items, list):
            raise ModelError(f"{path.name}: {section} must be an array of tables ([[{section}]])")
        entries[section] = [_check(path, section, i, e) for i, e in enumerate(items)]
    sources = []
    for i, e in enumerate(entries["source"]):
        if e["kind"] not in SOURCE_KINDS:
            raise ModelError(f"{path.name}: [[source]] #{i + 1}: kind must be one of {', '.join(SOURCE_KINDS)}")
        sources.append(Source(e["kind"], frozenset(e.get("methods", ())), frozenset(e.get("receiver_types", ())),
                              frozenset(e.get("receiver_names", ())), frozenset(e.get("receiver_calls", ())),
                              frozenset(e.get("names", ())), e.get("pattern"), e.get("label", "")))
    sinks = tuple(Sink(e["category"], frozenset(e["callees"]), e.get("argument", 0), frozenset(e.get("receiver_types", ())),
                       e.get("strength", "")) for e in entries["sink"])
    sanitizers = []
    for i, e in enumerate(entries["sanitizer"]):
        if not (e.get("names") or e.get("qualified") or e.get("pattern")):
            raise ModelError(f"{path.name}: [[sanitizer]] #{i + 1}: needs names, qualified or pattern")
        if e.get("on", "both") not in SANITIZER_ON:
            raise ModelError(f"{path.name}: [[sanitizer]] #{i + 1}: on must be one of {', '.join(SANITIZER_ON)}")
        sanitizers.append(Sanitizer(frozenset(e["categories"]), frozenset(e.get("names", ())),
                                    frozenset(e.get("qualified", ())), e.get("pattern"), e.get("on", "both")))
    guards: dict[str, frozenset[str]] = {}
    for e in entries["guard"]:
        guards[e["category"]] = guards.get(e["category"], frozenset()) | frozenset(e["kinds"])
    propagators: dict[str, frozenset[str]] = {}
    format_receivers: set[str] = set()
    for i, e in enumerate(entries["propagator"]):
        if e["kind"] not in PROPAGATOR_KINDS:
            raise ModelError(f"{path.name}: [[propagator]] #{i + 1}: kind must be one of {', '.join(PROPAGATOR_KINDS)}")
        propagators[e["kind"]] = propagators.get(e["kind"], frozenset()) | frozenset(e["names"])
        if e["kind"] == "format":
            format_receivers |= set(e.get("receivers", ()))
    return Model(language, tuple(sources), sinks, tuple(sanitizers), guards, propagators, frozenset(format_receivers),
                 dict(data.get("types", {})), dict(data.get("aliases", {})))


_lock = threading.Lock()
_models: dict[str, Model] = {}


def load(language: str) -> Model:
    """The model of `language` (rules/models/<language>.toml), read and checked once."""
    with _lock:
        hit = _models.get(language)
        if hit is None:
            path = HERE / f"{language}.toml"
            if not path.is_file():
                raise ModelError(f"no dataflow model for {language!r} ({path.name})")
            hit = parse(path)
            if hit.language != language:
                raise ModelError(f"{path.name}: language = {hit.language!r}, expected {language!r}")
            _models[language] = hit
        return hit


__all__ = ["Model", "ModelError", "Sanitizer", "Sink", "Source", "load", "parse"]
