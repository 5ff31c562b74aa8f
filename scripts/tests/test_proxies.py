"""The real reverse proxies of proxy mode (scripts/proxies/): each one,
started with start.sh in front of the reference responder (on a Unix socket
and on loopback TCP), forwards a GET with path info and a query and a POST
with a body, as the responder's echo shows; stop.sh then leaves no process,
file or listening port behind. A proxy that is not installed is skipped,
naming what is missing. Every process started here is stopped by its pid
and every directory removed, whatever the test's outcome."""
import json
import os
import pathlib
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import zlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("FCS_BUILD_DIR", ROOT / "build" / "default"))
RESPONDER = BUILD / "responder" / "fcgi-responder"
PROXIES = ROOT / "scripts" / "proxies"
NAMES = subprocess.run(["bash", str(PROXIES / "list.sh")], capture_output=True,
                       text=True, check=True).stdout.split()
HOST = "fcgispec.test"
BODY = b"hello=world&x=%20y"


def header(name, key):
    """The value of a start script's '# fcgispec-proxy-KEY: ' line."""
    text = (PROXIES / f"{name}.sh").read_text()
    m = re.search(rf"^# fcgispec-proxy-{key}: (.+)$", text, re.M)
    return m.group(1) if m else None


def script_filename(name, docroot, fastcgi):
    """SCRIPT_FILENAME for /test.php/extra, as each proxy's configuration
    makes it."""
    if name == "lighttpd":  # broken-scriptfilename: the path info stays on
        return f"{docroot}/test.php/extra"
    if name == "apache2":  # mod_proxy_fcgi keeps its handler's URL in front
        where = "localhost" if fastcgi.startswith("unix:") else fastcgi[len("tcp:"):]
        return f"proxy:fcgi://{where}{docroot}/test.php"
    return f"{docroot}/test.php"


def group_members(pgid):
    """The uids of the running processes of a group (zombies do not count:
    where no init reaps orphans they stay until the machine restarts)."""
    uids = []
    for proc in pathlib.Path("/proc").glob("[0-9]*"):
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            uid = proc.stat().st_uid
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            uids.append(uid)
    return uids


def group_alive(pgid):
    return bool(group_members(pgid))


def worker_users(name, user):
    """Who the proxy's processes run as when started by user: Apache refuses
    to serve as root and drops to www-data; the others are told to stay."""
    if user == "root" and name.startswith("apache2"):
        return {"root", "www-data"}
    return {user}


def port_listened(port):
    """Whether something still listens on 127.0.0.1:port (SO_REUSEADDR lets
    the bind ignore connections left in TIME_WAIT)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def http(port, request):
    """Sends raw request bytes and reads the response until the proxy closes
    (the requests ask it to): (status, lower-cased headers, body)."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        plain = b""
        while True:
            size, _, body = body.partition(b"\r\n")
            n = int(size.split(b";")[0], 16)
            if n == 0:
                break
            plain, body = plain + body[:n], body[n + 2:]
        body = plain
    elif "content-length" in headers:
        body = body[:int(headers["content-length"])]
    return status, headers, body


def unescape(text):
    return re.sub(r"%([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), text)


def echoed(body):
    """The responder's echo (docs/responder.md, lines format): the params, each
    name's first value, and the stdin line with the bytes it kept."""
    params = {}
    for m in re.finditer(rb"^param ([^=\n]*)=(.*)$", body, re.M):
        params.setdefault(unescape(m.group(1).decode()), unescape(m.group(2).decode()))
    m = re.search(rb"^stdin (\d+) ([0-9a-f]{8}) (\d+)\n", body, re.M)
    assert m, f"no stdin line in the echo:\n{body.decode('latin-1')}"
    kept = body[m.end():m.end() + int(m.group(3))]
    return params, (int(m.group(1)), m.group(2).decode(), kept)


@pytest.fixture
def base():
    """A private directory the proxies' workers can enter (Apache's run as
    www-data when the tests run as root)."""
    d = pathlib.Path(tempfile.mkdtemp(prefix="fcgispec-proxy-test."))
    try:
        d.chmod(0o755)
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(params=["unix", "tcp"])
def backend(request, base):
    """The reference responder; its address. The socket is made connectable by
    any user (umask 0), as php-fpm's listen.mode does for a web server."""
    if not RESPONDER.exists():
        pytest.fail(f"{RESPONDER} is missing: build the default preset first")
    listen = f"unix:{base}/backend.sock" if request.param == "unix" else "tcp:127.0.0.1:0"
    proc = subprocess.Popen([str(RESPONDER), "--listen", listen], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, umask=0)
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on "), f"the responder did not start: {line!r}"
        yield line.split()[-1]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def run_script(script, *args, env=None):
    return subprocess.run(["bash", str(PROXIES / script), *map(str, args)],
                          capture_output=True, text=True, timeout=60, env=env)


@pytest.fixture
def started(base):
    """Starts proxies with start.sh, as the given user, with TMPDIR inside
    base so their private work directories can be checked; stops whatever is
    left by its pid."""
    groups = []

    def start(name, fastcgi, user=None):
        home = base / (user or "me")
        home.mkdir(mode=0o755)
        (home / "tmp").mkdir(mode=0o755)
        prefix = []
        if user:
            entry = pwd.getpwnam(user)
            for d in (home, home / "tmp"):
                os.chown(d, entry.pw_uid, entry.pw_gid)
            prefix = ["runuser", "-u", user, "--"]
        workdir = home / name
        p = subprocess.run([*prefix, "bash", str(PROXIES / "start.sh"), name, str(workdir),
                            "--fastcgi", fastcgi], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "TMPDIR": str(home / "tmp")})
        if (workdir / "pid").exists():
            groups.append((workdir, int((workdir / "pid").read_text())))
        assert p.returncode == 0, f"start.sh {name} exited {p.returncode}:\n{p.stderr}"
        return workdir

    try:
        yield start
    finally:
        for workdir, pgid in groups:
            if (workdir / "pid").exists():
                run_script("stop.sh", workdir)
            if group_alive(pgid):
                os.killpg(pgid, signal.SIGKILL)


