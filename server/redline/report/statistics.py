"""`redline scan --statistics`: how many findings each rule has, the most frequent first.

    12  RL101  sql-injection            error
     3  RL305  tls-verification-off     warning
"""

from __future__ import annotations

from redline.report.results import ScanResult


def counts(result: ScanResult) -> list[tuple[int, str, str, str]]:
    """(count, code, name, severity) per rule: by count (descending), then code."""
    table: dict[str, list] = {}
    for _fr, r in result.findings:
        f = r.finding
        row = table.setdefault(f.code, [0, f.code, f.name, f.severity])
        row[0] += 1
        if f.severity.rank > row[3].rank:
            row[3] = f.severity  # severities may be overridden per path: show the highest
    return sorted(((n, code, name, sev.value) for n, code, name, sev in table.values()), key=lambda t: (-t[0], t[1]))


def render(result: ScanResult) -> str:
    rows = counts(result)
    if not rows:
        return ""
    width = len(str(rows[0][0]))
    name_width = max(len(name) for _n, _c, name, _s in rows)
    return "".join(f"{n:>{width}}  {code}  {name:<{name_width}}  {sev}\n" for n, code, name, sev in rows)
