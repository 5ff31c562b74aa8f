"""Starting, watching and stopping the backends of a campaign.

Every real backend is started the way scripts/backends/run.sh starts it:
`bash scripts/backends/NAME.sh unix:SOCK` with the SCRIPT_FILENAME its
`# fcgispec-script-filename:` header names (repo-relative unless
absolute). `reference` is this project's fcgi-responder from the build
tree, started with `--listen unix:SOCK` as fcgispec starts its built-in
target. A Fleet owns one private temporary directory (sockets, logs, and
the TMPDIR of every backend, so their own work directories land inside it),
starts each backend in its own process group, and on leaving (also on
Ctrl-C or TERM) stops every group and removes the directory.

A death is noticed two ways: the process group leader exited (or its
socket stopped listening), or the backend's log grew a line that says a
process of it died (the supervisor of scripts/backends/common.sh logs each
restart of the program it runs; uWSGI's master each worker it respawns;
and the patterns scripts/fcgispec_tools/proxy_fuzz/driver.py searches proxy logs for).
Deaths are counted, not just noticed: fcgi-diff's own probe kills some
backends (its GET_VALUES), and the campaign subtracts what the probe costs.
"""
import concurrent.futures
import ctypes
import os
import pathlib
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time

from .. import ROOT
from ..procs import stop_group
from ..proxy_fuzz.driver import DIED

BACKENDS_DIR = ROOT / "scripts" / "backends"
REFERENCE = "reference"
# Files in scripts/backends that are not start scripts.
NOT_BACKENDS = {"run", "common"}
# The supervisor of common.sh, uWSGI's master (it respawns a worker), and
# the proxies' patterns.
RESTARTED = re.compile(r"the application exited with status|^DAMN ! worker|" + DIED.pattern,
                       re.M)
START_SECONDS = 120  # mono's warm-up alone can take a minute on a busy machine
STOP_SECONDS = 3
ACCEPTCON = 0x10000  # /proc/net/unix flag of a listening socket
PR_SET_PDEATHSIG = 1


class WouldNotStart(Exception):
    """A backend did not start: the message names it and quotes its log."""


def build_dir():
    return pathlib.Path(os.environ.get("FCS_BUILD_DIR", ROOT / "build" / "default"))


def all_names():
    """reference, then every scripts/backends/NAME.sh, sorted."""
    real = sorted(p.stem for p in BACKENDS_DIR.glob("*.sh") if p.stem not in NOT_BACKENDS)
    return [REFERENCE] + real


def parse_names(text):
    """The names of a --backends value (comma separated; empty: all), in the
    order of all_names(). ValueError names an unknown one."""
    known = all_names()
    if not text:
        return known
    asked = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in asked if n not in known]
    if unknown:
        raise ValueError(f"unknown backend '{unknown[0]}' (known: {', '.join(known)})")
    return [n for n in known if n in asked]


def header(name, key):
    """The value of the `# fcgispec-KEY:` line of NAME.sh, or None."""
    pat = re.compile(rf"^# fcgispec-{re.escape(key)}: (.*)$", re.M)
    m = pat.search((BACKENDS_DIR / f"{name}.sh").read_text())
    return m.group(1).strip() if m else None


def script_filename(name):
    """The SCRIPT_FILENAME a backend's echo app is reached with."""
    if name == REFERENCE:
        return "/fcgispec"
    path = header(name, "script-filename") or "/fcgispec"
    return path if path.startswith("/") else str(ROOT / path)


def package(name):
    """The Debian package a backend is named after (None for reference)."""
    return None if name == REFERENCE else header(name, "package")


def versions(names):
    """{name: version}: the Debian package version of each real backend
    (dpkg-query -W), and the git description of the tree for reference."""
    out = {}
    for name in names:
        pkg = package(name)
        if pkg:
            r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                               capture_output=True, text=True)
            version = r.stdout.strip() if r.returncode == 0 else "(not installed)"
            out[name] = f"{pkg} {version}"
        elif name == REFERENCE:
            r = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                               capture_output=True, text=True)
            out[name] = f"fcgi-responder {r.stdout.strip() or 'unknown'}"
    return out


def listening(path):
    """True when a Unix socket at path (symlinks followed) is listening, as
    the kernel's table says (/proc/net/unix): no connection is made, since
    an empty connection kills some backends."""
    real = os.path.realpath(path)
    # A socket of a stopped process stays in the table under its path for a
    # moment after the file is gone (and a new one made in its place).
    if not os.path.exists(real) or not stat.S_ISSOCK(os.stat(real).st_mode):
        return False
    try:
        table = pathlib.Path("/proc/net/unix").read_text().splitlines()[1:]
    except OSError:
        return os.path.exists(real)
    for line in table:
        fields = line.split()
        if len(fields) >= 8 and fields[7] == real and int(fields[3], 16) & ACCEPTCON:
            return True
    return False


