"""Compares each column's verdicts (a backend's or a proxy's) with its
checked-in baseline."""
import dataclasses

from .. import verdicts

# The reference responder has no baseline file: the spec leaves INFO cases
# open and it lacks one optional feature, so it may report pass and the
# verdicts no score counts (info, unsupported) only.
REFERENCE_ALLOWED = {"pass", *verdicts.UNSCORED}


@dataclasses.dataclass(frozen=True)
class Change:
    case: str
    expected: str
    now: str


class BaselineError(ValueError):
    pass


def read_baseline(path):
    """{case id: verdict} from 'CASE-ID VERDICT' lines, by the rule
    fcgispec --baseline reads them with (conformance/src/baseline.h): '#'
    starts a comment, each case is listed once, with a verdict other than
    pass."""
    listed = [v for v in verdicts.NAMES if v != "pass"]
    expected = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 2 or fields[1] not in listed:
            raise BaselineError(
                f"{path.name} line {number}: expected 'CASE-ID VERDICT' "
                f"(verdict: {', '.join(listed)}), got {line!r}")
        if fields[0] in expected:
            raise BaselineError(f"{path.name} line {number}: '{fields[0]}' is listed twice")
        expected[fields[0]] = fields[1]
    return expected


def changes(result, baseline):
    """Every case whose verdict differs from BASELINE (None: the reference
    rule), including baseline entries for cases that no longer ran."""
    seen = {cid: c["verdict"] for cid, c in result.cases.items()}
    found = []
    if baseline is None:
        for cid, verdict in seen.items():
            if verdict not in REFERENCE_ALLOWED:
                found.append(Change(cid, "pass", verdict))
        return found
    for cid, verdict in seen.items():
        want = baseline.get(cid, "pass")
        if verdict != want:
            found.append(Change(cid, want, verdict))
    for cid in sorted(set(baseline) - set(seen)):
        found.append(Change(cid, baseline[cid], "not run (no such case)"))
    return found


def report(results, baselines):
    """(ok, text): the readable diff of changed verdicts, one block per
    column; a skipped column is a failure, never a silent pass."""
    lines = []
    ok = True
    for r in results:
        if r.report is None:
            ok = False
            lines.append(f"{r.name}: not checked, {r.skipped}")
            continue
        diff = changes(r, baselines.get(r.name))
        source = ("its baseline" if r.name in baselines else
                  "the reference rule (" + ", ".join(sorted(REFERENCE_ALLOWED))
                  + " only)")
        if not diff:
            lines.append(f"{r.name}: verdicts match {source}")
            continue
        ok = False
        lines.append(f"{r.name}: {len(diff)} verdicts differ from {source}")
        width = max(len(c.case) for c in diff)
        for c in diff:
            lines.append(f"  {c.case:<{width}}  expected {c.expected:<11} "
                         f"now {c.now}")
    return ok, "\n".join(lines)
