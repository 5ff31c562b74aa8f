"""Writes the seed corpora of the upstream harnesses (fuzz/upstream).

  fuzz_upstream_seeds.py [HARNESS...]      (default: every harness)

An upstream harness's input is the raw bytes its peer sends: a web
server's request for php-fpm, an application's reply for the proxies. So
php-fpm's seeds are the bytes every request-side conformance case sends
(`fcgispec --export-seeds`), and a proxy's are the FastCGI replies the
response-side proxy cases script (`fcgispec --export-replies`). Each seed is
written to seeds/corpus/<harness>/<sha1 of its bytes>; files already there
(a campaign's merged inputs) stay. Empty replies and
floods over 128 KiB are left out. fcgispec comes from $FCS_BUILD_DIR
(default build/default).

Exit codes: 0 done; 1 fcgispec failed; 2 usage.
"""
import hashlib
import os
import pathlib
import subprocess
import sys
import tempfile

from .. import ROOT
from . import upstream

# Which side of the hop each harness parses: the request (an application's
# parser) or the reply (a proxy's).
REQUEST_SIDE = {"php_fpm"}
# Floods of a megabyte add nothing a fuzzer keeps that 64 KiB records
# (which stay) do not; the corpora stay small.
MAX_SEED = 128 * 1024


def fcgispec():
    build = pathlib.Path(os.environ.get("FCS_BUILD_DIR", ROOT / "build" / "default"))
    path = build / "conformance" / "fcgispec"
    if not path.is_file():
        raise SystemExit(f"fuzz_upstream_seeds: no {path}; build first "
                         f"(cmake --preset default && cmake --build --preset default)")
    return path


def exported(option):
    """{name: bytes} that fcgispec writes with --export-seeds or --export-replies."""
    with tempfile.TemporaryDirectory(prefix="fcgispec-upstream-seeds.") as tmp:
        subprocess.run([str(fcgispec()), option, tmp], check=True,
                       stdout=subprocess.DEVNULL)
        return {p.name: p.read_bytes() for p in sorted(pathlib.Path(tmp).iterdir())}


def write_seeds(dest, blobs):
    """Writes the blobs into dest, content-named, leaving out empty ones and
    those over MAX_SEED; returns how many were new."""
    dest.mkdir(parents=True, exist_ok=True)
    new = 0
    for data in blobs:
        if not data or len(data) > MAX_SEED:
            continue
        path = dest / hashlib.sha1(data).hexdigest()
        if not path.exists():
            path.write_bytes(data)
            new += 1
    return new


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if any(a.startswith("-") for a in argv):
        print(__doc__, file=sys.stderr if argv != ["--help"] else sys.stdout)
        return 0 if argv in (["--help"], ["-h"]) else 2
    known = list(upstream.pins())
    for h in argv:
        if h not in known:
            print(f"fuzz_upstream_seeds: unknown harness {h!r}; known: {', '.join(known)}",
                  file=sys.stderr)
            return 2
    sides = {}
    try:
        for h in argv or known:
            option = "--export-seeds" if h in REQUEST_SIDE else "--export-replies"
            if option not in sides:
                sides[option] = exported(option)
            blobs = sides[option].values()
            new = write_seeds(ROOT / "seeds" / "corpus" / h, blobs)
            print(f"{h}: {new} new seeds of {len(blobs)}")
    except subprocess.CalledProcessError as e:
        print(f"fuzz_upstream_seeds: {e}", file=sys.stderr)
        return 1
    return 0