def skip_unless_installed(name):
    missing = [f for f in header(name, "needs").split() if not os.path.exists(f)]
    if missing:
        pytest.skip(f"{name} is not installed: {' '.join(missing)} missing "
                    f"(Debian: {header(name, 'package')})")


def check_forwarding_and_stop(name, backend, workdir, user):
    """The requests through the proxy in workdir, then stop.sh's cleanup."""
    pgid = int((workdir / "pid").read_text())
    # Apache listens before it forks the workers that drop to www-data: on
    # a loaded machine they may come a moment after start.sh returns.
    deadline = time.monotonic() + 10
    while True:
        users = {pwd.getpwuid(u).pw_name for u in group_members(pgid)}
        if users == worker_users(name, user) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert users == worker_users(name, user)
    address = (workdir / "http").read_text().strip()
    assert re.fullmatch(r"tcp:127\.0\.0\.1:\d+", address)
    port = int(address.rsplit(":", 1)[1])
    docroot = os.path.realpath(workdir / "docroot")

    status, _, body = http(port, f"GET /test.php/extra?x=1 HTTP/1.1\r\nHost: {HOST}\r\n"
                           "Connection: close\r\n\r\n".encode())
    assert status == 200, body
    params, stdin = echoed(body)
    assert params["REQUEST_METHOD"] == "GET"
    assert params["SCRIPT_NAME"] == "/test.php"
    assert params["PATH_INFO"] == "/extra"
    assert params["REQUEST_URI"] == "/test.php/extra?x=1"
    assert params["QUERY_STRING"] == "x=1"
    assert params["HTTP_HOST"] == HOST
    assert params["SCRIPT_FILENAME"] == script_filename(name, docroot, backend)
    assert stdin == (0, "00000000", b"")

    status, _, body = http(port, b"POST /sub/page.php HTTP/1.1\r\nHost: " + HOST.encode() +
                           b"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                           b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY) + BODY)
    assert status == 200, body
    params, stdin = echoed(body)
    assert params["REQUEST_METHOD"] == "POST"
    assert params["SCRIPT_NAME"] == "/sub/page.php"
    assert params["CONTENT_LENGTH"] == str(len(BODY))
    assert stdin == (len(BODY), f"{zlib.crc32(BODY):08x}", BODY)

    p = run_script("stop.sh", workdir)
    assert p.returncode == 0, p.stderr
    assert not group_alive(pgid), f"process group {pgid} still runs after stop.sh"
    assert not workdir.exists()
    assert list((workdir.parent / "tmp").iterdir()) == [], "the proxy's work directory was left"
    assert not port_listened(port), f"port {port} still has a listener"


def test_every_proxy_declares_its_package_and_configuration():
    assert NAMES == ["apache2", "apache2-fcgid", "caddy", "h2o", "haproxy",
                     "lighttpd", "nginx"]
    listed = (ROOT / "scripts" / "packages.d" / "proxies.txt").read_text().split()
    for name in NAMES:
        assert header(name, "config"), f"{name}.sh names no configuration it follows"
        assert header(name, "needs").startswith("/"), f"{name}.sh needs no binary"
        for package in header(name, "package").split():
            assert package in listed, f"{name}.sh: {package} is not in packages.d/proxies.txt"


@pytest.mark.parametrize("name", NAMES)
def test_proxy_forwards_to_the_backend_and_stops_clean(name, backend, started):
    skip_unless_installed(name)
    workdir = started(name, backend)
    check_forwarding_and_stop(name, backend, workdir, pwd.getpwuid(os.getuid()).pw_name)


@pytest.mark.parametrize("name", NAMES)
def test_proxy_started_by_a_plain_user_runs_as_that_user(name, backend, started):
    if os.getuid() != 0:
        pytest.skip("not root: the test above already starts the proxies as a plain user")
    skip_unless_installed(name)
    workdir = started(name, backend, user="nobody")
    check_forwarding_and_stop(name, backend, workdir, "nobody")


def test_start_refuses_an_existing_workdir_and_an_unknown_proxy(base):
    (base / "taken").mkdir()
    p = run_script("start.sh", "nginx", base / "taken")
    assert p.returncode == 2
    assert f"{base}/taken already exists" in p.stderr
    p = run_script("start.sh", "gopher", base / "new")
    assert p.returncode == 2
    assert "unknown proxy 'gopher' (known: apache2 apache2-fcgid caddy" in p.stderr
    assert not (base / "new").exists()


def test_start_reports_a_proxy_that_does_not_start_and_stop_cleans_up(base):
    workdir = base / "w"
    started_at = time.monotonic()
    p = run_script("start.sh", "nginx", workdir, "--fastcgi", "bogus")
    pgid = int((workdir / "pid").read_text())
    try:
        assert p.returncode == 3
        assert time.monotonic() - started_at < 5, "start.sh waited for a proxy that had exited"
        assert "nginx did not accept connections" in p.stderr
        assert ("the FastCGI address must be unix:/ABSOLUTE/PATH or tcp:HOST:PORT, "
                "not 'bogus'") in p.stderr
        assert run_script("stop.sh", workdir).returncode == 0
        assert not workdir.exists()
    finally:
        if group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)


