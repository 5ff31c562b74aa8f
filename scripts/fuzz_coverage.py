"""Source coverage of codec/ reached by replaying corpora through every
target's replay driver built with clang's -fprofile-instr-generate."""
import json
import os
import pathlib
import subprocess
import tempfile

import fuzz_build

ROOT = fuzz_build.ROOT
CODEC_SOURCES = str(ROOT / "codec" / "src")


def totals(export_json):
    """Line and branch coverage (percent) from `llvm-cov export` JSON."""
    t = export_json["data"][0]["totals"]
    return {"lines": t["lines"]["percent"], "branches": t["branches"]["percent"],
            "functions": t["functions"]["percent"],
            "lines_covered": t["lines"]["covered"], "lines_count": t["lines"]["count"],
            "branches_covered": t["branches"]["covered"],
            "branches_count": t["branches"]["count"]}


def measure(corpus_dirs, names=None, html_dir=None, jobs=2, log=print):
    binaries = fuzz_build.build("coverage", names, jobs)
    with tempfile.TemporaryDirectory() as tmp:
        for b in binaries:
            env = dict(os.environ, LLVM_PROFILE_FILE=f"{tmp}/{b.name}-%p.profraw")
            subprocess.run([str(b), *map(str, corpus_dirs)], env=env, check=True,
                           stdout=subprocess.DEVNULL)
        profdata = f"{tmp}/merged.profdata"
        subprocess.run(["llvm-profdata", "merge", "-sparse", "-o", profdata,
                        *map(str, pathlib.Path(tmp).glob("*.profraw"))], check=True)
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
