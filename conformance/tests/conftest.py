"""Shared helpers for the conformance tests: where the binaries are, and
backends that are started here and stopped by their pid."""
import os
import pathlib
import signal
import subprocess
import tempfile
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("FCS_BUILD_DIR", ROOT / "build" / "default"))
FCGISPEC = BUILD / "conformance" / "fcgispec"
FCGI_CURL = BUILD / "conformance" / "client" / "fcgi-curl"
MUTANT = BUILD / "conformance" / "mutants" / "fcgi-mutant"
RESPONDER = BUILD / "responder" / "fcgi-responder"


def need(path):
    if not path.exists():
        pytest.fail(f"{path} is missing: build the default preset first")
    return str(path)


class Backend:
    """A FastCGI backend listening on a private Unix socket."""

    def __init__(self, argv_for_address):
        self.dir = tempfile.TemporaryDirectory(prefix="fcs-test-")
        self.address = f"unix:{self.dir.name}/backend.sock"
        self.proc = subprocess.Popen(
            argv_for_address(self.address),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.proc.stdout.readline()
        if not line.startswith("listening on"):
            self.stop()
            raise RuntimeError(f"backend did not start: {line!r}")

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc.stdout.close()
        self.dir.cleanup()


@pytest.fixture
def responder():
    need(RESPONDER)
    b = Backend(lambda addr: [str(RESPONDER), "--listen", addr])
    yield b
    b.stop()


def run_fcgispec(*args, timeout=300):
    """Runs fcgispec; returns (exit code, stdout, elapsed seconds)."""
    code, out, elapsed, _ = run_fcgispec_measured(*args, timeout=timeout)
    return code, out, elapsed


def run_fcgispec_measured(*args, timeout=300):
    """Runs fcgispec; returns (exit code, output, elapsed seconds, peak
    resident KiB of fcgispec and the children it reaped). The peak comes
    from wait4 on this one process: RUSAGE_CHILDREN would give the largest
    child this whole test session ever reaped."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen([need(FCGISPEC), "--color", "never", *args],
                             stdout=out, stderr=subprocess.STDOUT)
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                p.kill()
                os.wait4(p.pid, 0)
                raise subprocess.TimeoutExpired(p.args, timeout)
            time.sleep(0.02)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    return p.returncode, text, time.monotonic() - start, usage.ru_maxrss


def mutant_spawn_args(rule, tmpdir):
    """fcgispec options that start fcgi-mutant breaking rule, by pid."""
    sock = f"{tmpdir}/mutant.sock"
    return ["--target", f"unix:{sock}", "--spawn",
            f"exec {need(MUTANT)} --listen unix:{sock} --break {rule}"]
