#!/usr/bin/python3
"""A FastCGI application that answers every request with the same bytes.

  reply_app.py SOCKET REPLY_FILE

Listens on the unix socket SOCKET; for each connection it reads the web
server's request up to its empty STDIN record, writes REPLY_FILE (a raw
reply, as the proxy harnesses of fuzz/upstream take it) and closes. This
is how a harness's input is played against the installed proxy, to
confirm what the harness found (seeds/regression/<harness>/*.txt).
"""
import os
import socket
import struct
import sys

HEADER = struct.Struct(">BBHHBB")
STDIN = 5


def read_request(conn):
    """Reads records until the empty STDIN record; False if the peer closed."""
    buf = b""
    while True:
        while len(buf) >= HEADER.size:
            _, rtype, _, clen, plen, _ = HEADER.unpack_from(buf)
            end = HEADER.size + clen + plen
            if len(buf) < end:
                break
            buf = buf[end:]
            if rtype == STDIN and clen == 0:
                return True
        more = conn.recv(65536)
        if not more:
            return False
        buf += more


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: reply_app.py SOCKET REPLY_FILE")
    path, reply_file = sys.argv[1], sys.argv[2]
    with open(reply_file, "rb") as f:
        reply = f.read()
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    while True:
        conn, _ = server.accept()
        with conn:
            if read_request(conn):
                conn.sendall(reply)


if __name__ == "__main__":
    main()
