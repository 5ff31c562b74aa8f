"""fcgi-curl against the reference responder, against mutants that break
reply rules (fcgi-curl warns and still prints the reply), against canned
replies the reference responder never gives, and against php-fpm's ping and
status pages (the health checks it replaces cgi-fcgi for)."""
import glob
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import FCGI_CURL, MUTANT, ROOT, Backend, need

WARNING = re.compile(
    rb"^fcgi-curl: warning: the backend broke a FastCGI rule: ([A-Z_]+) "
    rb"at byte (\d+) \(record (\d+), id (\d+)\): .+$", re.M)


def curl(*args, input=None, cwd=None):
    return subprocess.run([need(FCGI_CURL), *args], capture_output=True,
                          input=input, timeout=30, cwd=cwd)


@pytest.fixture
def mutant(request):
    """fcgi-mutant breaking the rule the test is parametrized with."""
    b = Backend(lambda addr: [need(MUTANT), "--listen", addr,
                              "--break", request.param])
    yield b
    b.stop()


def warnings(stderr):
    return [(m[0].decode(), int(m[1]), int(m[2]), int(m[3]))
            for m in WARNING.findall(stderr)]


# The reference responder's reply: a CGI header block, then its echo page.
HEAD = b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"


def test_get_prints_the_body_and_exits_with_app_status(responder):
    p = curl(responder.address, "/hello?x=1", "-p", "FCS_APP_STATUS=7")
    assert p.returncode == 7
    assert p.stdout.startswith(b"request-id 1\n")
    assert b"param QUERY_STRING=x%3D1\n" in p.stdout
    assert b"param REQUEST_METHOD=GET\n" in p.stdout
    assert b"Status:" not in p.stdout
    assert p.stderr == b""


def test_include_puts_the_cgi_header_block_before_the_body(responder):
    plain = curl(responder.address).stdout
    p = curl("-i", responder.address)
    assert p.returncode == 0
    assert p.stdout == HEAD + plain


def test_post_body_from_stdin_and_stderr(responder):
    p = curl(responder.address, "-d", "-", "-p", "FCS_STDERR=warn",
             input=b"body-bytes")
    assert p.returncode == 0
    assert b"param CONTENT_LENGTH=10\n" in p.stdout
    assert b"\nbody-bytes\n" in p.stdout
    assert p.stderr == b"warn"


def test_head_and_filter_role(responder):
    p = curl("-I", "--role", "filter", "--filter-data", "DATA!",
             responder.address)
    assert p.returncode == 0
    assert p.stdout == HEAD
    p = curl("--role", "filter", "--filter-data", "DATA!", responder.address)
    assert b"role FILTER\n" in p.stdout and b"\nDATA!\n" in p.stdout


def test_refused_role_and_bad_id(responder):
    p = curl("--role", "9", responder.address)
    assert p.returncode == 5 + 3
    assert p.stderr == (b"fcgi-curl: request refused: FCGI_UNKNOWN_ROLE "
                        b"(protocolStatus 3)\n")
    assert curl("--id", "0", responder.address).returncode == 2


def test_connect_error_names_the_target(tmp_path):
    p = curl(f"unix:{tmp_path}/nothing.sock")
    assert p.returncode == 3
    assert p.stderr.decode() == (f"fcgi-curl: cannot connect to unix:{tmp_path}"
                                 "/nothing.sock: No such file or directory\n")


