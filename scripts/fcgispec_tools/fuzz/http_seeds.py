"""Writes seeds for the http_response fuzz target under seeds/corpus/http_response/.

Each seed is what a proxy might answer, in the target's input format
(fuzz/targets/http_response.c): a byte of HEAD requests (bit n: the n-th
final response answers HEAD), a flag byte (bit 0: the connection ends
after the bytes), two bytes for where the bytes are cut in two, then the
bytes. The answers cover every framing (Content-Length, chunked with
extensions and trailers, none, until close), interim responses, pipelined
responses, answers cut short, malformed bytes (bare CR, NUL, obs-fold,
conflicting lengths, Transfer-Encoding with Content-Length, bad chunk
sizes) and answers past the target's bounds (a 256-byte head, 512 body
bytes kept, 8 responses of each kind). Files are named by SHA-1.
"""
import argparse
import hashlib
import pathlib
import struct

from .. import ROOT

EOF = 1


def response(status=200, headers=(), body=b"", reason=b"OK", eol=b"\r\n"):
    head = b"HTTP/1.1 %d %s" % (status, reason) + eol
    for name, value in headers:
        head += name + b": " + value + eol
    return head + eol + body


def length(body, status=200):
    return response(status, [(b"Content-Length", b"%d" % len(body))], body)


def chunked(pieces, trailers=b"", ext=b""):
    body = b"".join(b"%x%s\r\n%s\r\n" % (len(p), ext, p) for p in pieces)
    return response(200, [(b"Transfer-Encoding", b"chunked")],
                    body + b"0\r\n" + trailers + b"\r\n")


def answers():
    """(head mask, flags, bytes) for each seed."""
    ok = length(b"hello")
    big = bytes(range(256)) * 3
    return [
        (0, 0, ok),
        (0, 0, response(200, [(b"Content-Length", b"3"), (b"Server", b"t")],
                        b"abc", eol=b"\n")),
        (0, 0, chunked([b"hello", b" world"], b"Trailer: x\r\n", b";a=b")),
        (0, 0, chunked([b"x" * 20, b"y"], ext=b' ; q="v"')),
        (0, 0, response(100, reason=b"Continue") + ok),
        (0, 0, response(103, [(b"Link", b"</a>")], reason=b"Early Hints") + ok),
        (0, 0, response(101, [(b"Upgrade", b"x")], b"\x00\x01binary",
                        reason=b"Switching Protocols")),
        (0, 0, response(204, [(b"Content-Length", b"9")], reason=b"No Content")
         + response(304, reason=b"Not Modified") + ok),
        (1, 0, response(200, [(b"Content-Length", b"40")]) + ok),
        (1, 0, length(b"x" * 40) + ok),  # a body after a HEAD response
        (2, EOF, ok + response(200, [(b"Content-Length", b"4")]) + ok),
        (0, EOF, response(200, [], b"until the end")),
        (0, EOF, response(200, [(b"Transfer-Encoding", b"gzip")], b"zz")),
        (0, 0, ok + chunked([b"two"]) + length(b"three")),
        (0, EOF, length(b"0123456789")[:-4]),
        (0, EOF, chunked([b"abc", b"def"])[:-9]),
        (0, EOF, b"HTTP/1."),
        (0, 0, b"HTTP/1.1 200 OK\rX"),
        (0, 0, b"HTTP/1.1 200 OK\r\nA: x\x00y\r\n\r\n"),
        (0, 0, b"HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n"),
        (0, 0, response(200, [(b"Content-Length", b"5"),
                              (b"Content-Length", b"6")], b"hello")),
        (0, 0, response(200, [(b"Content-Length", b"5, 5")], b"hello")),
        (0, 0, response(200, [(b"Content-Length", b"3"),
                              (b"Transfer-Encoding", b"chunked")], b"abc")),
        (0, 0, response(200, [(b"Transfer-Encoding", b"chunked")], b"zz\r\n")),
        (0, 0, response(200, [(b"Transfer-Encoding", b"chunked")],
                        b"10000000000000000\r\n")),
        (0, 0, b"HTTP/2 200 OK\r\n\r\n"),
        (0, 0, b"garbage"),
        (0, 0, response(200, [(b"X", b"v" * 300)])),
        (0, 0, length(big)),
        (0, EOF, chunked([big, big])),
        (0, 0, response(204, reason=b"No Content") * 9),
        (0, 0, response(100, reason=b"Continue") * 9),
    ]


def seeds():
    out = []
    for mask, flags, data in answers():
        # whole, cut in the middle, and cut one byte in
        for cut in (len(data), len(data) // 2, 1):
            out.append(bytes([mask, flags]) + struct.pack(">H", cut) + data)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=pathlib.Path,
                    default=ROOT / "seeds" / "corpus" / "http_response")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    new = 0
    all_seeds = seeds()
    for data in all_seeds:
        path = a.out / hashlib.sha1(data).hexdigest()
        if not path.exists():
            path.write_bytes(data)
            new += 1
    print(f"fuzz_http_seeds: {len(all_seeds)} seeds, {new} new under {a.out}")
    return 0
