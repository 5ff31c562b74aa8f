"""Runs fcgispec against each column (a backend, or a reverse proxy in
front of fcgispec's recording backend) and keeps its JSON report, or the
reason the column could not be run."""
import concurrent.futures
import dataclasses
import json
import os
import shlex
import subprocess
import threading
import time

from .. import verdicts
from . import catalog
from .columns import BACKEND, PROXY

# The levels fcgispec's score counts; only proxy cases have TRUST (a rule
# that comes from a security advisory, judged like MUST).
SCORED_LEVELS = {BACKEND: ["MUST", "SHOULD"],
                 PROXY: ["MUST", "TRUST", "SHOULD"]}



def scored_levels_text(kind):
    """'MUST and SHOULD', 'MUST, TRUST and SHOULD'."""
    *most, last = SCORED_LEVELS[kind]
    return f"{', '.join(most)} and {last}"


@dataclasses.dataclass
class Result:
    name: str
    kind: str  # BACKEND or PROXY
    description: str
    has_baseline: bool
    repro: str  # command prefix that reruns one case (the id is appended)
    report: dict | None = None  # fcgispec's JSON report
    skipped: str | None = None  # why there is no report
    seconds: float = 0.0

    @property
    def cases(self):
        return {c["id"]: c for c in self.report["cases"]} if self.report else {}

    @property
    def counts(self):
        return self.report["summary"]["verdicts"] if self.report else {}

    @property
    def score(self):
        return self.report["summary"]["score"] if self.report else None

    @property
    def scored_levels(self):
        return SCORED_LEVELS[self.kind]

    def level(self, level):
        """'passed/scored' for a level, e.g. '35/57'."""
        lv = self.report["summary"]["levels"][level]
        return f"{lv['passed']}/{lv['scored']}"

    def section_score(self, section):
        """(passed, scored) over the section's cases of a scored level
        that got a scored verdict (not info or unsupported)."""
        scored = [c for c in self.cases.values()
                  if catalog.row_key(c) == section
                  and c["level"] in self.scored_levels
                  and c["verdict"] not in verdicts.UNSCORED]
        return sum(c["verdict"] == "pass" for c in scored), len(scored)

    def repro_for(self, case_id):
        return f"{self.repro} {shlex.quote(case_id)}"

    def one_line(self):
        if self.report is None:
            return f"skipped: {self.skipped}"
        counts = ", ".join(f"{v} {self.counts.get(v, 0)}" for v in verdicts.NAMES
                           if self.counts.get(v))
        return f"{self.score:.1f}% ({counts}) in {self.seconds:.1f} s"


@dataclasses.dataclass
class Setup:
    root: object  # pathlib.Path of the repository
    build: object  # pathlib.Path of the build directory
    out: object  # pathlib.Path: json/, junit/ and logs/ are written under it
    timeout: float  # seconds for one column's whole run


def shown_path(path, root):
    """PATH relative to ROOT when it lies inside it (for commands people
    copy), absolute otherwise."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def report_paths(setup, name):
    """Where a column's JSON report, JUnit report and log go (names are
    unique across kinds: columns.discover)."""
    return (setup.out / "json" / f"{name}.json",
            setup.out / "junit" / f"{name}.xml",
            setup.out / "logs" / f"{name}.log")


def command(column, setup):
    """The argv that runs the suite against COLUMN, and its rerun prefix."""
    json_path, junit_path, _ = report_paths(setup, column.name)
    report = ["--color", "never", "--json", str(json_path),
              "--junit", str(junit_path)]
    if column.start is None:
        fcgispec = setup.build / "conformance" / "fcgispec"
        repro = f"{shown_path(fcgispec, setup.root)} -v"
        return [str(fcgispec), "--jobs", "2", *report], repro
    repro = f"bash {shown_path(column.run_sh, setup.root)} {column.name} -v"
    return ["bash", str(column.run_sh), column.name, *report], repro


def skip_reason(returncode, stderr):
    """The last thing fcgispec (or the start script) said on stderr."""
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    said = lines[-1] if lines else "nothing on stderr"
    return f"exit code {returncode}: {said}"


def new_result(column, setup):
    _, repro = command(column, setup)
    return Result(column.name, column.kind, column.description,
                  column.baseline is not None, repro)


def read_report(result, json_path):
    """RESULT with the report at JSON_PATH, or the reason it has none. A
    report whose run could not happen (its "failure") is kept on disk for
    CI, but the column was not checked."""
    if not json_path.exists():
        result.skipped = f"no report {json_path.name}"
        return result
    try:
        report = json.loads(json_path.read_text())
    except json.JSONDecodeError as e:
        result.skipped = f"unreadable JSON report {json_path.name}: {e}"
        return result
    if report.get("failure"):
        result.skipped = f"no case could run: {report['failure']}"
    else:
        result.report = report
    return result


def run_one(column, setup):
    json_path, _, log_path = report_paths(setup, column.name)
    json_path.unlink(missing_ok=True)
    argv, _ = command(column, setup)
    result = new_result(column, setup)
    started = time.monotonic()
    try:
        p = subprocess.run(
            argv, cwd=setup.root, capture_output=True, text=True,
            errors="replace", timeout=setup.timeout,
            env={**os.environ, "FCS_BUILD_DIR": str(setup.build)})
    except subprocess.TimeoutExpired as e:
        result.skipped = f"no report within {setup.timeout:.0f} s"
        log_path.write_text(str(e.stdout or "") + str(e.stderr or ""))
        return result
    finally:
        result.seconds = time.monotonic() - started
    log_path.write_text(p.stdout + p.stderr)
    result = read_report(result, json_path)
    if not result.report:
        result.skipped = skip_reason(p.returncode, p.stderr)
    return result


def load_all(columns, setup, reports):
    """Results from the JSON reports under REPORTS (json/NAME.json, as a
    run writes them: e.g. one CI job per column), running nothing."""
    results = []
    for column in columns:
        result = read_report(new_result(column, setup),
                             reports / "json" / f"{column.name}.json")
        if result.report:
            result.seconds = result.report.get("wall_ms", 0) / 1000
        else:
            result.skipped += f" in {reports}"
        results.append(result)
    return results


def run_all(columns, setup, jobs, say=print, proxy_jobs=None):
    """Runs up to JOBS columns at a time, or with PROXY_JOBS, JOBS backends
    and, beside them, PROXY_JOBS proxies (a proxy run mostly waits on the
    network); results in COLUMNS' order. Runs share nothing: a backend
    gets a private Unix socket, and a proxy run its own work directory and
    the free loopback ports the kernel gives it, with fcgispec's recording
    backend on one of them."""
    for sub in ("json", "junit", "logs"):
        (setup.out / sub).mkdir(parents=True, exist_ok=True)
    lock = threading.Lock()
    done = []

    def one(column):
        with lock:
            say(f"running {column.name} ...")
        result = run_one(column, setup)
        with lock:
            done.append(column.name)
            say(f"[{len(done)}/{len(columns)}] {column.name}: "
                f"{result.one_line()}")
        return result

    if not proxy_jobs:
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(one, columns))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool, \
            concurrent.futures.ThreadPoolExecutor(
                max_workers=proxy_jobs) as proxy_pool:
        futures = [(proxy_pool if c.kind == PROXY else pool).submit(one, c)
                   for c in columns]
        return [f.result() for f in futures]
