"""scripts/proxy_bench.py: a short run through two proxies serves the full
body on both paths, reports the numbers and leaves nothing behind; its
checks catch a short body; usage errors are one line with exit 2."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
from fcgispec_tools import proxy_bench

BUILD = pathlib.Path(os.environ.get("FCS_BUILD_DIR", ROOT / "build" / "default"))
SCRIPT = ROOT / "scripts" / "proxy_bench.py"
ORIGIN = BUILD / "bench" / "http_origin" / "fcs-http-origin"
# Two proxies with different FastCGI clients: one that keeps its upstream
# connections on both paths and one that opens one per request.
NAMES = ["nginx", "lighttpd"]


def need(names):
    for exe in (ORIGIN, BUILD / "responder" / "fcgi-responder"):
        if not exe.exists():
            pytest.fail(f"{exe} is missing: build the default preset first")
    if not shutil.which("wrk"):
        pytest.skip("wrk is not installed (scripts/packages.d/bench.txt)")
    for name in names:
        for f in proxy_bench.NEEDS[name]:
            if not os.path.exists(f):
                pytest.skip(f"{name}: {f} is not installed")


def ours(tmp):
    """Processes the driver starts: those whose command line names tmp (the
    proxies' configurations are there) and the two upstreams."""
    found = []
    for proc in pathlib.Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if str(tmp).encode() in cmd or b"fcs-http-origin" in cmd or (
                    b"fcgi-responder" in cmd and b"--body-bytes" in cmd):
                found.append(proc.name)
    return found


def test_short_run_serves_both_paths_in_full(tmp_path):
    need(NAMES)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "report.json"
    r = subprocess.run(
        [sys.executable, str(SCRIPT), "--proxies", ",".join(NAMES),
         "--sizes", "65536,128", "--duration", "1", "--rounds", "2",
         "--warmup", "0", "--build", str(BUILD), "--json", str(out)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "TMPDIR": str(tmp)})
    assert r.returncode == 0, r.stderr
    report = json.loads(out.read_text())
    got = {(x["proxy"], x["body_bytes"]) for x in report["results"]}
    assert got == {(n, s) for n in NAMES for s in (65536, 128)}
    for res in report["results"]:
        n = res["body_bytes"]
        for kind in ("fcgi", "http"):
            e = res["paths"][kind]
            where = f"{res['proxy']} {n} {kind}"
            assert "error" not in e, f"{where}: {e['error']}"
            # What the driver read itself before the runs: status and body.
            assert e["verified_status"] == 200, where
            assert e["verified_body_bytes"] == n, where
            # Every response wrk read in every run carried the whole body.
            assert len(e["runs"]) == 2, where
            for run in e["runs"]:
                assert run["requests"] > 0 and run["status"] == 0, where
                assert run["bytes"] >= run["requests"] * n, where
            assert e["bytes_per_response"] >= n, where
            assert e["rps"] > 0 and 0 < e["p50_us"] <= e["p99_us"], where
            # CPU per request of the proxy and of the upstream it used.
            assert e["proxy_cpu_us"] > 0 and e["upstream_cpu_us"] > 0, where
        assert len(res["round_ratios"]) == 2
        assert res["round_ratio_median"] == pytest.approx(
            sum(res["round_ratios"]) / 2)
        assert res["ratio_rps"] == pytest.approx(
            res["paths"]["fcgi"]["rps"] / res["paths"]["http"]["rps"])
    # lighttpd opens an upstream connection per request on both paths,
    # nginx keeps them (upstream keepalive): the driver's probe tells.
    closes = {(x["proxy"], x["body_bytes"], k):
              x["paths"][k]["upstream_closes_per_request"]
              for x in report["results"] for k in ("fcgi", "http")}
    for size in (65536, 128):
        for k in ("fcgi", "http"):
            assert closes[("nginx", size, k)] < 0.05
            assert closes[("lighttpd", size, k)] > 0.9
    # The table has a row of numbers per proxy and size.
    for name in NAMES:
        for size in (65536, 128):
            row = re.search(rf"^\| {name} \| {size} B \| (\d+) \| [\d.]+ \| "
                            rf"[\d.]+ \| (\d+) \| [\d.]+ \| [\d.]+ \| "
                            rf"([\d.]+) \| ([\d.]+) \(([\d.]+)-([\d.]+)\) \| "
                            rf"[\d.]+ / [\d.]+ \| \d+ / \d+ \| \d+ / \d+ \|$",
                            r.stdout, re.M)
            assert row, f"no row for {name} {size} in:\n{r.stdout}"
    # Nothing left: no process naming the temp dir, no file in it.
    assert ours(tmp) == []
    assert list(tmp.iterdir()) == []


def test_a_short_body_fails_the_check(tmp_path):
    need([])
    procs = proxy_bench.Procs()
    try:
        port = proxy_bench.start_upstream(
            procs, [str(ORIGIN), "--listen", "tcp:127.0.0.1:0",
                    "--body-bytes", "65535"], tmp_path / "origin.log", "origin")
        with pytest.raises(proxy_bench.Failure, match="65535 bytes, not the 65536"):
            proxy_bench.check_path(port, "/", 65536)
        assert proxy_bench.check_path(port, "/", 65535) == 65535
    finally:
        procs.stop_all()
    run = {"requests": 10, "bytes": 10 * 65536 - 1, "connect": 0, "read": 0,
           "write": 0, "status": 0, "timeout": 0}
    assert "fewer than 65536" in proxy_bench.run_ok(run, 65536)
    assert proxy_bench.run_ok({**run, "bytes": 10 * 65600}, 65536) is None
    assert "status" in proxy_bench.run_ok({**run, "bytes": 10 * 65600,
                                           "status": 1}, 65536)


@pytest.mark.parametrize("args, message", [
    (["--proxies", "squid"], "unknown proxy 'squid'"),
    (["--sizes", "0"], "--sizes takes byte counts"),
    (["--duration", "0"], "--duration must be at least 1"),
    (["--duration", "x"], "argument --duration: invalid int value"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--build", "/nonexistent"], "/nonexistent/responder/fcgi-responder is missing"),
])
def test_usage_errors_are_one_line(args, message):
    r = subprocess.run([sys.executable, str(SCRIPT), *args],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == (3 if "missing" in message else 2)
    assert r.stdout == ""
    assert len(r.stderr.splitlines()) == 1 and message in r.stderr


def test_help():
    r = subprocess.run([sys.executable, str(SCRIPT), "--help"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "--proxies" in r.stdout