def test_stop_leaves_files_it_did_not_create(base, started):
    skip_unless_installed("nginx")
    workdir = started("nginx", "tcp:127.0.0.1:1")  # no backend needed
    (workdir / "notes.txt").write_text("mine\n")
    p = run_script("stop.sh", workdir)
    assert p.returncode == 1
    assert "holds files start.sh did not create" in p.stderr
    assert sorted(os.listdir(workdir)) == ["notes.txt"]


def test_run_sh_leaves_the_baseline_out_for_the_callers_cases(tmp_path):
    """A case the baseline lists as a known failure fails a run of a
    directory of cases (run.sh --cases): the baseline describes the
    catalog, so it is not applied to them, and says nothing of the rest."""
    skip_unless_installed("nginx")
    known = "rfc3875-4.1.11/auth/remote-user-is-text"
    assert f"{known} fail" in (PROXIES / "baselines" / "nginx.txt").read_text()
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(ROOT / "seeds" / "cases" / "proxy" / "trust" / "auth-remote-user-is-text.case",
                cases)
    report = tmp_path / "report.json"
    p = run_script("run.sh", "nginx", "--cases", cases, "--json", report)
    assert p.returncode == 1, p.stderr
    assert "not in the catalog" not in p.stderr
    [case] = json.loads(report.read_text())["cases"]
    assert (case["id"], case["verdict"], case["known"]) == (known, "fail", False)


SLOW_APP_CASE = """\
id: fcgi-5.3/test/slow-app
section: fcgi-5.3
level: MUST
requirement: An application that answers after 3 s of silence is answered through the proxy.
reply wait 3000
reply stdout "Status: 200 OK\\r\\n\\r\\nslow"
reply stdout
reply end
get "/test.php"
expect body 1 "slow"
"""


def test_run_sh_gives_a_proxy_the_timeout_its_start_script_declares(tmp_path):
    """apache2-fcgid.sh declares a 4000 ms --timeout (mod_fcgid waits for
    an application process in whole seconds): 3 s of silence is no hang
    there, and is one when the caller asks for fcgispec's default."""
    skip_unless_installed("apache2-fcgid")
    declared = header("apache2-fcgid", "timeout")
    assert declared.split()[0] == "4000", declared
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "slow-app.case").write_text(SLOW_APP_CASE)
    verdicts = {}
    for given in ([], ["--timeout", "2000"]):
        report = tmp_path / f"report{len(given)}.json"
        p = run_script("run.sh", "apache2-fcgid", "--cases", cases, "--json", report, *given)
        [case] = json.loads(report.read_text())["cases"]
        verdicts[tuple(given)] = (p.returncode, case["verdict"])
    assert verdicts == {(): (0, "pass"), ("--timeout", "2000"): (1, "hang")}
