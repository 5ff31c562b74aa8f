"""Writes the fuzz seed corpora under seeds/corpus/<target>/.

Every FastCGI byte of a seed comes from case files, encoded by the codec:
the conformance runner exports the bytes each case sends (fcgispec
--export-seeds), the reply each proxy case scripts (--export-replies) and
the name-value pairs of the PARAMS records a case sends (--export-params),
from the scored catalog (seeds/cases) and from the seed-only cases of
seeds/fuzz-cases (the spec's record layouts, the name-value length forms,
the boundary cases its limits imply; they never join the scored catalog).
Each target gets the sequences in the input format it reads (a control
byte, a chunk schedule, ...). Files are named by the SHA-1 of their
content, so regenerating is idempotent and merging corpora never clashes.
"""
import argparse
import hashlib
import os
import pathlib
import subprocess
import sys
import tempfile

from .. import ROOT

FUZZ_CASES = ROOT / "seeds" / "fuzz-cases"


def exported(runner, option, cases=None, patterns=()):
    """{name: bytes} that the runner writes with option (--export-seeds,
    --export-replies or --export-params) for the cases of the directory
    cases (default: the scored catalog) that patterns select."""
    with tempfile.TemporaryDirectory() as tmp:
        where = ["--cases", str(cases)] if cases else []
        subprocess.run([str(runner), *where, option, tmp, *patterns], check=True,
                       stdout=subprocess.DEVNULL)
        return {p.stem: p.read_bytes() for p in sorted(pathlib.Path(tmp).glob("*.bin"))}


def streams(runner, fuzz_cases=FUZZ_CASES):
    """What the seeds are made of: the byte sequences a web server sends
    to an application (every case of both directories), the ones an
    application sends back (the seed-only reply cases) and the contents
    of single PARAMS streams (the seed-only params cases)."""
    app = {"case-" + k: v for k, v in exported(runner, "--export-seeds").items()}
    app.update(exported(runner, "--export-seeds", fuzz_cases))
    client = exported(runner, "--export-replies", fuzz_cases)
    params = exported(runner, "--export-params", fuzz_cases, ["seed/params"])
    return app, client, params


SCHEDULES = [b"", b"\x00", b"\x02", b"\x06\x00\x0c", b"\x07", b"\x03\x01"]
# The multiplex target's provider picks (fuzz/targets/multiplex.c): an
# index into its ids, a role (0 Responder, 1 Authorizer, 2 Filter) and a
# flags byte of which it keeps the keep-connection bit.
RESPONDER, AUTHORIZER, FILTER = range(3)
KEEP = 1


def mux_request(id_index, role=RESPONDER, flags=0, params=(), body=b"", data=b"",
                piece=64):
    """One request in the multiplex target's provider format: the target
    encodes its records itself."""
    out = bytes([id_index, role, flags, len(params)])
    for name, value in params:
        out += bytes([len(name)]) + name + bytes([len(value)]) + value
    out += bytes([len(body)]) + body
    if role == FILTER:
        out += bytes([len(data)]) + data
    return out + bytes([piece - 1])


def multiplex_seeds():
    """Provider inputs for the multiplex target: request count, requests,
    then the picks that interleave their records."""
    a = mux_request(0, params=[(b"A", b"1"), (b"REQUEST_METHOD", b"GET")], body=b"one", piece=2)
    b = mux_request(3, params=[(b"B", b"2")], body=b"two", piece=3)  # id 257: low byte 1
    c = mux_request(5, FILTER, KEEP, [(b"C", b"")], b"in", b"filter data", piece=1)
    d = mux_request(7, AUTHORIZER, 0, [(b"N" * 31, b"v" * 63)], b"", piece=64)
    return [
        bytes([0]) + a + b + bytes([0, 1] * 16),
        bytes([1]) + a + b + c + bytes([2, 1, 0] * 20),
        bytes([2]) + a + b + c + d + bytes(range(4)) * 16,
        bytes([0]) + c + d + bytes([1] * 10 + [0] * 40),
    ]


def control(mode, side, schedule=b""):
    return bytes([mode | side << 1 | len(schedule) << 2]) + schedule


def corpora(app, client, params):
    """target name -> list of inputs in that target's format."""
    streams = [(0, v) for v in app.values()] + [(1, v) for v in client.values()]
    c = {t: [] for t in ("decode", "chunking", "roundtrip", "params", "reference",
                         "libfcgi", "responder", "multiplex")}
    for i, (side, data) in enumerate(streams):
        for mode in (0, 1):
            c["decode"].append(bytes([mode | side << 1]) + data)
            c["reference"].append(bytes([mode]) + data)
        sched = SCHEDULES[i % len(SCHEDULES)]
        c["chunking"].append(control(i & 1, side, sched) + data)
        c["roundtrip"].append(data)
        if side == 0 and len(data) <= 8192:
            c["libfcgi"].append(data)
            # multiplexing on or off, 1 or 4 requests, output taken whole
            # or 7 bytes at a time, input offered whole or 5 at a time
            c["responder"].append(bytes([i & 3, 7 * (i & 1), 255 if i & 2 else 4]) + data)
    c["multiplex"] = multiplex_seeds()
    for i, content in enumerate(params.values()):
        for sched in (b"", b"\x00", SCHEDULES[2 + i % 4]):
            c["params"].append(bytes([len(sched)]) + sched + content)
    return c


def write_corpora(out_dir, corpus):
    written = 0
    for target, inputs in corpus.items():
        d = out_dir / target
        d.mkdir(parents=True, exist_ok=True)
        for data in inputs:
            path = d / hashlib.sha1(data).hexdigest()
            if not path.exists():
                path.write_bytes(data)
                written += 1
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "seeds" / "corpus",
                    help="corpus root (default: seeds/corpus)")
    build = pathlib.Path(os.environ.get("FCS_BUILD_DIR", ROOT / "build" / "default"))
    ap.add_argument("--conformance", type=pathlib.Path,
                    default=build / "conformance" / "fcgispec",
                    help="the conformance runner that exports the cases' bytes "
                         "(default: the build tree's)")
    ap.add_argument("--fuzz-cases", type=pathlib.Path, default=FUZZ_CASES,
                    help="the seed-only cases (default: seeds/fuzz-cases)")
    args = ap.parse_args(argv)
    if not args.conformance.exists():
        print(f"fuzz_seeds: no conformance runner at {args.conformance}: build it "
              "(cmake --build --preset default) or name it with --conformance",
              file=sys.stderr)
        return 2
    app, client, params = streams(args.conformance, args.fuzz_cases)
    corpus = corpora(app, client, params)
    n = write_corpora(args.out, corpus)
    total = sum(len(v) for v in corpus.values())
    print(f"fuzz_seeds: {total} seeds from {len(app)} request streams, "
          f"{len(client)} replies and {len(params)} PARAMS streams; "
          f"{n} new files under {args.out}")
    return 0

