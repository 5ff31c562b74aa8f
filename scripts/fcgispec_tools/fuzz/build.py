"""Builds the fuzz targets in the form an engine needs.

    libfuzzer  build/fuzz      the `fuzz` preset: libFuzzer + ASan + UBSan
    bench      build/fuzz-bench  libFuzzer without sanitizers, optimised
                               (exec/s measurements)
    afl        build/afl       afl-clang-fast, persistent mode (FCS_FUZZ_AFL)
    replay     build/asan      standalone replay drivers under ASan + UBSan
    coverage   build/coverage  replay drivers with clang source coverage
"""
import os
import re
import subprocess
import sys

from .. import ROOT
from . import upstream

ENGINES = ("libfuzzer", "bench", "afl", "replay", "coverage")
# Baseline for the benchmark, built with libFuzzer only: it does nothing.
EMPTY_TARGET = "empty"


def codec_targets():
    """The project's own fuzz targets: the first word of each line of
    fuzz/targets.txt that starts with a lowercase letter."""
    lines = (ROOT / "fuzz" / "targets.txt").read_text().splitlines()
    return [line.split()[0] for line in lines if re.match("[a-z]", line)]


def upstream_targets():
    """The harnesses for other projects' code (fuzz/upstream/sources.txt)."""
    return list(upstream.pins())


def targets():
    """Every fuzz target: the project's own, then the upstream harnesses."""
    return codec_targets() + upstream_targets()


def build_dir(engine):
    name = {"libfuzzer": "fuzz", "bench": "fuzz-bench", "afl": "afl",
            "replay": "asan", "coverage": "coverage"}[engine]
    return ROOT / "build" / name


def binary(engine, target):
    prefix = {"libfuzzer": "fuzz_", "bench": "fuzz_", "afl": "fuzz_afl_",
              "replay": "fuzz_replay_", "coverage": "fuzz_replay_"}[engine]
    return build_dir(engine) / "fuzz" / (prefix + target)


def _configure_args(engine, harnesses=()):
    """cmake's arguments; harnesses: the upstream harnesses wanted (their
    sources fetched), or none, which leaves the build's choice as it is."""
    extra = ([f"-DFCS_UPSTREAM_DIR={upstream.DEFAULT_OUT}",
              f"-DFCS_UPSTREAM_HARNESSES={';'.join(harnesses)}"] if harnesses else [])
    if engine == "libfuzzer":
        return ["--preset", "fuzz", *extra]
    if engine == "replay":
        return ["--preset", "asan", *extra]
    common = ["-S", str(ROOT), "-B", str(build_dir(engine)),
              "-DFCS_BUILD_TESTS=OFF", "-DFCS_WERROR=ON", *extra]
    if engine == "bench":
        return common + ["-DCMAKE_C_COMPILER=clang", "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                         "-DFCS_FUZZ=ON"]
    if engine == "afl":
        return common + ["-DCMAKE_C_COMPILER=afl-clang-fast",
                         "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DFCS_FUZZ_AFL=ON"]
    flags = "-fprofile-instr-generate -fcoverage-mapping"
    return common + ["-DCMAKE_C_COMPILER=clang", "-DCMAKE_BUILD_TYPE=Debug",
                     f"-DCMAKE_C_FLAGS={flags}",
                     f"-DCMAKE_EXE_LINKER_FLAGS={flags}"]


def build(engine, names=None, jobs=2, log=sys.stderr):
    """Configures and builds the given targets; returns their binaries."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
    names = list(names or targets())
    env = dict(os.environ)
    if engine == "afl":
        env["AFL_QUIET"] = "1"
    run = dict(cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    known = upstream_targets()
    harnesses = [n for n in names if n in known]
    if harnesses:
        upstream.fetch(harnesses, log=log)
    print(f"fuzz: configuring {engine} build in {build_dir(engine)}", file=log)
    subprocess.run(["cmake", *_configure_args(engine, harnesses)], **run)
    wanted = [binary(engine, n).name for n in names]
    print(f"fuzz: building {', '.join(wanted)}", file=log)
    subprocess.run(["cmake", "--build", str(build_dir(engine)), "-j", str(jobs),
                    "--target", *wanted], **run)
    return [binary(engine, n) for n in names]
