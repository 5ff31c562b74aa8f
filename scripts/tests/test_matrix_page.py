"""scripts/matrix.py end to end: it runs the reference responder, a
mutant backend and a backend that cannot start, and a proxy and a proxy
that is not installed, writes the page, and headless Chromium renders what
the JSON reports say; --check turns changed verdicts and skipped backends
and proxies into a readable failure.

The proxies are run by a stand-in for scripts/proxies/run.sh: fcgispec's
proxy mode (fcgispec --proxy) cannot run a case yet, so the stand-in takes
run.sh's arguments and gives its exit codes, and writes a canned report
in the schema fcgispec writes (conformance/src/report_files.c)."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from matrix_reports import case, report

ROOT = pathlib.Path(__file__).resolve().parents[2]
from fcgispec_tools.matrix import browser

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

PROXY_RUN_SH = """#!/usr/bin/env bash
# Stand-in for scripts/proxies/run.sh: NAME.sh prints the JSON report of the
# run (which exits 1: a TRUST case failed), or fails as a proxy that is not
# installed does (exit 3, its last words on stderr). Each run's arguments
# are added to NAME.argv, a line per run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=$1
shift
echo "$*" >> "$here/$name.argv"
json=""
while [ $# -gt 0 ]; do
  case $1 in --json) json=$2; shift 2 ;; *) shift ;; esac
done
if ! bash "$here/$name.sh" > "$here/$name.out" 2> "$here/$name.log"; then
  echo "run.sh: $name did not start; the last lines it wrote:" >&2
  tail -n 15 "$here/$name.log" >&2
  exit 3
fi
mv "$here/$name.out" "$json"
exit 1
"""
RELAY_SCRIPT = """#!/usr/bin/env bash
# A stand-in proxy that prints the report of its run.
# fcgispec-proxy-package: none
cat "$(dirname "$0")/relay.report.json"
"""
ABSENT_SCRIPT = """#!/usr/bin/env bash
# A proxy whose package is not installed.
# fcgispec-proxy-package: absent
echo "absent.sh: /usr/sbin/absent is missing (it comes with Debian's absent)" >&2
exit 2
"""
PROXY_TRACE = """  client 1 sent (1 request):
    GET /test.php?fcgispec=c1r1 HTTP/1.1\\r\\nHost: 127.0.0.1:8080\\r\\nProxy: http://192.0.2.1:3128\\r\\n\\r\\n
  response 1: HTTP/1.1 200 OK
  backend request 1 (fcgispec=c1r1), params:
    HTTP_PROXY = http://192.0.2.1:3128
  repro: printf 'GET /test.php?fcgispec=c1r1 HTTP/1.1...' | timeout 5 nc 127.0.0.1 8080"""
RERUN = "bash scripts/proxies/run.sh relay -v"
RELAY_REPORT = report([
    case("proxy/cgi/content-length", "pass", section="rfc3875-4.1.2",
         rerun=RERUN),
    case("proxy/cgi/remote-addr", "info", level="INFO",
         section="rfc3875-4.1.8", rerun=RERUN),
    case("proxy/http/te-and-cl", "non-strict", level="SHOULD",
         section="http", rerun=RERUN),
    case("proxy/trust/httpoxy", "fail", level="TRUST", section="trust",
         trace=PROXY_TRACE, rerun=RERUN),
    case("proxy/trust/smuggled-cl", "pass", level="TRUST", section="trust",
         rerun=RERUN),
], target="tcp:127.0.0.1:8080")


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
def proxies_dir(tmp_path_factory):
    """The stand-in run.sh beside a proxy that runs and one that is not
    installed; the running one's baseline expects every case to pass."""
    d = tmp_path_factory.mktemp("proxies")
    (d / "run.sh").write_text(PROXY_RUN_SH)
    (d / "relay.sh").write_text(RELAY_SCRIPT)
    (d / "relay.report.json").write_text(json.dumps(RELAY_REPORT))
    (d / "absent.sh").write_text(ABSENT_SCRIPT)
    (d / "baselines").mkdir()
    (d / "baselines" / "relay.txt").write_text(HEADER)
    (d / "baselines" / "absent.txt").write_text(HEADER)
    return d


def dirs(backends_dir, proxies_dir):
    return ("--backends-dir", str(backends_dir),
            "--proxies-dir", str(proxies_dir))