# Usage errors: one line naming the problem, exit 2, nothing on stdout.
@pytest.mark.parametrize("args,problem", [
    ([], "no TARGET given (unix:PATH or tcp:HOST:PORT)"),
    (["--bogus", "unix:x"], "unknown or ambiguous option --bogus"),
    (["-z", "unix:x"], "unknown option -z"),
    (["unix:x", "-X"], "-X needs a value"),
    (["unix:x", "--request"], "--request needs a value"),
    (["unix:x", "--req"], "--request needs a value"),
    (["--fail=yes", "unix:x"], "--fail takes no value"),
    (["/ping"], "'/ping': a target is tcp:HOST:PORT or unix:PATH"),
    (["unix:x", "/", "extra"],
     "unexpected argument 'extra' after TARGET and PATH"),
    (["--id", "0", "unix:x"], "--id must be 1..65535, not '0'"),
    (["-m", "0", "unix:x"], "--max-time must be seconds in (0, 86400], not '0'"),
    (["--role", "boss", "unix:x"],
     "--role is responder, authorizer, filter or 0..65535, not 'boss'"),
    (["-p", "NOEQUALS", "unix:x"], "-p wants NAME=VALUE, got 'NOEQUALS'"),
    (["-H", "NoColon", "unix:x"],
     "-H wants 'Name: value' (a name of letters, digits and "
     "!#$%&'*+-.^_`|~), got 'NoColon'"),
    (["-H", "Two Words: v", "unix:x"],
     "-H wants 'Name: value' (a name of letters, digits and "
     "!#$%&'*+-.^_`|~), got 'Two Words: v'"),
    (["-H", ": v", "unix:x"],
     "-H wants 'Name: value' (a name of letters, digits and "
     "!#$%&'*+-.^_`|~), got ': v'"),
    (["-H", "X-A: a\r\nX-B: b", "unix:x"],
     "-H 'X-A': the value holds a line break"),
    (["-w", "%{nope}", "unix:x"], "-w: unknown variable %{nope}"),
    (["-w", "%{http_code", "unix:x"], "-w: '%{http_code' has no '}'"),
    (["--json", "-i", "unix:x"], "--json cannot be combined with -i, -I or -w"),
    (["--json", "-w", "x", "unix:x"],
     "--json cannot be combined with -i, -I or -w"),
    (["--force", "unix:x"], "--force only applies to -o FILE"),
])
def test_usage_error_is_one_line(args, problem):
    p = curl(*args)
    assert p.returncode == 2
    assert p.stdout == b""
    assert p.stderr.decode() == f"fcgi-curl: {problem} (see --help)\n"


def test_help_and_version():
    p = curl("--help")
    assert p.returncode == 0 and p.stderr == b""
    assert p.stdout.startswith(b"usage: fcgi-curl [options] TARGET [PATH]\n")
    version = re.search(r"project\(fcgispec VERSION (\S+)",
                        (ROOT / "CMakeLists.txt").read_text())[1]
    p = curl("--version")
    assert (p.returncode, p.stdout, p.stderr) == (
        0, f"fcgi-curl {version}\n".encode(), b"")


def test_output_file_gets_the_body_and_is_never_overwritten(responder,
                                                             tmp_path):
    out = tmp_path / "reply.txt"
    body = curl(responder.address).stdout
    p = curl("-o", str(out), responder.address)
    assert (p.returncode, p.stdout, p.stderr) == (0, b"", b"")
    assert out.read_bytes() == body
    out.write_bytes(b"mine")
    p = curl("-o", str(out), responder.address)
    assert p.returncode == 2
    assert p.stderr.decode() == (f"fcgi-curl: -o {out}: the file exists; "
                                 "--force overwrites it (see --help)\n")
    assert out.read_bytes() == b"mine"
    p = curl("-i", "--force", "-o", str(out), responder.address)
    assert p.returncode == 0
    assert out.read_bytes() == HEAD + body
    assert curl("-o", "-", responder.address).stdout == body


def test_output_to_a_device_is_not_an_overwrite(responder):
    # /dev/null is not a file with contents to lose: health checks use it.
    p = curl("-o", "/dev/null", "-w", "%{http_code}", responder.address)
    assert (p.returncode, p.stdout) == (0, b"200")


