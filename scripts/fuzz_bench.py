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
"""
import pathlib
import subprocess
import tempfile
import time

import fuzz_build
import fuzz_campaign



EMPTY_RUNS_FACTOR = 50


def corpus_files(target):
    return sorted(str(p) for p in fuzz_campaign.seeds(target).iterdir()
                  if p.is_file() and "." not in p.name)


def _wall(binary, files, runs):
    start = time.perf_counter()
    subprocess.run([str(binary), f"-runs={runs}",
                    f"-max_len={fuzz_campaign.MAX_LEN}", *files], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def replay_rate(binary, files, runs):
    """exec/s of binary running each file `runs` times: the time of that
    run less the time of a run with one execution per file, so process
    start and file reading drop out."""
    extra = _wall(binary, files, runs) - _wall(binary, files, 1)
    return (runs - 1) * len(files) / max(extra, 1e-6)


def measure(names, seconds, runs=200, log=print):
    fuzz_build.build("bench", list(names) + [fuzz_build.EMPTY_TARGET])
    empty = fuzz_build.binary("bench", fuzz_build.EMPTY_TARGET)
    rows = []
    for name in names:
        files = corpus_files(name)
        target_rate = replay_rate(fuzz_build.binary("bench", name), files, runs)
        # The empty target needs many more runs to take measurable time.
        empty_rate = replay_rate(empty, files, runs * EMPTY_RUNS_FACTOR)
        with tempfile.TemporaryDirectory() as root:
            fuzzing = fuzz_campaign.run_libfuzzer(
                name, seconds, root=pathlib.Path(root), log=lambda _: None,
                engine="bench")["exec_s"]
        row = {"target": name, "inputs": len(files), "replay_exec_s": round(target_rate),
               "empty_exec_s": round(empty_rate),
               "ratio": round(target_rate / empty_rate, 3), "fuzz_exec_s": fuzzing}
        rows.append(row)
        log(f"bench: {name:10} replay {row['replay_exec_s']:>9} exec/s  empty "
            f"{row['empty_exec_s']:>9} exec/s  ratio {row['ratio']:.2f}  "
            f"fuzzing {fuzzing:>8} exec/s")
    return rows
