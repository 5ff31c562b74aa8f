"""Checks fuzz/oss-fuzz/build.sh against OSS-Fuzz's build contract without
Docker: sets CC, CXX, CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE, SRC, WORK and
OUT the way OSS-Fuzz does for libFuzzer and for AFL++'s driver, runs the
script, then checks $OUT: one binary per target that runs its own seed
corpus cleanly, <target>_seed_corpus.zip with content-named inputs,
<target>.dict and <target>.options, and no main() of this project's. It
also checks fuzz/oss-fuzz/project.yaml has the fields OSS-Fuzz needs and
lists the PLACEHOLDER values a maintainer still has to fill in.

With --upstream, it checks fuzz/oss-fuzz/upstream/build.sh the same way
for each upstream harness named (all by default): $SRC holds this
repository and the harness's upstream tree (the Debian source
scripts/fuzz_upstream.py fetches, the version the harness's Dockerfile
pins), and $OUT must get <harness>_fastcgi with its seeds, dictionary and
options; each harness's project.yaml is checked too.

  fuzz_oss_contract.py [--engine libfuzzer|afl ...] [--keep DIR]
                       [--upstream [HARNESS ...]]
"""
import argparse
import io
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import zipfile

import yaml

from .. import ROOT
from . import build, upstream

BUILD_SH = ROOT / "fuzz" / "oss-fuzz" / "build.sh"
PROJECT_YAML = ROOT / "fuzz" / "oss-fuzz" / "project.yaml"
UPSTREAM = ROOT / "fuzz" / "oss-fuzz" / "upstream"
# project.yaml: the fields OSS-Fuzz needs, and the values it knows.
REQUIRED_FIELDS = ("homepage", "language", "primary_contact", "main_repo")
KNOWN_VALUES = {"fuzzing_engines": {"libfuzzer", "afl", "honggfuzz", "centipede"},
                "sanitizers": {"address", "undefined", "memory"},
                "architectures": {"x86_64", "i386", "aarch64"}}
PLACEHOLDER = "PLACEHOLDER"
# OSS-Fuzz's flags for the address sanitizer build.
SANITIZER_FLAGS = ("-O1 -fno-omit-frame-pointer -gline-tables-only "
                   "-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION "
                   "-fsanitize=address -fsanitize-address-use-after-scope")
ENGINES = {
    "libfuzzer": {"CC": "clang", "CXX": "clang++",
                  "CFLAGS": SANITIZER_FLAGS + " -fsanitize=fuzzer-no-link",
                  "LIB_FUZZING_ENGINE": "-fsanitize=fuzzer"},
    "afl": {"CC": "afl-clang-fast", "CXX": "afl-clang-fast++",
            "CFLAGS": SANITIZER_FLAGS,
            "LIB_FUZZING_ENGINE": "/usr/lib/afl/libAFLDriver.a",
            "AFL_QUIET": "1"},
}
# Symbols of this project's own drivers, which must not be in the binaries.
OWN_DRIVER_SYMBOLS = ("replay_path", "name_current_input")
SHA1_NAME = re.compile(r"^[0-9a-f]{40}$")


def upstream_output(harness):
    """What fuzz/oss-fuzz/upstream/build.sh names a harness's binary."""
    return f"{harness}_fastcgi"


def environment(engine, work, out, src=ROOT.parent):
    env = dict(os.environ)
    env.update(ENGINES[engine])
    env["CXXFLAGS"] = env["CFLAGS"]
    env.update(SRC=str(src), WORK=str(work), OUT=str(out),
               FUZZING_ENGINE=engine, SANITIZER="address", ARCHITECTURE="x86_64",
               FUZZING_LANGUAGE="c")
    return env


def check_out(engine, out, problems, names=None):
    for t in names or build.codec_targets():
        binary = out / t
        if not os.access(binary, os.X_OK):
            problems.append(f"{engine}: $OUT/{t} missing or not executable")
            continue
        for extra in (f"{t}.dict", f"{t}.options"):
            if not (out / extra).is_file():
                problems.append(f"{engine}: $OUT/{extra} missing")
        zpath = out / f"{t}_seed_corpus.zip"
        if not zpath.is_file():
            problems.append(f"{engine}: $OUT/{t}_seed_corpus.zip missing")
            continue
        with zipfile.ZipFile(zpath) as z:
            names = z.namelist()
            bad = [n for n in names if not SHA1_NAME.match(n)]
            if not names or bad:
                problems.append(f"{engine}: {zpath.name} has {len(names)} inputs, "
                                f"badly named: {bad[:3]}")
            with tempfile.TemporaryDirectory() as seeds:
                z.extractall(seeds)
                run_seeds(engine, binary, pathlib.Path(seeds), problems)
        syms = subprocess.run(["nm", str(binary)], capture_output=True, text=True).stdout
        for s in OWN_DRIVER_SYMBOLS:
            if re.search(rf"\b{s}\b", syms):
                problems.append(f"{engine}: {t} contains the project's own driver ({s})")


