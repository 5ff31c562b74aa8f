"""Fuzz campaigns: libFuzzer (one process, or -fork=N workers sharing the
corpus) and AFL++ (one -M and N-1 -S instances sharing a sync folder), with
a progress line every few seconds and a summary at the end."""
import hashlib
import os
import pathlib
import re
import resource
import shutil
import subprocess
import tempfile
import threading
import time

from .. import ROOT
from . import build

DICT = ROOT / "fuzz" / "fastcgi.dict"
MAX_LEN = 4096  # when the target's fuzz/options file names none
# Status lines of a single process and of -fork mode.
STATUS = (re.compile(r"#(\d+)\s+\w+\s+cov: (\d+) ft: \d+ corp: (\d+)/\S+.*exec/s: (\d+)"),
          re.compile(r"#(\d+): cov: (\d+) ft: \d+ corp: (\d+) exec/s:? (\d+)"))
PROGRESS_EVERY = 5.0


def seeds(target):
    return ROOT / "seeds" / "corpus" / target


def max_len(target):
    """The max_len of fuzz/options/<target>.options (what OSS-Fuzz uses)."""
    path = ROOT / "fuzz" / "options" / f"{target}.options"
    if path.is_file():
        m = re.search(r"^max_len\s*=\s*(\d+)", path.read_text(), re.M)
        if m:
            return int(m.group(1))
    return MAX_LEN


def _children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def work_dir(target, root=None):
    """Where a target's corpus and artifacts go: under root, else
    $FCS_FUZZ_WORK, else build/fuzz-work."""
    base = root or os.environ.get("FCS_FUZZ_WORK") or ROOT / "build" / "fuzz-work"
    return pathlib.Path(base) / target


class Summary(dict):
    """execs, exec_s, coverage, corpus, crashes (list of paths)."""


def _pump(stream, sink):
    for line in stream:
        sink.append(line)


def run_libfuzzer(target, seconds, jobs=1, root=None, log=print,
                  corpus_target=None, engine="libfuzzer", keep_going=False):
    """Fuzzes target starting from the seeds of corpus_target (default: its
    own); new inputs go to the work directory, never into seeds/. engine
    "bench" runs the build without sanitizers. keep_going: fork mode that
    files a crash, timeout or out-of-memory and goes on (a long campaign on
    code with known bugs). The summary's cpu_s is the CPU time the fuzzer
    processes used, which on a shared machine is less than the wall time."""
    work = work_dir(target, root)
    corpus, artifacts = work / "corpus", work / "artifacts"
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    cmd = [str(build.binary(engine, target)),
           f"-max_total_time={seconds}", f"-max_len={max_len(target)}", f"-dict={DICT}",
           f"-artifact_prefix={artifacts}/", "-print_final_stats=1"]
    if jobs > 1 or keep_going:
        cmd.append(f"-fork={jobs}")
    if keep_going:
        cmd += ["-ignore_crashes=1", "-ignore_timeouts=1", "-ignore_ooms=1"]
    cmd += [str(corpus), str(seeds(corpus_target or target))]
    lines = []
    cpu0 = _children_cpu()
    proc = subprocess.Popen(cmd, cwd=work, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, errors="replace")
    reader = threading.Thread(target=_pump, args=(proc.stderr, lines))
    reader.start()
    start = time.monotonic()
    next_report = start + PROGRESS_EVERY
    summary = Summary(target=target, engine="libfuzzer", execs=0, exec_s=0,
                      coverage=0, corpus=0)
    while proc.poll() is None:
        time.sleep(0.5)
        if time.monotonic() >= next_report:
            next_report += PROGRESS_EVERY
            _absorb_status(summary, lines)
            log(f"fuzz: {target} {time.monotonic() - start:.0f}/{seconds}s: "
                f"{summary['execs']} execs, {summary['exec_s']} exec/s, "
                f"cov {summary['coverage']}, corpus {summary['corpus']}")
    reader.join()
    summary["cpu_s"] = round(_children_cpu() - cpu0)
    _absorb_status(summary, lines)
    for line in lines:
        m = re.match(r"stat::average_exec_per_sec:\s+(\d+)", line)
        if m:
            summary["exec_s"] = int(m.group(1))
    summary["crashes"] = sorted(str(p) for p in artifacts.iterdir())
    summary["returncode"] = proc.returncode
    summary["log"] = "".join(lines)
    return summary


