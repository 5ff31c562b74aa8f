"""Writes seeds for the runner fuzz target under seeds/corpus/runner/.

The best seeds are what a real backend sends: every conformance case's
bytes (fcgispec --export-seeds) go to the reference responder over a Unix
socket, and its reply becomes a seed in the runner target's input format
(fuzz/targets/runner.c), with the sizes of the reads that brought it as
the chunk schedule and the case it answers as the case to judge. A few
hostile replies (floods past the target's bounds, bytes that do not
frame, a record cut short), the seed-only cases seeds/fuzz-cases/runner
script for the recording backend (fcgispec --export-replies), are added.
Files are named by SHA-1.
"""
import argparse
import hashlib
import os
import pathlib
import socket
import struct
import subprocess
import tempfile
import time

from .. import ROOT
from .seeds import FUZZ_CASES, exported

FLAG_ECHO, FLAG_EOF = 1, 2
READ_TIMEOUT = 2.0  # seconds without a byte before a reply is taken as whole


def runner_input(pick, reads, data, flags=FLAG_ECHO | FLAG_EOF, mark=0,
                 waited=0):
    """pick: catalog index (the catalog size means every case); reads: the
    sizes of the successive reads, as chunk-schedule steps of 1-256 bytes."""
    steps = []
    for n in reads:
        while n > 256:
            steps.append(255)
            n -= 256
        if n:
            steps.append(n - 1)
    steps = bytes(steps[:255])
    return struct.pack(">HBBBB", pick, flags, mark, waited, len(steps)) + steps + data


def case_ids(fcgispec):
    out = subprocess.run([str(fcgispec), "--list", "--color", "never"], check=True,
                         capture_output=True, text=True).stdout
    # Case lines start with the id ("3.3/record/..."); the last line counts.
    return [line.split()[0] for line in out.splitlines() if "/" in line.split(" ")[0]]


def start_responder(responder, sock):
    proc = subprocess.Popen([str(responder), "--listen", f"unix:{sock}"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        proc.wait()
        raise SystemExit(f"fuzz_runner_seeds: the responder did not start: {line!r}")
    return proc


def exchange(sock, data):
    """Sends data, half-closes, and returns the sizes and bytes of the reads
    the reply came in."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(READ_TIMEOUT)
    s.connect(str(sock))
    reads, got = [], b""
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reads.append(len(chunk))
            got += chunk
    except (socket.timeout, ConnectionError):
        pass
    finally:
        s.close()
    return reads, got


def responder_replies(fcgispec, responder):
    """case index -> (read sizes, reply bytes) from the reference responder."""
    ids = case_ids(fcgispec)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(fcgispec), "--export-seeds", tmp], check=True,
                       stdout=subprocess.DEVNULL)
        sock = pathlib.Path(tmp) / "responder.sock"
        proc = start_responder(responder, sock)
        try:
            replies = {}
            for i, cid in enumerate(ids):
                sent = (pathlib.Path(tmp) / (cid.replace("/", "_") + ".bin")).read_bytes()
                replies[i] = exchange(sock, sent)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return ids, replies


def hostile(all_cases, fcgispec):
    """Replies that pass the runner's bounds (1024 content bytes and 64
    records in the fuzz build) or do not frame, judged by every case."""
    r = {k.removeprefix("seed_runner_"): v for k, v in
         exported(fcgispec, "--export-replies", FUZZ_CASES, ["seed/runner"]).items()}
    return [
        runner_input(all_cases, [7, 1000, 3], r["flood-records"]),
        runner_input(all_cases, [900, 900], r["flood-content"], mark=2, waited=40),
        runner_input(all_cases, [len(r["version-0-after-reply"])],
                     r["version-0-after-reply"], flags=FLAG_EOF | 4),
        runner_input(all_cases, [5, 5, 5], r["end-cut-short"], flags=0),
        runner_input(all_cases, [1] * 40, r["stderr-unended"], flags=FLAG_ECHO),
    ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    build = pathlib.Path(os.environ.get("FCS_BUILD_DIR", ROOT / "build" / "default"))
    ap.add_argument("--out", type=pathlib.Path,
                    default=ROOT / "seeds" / "corpus" / "runner")
    ap.add_argument("--fcgispec", type=pathlib.Path,
                    default=build / "conformance" / "fcgispec")
    ap.add_argument("--responder", type=pathlib.Path,
                    default=build / "responder" / "fcgi-responder")
    a = ap.parse_args(argv)
    started = time.monotonic()
    ids, replies = responder_replies(a.fcgispec, a.responder)
    seeds = [runner_input(i, reads, data) for i, (reads, data) in replies.items()]
    seeds += hostile(len(ids), a.fcgispec)
    a.out.mkdir(parents=True, exist_ok=True)
    new = 0
    for data in seeds:
        path = a.out / hashlib.sha1(data).hexdigest()
        if not path.exists():
            path.write_bytes(data)
            new += 1
    print(f"fuzz_runner_seeds: {len(seeds)} seeds from {len(ids)} cases, {new} new, "
          f"{time.monotonic() - started:.1f} s")
    return 0
