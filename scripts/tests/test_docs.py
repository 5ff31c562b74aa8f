"""Every command shown in README.md and docs/ runs as written (a doc-test).

A ```sh block is a small script: its lines run in order in one shell (a
trailing `\\` joins lines, `# comment`s are dropped, a line ending in `&`
runs in the background and is stopped at the end of the block), each
checked for the exit status the docs give it (`# exit N: ...`, else 0).
Blocks run in a scratch directory that holds the repository's top-level
entries as links, so relative paths work as written and whatever a command
writes stays out of the repository; it also holds the reader's inputs the
docs name (body.json, page.html, a my-cases/ directory).

Three kinds of commands are not run exactly as written, each for a reason
given here:

- examples that point at the reader's own backend (a php-fpm socket, a
  port) run against a live reference responder instead: their options are
  checked against the program, their exit status is not (only that it is
  not a usage error, 2);
- commands that start a server in the foreground (fcgi-responder
  --listen ...) must still be serving after a second, then are stopped;
- the commands in SKIPPED (installs, rebuilds, campaigns of minutes, whole
  backend runs): what each does is covered where its reason says.

A command added to the docs runs here unless it is listed, so the docs
cannot drift from the tools.
"""
import os
import re
import shlex
import subprocess

import pytest

from fuzz_helpers import BUILD, ROOT

DOCS = [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))
BLOCK = re.compile(r"^```(?:sh|bash)\n(.*?)^```", re.S | re.M)

EXAMPLE_TARGETS = [
    "unix:/run/php/php-fpm.sock", "unix:/run/app.sock", "unix:/tmp/app.sock",
    "unix:/tmp/filter.sock", "tcp:127.0.0.1:9000",
]
SERVER = re.compile(r"^\S*fcgi-(responder|mutant) --listen ")

COVERED_BY_TEST_SH = "test.sh runs it"
SKIPPED_LIKE = [
    (r"^bash scripts/(main|test)\.sh\b",
     "test.sh is what CI runs; main.sh builds the main preset and runs the "
     "suite test.sh runs against the reference responder"),
    (r"^cmake --preset|^ctest ", COVERED_BY_TEST_SH),
    (r"^bash scripts/proxies/run\.sh [\w-]+( --.*)?$",
     "a whole proxy run: test.sh's matrix --check runs every proxy "
     "against its baseline (the docs' forms with a selection run here)"),
    (r"^bash scripts/backends/run\.sh [\w-]+( --.*)?$",
     "a whole backend run: test.sh's matrix --check runs every backend "
     "against its baseline (the docs' `run.sh NAME -v CASE` forms run here)"),
    (r"^(cmake -S|cmake --build build/|cmake --install|ldconfig|\(cd build/"
     r"deb|dpkg |man fcgispec|cc -o app|fcgispec --version|fcgispec --jobs)",
     "installs into the system: test_install.py builds the package, installs "
     "it, runs these checks and removes it"),
    (r"^cp -r /usr/share/fcgispec/cases",
     "needs the installed catalog: test_install.py runs the installed "
     "fcgispec on it"),
    (r"--break hang", "a benchmark of minutes (399 cases hanging); "
     "test_bounded runs a hang backend on a selection"),
    (r"^build/default/bench/fcs-bench\s*$",
     "a benchmark of minutes; its short forms run here"),
    (r"^/usr/bin/python3 scripts/matrix\.py",
     "test.sh runs matrix.py --check; test_matrix_page runs it on chosen "
     "backends (the --screenshot form rewrites a checked-in file)"),
    (r"^/usr/bin/python3 scripts/fuzz\.py (run|coverage|bench)",
     "a fuzzing campaign or benchmark: test_fuzz_campaign, "
     "test_fuzz_coverage and test_fuzz_bench run short ones"),
    (r"^/usr/bin/python3 scripts/gen_cases\.py\s*$",
     "rewrites checked-in files: test_gen_cases runs it on a copy"),
    (r"^/usr/bin/python3 scripts/differential\.py (probe .*--write|proxies --seed)",
     "rewrites the checked-in quirks file, or a 7-proxy campaign of minutes: "
     "test_differential_proxy runs a short two-proxy one (the docs' "
     "--proxies form runs here)"),
    (r"^/usr/bin/python3 scripts/proxy_bench\.py --json \S+$",
     "a benchmark of minutes through seven proxies: test_proxy_bench runs "
     "it through two for a second a run (the docs' short form runs here)"),
    (r"\| jq ", "reads php-fpm's status page: test_client's php-fpm tests "
     "run it against a real php-fpm"),
]


