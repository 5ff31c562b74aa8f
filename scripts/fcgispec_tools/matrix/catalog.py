"""The rows of a table of the matrix: every case its columns ran, grouped by
section, with its level and requirement text."""
import dataclasses

from . import sections


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    section: str
    level: str
    requirement: str


def row_key(case):
    """The group a case of a report goes in: its section, or for a proxy
    case that answers as the application (reply lines, "side": "response")
    the section on the response side (sections.RESPONSE + section)."""
    if case.get("side") == "response":
        return sections.RESPONSE + case["section"]
    return case["section"]


def rows(results):
    """[(group, [Case...])] in section order (sections.sort_key); cases keep
    the order of the first report that has them (fcgispec's catalog
    order)."""
    by_id = {}
    for r in results:
        for c in r.cases.values():
            by_id.setdefault(
                c["id"], Case(c["id"], row_key(c), c["level"],
                              c["requirement"]))
    grouped = {}
    for case in by_id.values():
        grouped.setdefault(case.section, []).append(case)
    return sorted(grouped.items(), key=lambda kv: sections.sort_key(kv[0]))


def verdicts_differ(case, results):
    """True when the columns that ran CASE did not all give one verdict."""
    seen = {r.cases[case.id]["verdict"] for r in results if case.id in r.cases}
    return len(seen) > 1
