"""Every command shown in README.md and docs/ runs as written (a doc-test).

Commands are the lines of ```sh blocks (a `\\` joins lines; a trailing
`# comment` is dropped; `# exit N` in it is the exit status the command is
documented to give). Each runs from the repository root, with the built
programs on PATH, and must give its status. Two kinds are not run as
written, each listed here with the reason:

- EXAMPLES point at the reader's own backend (a php-fpm socket, a port):
  they run with that address swapped for a live reference responder, so
  their options are still checked against the program;
- SKIPPED are the ones that would install packages, rebuild everything or
  run for minutes; what they do is covered where the reason says.

A command added to the docs is run by this test unless it is listed, so
docs cannot drift from the tools.
"""
import os
import pathlib
import re
import shlex
import subprocess

import pytest

from fuzz_helpers import BUILD, ROOT

DOCS = [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))
BLOCK = re.compile(r"^```(?:sh|bash)\n(.*?)^```", re.S | re.M)

# Addresses of the reader's backend in examples -> the live responder.
EXAMPLE_TARGETS = [
    "unix:/run/php/php-fpm.sock", "unix:/run/app.sock", "unix:/tmp/app.sock",
    "unix:/tmp/filter.sock", "tcp:127.0.0.1:9000",
]

SKIPPED = {
    "bash scripts/main.sh": "CI's test.sh builds and runs the same suite; "
    "test_main_command_runs_as_written runs it",
    "bash scripts/test.sh": "it is what CI runs (this test is part of it)",
    "cmake --preset default && cmake --build --preset default -j2 && ctest "
    "--preset default": "test.sh runs it",
    "cmake --preset asan && cmake --build --preset asan -j2 && ctest --preset "
    "asan": "test.sh runs it",
    "cmake --preset default && cmake --build --preset default -j2":
    "test.sh runs it",
    "cmake --preset default && cmake --build --preset default -j2 --target "
    "fcs-bench": "test.sh builds fcs-bench",
    "cmake --preset fuzz && cmake --build --preset fuzz -j2 && ctest "
    "--test-dir build/fuzz -L fuzz-smoke": "test.sh runs it",
    "build/default/bench/fcs-bench": "a benchmark of minutes; its quick "
    "forms below run",
    "/usr/bin/python3 scripts/matrix.py": "every backend one at a time; "
    "test.sh runs the --jobs 2 --check form",
    "/usr/bin/python3 scripts/matrix.py --jobs 2 --check": "test.sh runs it",
    "/usr/bin/python3 scripts/matrix.py --backends reference,go,php-fpm":
    "test_matrix_page runs the matrix on chosen backends",
    "/usr/bin/python3 scripts/matrix.py --screenshot docs/matrix.png":
    "rewrites a checked-in file; test_matrix_page takes screenshots",
    "/usr/bin/python3 scripts/matrix.py --backends reference,go,php-fpm "
    "--screenshot docs/matrix.png": "rewrites a checked-in file",
    "/usr/bin/python3 scripts/fuzz.py run --engine libfuzzer --seconds 60 "
    "--jobs 2": "a one-minute campaign; test_fuzz_campaign runs short ones",
    "/usr/bin/python3 scripts/fuzz.py run --engine afl --seconds 60 --jobs 3":
    "a one-minute AFL++ campaign; test_fuzz_campaign runs short ones",
    "/usr/bin/python3 scripts/fuzz.py coverage": "builds the coverage "
    "preset; test_fuzz_coverage runs it",
    "/usr/bin/python3 scripts/fuzz.py bench --seconds 10": "a benchmark; "
    "test_fuzz_bench runs a short one",
    "/usr/bin/python3 scripts/gen_cases.py": "rewrites checked-in files; "
    "test_gen_cases runs it on a copy",
}


def commands():
    """(file, line, command, expected exit status) for every command."""
    for doc in DOCS:
        text = doc.read_text()
        for block in BLOCK.finditer(text):
            first = text.count("\n", 0, block.start(1)) + 1
            joined, start = "", None
            for n, line in enumerate(block.group(1).splitlines(), first):
                if start is None:
                    start = n
                if line.endswith("\\"):
                    joined += line[:-1] + " "
                    continue
                joined += line
                cmd, comment = split_comment(joined)
                if cmd:
                    m = re.search(r"\bexit (\d+)", comment)
                    yield (doc.relative_to(ROOT), start, cmd,
                           int(m.group(1)) if m else 0)
                joined, start = "", None


def split_comment(line):
    """The command and its trailing # comment, quotes respected."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].strip(), line[i:]
    return line.strip(), ""


ALL = list(commands())
RUN = [c for c in ALL if c[2] not in SKIPPED]


@pytest.fixture(scope="module")
def responder(tmp_path_factory):
    """The reference responder, standing in for the reader's backend."""
    sock = tmp_path_factory.mktemp("docs") / "backend.sock"
    proc = subprocess.Popen(
        [str(BUILD / "responder" / "fcgi-responder"), "--listen",
         f"unix:{sock}"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("listening on")
    yield f"unix:{sock}"
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


def env():
    bins = [BUILD / "conformance", BUILD / "conformance" / "client",
            BUILD / "responder", BUILD / "conformance" / "mutants",
            ROOT / "scripts"]
    return {**os.environ, "FCS_BUILD_DIR": str(BUILD),
            "PATH": os.pathsep.join(map(str, bins)) + os.pathsep +
            os.environ["PATH"]}


def test_the_docs_show_commands_and_every_exception_is_still_there():
    assert len(RUN) > 30
    listed = {c for _, _, c, _ in ALL}
    stale = [c for c in SKIPPED if c not in listed]
    assert not stale, f"listed as not run but no longer in the docs: {stale}"


@pytest.mark.parametrize("doc,line,cmd,status", RUN,
                         ids=[f"{d}:{n}" for d, n, _, _ in RUN])
def test_command_runs_as_written(doc, line, cmd, status, responder):
    for example in EXAMPLE_TARGETS:
        cmd = cmd.replace(example, responder)
    p = subprocess.run(["bash", "-c", cmd], cwd=ROOT, env=env(),
                       capture_output=True, text=True, errors="replace",
                       timeout=300)
    assert p.returncode == status, (
        f"{doc}:{line}: `{cmd}` exited {p.returncode}, the docs say "
        f"{status}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