class Backend:
    """One backend of a fleet: its start command, socket, log and process."""

    def __init__(self, name, work, env):
        self.name, self.env = name, env
        self.sock = work / f"{name}.sock"
        self.log = work / f"{name}.log"
        self.proc = None
        self.log_seen = 0  # log bytes already searched for deaths
        self.restarts = 0

    @property
    def address(self):
        return f"unix:{self.sock}"

    @property
    def script(self):
        return script_filename(self.name)

    def command(self):
        if self.name == REFERENCE:
            responder = build_dir() / "responder" / "fcgi-responder"
            if not responder.exists():
                raise WouldNotStart(f"reference: {responder} is missing (build the project first)")
            return [str(responder), "--listen", self.address]
        return ["bash", str(BACKENDS_DIR / f"{self.name}.sh"), self.address]

    def start(self):
        """Starts the process in its own group (not waiting for it)."""
        self.sock.unlink(missing_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=log, env=self.env, cwd=ROOT,
                                         start_new_session=True, preexec_fn=_term_with_parent)
        self.log_seen = self.log.stat().st_size

    def wait_ready(self, deadline):
        """Waits until the socket listens; WouldNotStart when the
        process exits first or the deadline passes."""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if listening(self.sock):
                self.log_seen = self.log.stat().st_size
                return
            time.sleep(0.05)
        why = "exited" if self.proc.poll() is not None else "did not listen in time"
        tail = self.log.read_text(errors="replace").strip().splitlines()[-5:]
        self.stop()
        raise WouldNotStart(f"{self.name} {why}; its last lines: " + " | ".join(tail))

    def deaths(self):
        """How many times a process of the backend died since the last call
        (or since it started): each death its log tells of, and one when the
        group leader exited or the socket no longer listens."""
        size = self.log.stat().st_size if self.log.exists() else 0
        told = 0
        if size > self.log_seen:
            with open(self.log, "rb") as f:
                f.seek(self.log_seen)
                told = len(RESTARTED.findall(f.read().decode("latin-1")))
            self.log_seen = size
        return told + (not self.serving())

    def serving(self):
        """The group leader runs and the socket listens."""
        return self.proc is not None and self.proc.poll() is None and listening(self.sock)

    def recover(self):
        """Restarts the backend unless its own supervisor already did."""
        if not self.serving():
            self.restart()

    def stop(self):
        """TERM to the group, KILL what is left after STOP_SECONDS."""
        if self.proc is None:
            return
        stop_group(self.proc, STOP_SECONDS)
        self.proc = None

    def restart(self, seconds=START_SECONDS):
        self.stop()
        self.restarts += 1
        self.start()
        self.wait_ready(time.monotonic() + seconds)


class Fleet:
    """The running backends of one campaign, as a context manager:

        with Fleet(["reference", "php-fpm"]) as fleet:
            fleet["php-fpm"].address

    Entering starts them all at once and waits for each socket (WouldNotStart
    when one does not come up); leaving stops them and removes the private
    directory. TERM is turned into KeyboardInterrupt while the fleet runs, so
    a stopped campaign cleans up as a Ctrl-C does."""

    def __init__(self, names, start_seconds=START_SECONDS):
        self.names, self.start_seconds = list(names), start_seconds
        self.work = None
        self.backends = {}
        self._old_term = None

    def __getitem__(self, name):
        return self.backends[name]

    def __iter__(self):
        return iter(self.backends.values())

    def __enter__(self):
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="fcgispec-differential."))
        self._old_term = signal.signal(signal.SIGTERM, _interrupt)
        try:
            env = self._environment()
            for name in self.names:
                self.backends[name] = Backend(name, self.work, env)
            self.start_all()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _environment(self):
        """A small, fixed environment: some echo apps show their whole
        process environment, and the quirks file must hold the same added
        names on every machine."""
        tmp = self.work / "tmp"
        tmp.mkdir()
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TMPDIR": str(tmp),
                "LANG": "C.UTF-8", "FCS_ECHO_FORMAT": "lines", "HOME": str(tmp)}

    def start_all(self):
        for b in self.backends.values():
            b.start()
        deadline = time.monotonic() + self.start_seconds
        with concurrent.futures.ThreadPoolExecutor(len(self.backends) or 1) as pool:
            waits = [pool.submit(b.wait_ready, deadline) for b in self.backends.values()]
            errors = [w.exception() for w in waits if w.exception()]
        if errors:
            raise errors[0]

    def __exit__(self, *exc):
        for b in self.backends.values():
            b.stop()
        if self.work:
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None
        if self._old_term is not None:
            signal.signal(signal.SIGTERM, self._old_term)
            self._old_term = None
        return False


def _term_with_parent():
    """In the child: TERM when the campaign dies without cleaning up (KILL),
    so that a start script's own trap still stops what it started."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
