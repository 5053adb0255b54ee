"""OSV records: what Redline keeps of them, and whether a version is affected.

`compact(record)` turns one OSV record into one small entry per affected package:

    {"id", "aliases", "summary", "severity", "score", "url", "published", "modified",
     "ranges": [[type, [[kind, version], ...]], ...], "versions": [...]}

- withdrawn records are dropped (`compact` returns nothing);
- `GIT` ranges are dropped (commit hashes mean nothing in a manifest);
- range events are sorted in the ecosystem's version order (kind "i" introduced,
  "f" fixed, "l" last_affected), so matching is one walk;
- every `affected[]` entry of the same package is merged: a version is affected when it falls
  in any range or is listed in `versions` (the OSV rule: any entry, any range, or the list);
- `versions` keeps only the versions the ranges do not already cover (PYSEC lists every release,
  which is most of the file's size and adds nothing the ranges do not say).

Matching follows https://ossf.github.io/osv-schema/#evaluation: within one range a version V is
affected when the last `introduced` at or below V is not followed by a `fixed` at or below V or
by a `last_affected` below V.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from redline.deps import cvss
from redline.deps import versions as V
from redline.secrets.regex import linear

SUMMARY_MAX = 160
_KIND = {"introduced": "i", "fixed": "f", "last_affected": "l"}
_KIND_ORDER = {"i": 0, "l": 1, "f": 2}
_SEVERITY_WORDS = {"CRITICAL": "CRITICAL", "HIGH": "HIGH", "MODERATE": "MEDIUM", "MEDIUM": "MEDIUM", "LOW": "LOW"}
# A sentence of an advisory's (whitespace-normalized) details: up to ".", "!" or "?" before a
# space or the end. Advisory text comes from the network, so RE2 (linear) rather than a lazy
# scan that is quadratic on text without a full stop.
_SENTENCE = linear(r".+?[.!?](?:\s|$)")
_REF_ORDER = ("ADVISORY", "WEB", "REPORT", "FIX", "PACKAGE", "ARTICLE")


def summary_of(record: dict) -> str:
    text = (record.get("summary") or "").strip()
    if not text:
        details = " ".join((record.get("details") or "").split())
        # The first sentence of the details, and the second when the first is only a short
        # introduction ("Requests is a HTTP library.").
        sentences = [t.strip() for t in _SENTENCE.findall(details)] or [details]
        text = sentences[0]
        if len(text) < 40 and len(sentences) > 1:
            text += " " + sentences[1].strip()
    text = " ".join(text.split())
    if len(text) > SUMMARY_MAX:
        text = text[: SUMMARY_MAX - 1].rstrip() + "…"
    return text


def severity_of(record: dict) -> tuple[str | None, float | None]:
    """(rating, score): from a CVSS v3 vector when there is one, else the database's word."""
    best: float | None = None
    for sev in record.get("severity") or ():
        if isinstance(sev, dict) and str(sev.get("type", "")).startswith("CVSS_V3"):
            score = cvss.base_score(str(sev.get("score", "")))
            if score is not None and (best is None or score > best):
                best = score
    if best is not None:
        return cvss.rating(best), best
    word = (record.get("database_specific") or {}).get("severity")
    if isinstance(word, str) and word.upper() in _SEVERITY_WORDS:
        return _SEVERITY_WORDS[word.upper()], None
    return None, None


def url_of(record: dict) -> str | None:
    db_url = (record.get("database_specific") or {}).get("url")
    if isinstance(db_url, str) and db_url.startswith("https://"):
        return db_url
    rid = str(record.get("id", ""))
    if rid.startswith(("GHSA-", "PYSEC-", "GO-", "MAL-")):
        return f"https://osv.dev/vulnerability/{rid}"
    refs = [r for r in record.get("references") or () if isinstance(r, dict) and isinstance(r.get("url"), str)]
    refs.sort(key=lambda r: _REF_ORDER.index(r.get("type")) if r.get("type") in _REF_ORDER else len(_REF_ORDER))
    return refs[0]["url"] if refs else None