@pytest.fixture(scope="module")
def run(backends_dir, proxies_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("matrix")
    p = matrix(*dirs(backends_dir, proxies_dir), "--jobs", "2", "--check",
               "--screenshot", str(out / "shot.png"), out=out)
    return p, out


def test_progress_names_every_backend_and_proxy(run):
    p, _ = run
    for name in ("reference", "mutant", "broken", "relay", "absent"):
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
    # The proxy's empty baseline expects its TRUST case to pass.
    assert "relay: 3 verdicts differ from its baseline" in p.stdout
    assert ["proxy/trust/httpoxy", "expected", "pass", "now", "fail"] in lines


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


def test_a_proxy_that_is_not_installed_is_skipped_and_fails_the_check(run):
    p, out = run
    said = ("exit code 3: absent.sh: /usr/sbin/absent is missing (it comes "
            "with Debian's absent)")
    assert f"absent: not checked, {said}" in p.stdout
    assert f"] absent: skipped: {said}" in p.stdout
    md = (out / "matrix.md").read_text()
    assert f"| absent | skipped: {said} |" in md
    assert "| relay | 50.0% | 1/1 | 1/2 | 0/1 | 2 | 1 | 0 | 1 | 1 | 0 | 0 |" in md


def test_a_proxy_is_run_by_its_run_sh_with_the_report_options(
        run, proxies_dir):
    _, out = run
    runs = (proxies_dir / "relay.argv").read_text().splitlines()
    assert (f"--color never --json {out / 'json' / 'relay.json'} "
            f"--junit {out / 'junit' / 'relay.xml'}") in runs
    # The run exits 1 (a TRUST case failed); its report is what counts.
    assert json.loads((out / "json" / "relay.json").read_text()) == RELAY_REPORT


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
    assert "check: every backend and proxy matches its baseline" in p.stdout


def test_a_proxy_check_passes_once_its_baseline_records_the_verdicts(
        backends_dir, proxies_dir, tmp_path):
    lines = [f"{c['id']} {c['verdict']}" for c in RELAY_REPORT["cases"]
             if c["verdict"] != "pass"]
    baseline = proxies_dir / "baselines" / "relay.txt"
    baseline.write_text(HEADER + "\n".join(lines) + "\n")
    try:
        p = matrix(*dirs(backends_dir, proxies_dir), "--proxies", "relay",
                   "--check", out=tmp_path)
    finally:
        baseline.write_text(HEADER)
    assert p.returncode == 0, p.stdout + p.stderr
    # naming proxies alone leaves the backends out
    assert p.stdout.startswith("running relay ...\n[1/1] relay: 50.0% ")
    assert "relay: verdicts match its baseline" in p.stdout
    assert "| relay | 50.0% |" in (tmp_path / "matrix.md").read_text()
    assert 'id="backends"' not in (tmp_path / "matrix.html").read_text()


def test_only_backends_leaves_the_proxies_out(
        backends_dir, proxies_dir, tmp_path):
    p = matrix(*dirs(backends_dir, proxies_dir), "--only", "backends",
               out=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "] mutant: " in p.stdout and "relay" not in p.stdout
    assert 'id="proxies"' not in (tmp_path / "matrix.html").read_text()


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
        run, backends_dir, proxies_dir, tmp_path):
    _, out = run
    reports = tmp_path / "reports"
    shutil.copytree(out / "json", reports / "json")
    p = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "matrix.py"), "--out", str(tmp_path / "m"),
         *dirs(backends_dir, proxies_dir), "--reports", str(reports), "--check"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "FCS_BUILD_DIR": str(tmp_path / "no-build")})
    assert "running" not in p.stdout
    def row(md, name):  # every cell but the seconds
        return [l for l in md.read_text().splitlines()
                if l.startswith(f"| {name} |")][0].split("|")[:-2]
    for name in ("mutant", "relay"):
        assert row(tmp_path / "m" / "matrix.md", name) == row(out / "matrix.md", name)
    again = (tmp_path / "m" / "matrix.md").read_text()
    # the backend whose run could not happen is named, and --check fails on it
    assert "| broken | skipped: no case could run: " in again
    assert p.returncode == 1 and "broken: not checked" in p.stdout
    # the proxy that did not start left no report
    assert f"| absent | skipped: no report absent.json in {reports} |" in again
    assert "absent: not checked" in p.stdout


def test_a_backend_and_a_proxy_of_one_name_is_a_usage_error(
        backends_dir, tmp_path):
    proxies = tmp_path / "proxies"
    (proxies / "baselines").mkdir(parents=True)
    (proxies / "mutant.sh").write_text(RELAY_SCRIPT)
    (proxies / "baselines" / "mutant.txt").write_text(HEADER)
    p = matrix(*dirs(backends_dir, proxies), "--backends", "reference",
               out=tmp_path / "out")
    assert p.returncode == 2
    assert p.stderr.startswith("matrix: backend and proxy are both named "
                               "mutant (")
    assert "their reports would overwrite each other" in p.stderr


