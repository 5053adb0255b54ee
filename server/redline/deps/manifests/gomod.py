"""go.mod: `require` (single lines and blocks), `replace` (a replacement by another module version
is what gets built, so that is what is checked; a replacement by a local folder is skipped), and
`toolchain goX.Y.Z` (checked against the Go standard library's advisories, package `stdlib`).

The `go X.Y` directive is a minimum language version, not the toolchain that builds the module,
so it is not checked (every old release line has standard-library advisories; flagging it would
fire on nearly every go.mod).
"""

from __future__ import annotations

from redline.deps import versions as V
from redline.deps.model import Manifest, Requirement
from redline.secrets.regex import linear

_TOKEN = linear(rb'"(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+')
_COMMENT = linear(rb"//.*$")
_DRIVE = linear(rb"^[A-Za-z]:[\\/]")
_GO_VERSION = linear(rb"go(\d+(?:\.\d+){0,2})")


def _tokens(line: bytes, base: int) -> list[tuple[bytes, int, int]]:
    out = []
    for m in _TOKEN.finditer(line):
        tok = m.group()
        start, end = base + m.start(), base + m.end()
        if tok[:1] in (b'"', b"`"):
            tok, start, end = tok[1:-1], start + 1, end - 1
        out.append((tok, start, end))
    return out


def _is_local(path: bytes) -> bool:
    return path.startswith((b"./", b"../", b"/")) or path in (b".", b"..") or _DRIVE.match(path) is not None


def parse(path: str, text: bytes) -> Manifest:
    manifest = Manifest(path, "go.mod", V.GO, application=None)
    block: bytes | None = None
    requires: list[Requirement] = []
    replaced: set[str] = set()
    pos = 0
    for raw in text.split(b"\n"):
        base = pos
        pos += len(raw) + 1
        line = _COMMENT.sub(b"", raw.rstrip(b"\r"))
        if not line.strip():
            continue
        toks = _tokens(line, base)
        if not toks:
            continue
        if block is not None:
            if toks[0][0] == b")":
                block = None
                continue
            directive, args = block, toks
        else:
            directive, args = toks[0][0], toks[1:]
            if args and args[0][0] == b"(":
                block = directive
                continue
        if directive == b"require" and len(args) >= 2:
            (mod, ms, me), (ver, vs, ve) = args[0], args[1]
            name = mod.decode("utf-8", "replace")
            requires.append(
                Requirement(
                    V.GO, name, (ms, ve), (ms, me), spec=ver.decode(), spec_span=(vs, ve),
                    version=ver.decode().lstrip("v") if ver.startswith(b"v") else ver.decode(),
                    version_span=(vs + 1, ve) if ver.startswith(b"v") else (vs, ve), dialect="exact",
                )
            )
        elif directive == b"replace":
            arrow = next((i for i, t in enumerate(args) if t[0] == b"=>"), None)
            if arrow is None or arrow == 0 or arrow + 1 >= len(args):
                continue
            old = args[0][0].decode("utf-8", "replace")
            replaced.add(old)
            new = args[arrow + 1 :]
            if _is_local(new[0][0]) or len(new) < 2:
                continue
            (mod, ms, me), (ver, vs, ve) = new[0], new[1]
            manifest.requirements.append(
                Requirement(
                    V.GO, mod.decode("utf-8", "replace"), (ms, ve), (ms, me), spec=ver.decode(), spec_span=(vs, ve),
                    version=ver.decode().lstrip("v"), version_span=(vs + 1, ve) if ver.startswith(b"v") else (vs, ve),
                    kind="override", dialect="exact",
                )
            )
        elif directive == b"toolchain" and args:
            tok, ts_, te = args[0]
            m = _GO_VERSION.match(tok)
            if m:
                manifest.requirements.append(
                    Requirement(
                        V.GO, "stdlib", (ts_, te), None, spec=tok.decode(), spec_span=(ts_, te),
                        version=m.group(1).decode(), version_span=(ts_ + 2, ts_ + 2 + len(m.group(1))),
                        kind="toolchain", dialect="exact",
                    )
                )
    manifest.requirements.extend(r for r in requires if r.name not in replaced)
    manifest.requirements.sort(key=lambda r: r.span)
    return manifest