def test_output_file_made_for_a_failed_request_is_removed(responder,
                                                          tmp_path):
    out = tmp_path / "reply.txt"
    p = curl("-o", str(out), f"unix:{tmp_path}/nothing.sock")
    assert p.returncode == 3 and not out.exists()
    p = curl("-f", "--role", "authorizer", "-o", str(out), responder.address)
    assert p.returncode == 22 and not out.exists()
    p = curl("-o", str(out), "--role", "9", responder.address)
    assert p.returncode == 8 and not out.exists()
    p = curl("-o", str(tmp_path / "no-dir" / "x"), responder.address)
    assert p.returncode == 23
    assert p.stderr.decode() == (f"fcgi-curl: cannot write {tmp_path}/no-dir/x:"
                                 " No such file or directory\n")


def test_fail_exits_22_and_prints_nothing_on_status_400_and_above(responder):
    # The reference responder's Authorizer denies a request without
    # HTTP_AUTHORIZATION with a 403.
    p = curl("--role", "authorizer", responder.address)
    assert p.returncode == 0
    assert p.stdout == b"access denied: no HTTP_AUTHORIZATION param\n"
    p = curl("--fail", "--role", "authorizer", responder.address)
    assert (p.returncode, p.stdout) == (22, b"")
    assert p.stderr == b"fcgi-curl: the reply's Status is 403 (--fail)\n"
    p = curl("-f", "--role", "authorizer", "-H", "Authorization: Bearer t",
             responder.address)
    assert p.returncode == 0
    assert b"param HTTP_AUTHORIZATION=Bearer%20t\n" in p.stdout


def test_fail_on_a_refused_request(responder):
    p = curl("-f", "--role", "9", responder.address)
    assert p.returncode == 8


def test_headers_become_cgi_params(responder):
    p = curl("-d", "hello", "-H", "X-Forwarded-For: 10.0.0.1",
             "-H", "accept:  a/b ", "-H", "Accept: c/d",
             "-H", "Content-Type: application/json",
             "-H", "Content-Length: 9", "-H", "Empty:",
             "-H", "X-Both: header", "-p", "HTTP_X_BOTH=param",
             responder.address)
    assert p.returncode == 0
    params = re.findall(rb"^param (.*)$", p.stdout, re.M)
    assert b"HTTP_X_FORWARDED_FOR=10.0.0.1" in params
    assert b"HTTP_ACCEPT=a/b,%20c/d" in params   # RFC 3875 4.1.18
    assert b"CONTENT_TYPE=application/json" in params
    assert b"CONTENT_LENGTH=9" in params          # -H wins over -d's length
    assert b"HTTP_EMPTY=" in params
    assert b"HTTP_X_BOTH=param" in params         # -p wins over -H
    assert not [x for x in params if x.startswith((b"HTTP_CONTENT",))]


def test_write_out_fields(responder):
    fmt = ("%{http_code} %{app_status} %{protocol_status} %{size_download}"
           "\\t%{time_connect} %{time_starttransfer} %{time_total}%%\\n")
    p = curl("-w", fmt, "-p", "FCS_APP_STATUS=7", responder.address)
    assert p.returncode == 7
    body, _, line = p.stdout[:-1].rpartition(b"\n")
    assert body.endswith(b"\nend")
    m = re.fullmatch(rb"200 7 0 (\d+)\t([\d.]+) ([\d.]+) ([\d.]+)%", line)
    assert m, line
    assert int(m[1]) == len(body) + 1
    connect, first, total = (float(x) for x in m.groups()[1:])
    assert 0 < connect <= first <= total < 5
    p = curl("-w", "%{http_code}", "-I", "--role", "authorizer",
             responder.address)
    assert p.stdout.endswith(b"\r\n\r\n403")


def test_write_out_without_a_reply(responder, tmp_path):
    fmt = "%{http_code}|%{app_status}|%{protocol_status}|%{size_download}"
    p = curl("-w", fmt, f"unix:{tmp_path}/nothing.sock")
    assert (p.returncode, p.stdout) == (3, b"000|||0")
    p = curl("-w", fmt, "--role", "9", responder.address)
    assert (p.returncode, p.stdout) == (8, b"000|0|3|0")