def test_only_with_a_list_is_a_usage_error(tmp_path):
    p = matrix("--only", "proxies", "--backends", "reference", out=tmp_path)
    assert p.returncode == 2
    assert "--only takes every column of a kind" in p.stderr


def test_unknown_backend_or_proxy_is_a_usage_error(proxies_dir, tmp_path):
    p = matrix("--backends", "reference,no-such", out=tmp_path)
    assert p.returncode == 2
    assert "unknown backend no-such (known: reference," in p.stderr
    p = matrix("--proxies-dir", str(proxies_dir), "--proxies", "reference",
               out=tmp_path)
    assert p.returncode == 2
    assert "unknown proxy reference (known: absent, relay)" in p.stderr


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
    heads = rendered(b, "#backends tr.section-head th")
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


def test_the_proxies_table_has_a_column_per_proxy(page):
    b, _ = page
    assert rendered(b, "h2") == ["Backends", "Reverse proxies"]
    assert rendered(b, "#proxies thead th.proxy .name") == ["absent", "relay"]
    assert rendered(b, "#backends thead th.proxy") == []
    assert rendered(b, "#proxies thead th.backend") == []
    head = 'th[data-proxy="relay"]'
    assert rendered(b, f"{head} .score") == ["50.0%"]
    assert rendered(b, f"{head} .levels") == [
        "MUST 1/1 · TRUST 1/2 · SHOULD 0/1"]
    assert sorted(rendered(b, f"{head} li")) == [
        "1 fail", "1 info", "1 non-strict", "2 pass"]
    assert rendered(b, 'th[data-proxy="absent"] .skipped')[0].startswith(
        "skipped: exit code 3: absent.sh: /usr/sbin/absent is missing")


def test_proxy_rows_are_grouped_by_proxy_section(page):
    b, _ = page
    assert rendered(b, "#proxies tr.section-head th") == [
        "RFC 3875 4.1.2 CONTENT_LENGTH", "RFC 3875 4.1.8 REMOTE_ADDR",
        "HTTP message framing (RFC 9112)", "Security advisories"]
    assert rendered(b, '#proxies tbody[data-section="trust"] '
                    "tr.section-head td") == ["", "1/2"]
    row = 'tr[data-case="proxy/trust/httpoxy"]'
    assert rendered(b, f"{row} td.v") == ["skipped", "fail"]
    assert rendered(b, f"{row} .level") == ["TRUST"]


def style(b, selector, prop):
    return b.evaluate(
        f"getComputedStyle(document.querySelector({json.dumps(selector)}))"
        f".getPropertyValue({json.dumps(prop)})")


def test_proxy_verdicts_and_trust_have_their_colours(page):
    b, _ = page
    fail = '#proxies tr[data-case="proxy/trust/httpoxy"] td.fail'
    assert style(b, fail, "background-color") == "rgb(255, 201, 196)"
    assert style(b, fail, "background-color") == style(
        b, "#backends td.fail", "background-color")
    assert style(b, '#proxies tr[data-case="proxy/cgi/content-length"] '
                 "td.pass", "background-color") == "rgb(211, 242, 214)"
    trust = '#proxies tr[data-case="proxy/trust/httpoxy"] .level'
    must = '#proxies tr[data-case="proxy/cgi/content-length"] .level'
    assert style(b, trust, "border-top-color") == "rgb(180, 35, 24)"
    assert style(b, must, "border-top-color") == "rgb(153, 153, 153)"


def test_a_failed_proxy_verdict_opens_its_trace_and_rerun_command(
        page, proxies_dir):
    b, _ = page
    cell = '#proxies tr[data-case="proxy/trust/httpoxy"] td.fail'
    assert rendered(b, f"{cell} .detail") == []
    b.click(f"{cell} summary")
    block = rendered(b, f"{cell} .detail")
    assert len(block) == 1
    assert block[0].startswith("relay · proxy/trust/httpoxy · fail")
    assert "HTTP_PROXY = http://192.0.2.1:3128" in block[0]
    assert "timeout 5 nc 127.0.0.1 8080" in block[0]
    # the run.sh beside the proxy (outside the repository: a full path)
    assert f"bash {proxies_dir}/run.sh relay -v proxy/trust/httpoxy" in block[0]
    b.click(f"{cell} summary")
    assert rendered(b, f"{cell} .detail") == []
