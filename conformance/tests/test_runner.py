"""The runner's interface: selection, listing, exit codes, reports, the
expected-failures baseline and the rerun command."""
import json
import pathlib
import signal
import time
import os
import shlex
import socket
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import (mutant_spawn_args, need, run_fcgispec, FCGISPEC,
                      FCGI_CURL, RESPONDER)


def test_list_selects_by_section_prefix_and_glob():
    code, out, _ = run_fcgispec("--list", "4.2", "5.1/begin", "*keep-conn*",
                                "--exclude", "*type-255")
    assert code == 0
    ids = [line.split()[0] for line in out.splitlines()[:-1]]
    assert "4.2/unknown-type/type-0" in ids
    assert "4.2/unknown-type/type-255" not in ids
    assert "5.1/begin/unknown-role-4" in ids
    assert "3.5/keep-conn/0-closes" in ids
    assert all(i.startswith(("4.2/", "5.1/begin", "3.5/keep-conn")) for i in ids)


@pytest.mark.parametrize("args,message", [
    (["--jobs", "0"], "--jobs must be 1..64"),
    (["--target", "http://x"], "a target is tcp:HOST:PORT or unix:PATH"),
    (["no/such/case"], "no case matches the selection"),
    (["--bogus"], "unknown option '--bogus'"),
    (["--json"], "option '--json' needs a value"),
    (["-Q"], "unknown option '-Q'"),
    (["--echo", "yaml"], "--echo takes lines, json"),
])
def test_usage_errors_are_one_line_and_exit_2(args, message):
    code, out, _ = run_fcgispec(*args)
    assert code == 2
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    assert lines[0].startswith("fcgispec: ") and message in lines[0]
    assert lines[0].endswith(("(see --help)", "(see --list)"))


def test_version():
    code, out, _ = run_fcgispec("--version")
    assert code == 0
    assert out.startswith("fcgispec ") and out.count("\n") == 1


def test_unreachable_target_exits_3(tmp_path):
    code, out, _ = run_fcgispec("--target", f"unix:{tmp_path}/none.sock")
    assert code == 3
    assert "unreachable" in out


def test_bad_case_file_names_file_and_line(tmp_path):
    (tmp_path / "x.case").write_text(
        "id: 9/x\nsection: 9\nlevel: MUST\nrequirement: r\nexpect respons 1\n")
    code, out, _ = run_fcgispec("--cases", str(tmp_path), "--list")
    assert code == 2
    assert "x.case:5: column 8: unknown condition 'respons'" in out


@pytest.mark.parametrize("steps,message", [
    ('get "/"\nreply stdout\n',
     "x.case:6: reply lines answer the next request"),
    ('reply end\nexpect status 1 200\nget "/"\n',
     "x.case:6: reply lines (from line 5) answer the next request"),
    ("reply end\nrequest 1\n",
     "x.case:5: 'reply' does not belong in a backend case"),
    ('reply wait soon\nget "/"\n',
     "x.case:5: column 12: 'soon' is not a valid milliseconds"),
])
def test_bad_reply_lines_name_file_and_line(tmp_path, steps, message):
    (tmp_path / "x.case").write_text(
        "id: 9/x\nsection: 9\nlevel: MUST\nrequirement: r\n" + steps)
    code, out, _ = run_fcgispec("--cases", str(tmp_path), "--list")
    assert code == 2
    assert message in out


def test_reply_record_too_long_once_expanded_is_refused(tmp_path):
    # 65533 bytes as written; {marker} grows to fcgispec=c1r1.
    (tmp_path / "x.case").write_text(
        "id: 9/x\nsection: 9\nlevel: MUST\nrequirement: r\n"
        'reply stdout "a"*65525 "{marker}"\nget "/"\n')
    code, out, _ = run_fcgispec("--cases", str(tmp_path), "--dump-send", "9/x")
    assert code == 2
    assert ("x.case: line 5: record content is 65538 bytes once its "
            "placeholders are expanded (at most 65535; use split=N)") in out