def test_json_holds_the_whole_reply(responder):
    p = curl("--json", "-p", "FCS_APP_STATUS=3", "-p", "FCS_STDERR=oops",
             "-d", "-", responder.address, "/j",
             input=b"\xff\xc3\xa9\x01")
    assert p.returncode == 3
    assert p.stderr == b""
    assert p.stdout.endswith(b"}\n") and p.stdout.count(b"\n") == 1
    # a byte that is not UTF-8 is \u00XX, UTF-8 stays as it is
    assert b"\\u00ff\xc3\xa9\\u0001" in p.stdout
    j = json.loads(p.stdout)
    assert j["status"] == 200
    assert j["headers"] == [["Status", "200 OK"],
                            ["Content-Type", "text/plain"]]
    assert j["body"].startswith("request-id 1\n")
    assert "\xff\xe9\x01" in j["body"] and j["bodyIsUtf8"] is False
    assert j["stderr"] == "oops"
    assert (j["appStatus"], j["protocolStatus"]) == (3, 0)
    assert j["protocolStatusName"] == "FCGI_REQUEST_COMPLETE"
    assert (j["warnings"], j["cgiError"], j["error"]) == ([], None, None)
    t = j["timings"]
    assert 0 < t["connect"] <= t["starttransfer"] <= t["total"] < 5
    assert json.loads(curl("--json", responder.address).stdout)["bodyIsUtf8"]


def test_json_of_a_refusal_and_of_no_reply(responder, tmp_path):
    p = curl("--json", "--role", "9", responder.address)
    j = json.loads(p.stdout)
    assert p.returncode == 8
    assert (j["status"], j["appStatus"], j["protocolStatus"]) == (None, 0, 3)
    assert j["error"] == "request refused: FCGI_UNKNOWN_ROLE (protocolStatus 3)"
    p = curl("--json", f"unix:{tmp_path}/nothing.sock")
    j = json.loads(p.stdout)
    assert p.returncode == 3
    assert (j["status"], j["appStatus"], j["body"]) == (None, None, "")
    assert j["error"].startswith("cannot connect to unix:")
    assert j["timings"] == {"connect": None, "starttransfer": None,
                            "total": j["timings"]["total"]}


def test_json_with_fail_still_prints_the_object(responder, tmp_path):
    out = tmp_path / "o.json"
    p = curl("--json", "-f", "--role", "authorizer", "-o", str(out),
             responder.address)
    assert p.returncode == 22
    j = json.loads(out.read_bytes())
    assert j["status"] == 403 and j["body"].startswith("access denied")


@pytest.mark.parametrize("mutant", ["no-stdout-end"], indirect=True)
def test_json_lists_the_broken_rules(mutant):
    p = curl("--json", mutant.address, "/x")
    j = json.loads(p.stdout)
    assert p.stderr == b""
    assert [(w["rule"], w["record"], w["id"]) for w in j["warnings"]] == [
        ("MISSING_STREAM_END", 1, 1)]
    assert j["warnings"][0]["message"].startswith("FCGI_END_REQUEST before")