def check_project_yaml(path=PROJECT_YAML):
    """(problems, placeholders): what OSS-Fuzz would reject in project.yaml,
    and the fields whose line is marked PLACEHOLDER (to fill in, not
    wrong)."""
    text = path.read_text()
    try:
        project = yaml.safe_load(text)
    except yaml.YAMLError as e:
        return [f"{path.name}: not YAML: {e}"], []
    if not isinstance(project, dict):
        return [f"{path.name}: not a mapping of fields"], []
    problems = [f"{path.name}: no {f}" for f in REQUIRED_FIELDS if not project.get(f)]
    if project.get("language") != "c":
        problems.append(f"{path.name}: language is {project.get('language')!r}, not c")
    for field, known in KNOWN_VALUES.items():
        unknown = set(project.get(field) or ()) - known
        if unknown:
            problems.append(f"{path.name}: {field} has unknown {sorted(unknown)}")
    engines = set(project.get("fuzzing_engines") or ())
    if engines and not engines <= set(ENGINES):
        problems.append(f"{path.name}: fuzzing_engines {sorted(engines - set(ENGINES))} "
                        "are not built by this check")
    placeholders, field = [], None
    for line in text.splitlines():
        key = re.match(r"([a-z_]+):", line)
        field = key.group(1) if key else field
        value, _, comment = line.partition("#")
        if value.strip() and PLACEHOLDER in comment and field not in placeholders:
            placeholders.append(field)
    return problems, placeholders


def run_seeds(engine, binary, seeds, problems):
    if engine == "libfuzzer":
        cmd = [str(binary), "-runs=0", str(seeds)]
    else:  # AFL++'s driver runs the files it is given once each
        cmd = [str(binary), *map(str, sorted(seeds.iterdir()))]
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=300)
    if r.returncode != 0:
        problems.append(f"{engine}: {binary.name} fails on its seeds (exit "
                        f"{r.returncode}): {r.stderr.strip().splitlines()[-1:]}")


def check(engine, keep=None, log=print, harness=None):
    """Returns a list of problems (empty when the contract holds): of
    fuzz/oss-fuzz/build.sh, or with harness, of the upstream build.sh."""
    tmp = pathlib.Path(keep or tempfile.mkdtemp(prefix=f"oss-{engine}-"))
    work, out = tmp / "work", tmp / "out"
    for d in (work, out):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    cmd, src, names = ["bash", str(BUILD_SH)], ROOT.parent, None
    if harness:
        # $SRC as the Dockerfile lays it out: this repository and the
        # upstream tree (fetched, so already prepared and stamped).
        upstream_tree = upstream.fetch([harness], log=io.StringIO())[0]
        src = tmp / "src"
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir()
        (src / "fcgispec").symlink_to(ROOT)
        (src / f"upstream-{harness}").symlink_to(upstream_tree)
        cmd = ["bash", str(UPSTREAM / "build.sh"), harness]
        names = [upstream_output(harness)]
    log(f"oss-contract: {engine}: running {' '.join(cmd[1:])} (OUT={out})")
    r = subprocess.run(cmd, env=environment(engine, work, out, src),
                       capture_output=True, text=True, errors="replace")
    problems = []
    if r.returncode != 0:
        problems.append(f"{engine}: build.sh exited {r.returncode}:\n{r.stdout[-2000:]}"
                        f"{r.stderr[-2000:]}")
    else:
        check_out(engine, out, problems, names)
    if keep is None:
        shutil.rmtree(tmp, ignore_errors=True)
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", nargs="*", choices=sorted(ENGINES), default=sorted(ENGINES))
    ap.add_argument("--keep", help="build in this directory and keep it")
    ap.add_argument("--upstream", nargs="*", metavar="HARNESS",
                    help="check the upstream harnesses' build (all when none is named)")
    a = ap.parse_args(argv)
    harnesses = [None]
    yamls = [PROJECT_YAML]
    if a.upstream is not None:
        known = list(upstream.pins())
        harnesses = a.upstream or known
        for h in harnesses:
            if h not in known:
                ap.error(f"unknown harness {h!r}; known: {', '.join(known)}")
        yamls = [UPSTREAM / h / "project.yaml" for h in harnesses]
    problems = []
    for path in yamls:
        found, placeholders = check_project_yaml(path)
        problems += found
        if placeholders:
            print(f"oss-contract: to fill in before submitting: "
                  f"{path.relative_to(ROOT)} {', '.join(placeholders)} (marked {PLACEHOLDER})")
    for h in harnesses:
        for engine in a.engine:
            keep = pathlib.Path(a.keep) / (h or "fcgispec") / engine if a.keep else None
            problems += check(engine, keep, harness=h)
    for p in problems:
        print(f"oss-contract: FAIL {p}")
    what = (f"{len(build.codec_targets())} targets" if a.upstream is None
            else f"upstream {', '.join(harnesses)}")
    print(f"oss-contract: {'FAIL' if problems else 'ok'}: {', '.join(a.engine)}, {what}")
    return 1 if problems else 0