def skip_reason(cmd):
    for pattern, reason in SKIPPED_LIKE:
        if re.search(pattern, cmd):
            return reason
    return None


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


def blocks():
    """(file, first line, [(line, command, status)]) for every block."""
    for doc in DOCS:
        text = doc.read_text()
        for block in BLOCK.finditer(text):
            first = text.count("\n", 0, block.start(1)) + 1
            cmds, joined, start = [], "", None
            for n, line in enumerate(block.group(1).splitlines(), first):
                start = n if start is None else start
                if line.endswith("\\"):
                    joined += line[:-1] + " "
                    continue
                cmd, comment = split_comment(joined + line)
                if cmd:
                    m = re.search(r"\bexit (\d+):", comment)
                    cmds.append((start, cmd, int(m.group(1)) if m else 0))
                joined, start = "", None
            if cmds:
                yield doc.relative_to(ROOT), first, cmds


ALL = list(blocks())


def script_for(cmds, target):
    """The block as one bash script that checks each line's status."""
    out = ["set -u", "fails=0",
           "check() { if [ \"$1\" -ne \"$2\" ]; then echo \"line $3: exit "
           "$1, the docs say $2\" >&2; fails=1; fi; }"]
    for line, cmd, status in cmds:
        reason = skip_reason(cmd)
        if reason:
            out.append(f": not run: {shlex.quote(reason)}")
            continue
        example = any(t in cmd for t in EXAMPLE_TARGETS)
        for t in EXAMPLE_TARGETS:
            cmd = cmd.replace(t, target)
        if cmd.endswith("&"):
            out.append(cmd)
        elif SERVER.match(cmd):
            out.append(f"{cmd} & pid=$!; sleep 1; kill -0 $pid; "
                       f"check $? 0 {line}; kill $pid; wait $pid")
        elif example:  # the reader's backend: its options, not its status
            out.append(f"{cmd}; rc=$?; [ $rc -ne 2 ]; check $? 0 {line}")
        else:
            out.append(f"{cmd}; check $? {status} {line}")
    out += ["kill $(jobs -p) 2>/dev/null; wait", "exit $fails"]
    return "\n".join(out)


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


@pytest.fixture
def scratch(tmp_path):
    """A directory that looks like the repository, and the reader's files."""
    for entry in ROOT.iterdir():
        if not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry)
    (tmp_path / "body.json").write_text('{"name": "fcgispec"}\n')
    (tmp_path / "page.html").write_text("<p>filtered</p>\n")
    mine = tmp_path / "my-cases"
    mine.mkdir()
    (mine / "mine.case").write_text(
        "id: 9/mine/served\nsection: 9\nlevel: MUST\nrole: responder\n"
        "requirement: A request is served.\nrequest 1 keep\n"
        "expect echo 1\n")
    return tmp_path


def env():
    bins = [BUILD / "conformance", BUILD / "conformance" / "client",
            BUILD / "responder", BUILD / "conformance" / "mutants",
            ROOT / "scripts"]
    return {**os.environ, "FCS_BUILD_DIR": str(BUILD),
            "PATH": os.pathsep.join(map(str, bins)) + os.pathsep +
            os.environ["PATH"]}


def test_the_docs_show_commands_and_most_run():
    cmds = [c for _, _, block in ALL for _, c, _ in block]
    run = [c for c in cmds if not skip_reason(c)]
    assert len(cmds) > 60 and len(run) > 30


def test_every_skip_pattern_still_matches_a_command():
    cmds = [c for _, _, block in ALL for _, c, _ in block]
    stale = [p for p, _ in SKIPPED_LIKE if not any(re.search(p, c)
                                                   for c in cmds)]
    assert not stale, f"skip patterns no command matches: {stale}"


@pytest.mark.parametrize("doc,line,cmds", ALL,
                         ids=[f"{d}:{n}" for d, n, _ in ALL])
def test_block_runs_as_written(doc, line, cmds, responder, scratch):
    # fuzz.py finds the repository through its own path, not the scratch
    # links: its work folder (whose crashes `triage` files into seeds/) is
    # the scratch one, so a campaign's leftovers in build/ stay out.
    p = subprocess.run(["bash", "-c", script_for(cmds, responder)],
                       cwd=scratch, env={**env(), "FCS_FUZZ_WORK": str(scratch / "fuzz-work")},
                       capture_output=True,
                       text=True, errors="replace", timeout=600)
    assert p.returncode == 0, (
        f"{doc}:{line}:\n{p.stderr[-3000:]}\n{p.stdout[-1500:]}")
