"""Runs fcgispec against each backend and keeps its JSON report, or the
reason the backend could not be run."""
import concurrent.futures
import dataclasses
import json
import os
import shlex
import subprocess
import threading
import time

VERDICTS = ["pass", "fail", "non-strict", "info", "unsupported", "hang",
            "error"]
SCORED_LEVELS = ["MUST", "SHOULD"]


@dataclasses.dataclass
class Result:
    name: str
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

    def level(self, level):
        """'passed/scored' for a level, e.g. '35/57'."""
        lv = self.report["summary"]["levels"][level]
        return f"{lv['passed']}/{lv['scored']}"

    def section_score(self, section):
        """(passed, scored) over the section's MUST and SHOULD cases that
        got a scored verdict (not info or unsupported)."""
        scored = [c for c in self.cases.values()
                  if c["section"] == section and c["level"] in SCORED_LEVELS
                  and c["verdict"] not in ("info", "unsupported")]
        return sum(c["verdict"] == "pass" for c in scored), len(scored)

    def repro_for(self, case_id):
        return f"{self.repro} {shlex.quote(case_id)}"

    def one_line(self):
        if self.report is None:
            return f"skipped: {self.skipped}"
        counts = ", ".join(f"{v} {self.counts.get(v, 0)}" for v in VERDICTS
                           if self.counts.get(v))
        return f"{self.score:.1f}% ({counts}) in {self.seconds:.1f} s"


@dataclasses.dataclass
class Setup:
    root: object  # pathlib.Path of the repository
    build: object  # pathlib.Path of the build directory
    backends_dir: object  # pathlib.Path holding run.sh and the start scripts
    out: object  # pathlib.Path: json/, junit/ and logs/ are written under it
    timeout: float  # seconds for one backend's whole run


def shown_path(path, root):
    """PATH relative to ROOT when it lies inside it (for commands people
    copy), absolute otherwise."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def report_paths(setup, name):
    """Where a backend's JSON report, JUnit report and log go."""
    return (setup.out / "json" / f"{name}.json",
            setup.out / "junit" / f"{name}.xml",
            setup.out / "logs" / f"{name}.log")


def command(backend, setup):
    """The argv that runs the suite against BACKEND, and its rerun prefix."""
    json_path, junit_path, _ = report_paths(setup, backend.name)
    report = ["--color", "never", "--json", str(json_path),
              "--junit", str(junit_path)]
    if backend.start is None:
        fcgispec = setup.build / "conformance" / "fcgispec"
        repro = f"{shown_path(fcgispec, setup.root)} -v"
        return [str(fcgispec), "--jobs", "2", *report], repro
    run_sh = setup.backends_dir / "run.sh"
    repro = f"bash {shown_path(run_sh, setup.root)} {backend.name} -v"
    return ["bash", str(run_sh), backend.name, *report], repro


def skip_reason(returncode, stderr):
    """The last thing fcgispec (or the start script) said on stderr."""
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    said = lines[-1] if lines else "nothing on stderr"
    return f"exit code {returncode}: {said}"


def new_result(backend, setup):
    _, repro = command(backend, setup)
    return Result(backend.name, backend.description,
                  backend.baseline is not None, repro)


def read_report(result, json_path):
    """RESULT with the report at JSON_PATH, or the reason it has none. A
    report whose run could not happen (its "failure") is kept on disk for
    CI, but the backend was not checked."""
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


def run_one(backend, setup):
    json_path, _, log_path = report_paths(setup, backend.name)
    json_path.unlink(missing_ok=True)
    argv, _ = command(backend, setup)
    result = new_result(backend, setup)
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


def load_all(backends, setup, reports):
    """Results from the JSON reports under REPORTS (json/NAME.json, as a
    run writes them: e.g. one CI job per backend), running nothing."""
    results = []
    for backend in backends:
        result = read_report(new_result(backend, setup),
                             reports / "json" / f"{backend.name}.json")
        if result.report:
            result.seconds = result.report.get("wall_ms", 0) / 1000
        else:
            result.skipped += f" in {reports}"
        results.append(result)
    return results


def run_all(backends, setup, jobs, say=print):
    """Runs up to JOBS backends at a time; results in BACKENDS' order."""
    for sub in ("json", "junit", "logs"):
        (setup.out / sub).mkdir(parents=True, exist_ok=True)
    lock = threading.Lock()
    done = []

    def one(backend):
        with lock:
            say(f"running {backend.name} ...")
        result = run_one(backend, setup)
        with lock:
            done.append(backend.name)
            say(f"[{len(done)}/{len(backends)}] {backend.name}: "
                f"{result.one_line()}")
        return result

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, backends))
