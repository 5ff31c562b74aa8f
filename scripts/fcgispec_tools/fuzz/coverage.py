"""Source coverage reached by replaying corpora through replay drivers built
with clang's -fprofile-instr-generate: of codec/ by every target, or of an
upstream harness's FastCGI units (fuzz/upstream/<harness>/coverage.txt)."""
import json
import os
import pathlib
import subprocess
import tempfile

from .. import ROOT
from . import build, upstream

CODEC_SOURCES = str(ROOT / "codec" / "src")


def totals(export_json):
    """Line and branch coverage (percent) from `llvm-cov export` JSON."""
    t = export_json["data"][0]["totals"]
    return {"lines": t["lines"]["percent"], "branches": t["branches"]["percent"],
            "functions": t["functions"]["percent"],
            "lines_covered": t["lines"]["covered"], "lines_count": t["lines"]["count"],
            "branches_covered": t["branches"]["covered"],
            "branches_count": t["branches"]["count"]}


def replay_profile(binaries, corpus_dirs, tmp):
    """Replays corpus_dirs through each coverage-built binary; the merged
    profile's path (in tmp)."""
    for b in binaries:
        env = dict(os.environ, LLVM_PROFILE_FILE=f"{tmp}/{b.name}-%p.profraw")
        subprocess.run([str(b), *map(str, corpus_dirs)], env=env, check=True,
                       stdout=subprocess.DEVNULL)
    profdata = f"{tmp}/merged.profdata"
    subprocess.run(["llvm-profdata", "merge", "-sparse", "-o", profdata,
                    *map(str, pathlib.Path(tmp).glob("*.profraw"))], check=True)
    return profdata


def measure(corpus_dirs, names=None, html_dir=None, jobs=2, log=print):
    binaries = build.build("coverage", names, jobs)
    with tempfile.TemporaryDirectory() as tmp:
        profdata = replay_profile(binaries, corpus_dirs, tmp)
        objects = [str(binaries[0])] + [a for b in binaries[1:] for a in ("-object", str(b))]
        out = subprocess.run(["llvm-cov", "export", "-summary-only",
                              f"-instr-profile={profdata}", *objects, CODEC_SOURCES],
                             check=True, capture_output=True, text=True).stdout
        report = subprocess.run(["llvm-cov", "report", f"-instr-profile={profdata}",
                                 *objects, CODEC_SOURCES],
                                check=True, capture_output=True, text=True).stdout
        if html_dir:
            subprocess.run(["llvm-cov", "show", "-format=html", f"-output-dir={html_dir}",
                            f"-instr-profile={profdata}", *objects, CODEC_SOURCES],
                           check=True)
    log(report)
    return totals(json.loads(out))


def upstream_units(harness):
    """The FastCGI units a harness reports coverage for, as paths in its
    unpacked source."""
    listed = ROOT / "fuzz" / "upstream" / harness / "coverage.txt"
    lines = [ln.strip() for ln in listed.read_text().splitlines()]
    return [upstream.DEFAULT_OUT / harness / ln for ln in lines
            if ln and not ln.startswith("#")]


def measure_upstream(harness, corpus_dirs, jobs=2):
    """[(unit, lines covered, lines)] for the harness's FastCGI units after
    replaying corpus_dirs through its coverage-built replay driver."""
    binary = build.build("coverage", [harness], jobs)[0]
    units = upstream_units(harness)
    with tempfile.TemporaryDirectory() as tmp:
        profdata = replay_profile([binary], corpus_dirs, tmp)
        out = subprocess.run(["llvm-cov", "export", "-summary-only",
                              f"-instr-profile={profdata}", str(binary),
                              *map(str, units)],
                             check=True, capture_output=True, text=True).stdout
    found = {f["filename"]: f["summary"]["lines"]
             for f in json.loads(out)["data"][0]["files"]}
    return [(u.relative_to(upstream.DEFAULT_OUT / harness),
             found.get(str(u), {}).get("covered", 0),
             found.get(str(u), {}).get("count", 0)) for u in units]
