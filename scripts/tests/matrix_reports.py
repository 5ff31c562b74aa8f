"""Shared by the matrix tests: small fcgispec JSON reports, in the schema
conformance/src/report_files.c writes, scored as conformance/src/score.c
scores them."""
from fcgispec_tools import verdicts

LEVELS = ["MUST", "TRUST", "SHOULD", "MAY", "INFO"]
SCORED = ["MUST", "TRUST", "SHOULD"]


def case(cid, verdict, level="MUST", known=False, trace="", section=None,
         rerun="fcgispec -v"):
    """One case of a report; its section is the id's first part unless
    given."""
    return {"id": cid, "section": section or cid.split("/")[0],
            "level": level, "role": "responder", "verdict": verdict,
            "known": known, "ms": 1,
            "requirement": f"requirement of {cid} <&>", "expected": "exp",
            "observed": "obs", "notes": "", "rerun": f"{rerun} '{cid}'",
            "trace": trace}


def report(cases, target="unix:/fcgispec.sock", wall_ms=10):
    levels = {lv: {"total": 0, "scored": 0, "passed": 0} for lv in LEVELS}
    counts = {v: 0 for v in verdicts.NAMES}
    for c in cases:
        counts[c["verdict"]] += 1
        lv = levels[c["level"]]
        lv["total"] += 1
        if c["verdict"] not in verdicts.UNSCORED:
            lv["scored"] += 1
            lv["passed"] += c["verdict"] == "pass"
    scored = sum(levels[lv]["scored"] for lv in SCORED)
    passed = sum(levels[lv]["passed"] for lv in SCORED)
    return {"tool": "fcgispec", "target": target, "wall_ms": wall_ms,
            "jobs": 1,
            "summary": {"levels": levels, "verdicts": counts,
                        "score": 100.0 * passed / scored if scored else 100.0,
                        "regressions": 0, "known": 0, "content_checked": 0,
                        "content_unchecked": 0, "exit_code": 0},
            "cases": cases}
