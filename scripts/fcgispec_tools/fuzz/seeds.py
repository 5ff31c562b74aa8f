#!/usr/bin/python3
"""Writes the fuzz seed corpora under seeds/corpus/<target>/.

Every seed comes from a FastCGI byte sequence built here from the spec
(record layouts of sections 3.3-5 and 8, the name-value length forms of
3.4, the boundary cases the spec's limits imply) or, when a built
conformance runner is found, from the bytes each conformance case sends.
Each target gets the sequences in the input format it reads (a control
byte, a chunk schedule, ...). Files are named by the SHA-1 of their
content, so regenerating is idempotent and merging corpora never clashes.
"""
import argparse
import hashlib
import os
import pathlib
import struct
import subprocess
import sys
import tempfile

from .. import ROOT

# Record types, roles and statuses (spec section 8).
BEGIN, ABORT, END, PARAMS, STDIN, STDOUT, STDERR, DATA = range(1, 9)
GET_VALUES, GET_VALUES_RESULT, UNKNOWN_TYPE = 9, 10, 11
RESPONDER, AUTHORIZER, FILTER = 1, 2, 3
KEEP_CONN = 1


def header(rtype, rid, clen, plen=0, version=1, reserved=0):
    return struct.pack(">BBHHBB", version, rtype, rid, clen, plen, reserved)


def record(rtype, rid, content=b"", plen=0, fill=0, version=1):
    return header(rtype, rid, len(content), plen, version) + content + bytes([fill]) * plen


def begin(rid, role=RESPONDER, flags=0, plen=0):
    return record(BEGIN, rid, struct.pack(">HB5x", role, flags), plen)


def end(rid, app_status=0, protocol_status=0):
    return record(END, rid, struct.pack(">IB3x", app_status, protocol_status))


def nv_length(n, long_form=False):
    if n < 128 and not long_form:
        return bytes([n])
    return struct.pack(">I", n | 0x80000000)


def pair(name, value, long_form=False):
    return nv_length(len(name), long_form) + nv_length(len(value), long_form) + name + value


def pairs(items):
    return b"".join(pair(n, v) for n, v in items)


def stream(rtype, rid, data, piece=65535, plen=0):
    """A stream split into records of at most piece bytes, then its end."""
    out = b"".join(record(rtype, rid, data[i:i + piece], plen)
                   for i in range(0, len(data), piece))
    return out + record(rtype, rid, b"", plen)


BASELINE_PARAMS = [
    (b"REQUEST_METHOD", b"GET"), (b"SERVER_PROTOCOL", b"HTTP/1.1"),
    (b"REQUEST_URI", b"/"), (b"SCRIPT_NAME", b"/index"),
    (b"SCRIPT_FILENAME", b"/srv/index"), (b"QUERY_STRING", b""),
    (b"GATEWAY_INTERFACE", b"CGI/1.1"), (b"SERVER_NAME", b"localhost"),
    (b"SERVER_PORT", b"80"), (b"REMOTE_ADDR", b"127.0.0.1"),
]
QUERY = pairs([(b"FCGI_MAX_CONNS", b""), (b"FCGI_MAX_REQS", b""),
               (b"FCGI_MPXS_CONNS", b"")])


def request(rid=1, role=RESPONDER, flags=0, params=BASELINE_PARAMS, body=b"",
            piece=65535, plen=0):
    return (begin(rid, role, flags, plen) + stream(PARAMS, rid, pairs(params), piece, plen)
            + stream(STDIN, rid, body, piece, plen))


def reply(rid=1, out=b"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok",
          err=b"", status=0):
    data = stream(STDOUT, rid, out)
    if err:
        data += stream(STDERR, rid, err)
    return data + end(rid, 0, status)


def boundary_params():
    """Name-value pairs at the length-form limits of section 3.4."""
    return [
        [(b"N" * 127, b"v" * 127)],
        [(b"N" * 128, b"v" * 128)],
        [(b"", b""), (b"EMPTY_VALUE", b"")],
        [(b"X" * 127, b"y" * 128), (b"Z" * 128, b"w" * 127)],
        [(b"LONG", b"x" * 1000)],
    ]