def test_verbose_shows_params_records_and_stderr_lines(responder):
    p = curl("-v", "--keep-conn", "-p", "FCS_STDERR=one\ntwo",
             "-p", "ODD=a\\b\x01", responder.address)
    assert p.returncode == 0 and p.stdout.startswith(b"request-id 1\n")
    err = p.stderr.decode()
    stamp = r"\[\d+\.\d{3}\]"
    assert re.search(rf"^\* {stamp} connecting to unix:.*\n\* {stamp} "
                     rf"connected\n> {stamp} params \(14\):\n", err, re.M)
    assert ">   GATEWAY_INTERFACE=CGI/1.1\n" in err
    assert ">   FCS_STDERR=one\\x0atwo\n" in err
    assert ">   ODD=a\\\\b\\x01\n" in err
    sent = re.findall(rf"^> {stamp} (\S+) id=1 content=(\d+) padding=\d+$",
                      err, re.M)
    assert [t for t, _ in sent] == [
        "FCGI_BEGIN_REQUEST", "FCGI_PARAMS", "FCGI_PARAMS", "FCGI_STDIN"]
    got = re.findall(rf"^< {stamp} (\S+) id=1 content=(\d+) padding=\d+$",
                     err, re.M)
    assert [t for t, _ in got] == [
        "FCGI_STDOUT", "FCGI_STDOUT", "FCGI_STDERR", "FCGI_STDERR",
        "FCGI_END_REQUEST"]
    # STDERR text on lines of its own, after its record's line
    assert re.search(rf"< {stamp} FCGI_STDERR id=1 content=7 padding=1\n"
                     r"stderr: one\nstderr: two\n< ", err)
    assert err.endswith("<   appStatus=0 protocolStatus=0 "
                        "(FCGI_REQUEST_COMPLETE)\n")


def test_own_lines_start_after_stderr_text_without_a_line_end(responder):
    p = curl("-p", "FCS_STDERR=no line end", "--role", "authorizer", "-f",
             responder.address)
    assert p.stderr == (b"no line end\n"
                        b"fcgi-curl: the reply's Status is 403 (--fail)\n")


@pytest.mark.parametrize("mutant", ["no-stdout-end"], indirect=True)
def test_warns_when_stdout_is_not_ended(mutant):
    p = curl("-i", mutant.address, "/x")
    assert p.returncode == 0
    assert p.stdout.startswith(HEAD)
    # STDOUT is one record: header, content, padding to 8; END_REQUEST is
    # the next record, where the STDOUT terminator should have been.
    end_at = 8 + len(p.stdout) + (-len(p.stdout)) % 8
    assert warnings(p.stderr) == [("MISSING_STREAM_END", end_at, 1, 1)]
    assert p.stderr.count(b"\n") == 1


@pytest.mark.parametrize("mutant", ["double-end"], indirect=True)
def test_warns_about_a_second_end_request(mutant):
    p = curl("-i", mutant.address, "/x", "--id", "7", "-p", "FCS_APP_STATUS=3")
    assert p.returncode == 3
    stdout_record = 8 + len(p.stdout) + (-len(p.stdout)) % 8
    # STDOUT, its terminator, END_REQUEST, then END_REQUEST again
    assert warnings(p.stderr) == [
        ("RECORD_AFTER_END", stdout_record + 8 + 16, 3, 7)]


@pytest.mark.parametrize("mutant", ["wrong-version"], indirect=True)
def test_warns_about_every_record_of_the_wrong_version(mutant):
    p = curl(mutant.address, "/x", "-I")
    assert p.returncode == 0
    assert p.stdout == HEAD
    found = warnings(p.stderr)
    assert [w[0] for w in found] == ["BAD_VERSION"] * 3
    assert [w[2] for w in found] == [0, 1, 2]
    assert found[0][1] == 0


