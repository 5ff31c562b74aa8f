"""scripts/matrix.py end to end: it runs the reference responder, a
mutant backend and a backend that cannot start, writes the page, and
headless Chromium renders what the JSON reports say; --check turns changed
verdicts and skipped backends into a readable failure."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "matrix"))
import browser  # noqa: E402

BUILD = pathlib.Path(os.environ.get("FCS_BUILD_DIR", ROOT / "build" / "default"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD
MUTANT = BUILD / "conformance" / "mutants" / "fcgi-mutant"

MUTANT_SCRIPT = """#!/usr/bin/env bash
# fcgi-mutant that never answers FCGI_UNKNOWN_TYPE, on ADDRESS.
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 2
exec "$FCS_BUILD_DIR/conformance/mutants/fcgi-mutant" --listen "$1" \\
  --break no-unknown-type
"""
BROKEN_SCRIPT = """#!/usr/bin/env bash
# A backend whose server is not installed.
# fcgispec-script-filename: /fcgispec
echo "broken: server binary not found" >&2
exit 1
"""
HEADER = "# CASE-ID VERDICT\n"


def matrix(*args, out):
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "matrix.py"),
         "--out", str(out), *args],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "FCS_BUILD_DIR": str(BUILD)})


@pytest.fixture(scope="module")
def backends_dir(tmp_path_factory):
    """run.sh and common.sh beside two start scripts of our own; the
    mutant's baseline expects every case to pass."""
    if not MUTANT.exists():
        pytest.fail(f"{MUTANT} is missing: build the default preset first")
    d = tmp_path_factory.mktemp("backends")
    for name in ("run.sh", "common.sh"):
        shutil.copy(ROOT / "scripts" / "backends" / name, d / name)
    (d / "mutant.sh").write_text(MUTANT_SCRIPT)
    (d / "broken.sh").write_text(BROKEN_SCRIPT)
    (d / "baselines").mkdir()
    (d / "baselines" / "mutant.txt").write_text(HEADER)
    (d / "baselines" / "broken.txt").write_text(HEADER)
    return d


@pytest.fixture(scope="module")
def run(backends_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("matrix")
    p = matrix("--backends-dir", str(backends_dir), "--jobs", "2", "--check",
               "--screenshot", str(out / "shot.png"), out=out)
    return p, out


def test_progress_names_every_backend(run):
    p, _ = run
    for name in ("reference", "mutant", "broken"):
        assert f"] {name}: " in p.stdout, p.stdout + p.stderr


def test_check_fails_with_a_diff_of_changed_verdicts(run):
    p, _ = run
    assert p.returncode == 1, p.stdout + p.stderr
    # The empty baseline expects its info and unsupported verdicts too.
    assert re.search(r"^mutant: \d+ verdicts differ from its baseline$",
                     p.stdout, re.M)
    lines = [l.split() for l in p.stdout.splitlines()]
    assert ["4.2/unknown-type/type-0", "expected", "pass", "now",
            "fail"] in lines
    assert "reference: verdicts match the reference rule" in p.stdout


def test_a_backend_that_cannot_start_is_skipped_with_its_reason(run):
    p, out = run
    # The reason is the backend's own last words (run.sh passes them on).
    assert ("broken: not checked, exit code 3: broken: server binary not "
            "found") in p.stdout
    # fcgispec still wrote its reports, saying why no case could run.
    failure = json.loads((out / "json" / "broken.json").read_text())["failure"]
    assert "cannot start the backend" in failure
    md = (out / "matrix.md").read_text()
    assert "| broken | skipped: exit code 3: broken: server binary not found" in md


def test_check_passes_once_the_baseline_records_the_verdicts(
        run, backends_dir, tmp_path):
    _, out = run
    report = json.loads((out / "json" / "mutant.json").read_text())
    lines = [f"{c['id']} {c['verdict']}" for c in report["cases"]
             if c["verdict"] != "pass"]
    (backends_dir / "baselines" / "mutant.txt").write_text(
        HEADER + "\n".join(lines) + "\n")
    try:
        p = matrix("--backends-dir", str(backends_dir), "--backends",
                   "reference,mutant", "--check", out=tmp_path)
    finally:
        (backends_dir / "baselines" / "mutant.txt").write_text(HEADER)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "mutant: verdicts match its baseline" in p.stdout
    assert "check: every backend matches its baseline" in p.stdout


def test_each_report_comes_as_json_and_junit(run):
    _, out = run
    for name in ("reference", "mutant"):
        report = json.loads((out / "json" / f"{name}.json").read_text())
        suites = ET.parse(out / "junit" / f"{name}.xml").getroot().findall("testsuite")
        assert sum(int(s.get("tests")) for s in suites) == len(report["cases"])
    # CI gets a JUnit report for the backend that could not start too.
    assert ET.parse(out / "junit" / "broken.xml").getroot().find(
        "testsuite").get("errors") != "0"


def test_reports_of_earlier_runs_render_without_running_anything(
        run, backends_dir, tmp_path):
    _, out = run
    reports = tmp_path / "reports"
    shutil.copytree(out / "json", reports / "json")
    p = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "matrix.py"), "--out", str(tmp_path / "m"),
         "--backends-dir", str(backends_dir), "--reports", str(reports), "--check"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "FCS_BUILD_DIR": str(tmp_path / "no-build")})
    assert "running" not in p.stdout
    def mutant_row(md):  # every cell but the seconds
        return [l for l in md.read_text().splitlines()
                if l.startswith("| mutant |")][0].split("|")[:-2]
    assert mutant_row(tmp_path / "m" / "matrix.md") == mutant_row(out / "matrix.md")
    again = (tmp_path / "m" / "matrix.md").read_text()
    # the backend whose run could not happen is named, and --check fails on it
    assert "| broken | skipped: no case could run: " in again
    assert p.returncode == 1 and "broken: not checked" in p.stdout