def app_streams():
    """Byte sequences a web server sends to an application."""
    s = {}
    s["baseline"] = request()
    s["baseline-keep-conn"] = request(flags=KEEP_CONN) + request(flags=KEEP_CONN)
    for plen in (1, 7, 8, 255):
        s[f"padded-{plen}"] = request(plen=plen)
    s["post-body"] = request(params=BASELINE_PARAMS + [(b"CONTENT_LENGTH", b"11")],
                             body=b"hello world")
    s["body-1-byte-records"] = request(body=b"abcdefgh", piece=1)
    s["params-1-byte-records"] = request(piece=1)
    s["max-record"] = (begin(1) + stream(PARAMS, 1, pairs(BASELINE_PARAMS))
                       + record(STDIN, 1, b"s" * 65535, 255) + record(STDIN, 1))
    s["filter-data"] = (begin(1, FILTER) + stream(PARAMS, 1, pairs(BASELINE_PARAMS))
                        + stream(STDIN, 1, b"in") + stream(DATA, 1, b"file data"))
    s["authorizer"] = begin(1, AUTHORIZER) + stream(PARAMS, 1, pairs(BASELINE_PARAMS)) + stream(STDIN, 1, b"")
    s["get-values"] = record(GET_VALUES, 0, QUERY)
    s["get-values-repeated-mpxs"] = record(GET_VALUES, 0, pairs([(b"FCGI_MPXS_CONNS", b"")] * 5))
    s["unknown-type-0x20"] = record(0x20, 0, b"abc", 5) + request()
    s["abort"] = begin(1) + stream(PARAMS, 1, pairs(BASELINE_PARAMS)) + record(ABORT, 1)
    s["multiplexed"] = (begin(1) + begin(2) + record(PARAMS, 2, pairs(BASELINE_PARAMS[:3]))
                        + record(PARAMS, 1, pairs(BASELINE_PARAMS)) + record(PARAMS, 1)
                        + record(PARAMS, 2) + record(STDIN, 2, b"two") + record(STDIN, 1)
                        + record(STDIN, 2))
    s["ids-257-and-1"] = (begin(257) + begin(1) + record(PARAMS, 1, pair(b"A", b"1"))
                          + record(PARAMS, 257, pair(b"B", b"2")) + record(PARAMS, 257)
                          + record(PARAMS, 1) + record(STDIN, 1) + record(STDIN, 257))
    s["inactive-id"] = record(PARAMS, 7, pair(b"A", b"b")) + record(STDIN, 7, b"x") + record(ABORT, 7) + request()
    s["duplicate-begin"] = begin(1) + begin(1) + request()
    s["stream-after-end"] = request() + record(STDIN, 1, b"late")
    s["stdin-before-params-end"] = begin(1) + record(STDIN, 1, b"early") + request()
    s["pair-straddles-records"] = (begin(1) + record(PARAMS, 1, pair(b"NAME", b"value")[:3])
                                   + record(PARAMS, 1, pair(b"NAME", b"value")[3:])
                                   + record(PARAMS, 1) + record(STDIN, 1))
    long_len = pair(b"N" * 200, b"v")
    s["long-length-split"] = (begin(1) + record(PARAMS, 1, long_len[:2])
                              + record(PARAMS, 1, long_len[2:]) + record(PARAMS, 1) + record(STDIN, 1))
    s["params-truncated-pair"] = begin(1) + record(PARAMS, 1, pair(b"NAME", b"value")[:-2]) + record(PARAMS, 1)
    s["params-near-2-31"] = (begin(1) + record(PARAMS, 1, b"\xff\xff\xff\xff\xff\xff\xff\xff" + b"A" * 16)
                             + record(PARAMS, 1))
    for i, ps in enumerate(boundary_params()):
        s[f"params-boundary-{i}"] = request(params=ps)
    # Record-layer errors, each right after a valid request.
    s["version-0"] = record(PARAMS, 1, b"", version=0)
    s["version-2"] = request() + header(BEGIN, 1, 8, version=2) + bytes(8)
    s["management-nonzero-id"] = record(GET_VALUES, 1, QUERY)
    s["application-id-0"] = begin(0)
    s["begin-body-short"] = header(BEGIN, 1, 4) + b"\x00\x01\x00\x00"
    s["begin-body-short-header-only"] = header(BEGIN, 1, 4)
    s["begin-body-long"] = header(BEGIN, 1, 9) + b"\x00\x01\x00\x00\x00\x00\x00\x00\x00" + request(2)
    s["abort-with-content"] = begin(1) + record(ABORT, 1, b"x")
    s["reserved-ff"] = header(BEGIN, 1, 8, reserved=0xFF) + struct.pack(">HB5x", 1, 0)
    for cut in range(1, 8):
        s[f"truncated-header-{cut}"] = request()[:16 + cut]
    s["truncated-content"] = request()[:40]
    s["truncated-padding"] = begin(1) + record(PARAMS, 1, b"\x01\x01ab", 6)[:-3]
    return s