def _absorb_status(summary, lines):
    for line in reversed(lines):
        m = STATUS[0].search(line) or STATUS[1].search(line)
        if m:
            summary.update(execs=int(m.group(1)), coverage=int(m.group(2)),
                           corpus=int(m.group(3)), exec_s=int(m.group(4)))
            return


def _afl_stats(sync):
    total = {"execs_done": 0, "corpus_count": 0, "saved_crashes": 0}
    for stats in sync.glob("*/fuzzer_stats"):
        for line in stats.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key == "unique_crashes":  # older AFL++ name
                key = "saved_crashes"
            if key in total:
                total[key] += int(float(value.strip() or 0))
    return total


def afl_env():
    env = dict(os.environ)
    env.update(AFL_NO_UI="1", AFL_SKIP_CPUFREQ="1", AFL_NO_AFFINITY="1",
               AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="1", AFL_FAST_CAL="1")
    return env


def run_afl(target, seconds, jobs=1, root=None, log=print):
    work = work_dir(target, root)
    sync = work / "sync"
    sync.mkdir(parents=True, exist_ok=True)
    binary = str(build.binary("afl", target))
    procs = []
    for i in range(jobs):
        role = ["-M", "main"] if i == 0 else ["-S", f"secondary{i}"]
        cmd = ["afl-fuzz", *role, "-i", str(seeds(target)), "-o", str(sync),
               "-V", str(seconds), "-m", "none", "-x", str(DICT), "--", binary]
        logf = open(work / f"afl-{i}.log", "w")
        procs.append((subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                                       env=afl_env()), logf))
    start = time.monotonic()
    deadline = start + seconds + 60
    while any(p.poll() is None for p, _ in procs):
        time.sleep(PROGRESS_EVERY)
        st = _afl_stats(sync)
        log(f"fuzz: {target} afl x{jobs} {time.monotonic() - start:.0f}/{seconds}s: "
            f"{st['execs_done']} execs, corpus {st['corpus_count']}, "
            f"crashes {st['saved_crashes']}")
        if time.monotonic() > deadline:
            for p, _ in procs:
                if p.poll() is None:
                    p.kill()
    for p, logf in procs:
        p.wait()
        logf.close()
    st = _afl_stats(sync)
    elapsed = max(time.monotonic() - start, 1e-9)
    crashes = sorted(str(c) for c in sync.glob("*/crashes/id:*"))
    return Summary(target=target, engine="afl", execs=st["execs_done"],
                   exec_s=int(st["execs_done"] / elapsed), corpus=st["corpus_count"],
                   crashes=crashes, instances=sorted(d.name for d in sync.iterdir()
                                                     if (d / "fuzzer_stats").exists()),
                   returncode=max(p.returncode for p, _ in procs))


def merge(target, sources, dest, replace=False, log=print):
    """Minimises the union of sources with libFuzzer's -merge=1 and writes
    the result into dest, named by SHA-1 (replacing dest's inputs if asked).
    Returns (inputs before, inputs after)."""
    dest = pathlib.Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    sources = [pathlib.Path(s) for s in sources]
    before = sum(1 for s in sources for p in s.rglob("*") if p.is_file())
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(build.binary("libfuzzer", target)), "-merge=1",
                        tmp, *map(str, sources)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if replace:
            for p in dest.iterdir():
                if p.is_file() and "." not in p.name:
                    p.unlink()
        kept = 0
        for p in pathlib.Path(tmp).iterdir():
            data = p.read_bytes()
            (dest / hashlib.sha1(data).hexdigest()).write_bytes(data)
            kept += 1
    log(f"fuzz: merged {target}: {before} inputs -> {kept} in {dest}")
    return before, kept


def clean(target, root=None):
    shutil.rmtree(work_dir(target, root), ignore_errors=True)