def test_unknown_backend_is_a_usage_error(tmp_path):
    p = matrix("--backends", "reference,no-such", out=tmp_path)
    assert p.returncode == 2
    assert "unknown backend no-such (known: reference," in p.stderr


def test_screenshot_is_a_png_as_wide_as_the_table(run):
    _, out = run
    png = (out / "shot.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert width >= 800 and height == 1100


@pytest.fixture(scope="module")
def page(run):
    _, out = run
    with browser.Chromium() as b:
        b.open((out / "matrix.html").resolve().as_uri())
        yield b, out


def rendered(b, selector):
    """innerText of every visible element matching SELECTOR."""
    return b.evaluate(
        f"[...document.querySelectorAll({json.dumps(selector)})]"
        ".filter(e => e.checkVisibility()).map(e => e.innerText.trim())")


def test_every_backend_column_and_verdict_count_is_rendered(page):
    b, out = page
    names = rendered(b, "thead th.backend .name")
    assert names == ["reference", "broken", "mutant"]
    for name in ("reference", "mutant"):
        report = json.loads((out / "json" / f"{name}.json").read_text())
        counts = {v: n for v, n in report["summary"]["verdicts"].items() if n}
        shown = rendered(b, f'th[data-backend="{name}"] li')
        assert sorted(shown) == sorted(f"{n} {v}" for v, n in counts.items())
        score = rendered(b, f'th[data-backend="{name}"] .score')
        assert score == [f"{report['summary']['score']:.1f}%"]
    skipped = rendered(b, 'th[data-backend="broken"] .skipped')
    assert skipped[0].startswith("skipped: exit code 3")


def test_rows_are_grouped_by_section_with_the_requirement(page):
    b, _ = page
    heads = rendered(b, "tr.section-head th")
    assert heads[0] == "3.3 Records"
    assert "4.2 FCGI_UNKNOWN_TYPE" in heads
    row = 'tr[data-case="4.2/unknown-type/type-0"]'
    assert "FCGI_UNKNOWN_TYPE" in rendered(b, f"{row} .req")[0]
    assert rendered(b, f"{row} td.v") == ["pass", "skipped", "fail"]


def test_a_failed_verdict_opens_its_trace_and_rerun_command(page):
    b, _ = page
    cell = 'tr[data-case="4.2/unknown-type/type-0"] td.fail'
    assert rendered(b, f"{cell} .detail") == []
    b.click(f"{cell} summary")
    assert b.evaluate(f"document.querySelector('{cell} details').open")
    block = rendered(b, f"{cell} .detail")
    assert len(block) == 1
    assert "wire trace" in block[0]
    assert "FCGI_UNKNOWN_TYPE" in block[0]
    assert "run.sh mutant -v 4.2/unknown-type/type-0" in block[0]
    b.click(f"{cell} summary")
    assert rendered(b, f"{cell} .detail") == []


def test_the_filter_hides_rows_where_every_backend_agrees(page):
    b, _ = page
    same = 'tr[data-case="3.3/record/content-65535"]'
    differ = 'tr[data-case="4.2/unknown-type/type-0"]'
    assert rendered(b, same) and rendered(b, differ)
    b.click("#only-differing")
    assert rendered(b, same) == [] and rendered(b, differ)
    b.click("#only-differing")
    assert rendered(b, same)