def _sort_events(ecosystem: str, rtype: str, events: list) -> list[list[str]] | None:
    """Events as sorted [kind, version] pairs; None when a version does not parse."""
    out = []
    for ev in events:
        if not isinstance(ev, dict):
            continue
        for key, value in ev.items():
            kind = _KIND.get(key)
            if kind is None or not isinstance(value, str):
                continue  # `limit` and unknown keys do not describe affected versions
            out.append([kind, value])

    eco = ecosystem if rtype == "ECOSYSTEM" else V.NPM  # SEMVER ranges compare as SemVer

    for kind, version in out:
        if not (kind == "i" and version == "0") and V.parse(eco, version) is None:
            return None
    # (0, ...) sorts "0" first; parsed versions of one ecosystem compare with each other.
    zero = [e for e in out if e[0] == "i" and e[1] == "0"]
    rest = sorted((e for e in out if not (e[0] == "i" and e[1] == "0")), key=lambda e: (V.parse(eco, e[1]), _KIND_ORDER[e[0]]))
    return zero + rest


def affected_by_range(ecosystem: str, rtype: str, events: list, version) -> bool:
    """Is the parsed `version` inside one range (sorted events)?"""
    eco = ecosystem if rtype == "E" else V.NPM
    affected = False
    for kind, ev in events:
        if kind == "i" and ev == "0":
            affected = True
            continue
        bound = V.parse(eco, ev)
        if bound is None:
            continue
        if bound > version:
            break
        if kind == "i":
            affected = True
        elif kind == "f":
            affected = False
        elif kind == "l" and bound < version:
            affected = False
    return affected


def _version_for(ecosystem: str, rtype: str, text: str):
    return V.parse(ecosystem if rtype == "E" else V.NPM, text)


def compact(record: dict, ecosystem: str, stats: dict | None = None) -> Iterator[tuple[str, dict]]:
    """(normalized package name, compact entry) for each package of `ecosystem` the record affects."""
    stats = stats if stats is not None else {}
    if record.get("withdrawn"):
        stats["withdrawn"] = stats.get("withdrawn", 0) + 1
        return
    rid = record.get("id")
    affected = record.get("affected")
    if not isinstance(rid, str) or not isinstance(affected, list):
        stats["malformed"] = stats.get("malformed", 0) + 1
        return
    per_package: dict[str, dict] = {}
    for entry in affected:
        if not isinstance(entry, dict):
            continue
        pkg = entry.get("package") or {}
        if pkg.get("ecosystem") != ecosystem or not isinstance(pkg.get("name"), str):
            continue
        name = V.normalize_name(ecosystem, pkg["name"])
        slot = per_package.setdefault(name, {"ranges": [], "versions": []})
        for rng in entry.get("ranges") or ():
            if not isinstance(rng, dict):
                continue
            rtype = rng.get("type")
            if rtype not in ("ECOSYSTEM", "SEMVER"):
                continue  # GIT: commit hashes
            events = _sort_events(ecosystem, rtype, rng.get("events") or [])
            if events is None:
                stats["unparsable_ranges"] = stats.get("unparsable_ranges", 0) + 1
                continue
            if events:
                slot["ranges"].append(["E" if rtype == "ECOSYSTEM" else "S", events])
        for version in entry.get("versions") or ():
            if isinstance(version, str) and version not in slot["versions"]:
                slot["versions"].append(version)
    if not per_package:
        return
    severity, score = severity_of(record)
    base = {
        "id": rid,
        "aliases": [a for a in record.get("aliases") or () if isinstance(a, str)][:6],
        "summary": summary_of(record),
        "severity": severity,
        "score": score,
        "url": url_of(record),
        "published": record.get("published"),
        "modified": record.get("modified"),
    }
    for name, slot in per_package.items():
        ranges = slot["ranges"]
        kept = []
        for version in slot["versions"]:
            covered = False
            for rtype, events in ranges:
                parsed = _version_for(ecosystem, rtype, version)
                if parsed is not None and affected_by_range(ecosystem, rtype, events, parsed):
                    covered = True
                    break
            if not covered:
                kept.append(version)
        if not ranges and not kept:
            # Nothing to match (e.g. a fix written as a date), but the name is still a real
            # package: keep the entry so that name checks know it.
            stats["unmatchable"] = stats.get("unmatchable", 0) + 1
        stats["dropped_versions"] = stats.get("dropped_versions", 0) + len(slot["versions"]) - len(kept)
        yield name, dict(base, ranges=ranges, versions=kept)


