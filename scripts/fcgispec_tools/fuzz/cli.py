"""FastCGI fuzzing driver.

  fuzz.py build    --engine libfuzzer|afl|replay|coverage [--targets T...]
  fuzz.py run      --engine libfuzzer|afl --seconds N --jobs J [--targets T...]
                   [--triage]   (file new crashes under seeds/regression)
                   [--keep-going]  (libFuzzer: file crashes and go on)
  fuzz.py merge    --target T [--replace] [SRC...]   minimise into seeds/corpus/T
  fuzz.py triage   [--target T [CRASH_FILE_OR_DIR...]]
  fuzz.py coverage [--html DIR] [--min-lines P] [--min-branches P]
  fuzz.py coverage --upstream H [--corpus DIR...]   lines of H's FastCGI units
  fuzz.py bench    [--seconds N] [--runs R] [--repeat K] [--baseline DIR]
                   [--targets T...] [--json FILE]

Work files (fuzzer corpora, crashes, AFL++ sync folders) live under
build/fuzz-work/<target>/ (or $FCS_FUZZ_WORK/<target>/).
"""
import argparse
import json
import pathlib
import sys


from .. import ROOT
from . import bench, build, campaign, coverage, triage


def _targets(value):
    known = build.targets()
    for name in value:
        if name not in known:
            raise SystemExit(f"fuzz: unknown target {name!r}; known: {', '.join(known)}")
    return value or known


def _expand(paths):
    for p in map(pathlib.Path, paths):
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*") if q.is_file() and "README" not in q.name)
        else:
            yield p


def cmd_build(a):
    for b in build.build(a.engine, _targets(a.targets), a.jobs):
        print(b)
    return 0


def cmd_run(a):
    names = _targets(a.targets)
    build.build(a.engine, names, a.jobs)
    failed = 0
    for name in names:
        if a.engine == "libfuzzer":
            s = campaign.run_libfuzzer(name, a.seconds, a.jobs, keep_going=a.keep_going)
        else:
            s = campaign.run_afl(name, a.seconds, a.jobs)
        cpu = f", {s['cpu_s']} CPU seconds" if "cpu_s" in s else ""
        print(f"fuzz: {name}: {s['execs']} execs at {s['exec_s']} exec/s{cpu}, "
              f"corpus {s['corpus']}, {len(s['crashes'])} crashes")
        if s["crashes"]:
            failed = 1
            for c in s["crashes"]:
                print(f"  crash: {c}")
            if a.triage:
                triage.triage(name, build.build("replay", [name], a.jobs)[0],
                                   s["crashes"])
    return failed


def cmd_merge(a):
    sources = a.sources or [campaign.work_dir(a.target) / "corpus"]
    dest = campaign.seeds(a.target)
    build.build("libfuzzer", [a.target])
    campaign.merge(a.target, [dest, *sources], dest, a.replace)
    return 0


def cmd_triage(a):
    """Without --target: every target's crashes left by `fuzz.py run` in
    its work directory (build/fuzz-work/TARGET/artifacts)."""
    if a.crashes and not a.target:
        print("fuzz.py triage: crash files need --target (see --help)",
              file=sys.stderr)
        return 2
    def left_by_run(target):
        artifacts = campaign.work_dir(target) / "artifacts"
        return list(_expand([artifacts])) if artifacts.is_dir() else []
    if a.target:
        jobs = [(a.target, list(_expand(a.crashes)) if a.crashes
                 else left_by_run(a.target))]
    else:
        jobs = [(t, left_by_run(t)) for t in _targets([])]
    filed = 0
    for target, crashes in jobs:
        if not crashes:
            continue
        replay = build.build("replay", [target])[0]
        filed += len(triage.triage(target, replay, crashes))
    print(f"fuzz: {filed} distinct findings filed"
          if any(c for _, c in jobs) else "fuzz: nothing to triage")
    return 0


def cmd_coverage(a):
    if a.upstream:
        return upstream_coverage(a)
    corpus = [ROOT / "seeds" / "corpus", ROOT / "seeds" / "regression"]
    t = coverage.measure(corpus, html_dir=a.html)
    print(f"fuzz: codec/ coverage from the checked-in corpus: "
          f"lines {t['lines']:.1f}%, branches {t['branches']:.1f}%")
    low = t["lines"] < a.min_lines or t["branches"] < a.min_branches
    if low:
        print(f"fuzz: below the goal (lines >= {a.min_lines}%, branches >= {a.min_branches}%)")
    return 1 if low else 0


