#!/usr/bin/python3
"""A FastCGI application that plays fixed replies, to check what a proxy
harness of fuzz/upstream found against the installed proxy.

  reply_app.py [--keep-open] [--split OFFSET] SOCKET REPLY [REPLY...]

Listens on the Unix socket SOCKET (which must not exist yet; it is removed
on exit). The n-th request it reads, on any connection, up to its empty
STDIN record, is answered with the bytes of the n-th REPLY file (a raw
reply, as the harnesses take their input), the last file again for the
requests after that. The connection is closed after each reply, unless
--keep-open: then it stays open for the proxy's next request, as an
application does for a proxy that keeps its FastCGI connections.
--split OFFSET sends each reply's first OFFSET bytes, then the rest 0.2 s
later, so that the proxy reads them apart.
Each request is logged to stderr. Stops on SIGINT or SIGTERM.

Exit codes: 0 stopped by a signal; 2 usage (a missing file, SOCKET exists).
"""
import os
import signal
import socket
import struct
import sys
import threading
import time

HEADER = struct.Struct(">BBHHBB")
STDIN = 5


class Replies:
    def __init__(self, replies):
        self.replies, self.served, self.lock = replies, 0, threading.Lock()

    def next(self):
        with self.lock:
            n, self.served = self.served, self.served + 1
        return n, self.replies[min(n, len(self.replies) - 1)]


def requests(conn):
    """Yields once per request read (its empty STDIN record), until EOF."""
    buf = b""
    while True:
        while len(buf) >= HEADER.size:
            _, rtype, _, clen, plen, _ = HEADER.unpack_from(buf)
            end = HEADER.size + clen + plen
            if len(buf) < end:
                break
            buf = buf[end:]
            if rtype == STDIN and clen == 0:
                yield
        more = conn.recv(65536)
        if not more:
            return
        buf += more


def serve(conn, replies, keep_open, split):
    with conn:
        for _ in requests(conn):
            n, reply = replies.next()
            print(f"reply_app: request {n + 1}: {len(reply)} reply bytes", file=sys.stderr)
            if split:
                conn.sendall(reply[:split])
                time.sleep(0.2)
            conn.sendall(reply[split:])
            if not keep_open:
                return


def main(argv):
    keep_open, split, args = False, 0, list(argv)
    while args[:1] in (["--keep-open"], ["--split"]):
        if args.pop(0) == "--keep-open":
            keep_open = True
        elif args[:1] and args[0].isdigit():
            split = int(args.pop(0))
        else:
            args = []  # --split without an offset: usage
    if len(args) < 2 or any(a.startswith("-") for a in args):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, files = args[0], args[1:]
    try:
        replies = Replies([open(f, "rb").read() for f in files])
    except OSError as e:
        print(f"reply_app: {e}", file=sys.stderr)
        return 2
    if os.path.lexists(path):
        print(f"reply_app: {path} exists; name a new socket path", file=sys.stderr)
        return 2
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o777)  # the proxy's workers may run as another user
    server.listen(64)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            conn, _ = server.accept()
            threading.Thread(target=serve, args=(conn, replies, keep_open, split),
                             daemon=True).start()
    except KeyboardInterrupt:
        pass
    finally:
        os.unlink(path)  # ours: bound above
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