def test_reports_json_junit_and_rerun(tmp_path):
    js, ju = tmp_path / "r.json", tmp_path / "r.xml"
    code, out, _ = run_fcgispec(*mutant_spawn_args("wrong-version", tmp_path),
                                "--json", str(js), "--junit", str(ju), "3.3")
    assert code == 1
    report = json.loads(js.read_text())
    case = next(c for c in report["cases"] if c["id"] == "3.3/reply/version-1")
    assert case["verdict"] == "fail" and "version 2" in case["observed"]
    assert "<< v2 FCGI_STDOUT" in case["trace"]
    assert report["summary"]["exit_code"] == 1
    suites = ET.parse(ju).getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["3.3"]
    assert suites[0].get("failures") == "1"
    # The rerun command runs just that case and fails it again.
    rerun = shlex.split(case["rerun"])
    p = subprocess.run(rerun + ["--color", "never"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 1
    assert "verdicts: pass 0, info 0, unsupported 0, non-strict 0, fail 1" in p.stdout


def test_baseline_gates_on_regressions_only(tmp_path):
    base = tmp_path / "base.txt"
    args = mutant_spawn_args("no-unknown-type", tmp_path) + ["4.2", "3.3"]
    code, _, _ = run_fcgispec(*args, "--write-baseline", str(base))
    assert code == 1
    assert "4.2/unknown-type/type-0 fail" in base.read_text()
    code, out, _ = run_fcgispec(*args, "--baseline", str(base))
    assert code == 0, out
    # A backend that now also breaks another rule is a regression.
    code, out, _ = run_fcgispec(*mutant_spawn_args("wrong-version", tmp_path),
                                "4.2", "3.3", "--baseline", str(base))
    assert code == 1
    assert "now passing" in out


def test_builtin_reference_responder_passes_every_must():
    code, out, elapsed = run_fcgispec("--jobs", "2")
    assert code == 0, out
    assert "built-in reference responder" in out
    assert "result: every MUST case passed" in out


def test_seed_export_writes_the_bytes_each_case_sends(tmp_path):
    code, _, _ = run_fcgispec("--export-seeds", str(tmp_path / "seeds"), "4.2")
    assert code == 0
    seed = (tmp_path / "seeds" / "4.2_unknown-type_type-32.bin").read_bytes()
    assert seed.startswith(bytes([1, 32, 0, 0, 0, 8, 0, 0]) + b"ABCDEFGH")
    p = subprocess.run([need(FCGISPEC), "--dump-send", "4.2/unknown-type/type-32"],
                       capture_output=True, timeout=30)
    assert p.stdout == seed


def test_params_export_writes_the_pairs_each_case_sends(tmp_path):
    out = tmp_path / "params"
    code, _, _ = run_fcgispec("--export-params", str(out), "3.4/nv/lengths-past-stream-end",
                              "3.4/nv/pair-cut-by-terminator")
    assert code == 0
    # the content of the PARAMS records, headers and the other records left out
    assert (out / "3.4_nv_lengths-past-stream-end.bin").read_bytes() == b"\xff" * 8 + b"XY"
    cut = (out / "3.4_nv_pair-cut-by-terminator.bin").read_bytes()
    assert cut.startswith(b"\x11\x07GATEWAY_INTERFACECGI/1.1")
    assert cut.endswith(b"\x05\x10ABC")


def test_spawn_never_removes_a_file_it_did_not_create(tmp_path):
    # A regular file at the socket path is refused and left as it was.
    f = tmp_path / "f"
    f.write_text("data\n")
    rc, out, _ = run_fcgispec("--target", f"unix:{f}", "--spawn", "exit 1")
    assert rc == 2, out
    assert "exists and is not a socket" in out
    assert f.read_text() == "data\n"


def test_spawn_never_removes_a_live_servers_socket(responder):
    path = responder.address[len("unix:"):]
    rc, out, _ = run_fcgispec("--target", responder.address,
                              "--spawn", "exit 1")
    assert rc == 2, out
    assert "already listening" in out
    assert os.path.exists(path)
    # The live server still serves on its socket.
    rc, out, _ = run_fcgispec("--target", responder.address, "3.3/record/*")
    assert rc == 0, out


def test_spawn_replaces_a_stale_socket(tmp_path):
    sock = tmp_path / "stale.sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(sock))
    s.close()  # the file stays, nobody listens: a stale socket
    rc, out, _ = run_fcgispec(
        "--target", f"unix:{sock}", "--spawn",
        f"exec {need(RESPONDER)} --listen unix:{sock}", "3.3/record/*")
    assert rc == 0, out


def test_term_stops_the_spawned_group_too(tmp_path):
    """A runner stopped by TERM stops what it spawned (here the stand-in
    proxy, which never answers) instead of leaving it running."""
    http, rec = f"unix:{tmp_path}/http.sock", f"unix:{tmp_path}/fcgi.sock"
    standin = pathlib.Path(__file__).with_name("judge_proxy.py")
    spawn = (f"exec /usr/bin/python3 '{standin}' silent '{http}' '{rec}' "
             f"'{need(FCGI_CURL)}'")
    proc = subprocess.Popen(
        [need(FCGISPEC), "--cases", str(pathlib.Path(__file__).with_name("judge")),
         "--proxy", http, "--listen", rec, "--spawn", spawn, "--timeout", "60000",
         "judge/proxy-silence-hangs"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def standin_pids():
        found = []
        for p in pathlib.Path("/proc").glob("[0-9]*"):
            try:
                if str(tmp_path) in (p / "cmdline").read_bytes().decode(errors="replace") \
                        and int(p.name) != proc.pid:
                    found.append(int(p.name))
            except OSError:
                pass
        return found

    deadline = time.monotonic() + 30
    while not (standin_pids() and os.path.exists(f"{tmp_path}/http.sock")) \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    assert standin_pids(), "the stand-in never started"
    time.sleep(0.5)  # the case is under way
    proc.terminate()
    assert proc.wait(timeout=20) == -signal.SIGTERM
    deadline = time.monotonic() + 10
    while standin_pids() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert standin_pids() == []