def upstream_coverage(a):
    h = a.upstream
    if h not in build.upstream_targets():
        print(f"fuzz: no upstream harness {h!r} (fuzz/upstream/sources.txt lists "
              f"{', '.join(build.upstream_targets())})", file=sys.stderr)
        return 2
    corpus = [ROOT / "seeds" / "corpus" / h, ROOT / "seeds" / "regression" / h,
              *map(pathlib.Path, a.corpus)]
    missing = [str(d) for d in corpus if not d.is_dir()]
    if missing:
        print(f"fuzz: no such corpus folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    for unit, covered, count in coverage.measure_upstream(h, corpus):
        share = f"{100 * covered / count:.1f}%" if count else "not built"
        print(f"fuzz: {h}: {unit}: lines {covered} / {count} ({share})")
    return 0


def cmd_bench(a):
    rows = bench.measure(_targets(a.targets), a.seconds, a.runs,
                              repeat=a.repeat, baseline=a.baseline)
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description="FastCGI fuzzing driver",
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build targets for an engine")
    p.add_argument("--engine", choices=build.ENGINES, required=True)
    p.add_argument("--targets", nargs="*", default=[])
    p.add_argument("--jobs", type=int, default=2)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("run", help="run a fuzz campaign")
    p.add_argument("--engine", choices=("libfuzzer", "afl"), default="libfuzzer")
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--jobs", type=int, default=1,
                   help="libFuzzer -fork workers, or AFL++ instances (1 -M, J-1 -S)")
    p.add_argument("--targets", nargs="*", default=[])
    p.add_argument("--triage", action="store_true",
                   help="file the crashes found under seeds/regression")
    p.add_argument("--keep-going", action="store_true",
                   help="libFuzzer: fork mode that files each crash, timeout or "
                        "out-of-memory and goes on (long campaigns)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("merge", help="minimise corpora into seeds/corpus/TARGET")
    p.add_argument("--target", required=True)
    p.add_argument("--replace", action="store_true",
                   help="replace the checked-in corpus by the minimised set")
    p.add_argument("sources", nargs="*")
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("triage", help="deduplicate, minimise and file crashes "
                       "(default: every target's crashes from `run`)")
    p.add_argument("--target")
    p.add_argument("crashes", nargs="*")
    p.set_defaults(func=cmd_triage)

    p = sub.add_parser("coverage", help="llvm-cov report of codec/ from the corpus, "
                       "or of an upstream harness's FastCGI units")
    p.add_argument("--html", help="also write an HTML report here")
    p.add_argument("--upstream", metavar="HARNESS",
                   help="report the lines of HARNESS's FastCGI units "
                        "(fuzz/upstream/HARNESS/coverage.txt) instead")
    p.add_argument("--corpus", action="append", default=[], metavar="DIR",
                   help="with --upstream: replay DIR too (repeatable), "
                        "beside seeds/corpus/HARNESS and seeds/regression/HARNESS")
    p.add_argument("--min-lines", type=float, default=0.0)
    p.add_argument("--min-branches", type=float, default=0.0)
    p.set_defaults(func=cmd_coverage)

    p = sub.add_parser("bench", help="exec/s of each target next to an empty target")
    p.add_argument("--seconds", type=int, default=10, help="fuzzing time per target")
    p.add_argument("--runs", type=int, default=200, help="replays of each corpus input")
    p.add_argument("--repeat", type=int, default=3,
                   help="rounds of replay measurements; each binary keeps its best")
    p.add_argument("--baseline", metavar="DIR",
                   help="the fuzz/ folder of another bench build (e.g. of the "
                        "previous commit): its fuzz_TARGET replays the same "
                        "inputs in the same rounds, its ratio is shown beside")
    p.add_argument("--targets", nargs="*", default=[])
    p.add_argument("--json", help="write the rows as JSON")
    p.set_defaults(func=cmd_bench)

    a = ap.parse_args(argv)
    if getattr(a, "target", None):
        _targets([a.target])
    return a.func(a)
