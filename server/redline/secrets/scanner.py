"""One pass over a file: prefilter, then the detectors on the few lines that can hold a secret.

1. One combined RE2 pattern (every detector's anchor, the credential words of the context
   detector, URL and key markers) runs over the whole file as a single DFA pass: the lines it
   does not touch cost nothing more (on Django's package 2 % of the lines are candidates).
2. On each candidate line an RE2 `Set` of all token patterns says in one pass which detectors
   match; only those run to extract the token. The context, URL and private-key detectors run
   when their own cue is on the line.
3. Hits are filtered (placeholders, templates, test values), de-duplicated (a provider format
   beats a URL, which beats a context match on the same bytes) and sorted.

Everything is bytes in, byte offsets out; the engine turns hits into findings.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, replace
from functools import lru_cache

from redline.secrets import checks, context, keys, terraform, urls
from redline.secrets import filters as flt
from redline.secrets import regex as rx
from redline.secrets.detectors import DETECTORS, Detector
from redline.secrets.hits import Hit
from redline.secrets.syntax import Syntax, syntax_for

BINARY_SNIFF = 8192
MAX_LINE = 100_000  # longer lines (minified bundles) are scanned in windows of this size
MAX_HITS = 100  # secrets of one kind reported per line (window)
_PRIORITY = {"RL202": 0, "RL201": 1, "RL203": 2, "RL204": 3, "RL205": 4}
_CONTEXT_CODES = frozenset({"RL203", "RL204", "RL205"})


@dataclass(frozen=True)
class _Compiled:
    prefilter: object
    patterns: tuple  # detector index -> compiled pattern
    token_set: object | None  # RE2 Set over every detector pattern
    prefilter_hcl: object = None  # plus Terraform's `sensitive = true`


_SECRET_GROUP = {d.id: rx.groups(rx.compile(d.pattern)).get("secret", 0) for d in DETECTORS}
_lock = threading.Lock()
_compiled: _Compiled | None = None


def compiled() -> _Compiled:
    """The prefilter and detector patterns, compiled once per process."""
    global _compiled
    if _compiled is None:
        with _lock:
            if _compiled is None:
                parts = [d.prefilter for d in DETECTORS]
                parts += [r"(?i:" + context.CUE + r")", urls.PREFILTER, keys.PREFILTER]
                prefilter = rx.compile("|".join(f"(?:{p})" for p in parts))
                prefilter_hcl = rx.compile("|".join(f"(?:{p})" for p in [*parts, terraform.PREFILTER]))
                patterns = tuple(rx.compile(d.pattern) for d in DETECTORS)
                token_set = None
                if rx.BACKEND == "re2":
                    import re2

                    opts = re2.Options()
                    opts.max_mem = 64 << 20
                    token_set = re2.Set.SearchSet(opts)
                    for d in DETECTORS:
                        token_set.Add(d.pattern.encode())
                    token_set.Compile()
                _compiled = _Compiled(prefilter, patterns, token_set, prefilter_hcl)
    return _compiled


def is_binary(text: bytes) -> bool:
    return b"\0" in text[:BINARY_SNIFF]


def candidate_lines(text: bytes, prefilter=None) -> list[tuple[int, int]]:
    """(start, end) byte bounds of the lines the prefilter touches, in order, without line ends."""
    prefilter = prefilter or compiled().prefilter
    out: list[tuple[int, int]] = []
    has_cr = b"\r" in text
    n = len(text)
    line_end = -1
    for m in prefilter.finditer(text):
        p = m.start()
        if p <= line_end:
            continue
        if has_cr:
            ls = max(text.rfind(b"\n", 0, p), text.rfind(b"\r", 0, p)) + 1
            ends = [i for i in (text.find(b"\n", p), text.find(b"\r", p)) if i != -1]
            le = min(ends) if ends else n
        else:
            ls = text.rfind(b"\n", 0, p) + 1
            le = text.find(b"\n", p)
            if le == -1:
                le = n
        out.append((ls, le))
        line_end = le
    return out


def token_hits(line: bytes, base: int) -> list[Hit]:
    """Token-format hits on one line (`base`: the line's offset in the file)."""
    c = compiled()
    if c.token_set is not None:
        matched = c.token_set.Match(line) or ()
    else:  # pragma: no cover - without RE2
        matched = range(len(DETECTORS))
    out = []
    for i in matched:
        det = DETECTORS[i]
        for m in c.patterns[i].finditer(line):
            hit = _token_hit(det, m, line, base)
            if hit is not None:
                out.append(hit)
                if len(out) >= MAX_HITS:  # generated data, not typed code: bound the work
                    return out
    return out


def _token_hit(det: Detector, m, line: bytes, base: int) -> Hit | None:
    g = _SECRET_GROUP[det.id]
    s, e = m.span(g) if g > 0 else m.span()
    if s < 0:
        s, e = m.span()
    secret = line[s:e].rstrip(b".")
    e = s + len(secret)
    after = line[e : e + 2].lstrip(b"-_.")[:1]
    if after in (b"#", b"*", b"\xe2"):  # the rest is masked: `xoxp-...-####`, `...`, `•••`
        return None
    if det.check and not checks.CHECKS[det.check](secret):
        return None
    if det.filters and is_placeholder_token(secret, det.prefix.encode()):
        return None
    ls, le, quote = enclosing_literal(line, s, e)
    return Hit(
        code=det.code,
        detector=det.id,
        title=det.title,
        start=base + s,
        end=base + e,
        lit_start=base + ls,
        lit_end=base + le,
        quote=quote,
        env=det.env,
        confidence=det.confidence,
        shown=min(len(det.prefix), 12) if det.prefix else 4,
    )


_SEGMENT_SEPARATORS = b"-_.~:|/"


def random_part(secret: bytes, prefix: bytes = b"") -> bytes:
    """The part of a token that carries its randomness: the longest segment after the prefix
    (`e039d0...` in `xoxa-2-5111-3111-e039d0...`; team and user ids are not the secret)."""
    body = secret[len(prefix) :] if prefix and secret.startswith(prefix) else secret
    best = b""
    cur = bytearray()
    for b in body:
        if b in _SEGMENT_SEPARATORS:
            if len(cur) > len(best):
                best = bytes(cur)
            cur = bytearray()
        else:
            cur.append(b)
    if len(cur) > len(best):
        best = bytes(cur)
    return best or body


def is_placeholder_token(secret: bytes, prefix: bytes = b"") -> bool:
    """A token-shaped placeholder: its random part is a filler or a sequence, or the token
    spells a placeholder word or `EXAMPLE`."""
    part = random_part(secret, prefix)
    return bool(
        flt.reason(part, (flt.is_template, flt.is_low_diversity, flt.is_sequential))
        or flt.reason(secret, (flt.is_documentation_example, flt.is_token_placeholder))
    )


def enclosing_literal(line: bytes, s: int, e: int, quotes: bytes = b"\"'`") -> tuple[int, int, bytes]:
    """The string literal around bytes [s, e) of a line: (start, end, quote), or (s, e, b"")
    when the value is not inside quotes on this line."""
    for q in quotes:
        left = line.rfind(bytes([q]), 0, s)
        if left == -1:
            continue
        right = line.find(bytes([q]), e)
        if right == -1:
            continue
        # The left quote must open a literal: an even number of this quote before it.
        if _count_unescaped(line, q, 0, left) % 2 == 0 and _count_unescaped(line, q, left + 1, s) == 0:
            return left, right + 1, bytes([q])
    return s, e, b""


def _count_unescaped(line: bytes, q: int, start: int, end: int) -> int:
    n = 0
    i = line.find(bytes([q]), start, end)
    while i != -1:
        if i == 0 or line[i - 1] != 0x5C:
            n += 1
        i = line.find(bytes([q]), i + 1, end)
    return n


def _dedupe(found: list[Hit]) -> list[Hit]:
    """Keep one hit per secret: the more specific detector wins overlapping bytes. Hits are
    grouped into clusters of overlapping ones first, so the work stays linear in their number."""
    found.sort(key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    cluster: list[Hit] = []
    end = -1
    for h in found:
        if cluster and h.start < end:
            cluster.append(h)
            end = max(end, h.end)
            continue
        kept.extend(_best(cluster))
        cluster, end = [h], h.end
    kept.extend(_best(cluster))
    kept.sort(key=lambda h: (h.start, h.end))
    return kept


def _best(cluster: list[Hit]) -> list[Hit]:
    if len(cluster) <= 1:
        return cluster
    cluster.sort(key=lambda h: (_PRIORITY.get(h.code, 9), -h.width, h.start))
    kept: list[Hit] = []
    for h in cluster:
        for i, k in enumerate(kept):
            if h.overlaps(k):
                if h.name and not k.name:  # the variable a token is assigned to names the fix
                    kept[i] = replace(k, name=h.name)
                break
        else:
            kept.append(h)
    return kept


@lru_cache(maxsize=64)
def _syntax(language: str, path: str) -> Syntax:
    return syntax_for(language, path)


def scan_text(text: bytes, language: str = "text", path: str = "") -> list[Hit]:
    """Every secret in `text`, read as a file of `language` named `path`."""
    if not text or is_binary(text):
        return []
    c = compiled()
    hcl = language == "hcl"
    lines = candidate_lines(text, c.prefilter_hcl if hcl else c.prefilter)
    if not lines:
        return []
    syn = _syntax(language, path)
    n = len(text)
    found: list[Hit] = []
    # Python docstrings are documentation: no context hits inside them (tokens still count).
    docs, doc_starts = _docstrings(text) if language == "python" else ([], [])
    for ls, le in lines:
        in_doc = False
        if docs:
            k = bisect.bisect_right(doc_starts, le) - 1
            in_doc = k >= 0 and docs[k][1] > ls
        if le - ls > MAX_LINE:
            windows = [(w, min(le, w + MAX_LINE)) for w in range(ls, le, MAX_LINE)]
        else:
            windows = [(ls, le)]
        for ws, we in windows:
            line = text[ws:we]
            if line.endswith(b"\r"):
                line = line[:-1]
            found.extend(token_hits(line, ws))
            if not in_doc:
                found.extend(context.scan_line(line, ws, syn, _next_line_reader(text, we, n)))
            found.extend(urls.scan_line(line, ws))  # cheap byte tests first, inside
            if b"PRIVATE KEY" in line or b"PuTTY-User-Key-File" in line:
                found.extend(keys.scan(text, ws, we))
            if hcl and b"sensitive" in line:
                found.extend(terraform.sensitive_default(text, ws, syn))
    if path and flt.is_test_path(path):
        # A test compares values (`assert user.password != "wrong-pass1"`): not a credential.
        found = [h for h in found if not h.detector.endswith(context.COMPARISON)]
    kept = _dedupe(found)
    if path and flt.is_test_path(path):
        # In tests, values found by context are fixtures far more often than leaks: keep them, at
        # low confidence (provider-format tokens and private keys keep theirs).
        kept = [replace(h, confidence="low") if h.code in _CONTEXT_CODES else h for h in kept]
    return kept


@lru_cache(maxsize=8)
def _docstrings(text: bytes) -> tuple[list[tuple[int, int]], list[int]]:
    docs = context.docstring_spans(text) if (b'"""' in text or b"'''" in text) else []
    return docs, [d[0] for d in docs]


def context_hits(text: bytes, language: str, path: str, ls: int, le: int) -> list[Hit]:
    """What the context detector finds on the line [ls, le) of a file, as `scan_text` would:
    nothing inside a Python docstring, no comparison in a test file, but values that `gate`
    rejects included (confidence `context.UNGATED`). For engines that ask whether a value they
    found is held by a credential name (detect-secrets)."""
    if language == "python":
        docs, starts = _docstrings(text)
        k = bisect.bisect_right(starts, le) - 1
        if k >= 0 and docs[k][1] > ls:
            return []
    line = text[ls:le].rstrip(b"\r")
    found = context.scan_line(line, ls, _syntax(language, path), _next_line_reader(text, le, len(text)), ungated=True)
    if path and flt.is_test_path(path):
        found = [h for h in found if not h.detector.endswith(context.COMPARISON)]
    return found


def _next_line_reader(text: bytes, line_end: int, n: int):
    """k -> (line, start) of the k-th line after the one ending at `line_end`."""
    cache: dict[int, tuple[bytes, int] | None] = {}

    def next_line(k: int):
        if k in cache:
            return cache[k]
        pos = line_end
        result = None
        for _ in range(k):
            if pos >= n:
                result = None
                break
            pos += 2 if text[pos : pos + 2] == b"\r\n" else 1
            end = text.find(b"\n", pos)
            if end == -1:
                end = n
            result = (text[pos:end].rstrip(b"\r"), pos)
            pos = end
        cache[k] = result
        return result

    return next_line
