"""Runs batches of case files through one proxy start: a real proxy with
scripts/proxies/run.sh NAME --cases DIR --json FILE, or the stand-in proxy
conformance/tests/judge_proxy.py in one of its modes (the proof that the
oracles catch what they should). The runner reports per case whether the
proxy went down and its memory after the case (`down`, `rss_kib`); the
proxy's output is kept and searched for a worker that died (a master
process that lives on keeps the proxy reachable, so only its log tells)."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile

from .. import ROOT
from ..procs import stop_group
from . import outcome

RUN_SH = ROOT / "scripts" / "proxies" / "run.sh"
STANDIN = ROOT / "conformance" / "tests" / "judge_proxy.py"
STANDIN_MODES = ("plain", "desync", "crash")
# What the proxies write when a process of theirs dies of a signal or
# panics: nginx, Apache, h2o, HAProxy's BUG_ON, Go (Caddy), the sanitizers.
DIED = re.compile(r"exited on signal|exit signal|Segmentation fault|core dumped|"
                  r"received fatal signal|^FATAL: bug condition|^panic:|^fatal error:|"
                  r"AddressSanitizer|"
                  r"SIGSEGV|SIGABRT|SIGBUS", re.M)


def build_dir():
    return pathlib.Path(os.environ.get("FCS_BUILD_DIR", ROOT / "build" / "default"))


class WouldNotStart(Exception):
    """The proxy did not start (run.sh's exit status 3)."""


def proxy_names():
    out = subprocess.run(["bash", str(ROOT / "scripts" / "proxies" / "list.sh")],
                         capture_output=True, text=True, check=True).stdout
    return out.split()


class Batch:
    """What one run of a batch left: each case's JSON result by id, the
    proxy's peak memory in the run (KiB, 0 unmeasured), the log lines
    that tell of a death, and the run's placeholders."""

    def __init__(self, results, peak_kib, died, placeholders=None):
        self.results, self.peak_kib, self.died = results, peak_kib, died
        # What {host}, {port}, {docroot} stood for, and where the recording
        # backend listened (the report's "proxy").
        self.placeholders = placeholders or {}


class Target:
    """A proxy to run batches against: NAME of list.sh, or standin:MODE."""

    def __init__(self, spec, work):
        self.spec, self.work = spec, pathlib.Path(work)
        if spec.startswith("standin:"):
            self.mode = spec.split(":", 1)[1]
            if self.mode not in STANDIN_MODES:
                raise ValueError(f"unknown stand-in mode '{self.mode}' "
                                 f"(known: {' '.join(STANDIN_MODES)})")
        elif spec in proxy_names():
            self.mode = None
        else:
            raise ValueError(f"unknown proxy '{spec}' (known: "
                             f"{' '.join(proxy_names())}, or standin:MODE)")

    def repro(self, case_dir):
        """The command that runs a directory of cases against this proxy."""
        if self.mode is None:
            return f"bash scripts/proxies/run.sh {self.spec} --cases {case_dir} -v"
        return (f"fcgispec --cases {case_dir} -v --proxy unix:H.sock --listen "
                f"unix:B.sock --spawn \"exec /usr/bin/python3 "
                f"conformance/tests/judge_proxy.py {self.mode} unix:H.sock "
                f"unix:B.sock fcgi-curl\"")

    def command(self, cases, report, log, timeout_ms, settle_ms):
        common = ["--cases", str(cases), "--json", str(report),
                  "--timeout", str(timeout_ms), "--settle", str(settle_ms),
                  "--rss-limit", str(outcome.RSS_LIMIT_MIB)]
        if self.mode is None:
            return ["bash", str(RUN_SH), self.spec, *common], \
                {**os.environ, "FCS_PROXY_LOG": str(log)}
        http, rec = self.work / "h.sock", self.work / "b.sock"
        curl = build_dir() / "conformance" / "client" / "fcgi-curl"
        spawn = (f"exec /usr/bin/python3 '{STANDIN}' {self.mode} 'unix:{http}' "
                 f"'unix:{rec}' '{curl}' 2>'{log}'")
        return [str(build_dir() / "conformance" / "fcgispec"), "--proxy",
                f"unix:{http}", "--listen", f"unix:{rec}", "--spawn", spawn,
                *common], dict(os.environ)


class Driver:
    """Runs batches of (id, case text) for one Target in a private
    directory it removes at close()."""

    def __init__(self, spec):
        # A short path: Unix socket paths hold at most 107 bytes.
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="fcgispec-pfz."))
        try:
            self.target = Target(spec, self.work)
        except ValueError:
            self.close()
            raise
        self.runs = 0

    def close(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def run(self, cases, timeout_ms, settle_ms):
        """Runs the cases (a list of (id, text)) in one proxy start; a Batch."""
        self.runs += 1
        cases_dir = self.work / "cases"
        shutil.rmtree(cases_dir, ignore_errors=True)
        cases_dir.mkdir()
        for i, (_, text) in enumerate(cases):
            (cases_dir / f"{i:05d}.case").write_text(text)
        report, log = self.work / "report.json", self.work / "proxy.log"
        for f in (report, log):
            f.unlink(missing_ok=True)
        argv, env = self.target.command(cases_dir, report, log, timeout_ms, settle_ms)
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, errors="replace",
                                start_new_session=True)
        try:
            _, err = proc.communicate()
        except BaseException:  # interrupted: leave nothing running
            # the session: run.sh, and fcgispec, which stops the proxy's group
            stop_group(proc, 10)
            raise
        if proc.returncode == 3:
            raise WouldNotStart(" ".join(err.strip().splitlines()[-3:]) or
                                f"{self.target.spec} did not start")
        if not report.exists():
            raise RuntimeError(f"fcgispec wrote no report (exit {proc.returncode}): "
                               + " ".join(err.strip().splitlines()[-3:]))
        data = json.loads(report.read_text())
        results = {c["id"]: c for c in data["cases"]}
        text = log.read_text(errors="replace") if log.exists() else ""
        return Batch(results, data.get("proxy_memory", {}).get("peak_kib", 0),
                     [ln for ln in text.splitlines() if DIED.search(ln)],
                     data.get("proxy"))
