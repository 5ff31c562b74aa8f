"""The findings register: docs/findings/FNNN-slug.md, one page per finding.

Each page starts with `# FNNN: title` and a two-column field table
(implementation, side, risk, status, repro, clusters, timing); docs/findings.md
describes the fields. `load_register` reads every page and refuses a
malformed one with a ValueError naming the file and line; `cluster_index`
maps each differential cluster key to the finding that lists it, which is
how a campaign's clusters are told apart from new ones.
"""
import re
from dataclasses import dataclass
from pathlib import Path

SIDES = ("backend", "proxy")
RISKS = ("none", "low", "medium", "high")
STATUSES = ("new", "known upstream", "fixed in")
CLASSES = ("accept-reject", "param-set", "value-bytes", "body-bytes",
           "request-mixing", "crash", "hang")
FIELDS = ("implementation", "side", "risk", "status", "repro", "clusters",
          "timing")

PAGE_NAME = re.compile(r"(F\d{3})-[a-z0-9-]+\.md")
TITLE = re.compile(r"# (F\d{3}): (\S.*)")
ROW = re.compile(r"\| *([^|]*?) *\| *(.*?) *\|")
KEY_PART = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class Finding:
    id: str
    title: str
    implementation: str  # the start script's name: the field's first word
    side: str
    risk: str
    risk_reason: str
    status: str
    repro: str  # the command, without its backticks
    clusters: frozenset
    timing: bool
    path: Path


class _Page:
    """One page's lines, for errors that name the file and line."""

    def __init__(self, path, root):
        self.path = path
        try:
            self.name = path.relative_to(root)
        except ValueError:
            self.name = path
        self.lines = path.read_text().split("\n")

    def error(self, line, message):
        return ValueError(f"{self.name}:{line}: {message}")


def _fields(page):
    """{field: (value, line number)} from the table after the title."""
    fields, table_line = {}, 0
    for n, line in enumerate(page.lines[1:], 2):
        m = ROW.fullmatch(line.strip())
        if not m:
            if table_line:
                break
            if line.strip():
                raise page.error(n, "the field table must follow the title")
            continue
        table_line = table_line or n
        name, value = m.groups()
        if (name, value) in (("field", "value"), ("---", "---")):
            continue
        if name not in FIELDS:
            raise page.error(n, f"unknown field '{name}'")
        if name in fields:
            raise page.error(n, f"field '{name}' given twice")
        fields[name] = (value, n)
    for name in FIELDS:
        if name not in fields:
            raise page.error(table_line or 1, f"missing field '{name}'")
    return fields


def _cluster_keys(page, side, value, line):
    if value == "none":
        return frozenset()
    keys = []
    for item in value.split(","):
        key = item.strip().strip("`")
        parts = key.split("/")
        if (len(parts) != 3 or parts[0] not in SIDES
                or not KEY_PART.fullmatch(parts[1]) or parts[2] not in CLASSES):
            raise page.error(line, f"cluster key '{key}' is not SIDE/IMPL/CLASS "
                             f"(SIDE one of {', '.join(SIDES)}; CLASS one of "
                             f"{', '.join(CLASSES)})")
        if parts[0] != side:
            raise page.error(line, f"cluster key '{key}' is not on this "
                             f"finding's side ({side})")
        if key in keys:
            raise page.error(line, f"cluster key '{key}' listed twice")
        keys.append(key)
    return frozenset(keys)


def _parse(page, file_id):
    m = TITLE.fullmatch(page.lines[0])
    if not m:
        raise page.error(1, "the page must start with '# FNNN: title'")
    fid, title = m.groups()
    if fid != file_id:
        raise page.error(1, f"id {fid} does not match the file name ({file_id})")
    f = _fields(page)

    impl_value, impl_line = f["implementation"]
    implementation = impl_value.split()[0] if impl_value else ""
    if not KEY_PART.fullmatch(implementation):
        raise page.error(impl_line, "implementation must start with its start "
                         "script's name")
    side, side_line = f["side"]
    if side not in SIDES:
        raise page.error(side_line, f"side '{side}' is not one of {', '.join(SIDES)}")
    risk_value, risk_line = f["risk"]
    risk, _, reason = risk_value.partition(":")
    if risk not in RISKS:
        raise page.error(risk_line, f"risk '{risk}' is not one of {', '.join(RISKS)}")
    if not reason.strip():
        raise page.error(risk_line, "risk needs a reason: 'LEVEL: why'")
    status, status_line = f["status"]
    if not status.startswith(STATUSES):
        raise page.error(status_line, "status must start with one of: "
                         + ", ".join(STATUSES))
    repro_value, repro_line = f["repro"]
    repro = re.match(r"`([^`]+)`", repro_value)
    if not repro:
        raise page.error(repro_line, "repro must be a command in backticks")
    timing, timing_line = f["timing"]
    if timing not in ("yes", "no"):
        raise page.error(timing_line, f"timing '{timing}' is not yes or no")
    clusters_value, clusters_line = f["clusters"]
    clusters = _cluster_keys(page, side, clusters_value, clusters_line)
    return Finding(fid, title, implementation, side, risk, reason.strip(),
                   status, repro.group(1), clusters, timing == "yes",
                   page.path), clusters_line


def load_register(root):
    """Every finding of ROOT/docs/findings, sorted by id."""
    root = Path(root)
    findings, seen, owner = [], {}, {}
    for path in sorted((root / "docs" / "findings").glob("*.md")):
        page = _Page(path, root)
        m = PAGE_NAME.fullmatch(path.name)
        if not m:
            raise page.error(1, "a finding page is named FNNN-slug.md")
        finding, clusters_line = _parse(page, m.group(1))
        if finding.id in seen:
            raise page.error(1, f"id {finding.id} is also {seen[finding.id]}")
        seen[finding.id] = page.name
        for key in sorted(finding.clusters):
            if key in owner:
                raise page.error(clusters_line, f"cluster key '{key}' is also "
                                 f"listed by {owner[key]}")
            owner[key] = finding.id
        findings.append(finding)
    return sorted(findings, key=lambda f: f.id)


def cluster_index(findings):
    """{cluster key: the finding that lists it}."""
    index = {}
    for finding in findings:
        for key in finding.clusters:
            if key in index:
                raise ValueError(f"cluster key '{key}' is listed by "
                                 f"{index[key].id} and {finding.id}")
            index[key] = finding
    return index


def with_findings(clusters, root):
    """clusters (a results file's list) with `finding` (the id of the
    finding that lists the key) and `timing` (that finding's word, else
    true for a hang) from the register under root."""
    index = cluster_index(load_register(root))
    for c in clusters:
        f = index.get(c["key"])
        c["finding"] = f.id if f else None
        c["timing"] = f.timing if f else c["class"] == "hang"
    return clusters