@dataclass(frozen=True)
class Advisory:
    """One advisory as it applies to one package (frozen; parsed ranges are cached on first use)."""

    id: str
    ecosystem: str
    package: str
    summary: str = ""
    aliases: tuple[str, ...] = ()
    severity: str | None = None
    score: float | None = None
    url: str | None = None
    published: str | None = None
    modified: str | None = None
    ranges: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    versions: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_entry(cls, ecosystem: str, package: str, entry: dict) -> "Advisory":
        return cls(
            id=entry["id"],
            ecosystem=ecosystem,
            package=package,
            summary=entry.get("summary") or "",
            aliases=tuple(entry.get("aliases") or ()),
            severity=entry.get("severity"),
            score=entry.get("score"),
            url=entry.get("url"),
            published=entry.get("published"),
            modified=entry.get("modified"),
            ranges=tuple((t, tuple((k, v) for k, v in ev)) for t, ev in entry.get("ranges") or ()),
            versions=frozenset(entry.get("versions") or ()),
        )

    def _parsed_ranges(self) -> tuple:
        """Ranges with their event versions parsed once: (type, ((kind, version or None), ...))."""
        cached = self.__dict__.get("_parsed")
        if cached is None:
            out = []
            for rtype, events in self.ranges:
                eco = self.ecosystem if rtype == "E" else V.NPM
                out.append((rtype, tuple((k, None if (k == "i" and v == "0") else V.parse(eco, v)) for k, v in events)))
            cached = tuple(out)
            object.__setattr__(self, "_parsed", cached)
        return cached

    def intervals(self) -> list[tuple[object, object, bool]] | None:
        """The affected versions as (low or None, high or None, high inclusive) intervals, with
        parsed bounds; None when a range has an unparsable bound. `versions` are not included."""
        out = []
        for _rtype, events in self._parsed_ranges():
            low = None
            open_ = False
            for kind, bound in events:
                if kind == "i":
                    if not open_:
                        low, open_ = bound, True
                elif open_:
                    if bound is None:
                        return None
                    out.append((low, bound, kind == "l"))
                    open_ = False
            if open_:
                out.append((low, None, False))
        return out

    def ceiling(self):
        """(bound, inclusive) above which no range of this advisory reaches, or None when a range
        is open-ended (its last event is an `introduced`) or a bound does not parse."""
        best = None
        for rtype, events in self._parsed_ranges():
            if not events or events[-1][0] == "i":
                return None
            kind, bound = events[-1]
            if bound is None:
                return None
            cand = (bound, kind == "l")
            if best is None or type(best[0]) is not type(bound):
                if best is not None:
                    return None  # SEMVER and ECOSYSTEM ranges mixed: no common order
                best = cand
            elif bound > best[0] or (bound == best[0] and cand[1]):
                best = cand
        return best

    def affects(self, version_text: str) -> bool:
        """Is this exact version (as written) affected?"""
        text = version_text.strip()
        if text in self.versions:
            return True
        if self.ecosystem == V.GO:
            text = text.lstrip("v")
            if text in self.versions:
                return True
        for rtype, events in self._parsed_ranges():
            version = _version_for(self.ecosystem, rtype, text)
            if version is None:
                continue
            affected = False
            for kind, bound in events:
                if bound is None:
                    if kind == "i":
                        affected = True
                    continue
                if bound > version:
                    break
                if kind == "i":
                    affected = True
                elif kind == "f":
                    affected = False
                elif kind == "l" and bound < version:
                    affected = False
            if affected:
                return True
        return False

    def boundary_versions(self) -> Iterable[str]:
        """Every version the advisory names: event versions (except "0") and listed versions."""
        for _t, events in self.ranges:
            for _k, v in events:
                if v != "0":
                    yield v
        yield from self.versions

    def fixed_versions(self) -> list[str]:
        return [v for _t, events in self.ranges for k, v in events if k == "f"]

    def introduced_versions(self) -> list[str]:
        return [v for _t, events in self.ranges for k, v in events if k == "i" and v != "0"]

    @property
    def has_fix(self) -> bool:
        return any(k == "f" for _t, events in self.ranges for k, _v in events)

    @property
    def title(self) -> str:
        """`ID (CVE-...)`: the id and its first CVE alias."""
        cve = next((a for a in self.aliases if a.startswith("CVE-")), None)
        return f"{self.id} ({cve})" if cve and cve != self.id else self.id