def client_streams():
    """Byte sequences an application sends back to a web server."""
    s = {}
    s["reply"] = reply()
    s["reply-with-stderr"] = reply(err=b"warning\n")
    s["reply-1-byte-records"] = stream(STDOUT, 1, b"Content-Type: a/b\r\n\r\nxyz", 1) + end(1)
    for status in (1, 2, 3):
        s[f"end-status-{status}"] = end(1, 0, status)
    s["end-status-4"] = end(1, 0, 4)
    s["get-values-result"] = record(GET_VALUES_RESULT, 0, pairs(
        [(b"FCGI_MAX_CONNS", b"1"), (b"FCGI_MAX_REQS", b"1"), (b"FCGI_MPXS_CONNS", b"0")]), 5)
    s["unknown-type-reply"] = record(UNKNOWN_TYPE, 0, b"\x20" + bytes(7))
    s["stdout-after-end"] = record(STDOUT, 1, b"A") + record(STDOUT, 1) + record(STDOUT, 1, b"B") + end(1)
    s["end-without-stdout-end"] = record(STDOUT, 1, b"A") + end(1)
    s["reply-unbegun-id"] = reply(9)
    # A 65535-byte record with padding, then bytes that look like a header
    # (the shape of a 16-bit content+padding overflow).
    s["max-content-with-padding"] = (header(STDOUT, 1, 0xFFFF, 1) + b"o" * 0xFFFF + b"\0"
                                     + record(STDOUT, 1, b"smuggled?") + record(STDOUT, 1) + end(1))
    s["interleaved-replies"] = (record(STDOUT, 1, b"a") + record(STDOUT, 2, b"b") + record(STDERR, 1, b"e")
                                + record(STDOUT, 2) + record(STDOUT, 1) + end(2) + end(1))
    return s


def conformance_streams(runner):
    """The bytes every conformance case sends, exported by the runner."""
    if runner is None or not runner.exists():
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(runner), "--export-seeds", tmp], check=True,
                       stdout=subprocess.DEVNULL)
        return {"case-" + p.stem: p.read_bytes()
                for p in sorted(pathlib.Path(tmp).glob("*.bin"))}


def pair_streams():
    """Contents of single PARAMS streams for the params target."""
    out = [pairs(ps) for ps in boundary_params()]
    out.append(pairs(BASELINE_PARAMS))
    out.append(QUERY)
    out.append(pair(b"N" * 127, b"v", long_form=True))  # 127 in four bytes
    out.append(b"\xff\xff\xff\xff\xff\xff\xff\xff" + b"A" * 8)  # 2^31-1 twice
    out.append(b"\xff\xff\xff\xfe\x80\x00\x00\x02" + b"A" * 8)
    out.append(b"\x80\x00\x00")  # a length cut short
    out.append(pair(b"NAME", b"value")[:-1])  # a value cut short
    out.append(b"")
    return out


SCHEDULES = [b"", b"\x00", b"\x02", b"\x06\x00\x0c", b"\x07", b"\x03\x01"]
MUX_IDS = [1, 2, 3, 257, 258, 513, 0x8001, 65535]  # fuzz/targets/multiplex.c


def mux_request(id_index, role=RESPONDER, flags=0, params=(), body=b"", data=b"",
                piece=64):
    """One request in the multiplex target's provider format."""
    out = bytes([id_index, role - 1, flags, len(params)])
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
    c = mux_request(5, FILTER, KEEP_CONN, [(b"C", b"")], b"in", b"filter data", piece=1)
    d = mux_request(7, AUTHORIZER, 0, [(b"N" * 31, b"v" * 63)], b"", piece=64)
    return [
        bytes([0]) + a + b + bytes([0, 1] * 16),
        bytes([1]) + a + b + c + bytes([2, 1, 0] * 20),
        bytes([2]) + a + b + c + d + bytes(range(4)) * 16,
        bytes([0]) + c + d + bytes([1] * 10 + [0] * 40),
    ]


def control(mode, side, schedule=b""):
    return bytes([mode | side << 1 | len(schedule) << 2]) + schedule


def corpora(app, client):
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
    for i, content in enumerate(pair_streams()):
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
                    help="conformance runner whose cases become seeds, if it exists")
    args = ap.parse_args(argv)
    cases = conformance_streams(args.conformance)
    app = {**app_streams(), **cases}
    corpus = corpora(app, client_streams())
    n = write_corpora(args.out, corpus)
    total = sum(len(v) for v in corpus.values())
    print(f"fuzz_seeds: {total} seeds ({len(cases)} conformance cases), "
          f"{n} new files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
