"""Benchmark, in the libFuzzer build without sanitizers (build/fuzz-bench),
so the numbers show what the harness and the codec cost, not ASan:

  replay  every input of the target's seed corpus (cut to the -max_len the
          campaigns use) run `runs` times by the libFuzzer binary itself
          (file arguments with -runs=N), and the
          same inputs through the empty target in the same run; the ratio
          of the two exec/s compares the target's cost per input with the
          engine's own (1.0: as cheap as doing nothing);
  fuzz    exec/s while fuzzing from that corpus for `seconds`, as libFuzzer
          reports it (the empty target's corpus collapses to one tiny input,
          so this column has no fair baseline and gets no ratio).

Replay rates count CPU time (user + system, of the binary and of any
process it starts, such as the libfcgi target's server child), not elapsed
time: on a shared machine a run waits for the CPU as long as the others
make it. The target and the empty target are still measured `repeat` times,
one after the other, and each keeps its best rate. `baseline`: the fuzz/
folder of another bench build (say, of an older commit, built with
`fuzz.py build --engine bench` in its own checkout) whose binaries run the
same inputs in the same rounds, so a change to a target is measured side by
side with what it was.
"""
import ctypes
import os
import pathlib
import subprocess
import tempfile
import time

from . import build, campaign



EMPTY_RUNS_FACTOR = 50


def corpus_files(target):
    return sorted(str(p) for p in campaign.seeds(target).iterdir()
                  if p.is_file() and "." not in p.name)


def _wall(binary, files, runs):
    start = time.perf_counter()
    subprocess.run([str(binary), f"-runs={runs}",
                    f"-max_len={campaign.MAX_LEN}", *files], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


_PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper():
    """Linux: processes our children leave behind (the libfcgi target's
    server child) become ours when they are orphaned, so they are waited
    for and their CPU time counted. False where that is not possible."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _reap_leftovers():
    """Waits for orphans that ended before this measurement (say, of the
    fuzzing run), so their time is not counted in it."""
    while True:
        try:
            if os.wait4(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def _cpu(binary, files, runs):
    """CPU seconds (user + system) of the binary's run and of every process
    it started, however long the machine made them wait: on a shared machine
    wall time measures the other users as much as the target."""
    if not _become_subreaper():
        return _wall(binary, files, runs)
    _reap_leftovers()
    proc = subprocess.Popen([str(binary), f"-runs={runs}",
                             f"-max_len={campaign.MAX_LEN}", *files],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    total, status, deadline = 0.0, None, None
    while True:
        # The binary first, then what it left running (briefly: a served
        # child ends when its pipe from the binary closes).
        flags = 0 if status is None else os.WNOHANG
        try:
            pid, st, usage = os.wait4(-1, flags)
        except ChildProcessError:
            break
        if pid == 0:
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
            continue
        total += usage.ru_utime + usage.ru_stime
        if pid == proc.pid:
            status = os.waitstatus_to_exitcode(st)
            proc.returncode = status
            deadline = time.monotonic() + 10
    if status:
        raise subprocess.CalledProcessError(status, proc.args)
    return total


def replay_rate(binary, files, runs, clock=_wall):
    """exec/s of binary running each file `runs` times: the time of that
    run less the time of a run with one execution per file, so process
    start and file reading drop out. clock: _wall (elapsed time) or _cpu
    (CPU time of the run and its children)."""
    extra = clock(binary, files, runs) - clock(binary, files, 1)
    return (runs - 1) * len(files) / max(extra, 1e-6)


def best_rates(binaries, files, runs, repeat, clock=_cpu):
    """The best replay_rate of each binary (runs given per binary) over
    `repeat` rounds that take the binaries in turn."""
    best = [0.0] * len(binaries)
    for _ in range(max(1, repeat)):
        for i, (binary, n) in enumerate(zip(binaries, runs)):
            best[i] = max(best[i], replay_rate(binary, files, n, clock))
    return best


def measure(names, seconds, runs=200, log=print, repeat=3, baseline=None):
    build.build("bench", list(names) + [build.EMPTY_TARGET])
    empty = build.binary("bench", build.EMPTY_TARGET)
    rows = []
    for name in names:
        files = corpus_files(name)
        binaries = [build.binary("bench", name), empty]
        # The empty target needs many more runs to take measurable time.
        counts = [runs, runs * EMPTY_RUNS_FACTOR]
        old = pathlib.Path(baseline) / f"fuzz_{name}" if baseline else None
        if old is not None and old.is_file():
            binaries.append(old)
            counts.append(runs)
        rates = best_rates(binaries, files, counts, repeat)
        target_rate, empty_rate = rates[0], rates[1]
        with tempfile.TemporaryDirectory() as root:
            fuzzing = campaign.run_libfuzzer(
                name, seconds, root=pathlib.Path(root), log=lambda _: None,
                engine="bench")["exec_s"] if seconds > 0 else 0
        row = {"target": name, "inputs": len(files), "replay_exec_s": round(target_rate),
               "empty_exec_s": round(empty_rate),
               "ratio": round(target_rate / empty_rate, 3), "fuzz_exec_s": fuzzing}
        before = ""
        if len(rates) > 2:
            row["baseline_exec_s"] = round(rates[2])
            row["baseline_ratio"] = round(rates[2] / empty_rate, 3)
            before = f"  baseline ratio {row['baseline_ratio']:.3f}"
        rows.append(row)
        log(f"bench: {name:10} replay {row['replay_exec_s']:>9} exec/s  empty "
            f"{row['empty_exec_s']:>9} exec/s  ratio {row['ratio']:.3f}{before}  "
            f"fuzzing {fuzzing:>8} exec/s")
    return rows
