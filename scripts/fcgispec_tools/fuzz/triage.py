"""Crash triage: run each crashing input through a replay binary, group the
crashes by where they fail, shrink one input per group, and file it under
seeds/regression/<target>/ with a note."""
import datetime
import hashlib
import pathlib
import re
import subprocess
import tempfile

from .. import ROOT

FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ in (\S+)")
ORACLE = re.compile(r"^FUZZ ORACLE FAILED: (.*)$")
CHECK_AT = re.compile(r"^\s*check \(.*\) at (?:.*/)?([^/\s]+:\d+)$")
SANITIZER = re.compile(r"^(?:==\d+==ERROR: \w+Sanitizer: (\S+)|.*runtime error: (.*))")
# Frames of the harness and runtimes that say nothing about the bug.
NOISE = ("__sanitizer", "__asan", "__ubsan", "fz_fail", "abort", "raise",
         "LLVMFuzzerTestOneInput", "main", "replay_", "__libc", "_start",
         "fuzzer::")
STACK_DEPTH = 3


class Finding:
    def __init__(self, kind, where, message):
        self.kind, self.where, self.message = kind, where, message

    @property
    def signature(self):
        return f"{self.kind}:{self.where}"


def classify(output):
    """What a failing run's output says: an oracle failure (keyed by the
    check's file:line) or a sanitizer report (keyed by its kind and the top
    frames of the stack). None when the output shows neither."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        m = ORACLE.match(line)
        if m:
            where = next((c.group(1) for c in map(CHECK_AT.match, lines[i:]) if c), "?")
            return Finding("oracle", where, m.group(1))
    for line in lines:
        m = SANITIZER.match(line)
        if m:
            frames = [f.group(1) for f in map(FRAME.match, lines) if f]
            frames = [f for f in frames if not f.startswith(NOISE)][:STACK_DEPTH]
            kind = m.group(1) or "ubsan"
            return Finding("sanitizer", f"{kind}@{'/'.join(frames) or '?'}", line.strip())
    return None


def run_input(replay_binary, data, timeout=30):
    """Runs one input; returns the Finding, or None when it passes."""
    with tempfile.NamedTemporaryFile(prefix="fuzz-triage-") as f:
        f.write(data)
        f.flush()
        r = subprocess.run([str(replay_binary), f.name], capture_output=True,
                           text=True, errors="replace", timeout=timeout)
    if r.returncode == 0:
        return None
    return classify(r.stderr + r.stdout) or Finding("exit", str(r.returncode),
                                                      "non-zero exit without a report")


def minimise(data, still_fails, budget=400):
    """Shrinks data while still_fails(candidate) holds: removes chunks of
    halving size, then lowers bytes to zero. At most budget runs."""
    runs = 0
    chunk = max(1, len(data) // 2)
    while chunk >= 1 and runs < budget:
        i, shrunk = 0, False
        while i < len(data) and runs < budget:
            candidate = data[:i] + data[i + chunk:]
            runs += 1
            if candidate != data and still_fails(candidate):
                data, shrunk = candidate, True
            else:
                i += chunk
        if not shrunk:
            chunk //= 2
    for i in range(len(data)):
        if runs >= budget:
            break
        if data[i]:
            candidate = data[:i] + b"\0" + data[i + 1:]
            runs += 1
            if still_fails(candidate):
                data = candidate
    return data


def file_regression(target, data, finding, origin, regression_dir=None):
    """Writes the input as seeds/regression/<target>/<sha1> with a note;
    returns its path."""
    d = pathlib.Path(regression_dir or ROOT / "seeds" / "regression") / target
    d.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(data).hexdigest()
    path = d / digest
    path.write_bytes(data)
    (d / (digest + ".txt")).write_text(
        f"Found by: {target} ({origin}), filed {datetime.date.today()}.\n"
        f"Signature: {finding.signature}\n"
        f"Report: {finding.message}\n"
        "Cause and fix: to be written by whoever fixes it.\n")
    return path


def triage(target, replay_binary, crash_paths, regression_dir=None,
           budget=400, log=print):
    """Groups crash_paths by signature; files one minimised input per group.
    Returns {signature: filed path}."""
    groups = {}
    for p in crash_paths:
        data = pathlib.Path(p).read_bytes()
        finding = run_input(replay_binary, data)
        if finding is None:
            log(f"triage: {pathlib.Path(p).name} does not fail any more")
            continue
        groups.setdefault(finding.signature, (data, finding, pathlib.Path(p).name))
    filed = {}
    for sig, (data, finding, origin) in sorted(groups.items()):
        def same(candidate, sig=sig):
            f = run_input(replay_binary, candidate)
            return f is not None and f.signature == sig
        small = minimise(data, same, budget)
        filed[sig] = file_regression(target, small, finding, f"crash {origin}",
                                     regression_dir)
        log(f"triage: {sig}: {len(data)} -> {len(small)} bytes, filed {filed[sig].name}")
    return filed