# Canned replies: what the reference responder never answers.
class Canned:
    """A FastCGI backend in a thread of this process: it reads each request
    up to its empty STDIN record and answers with fixed STDOUT bytes and
    END_REQUEST fields."""

    def __init__(self, path, stdout, app_status=0, protocol_status=0):
        self.reply = b"".join(self.record(6, stdout[i:i + 65535])
                              for i in range(0, len(stdout), 65535))
        self.reply += self.record(6, b"") + self.record(
            3, struct.pack(">IB3x", app_status, protocol_status))
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(path)
        self.sock.listen()
        self.sock.settimeout(0.05)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve)
        self.thread.start()

    @staticmethod
    def record(rtype, content):
        pad = -len(content) % 8
        return struct.pack(">BBHHBx", 1, rtype, 1, len(content), pad) + \
            content + b"\0" * pad

    def serve(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(5)
                f = conn.makefile("rb")
                while True:
                    _, rtype, _, clen, pad = struct.unpack(">BBHHBx",
                                                            f.read(8))
                    f.read(clen + pad)
                    if rtype == 5 and clen == 0:
                        break
                conn.sendall(self.reply)

    def stop(self):
        self.stopping.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def canned(tmp_path):
    """canned(stdout, app_status, protocol_status) -> the backend address."""
    started = []

    def start(stdout, **end):
        path = f"{tmp_path}/canned{len(started)}.sock"
        started.append(Canned(path, stdout, **end))
        return f"unix:{path}"
    yield start
    for c in started:
        c.stop()


@pytest.mark.parametrize("protocol_status,exit_status", [
    (1, 6), (2, 7), (3, 8), (4, 9), (251, 9), (255, 9)])
def test_a_refusal_never_exits_0(canned, protocol_status, exit_status):
    # 5 + 251 used to wrap to exit status 0
    p = curl(canned(b"", protocol_status=protocol_status))
    assert p.returncode == exit_status


@pytest.mark.parametrize("app_status,exit_status", [
    (255, 255), (256, 255), (512, 255), (2**32 - 1, 255)])
def test_app_status_above_255_exits_255(responder, app_status, exit_status):
    # 256 used to exit 0
    p = curl("-p", f"FCS_APP_STATUS={app_status}", responder.address)
    assert p.returncode == exit_status


@pytest.mark.parametrize("stdout,code", [
    (b"Content-Type: text/plain\n\nok", 200),
    (b"Status: 404 Not Found\r\n\r\nok", 404),
    (b"status:503\r\n\r\nok", 503),
    (b"Location: https://example.org/\r\n\r\nok", 302),  # RFC 3875 6.2.3
    (b"Location: /local\r\n\r\nok", 200),
])
def test_http_code_is_the_cgi_status(canned, stdout, code):
    p = curl("-w", " %{http_code}", canned(stdout))
    assert (p.returncode, p.stdout, p.stderr) == (0, f"ok {code}".encode(),
                                                  b"")


@pytest.mark.parametrize("stdout,why", [
    (b"hello\n", "a line of its header block is not 'Name: value'"),
    (b"Status: 20x OK\r\n\r\nhello\n",
     "its Status does not start with a code 100..599"),
    (b"Status: 600\r\n\r\nhello\n",
     "its Status does not start with a code 100..599"),
    (b"Content-Type: text/plain\r\nX-Cut: a",
     "STDOUT ended inside its header block"),
    (b"", "STDOUT was empty"),
])
def test_a_reply_that_is_not_cgi_is_all_body_and_a_502(canned, stdout, why):
    address = canned(stdout)
    p = curl("-w", "%{http_code}", address)
    assert p.returncode == 0
    assert p.stdout == stdout + b"502"
    assert p.stderr.decode() == (
        f"fcgi-curl: warning: the reply is not a CGI response: {why}; all "
        "of STDOUT is taken as the body\n")
    assert curl("-f", address).returncode == 22
    j = json.loads(curl("--json", address).stdout)
    assert (j["status"], j["headers"], j["cgiError"]) == (502, [], why)


def test_a_header_block_without_end_is_cut_at_64_kib(canned):
    stdout = b"X-Long: " + b"a" * 70000 + b"\r\n\r\nbody"
    p = curl("-w", "%{http_code}", canned(stdout))
    assert p.stdout == stdout + b"502"
    assert b"has no end in the first 65536 bytes" in p.stderr


# php-fpm: the health checks docs/client.md shows.
def php_fpm_binary():
    found = (shutil.which("php-fpm8.2") or shutil.which("php-fpm")
             or next(iter(sorted(glob.glob("/usr/sbin/php-fpm*"))), None))
    if not found:
        pytest.fail("php-fpm is missing: scripts/install-deps.sh installs it")
    return found


@pytest.fixture
def php_fpm():
    """php-fpm with ping.path /ping and pm.status_path /status on a Unix
    socket in a private directory; stopped by its pid."""
    work = tempfile.TemporaryDirectory(prefix="fcs-fpm-")
    sock = f"{work.name}/fpm.sock"
    conf = f"{work.name}/php-fpm.conf"
    with open(conf, "w") as f:
        f.write(f"[global]\nerror_log = {work.name}/error.log\n"
                f"daemonize = no\n[health]\nlisten = {sock}\npm = static\n"
                "pm.max_children = 2\nping.path = /ping\n"
                "pm.status_path = /status\n")
    proc = subprocess.Popen(
        [php_fpm_binary(), "--allow-to-run-as-root", "--nodaemonize",
         "--fpm-config", conf],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not os.path.exists(sock) and proc.poll() is None:
        assert time.monotonic() < deadline, "php-fpm did not start"
        time.sleep(0.05)
    try:
        assert proc.poll() is None, open(f"{work.name}/error.log").read()
        yield f"unix:{sock}"
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        work.cleanup()


# php-fpm ends STDOUT without its empty record (docs/backends/php-fpm.md).
FPM_WARNING = b"MISSING_STREAM_END"


def test_php_fpm_ping_health_check(php_fpm):
    p = curl("--fail", "-m", "2", php_fpm, "/ping")
    assert (p.returncode, p.stdout) == (0, b"pong")
    assert [w[0] for w in warnings(p.stderr)] == ["MISSING_STREAM_END"]
    p = curl("-i", php_fpm, "/ping")
    assert p.stdout.startswith(b"Content-type: text/plain")
    assert p.stdout.endswith(b"\r\n\r\npong")
    # a path php-fpm does not serve: 404, which --fail turns into exit 22
    p = curl("--fail", "-w", "%{http_code}", php_fpm, "/nothing.php")
    assert (p.returncode, p.stdout) == (22, b"404")


def test_php_fpm_status_page_in_json(php_fpm):
    p = curl("-f", php_fpm, "/status?json")
    assert p.returncode == 0
    status = json.loads(p.stdout)
    assert status["pool"] == "health"
    assert status["process manager"] == "static"
    j = json.loads(curl("--json", php_fpm, "/status?json").stdout)
    assert j["status"] == 200
    assert ["Content-Type", "application/json"] in j["headers"]
    assert json.loads(j["body"])["pool"] == "health"
    assert [w["rule"] for w in j["warnings"]] == ["MISSING_STREAM_END"]


def test_php_fpm_post_with_a_body(php_fpm, tmp_path):
    script = tmp_path / "api.php"
    script.write_text('<?php header("Content-Type: application/json");\n'
                      'echo json_encode(["type" => $_SERVER["CONTENT_TYPE"],'
                      ' "got" => json_decode(file_get_contents('
                      '"php://input"))]);\n')
    p = curl("-H", "Content-Type: application/json", "-d", '{"a":1}',
             "-s", str(script), php_fpm, "/api.php")
    assert p.returncode == 0
    assert json.loads(p.stdout) == {"type": "application/json",
                                    "got": {"a": 1}}


def test_docker_healthcheck_line(php_fpm, tmp_path):
    # docs/client.md: HEALTHCHECK CMD fcgi-curl --fail -m 2 SOCKET /ping
    # || exit 1 (Docker reads 1 as unhealthy)
    line = f"{need(FCGI_CURL)} --fail -m 2 {php_fpm} /ping || exit 1"
    assert subprocess.run(["/bin/sh", "-c", line], capture_output=True,
                          timeout=30).returncode == 0
    line = (f"{need(FCGI_CURL)} --fail -m 2 unix:{tmp_path}/gone.sock /ping"
            " || exit 1")
    assert subprocess.run(["/bin/sh", "-c", line], capture_output=True,
                          timeout=30).returncode == 1
