"""What a new user hits first: a target that is not FastCGI, an app that
needs a param it was not given, baselines that are wrong, output paths
that cannot be written, an unreachable target in CI. Each is said clearly,
early, and the reports still say what happened."""
import json
import os
import socket
import threading
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, mutant_spawn_args, run_fcgispec


@pytest.fixture
def http_server():
    """A loopback HTTP server that answers anything with an HTML 400."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    stop = threading.Event()

    def serve():
        s.settimeout(0.2)
        while not stop.is_set():
            try:
                c, _ = s.accept()
            except OSError:
                continue
            with c:
                c.settimeout(1)
                try:
                    c.recv(4096)
                    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: "
                              b"text/html\r\n\r\n<!DOCTYPE html><p>no</p>")
                except OSError:
                    pass

    t = threading.Thread(target=serve)
    t.start()
    yield f"tcp:127.0.0.1:{s.getsockname()[1]}"
    stop.set()
    t.join()
    s.close()


def test_a_target_that_answers_http_stops_early_with_exit_3(
        tmp_path, http_server):
    js, ju = tmp_path / "r.json", tmp_path / "r.xml"
    start = time.monotonic()
    code, out, _ = run_fcgispec("--target", http_server, "--json", str(js),
                                "--junit", str(ju))
    assert code == 3, out
    assert time.monotonic() - start < 10
    assert "does not speak FastCGI (it answered with text: 'HTTP/1.1 400" in out
    report = json.loads(js.read_text())
    assert "does not speak FastCGI" in report["failure"]
    assert {c["verdict"] for c in report["cases"]} == {"error"}
    assert ET.parse(ju).getroot().find("testsuite") is not None


def test_an_unreachable_target_still_writes_the_reports(tmp_path):
    js, ju = tmp_path / "r.json", tmp_path / "r.xml"
    code, out, _ = run_fcgispec("--target", f"unix:{tmp_path}/none.sock",
                                "--json", str(js), "--junit", str(ju), "3.3")
    assert code == 3
    report = json.loads(js.read_text())
    assert "unreachable" in report["failure"]
    assert report["summary"]["exit_code"] == 3
    assert all(c["verdict"] == "error" for c in report["cases"])
    errors = sum(int(s.get("errors")) for s in
                 ET.parse(ju).getroot().findall("testsuite"))
    assert errors == len(report["cases"])
    assert "no case could run" in out


@pytest.mark.parametrize("flag", ["--json", "--junit", "--write-baseline"])
def test_an_unwritable_output_is_refused_before_the_run(tmp_path, flag):
    start = time.monotonic()
    code, out, _ = run_fcgispec(flag, str(tmp_path / "no" / "dir" / "f"))
    assert code == 2
    assert f"fcgispec: {flag} " in out and "cannot create it" in out
    assert "Scorecard" not in out  # nothing ran
    assert time.monotonic() - start < 5


def test_an_output_that_is_a_directory_is_refused(tmp_path):
    code, out, _ = run_fcgispec("--json", str(tmp_path))
    assert code == 2
    assert "not a regular file" in out


@pytest.mark.parametrize("content,message", [
    (None, "not a regular file"),
    ("3.3/reply/aligned fail\n\0\0\0\n", "a NUL byte"),
    ("3.3/reply/aligned pass\n", "a baseline lists the cases that do not pass"),
    ("3.3/reply/aligned fail\n3.3/reply/aligned info\n", "listed twice"),
    ("3.3/reply/aligned sometimes\n", "expected 'CASE-ID VERDICT'"),
])
def test_a_bad_baseline_is_an_error_naming_file_and_line(
        tmp_path, content, message):
    base = tmp_path / "base"
    if content is None:
        base.mkdir()
    else:
        base.write_bytes(content.encode())
    code, out, _ = run_fcgispec("--baseline", str(base), "3.3/reply/*")
    assert code == 2, out
    assert message in out
    if content is not None and "NUL" not in message:
        assert f"{base}:" in out  # file:line


def test_a_baseline_entry_for_an_unknown_case_is_a_warning(tmp_path):
    base = tmp_path / "base"
    base.write_text("3.3/no-such/case fail\n")
    code, out, _ = run_fcgispec("--baseline", str(base), "3.3/reply/*")
    assert code == 0, out
    assert "warning: " in out and "'3.3/no-such/case'" in out


def test_known_failures_are_not_called_a_clean_pass(tmp_path):
    base = tmp_path / "base"
    args = mutant_spawn_args("no-unknown-type", tmp_path) + ["4.2/unknown-type/*"]
    run_fcgispec(*args, "--write-baseline", str(base))
    code, out, _ = run_fcgispec(*args, "--baseline", str(base))
    assert code == 0, out
    assert "result: no regressions; 8 known MUST failures" in out
    assert "every MUST case passed" not in out


def test_info_line_counts_what_the_info_cases_got(tmp_path):
    code, out, _ = run_fcgispec(*mutant_spawn_args("hang", tmp_path),
                                "--timeout", "300", "3.3/version/*")
    # Both INFO cases end in a failed liveness probe, not in "info".
    assert "INFO    2 cases: 2 fail" in out, out


def test_the_flood_message_says_where_keeping_stopped(tmp_path):
    code, out, _ = run_fcgispec(*mutant_spawn_args("flood", tmp_path),
                                "--timeout", "300", "-v",
                                "3.3/foreign/ended/abort/after-begin")
    assert "flood: kept " in out and "content bytes, then only counted" in out


def test_an_app_that_needs_a_param_is_called_out_at_the_top(tmp_path):
    sock = tmp_path / "php.sock"
    start = ROOT / "scripts" / "backends" / "php-fpm.sh"
    code, out, _ = run_fcgispec(
        "--target", f"unix:{sock}", "--spawn",
        f"exec bash {start} unix:{sock}", "3.3/record/coalesced-write")
    head = out[:out.index("section 3.3")]
    assert "warning: the baseline request was answered with 'Status: 404" in head
    assert "Primary script unknown" in head
    assert "warning: content is not checked" in head


def test_what_a_spawned_backend_prints_stays_out_of_the_report(tmp_path):
    import subprocess
    from conftest import FCGISPEC, need
    p = subprocess.run([need(FCGISPEC), "--color", "never",
                        *mutant_spawn_args("none", tmp_path), "3.3/reply/*"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0
    assert "listening on" not in p.stdout
    assert "listening on" in p.stderr


def test_the_mutant_removes_its_socket_when_stopped(tmp_path):
    import signal
    import subprocess
    from conftest import MUTANT, need
    sock = tmp_path / "m.sock"
    proc = subprocess.Popen([need(MUTANT), "--listen", f"unix:{sock}",
                             "--break", "none"], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().startswith("listening on")
    assert sock.exists()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=5) == 0
    proc.stdout.close()
    assert not sock.exists()


def test_the_mutant_never_removes_a_file_it_did_not_create(tmp_path):
    import subprocess
    from conftest import MUTANT, need
    f = tmp_path / "f"
    f.write_text("data\n")
    p = subprocess.run([need(MUTANT), "--listen", f"unix:{f}", "--break",
                        "none"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 1 and "not removing it" in p.stderr
    assert f.read_text() == "data\n"


def test_a_backend_start_script_leaves_no_work_directory(tmp_path):
    import subprocess
    from conftest import BUILD
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    p = subprocess.run(
        ["bash", str(ROOT / "scripts" / "backends" / "run.sh"), "go",
         "3.3/record/coalesced-write"], capture_output=True, text=True,
        timeout=300, env={**os.environ, "FCS_BUILD_DIR": str(BUILD),
                          "TMPDIR": str(tmp)})
    assert p.returncode == 0, p.stdout + p.stderr
    assert list(tmp.iterdir()) == []


def group_runs(pgid, comm):
    """A process named COMM runs in process group PGID (from /proc)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if name == comm and int(fields[2]) == pgid:  # state, ppid, pgrp
            return True
    return False


def test_a_start_script_stopped_with_kill_still_leaves_no_work_directory(tmp_path):
    """fcgispec stops a start script's group with TERM and KILLs it 2 s
    later; a child that takes longer to exit must not keep the script from
    removing its work directory (scripts/lib/workdir.sh)."""
    import signal
    import subprocess
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    said = tmp_path / "work"
    script = (f"set -euo pipefail; source {ROOT}/scripts/lib/workdir.sh slow; "
              f"echo \"$work\" > {said}; "
              "run_child bash -c 'trap \"\" TERM; sleep 30'")
    p = subprocess.Popen(["bash", "-c", script], start_new_session=True,
                         env={**os.environ, "TMPDIR": str(tmp)})
    try:
        # Stopped before its child runs, the script has nothing to wait
        # for and would pass on the old trap as well: wait for the sleep.
        deadline = time.monotonic() + 10
        while not (said.exists() and group_runs(p.pid, "sleep")):
            assert time.monotonic() < deadline, "the child did not start"
            time.sleep(0.05)
        work = said.read_text().strip()
        assert os.path.isdir(work)
        os.killpg(p.pid, signal.SIGTERM)
        time.sleep(1)
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(timeout=5)
        assert not os.path.exists(work)
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
