"""scripts/differential.py against real backends: a short seeded campaign
over reference and three backends that start fast finds the known
perl-fcgi death (a NUL byte in a param name, docs/backends/perl-fcgi.md) as
a crash cluster, pins it to its stream, restarts the backend, writes the
results JSON of docs/differential.md, minimises the cluster to a case file
that the catalog parser takes and whose repro shows it again; and nothing
is left behind (processes, temporary directories)."""
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import pytest

from fuzz_helpers import BUILD, ROOT

from fcgispec_tools.differential import backends, campaign, casefile, probe

SCRIPT = ROOT / "scripts" / "differential.py"
FAST = ["reference", "libfcgi", "perl-fcgi", "php-fpm"]
SEED, COUNT = 1, 10  # stream 7 of seed 1 has a NUL byte in a param name
KNOWN = "backend/perl-fcgi/crash"


def _ours():
    """Our temporary directories and the processes started from them."""
    tmp = pathlib.Path(tempfile.gettempdir())
    dirs = {p.name for p in tmp.glob("fcgispec-differential.*")}
    procs = set()
    for d in pathlib.Path("/proc").iterdir():
        try:
            cmd = (d / "cmdline").read_bytes()
        except OSError:
            continue
        if b"fcgispec-differential." in cmd:
            procs.add(d.name)
    return dirs, procs


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    if not (BUILD / "conformance" / "fcgi-diff").exists():
        pytest.fail(f"{BUILD}/conformance/fcgi-diff is missing: build the project first")
    before = _ours()
    out = tmp_path_factory.mktemp("campaign")
    env = dict(os.environ, FCS_BUILD_DIR=str(BUILD))
    r = subprocess.run([sys.executable, str(SCRIPT), "backends", "--seed", str(SEED),
                        "--count", str(COUNT), "--backends", ",".join(FAST), "--timeout", "500",
                        "--minimise", KNOWN, "--minimise-seconds", "20",
                        "--cases-out", str(out / "cases"),
                        "--out", str(out / "results.json")],
                       capture_output=True, text=True, env=env, timeout=240)
    assert r.returncode == 0, r.stderr[-2000:]
    return {"json": json.loads((out / "results.json").read_text()), "dir": out,
            "stdout": r.stdout, "before": before, "after": _ours()}


def test_the_campaign_finds_the_known_perl_fcgi_death(results):
    got = results["json"]
    keys = {c["key"]: c for c in got["clusters"]}
    assert KNOWN in keys, sorted(keys)
    crash = keys[KNOWN]
    assert crash["class"] == "crash" and crash["implementation"] == "perl-fcgi"
    assert 7 in crash["streams"]
    stream7 = next(s for s in got["streams"] if s["id"] == 7)
    assert "nul-byte" in stream7["mutations"]
    assert stream7["views"]["perl-fcgi"]["outcome"] == "crashed"
    assert KNOWN in stream7["clusters"]
    assert got["stats"]["restarts"].get("perl-fcgi", 0) >= 1


def test_the_results_follow_the_contract(results):
    got = results["json"]
    assert got["side"] == "backend" and got["seed"] == SEED and got["count"] == COUNT
    assert got["implementations"] == FAST
    assert set(got["versions"]) == set(FAST)
    assert got["versions"]["php-fpm"].startswith("php8.2-fpm ")
    assert got["quirks"] == "seeds/differential/quirks-backend.json"
    assert [s["id"] for s in got["streams"]] == list(range(COUNT))
    for s in got["streams"]:
        assert bytes.fromhex(s["input"])
        assert sorted(n for g in s["groups"] for n in g) == sorted(FAST)
        for v in s["views"].values():
            assert v["outcome"] in ("answered", "rejected", "refused", "closed", "hung", "crashed")
    # the plain streams every seed starts with: everyone agrees
    assert got["streams"][0]["groups"] == [sorted(FAST)]
    for c in got["clusters"]:
        assert c["count"] == len(c["streams"]) and c["first_seen_s"] >= 0
        assert c["key"] == f"backend/{c['implementation']}/{c['class']}"
    assert got["stats"]["streams"] == COUNT and got["stats"]["streams_per_second"] > 0


def test_the_crash_is_minimised_to_a_case_that_parses(results):
    crash = next(c for c in results["json"]["clusters"] if c["key"] == KNOWN)
    case = pathlib.Path(crash["minimal"]["case"])
    assert case == results["dir"] / "cases" / "perl-fcgi-crash.case"
    assert crash["minimal"]["repro"].startswith(
        f"/usr/bin/python3 scripts/differential.py repro {case} --backends perl-fcgi,")
    data = casefile.case_bytes(case)
    original = bytes.fromhex(next(s for s in results["json"]["streams"] if s["id"] == 7)["input"])
    assert 0 < len(data) < len(original)


def test_repro_shows_the_crash_side_by_side(results):
    crash = next(c for c in results["json"]["clusters"] if c["key"] == KNOWN)
    case = crash["minimal"]["case"]
    r = subprocess.run([sys.executable, str(SCRIPT), "repro", case, "--backends",
                        "perl-fcgi,reference", "--timeout", "500"],
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, FCS_BUILD_DIR=str(BUILD)))
    assert r.returncode == 0, r.stderr
    outcome = next(line for line in r.stdout.splitlines() if "outcome" in line)
    assert outcome.startswith("*") and "crashed" in outcome
    assert KNOWN in r.stdout


def test_nothing_is_left_behind(results):
    dirs, procs = results["after"]
    old_dirs, old_procs = results["before"]
    assert dirs <= old_dirs and procs <= old_procs


def test_a_backend_killed_between_batches_is_restarted_and_no_stream_is_lost():
    """The death comes from outside (SIGKILL to the whole group) after the
    first batch, so no stream is to blame: the next batch finds it
    unreachable, restarts it and gets every view."""
    with backends.Fleet(["reference", "libfcgi"]) as fleet:
        killed = []

        def log(line):
            if not killed:
                killed.append(fleet["libfcgi"].proc.pid)
                os.killpg(fleet["libfcgi"].proc.pid, 9)
        run = campaign.Campaign(fleet, probe.load(), SEED, 4, timeout_ms=500, batch=2, log=log)
        run.run()
        assert fleet["libfcgi"].restarts >= 1 and fleet["libfcgi"].serving()
        assert fleet["libfcgi"].proc.pid != killed[0]
        views = [s["views"]["libfcgi"]["outcome"] for s in run.streams]
        assert len(views) == 4 and "refused" not in views
        work = fleet.work
    assert not work.exists()
