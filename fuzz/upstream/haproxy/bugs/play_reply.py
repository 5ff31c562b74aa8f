#!/usr/bin/python3
"""Plays a FastCGI application that answers every connection with the bytes
of one file, to reproduce a harness finding against a real HAProxy.

usage: play_reply.py PORT REPLY.bin [SECONDS [OFFSET...]]

Listens on 127.0.0.1:PORT. For each connection it reads the request up to
the empty FCGI_STDIN record (or until the peer stops sending for a moment),
writes the file's bytes (cut at each OFFSET, with a pause of 0.2 s after
each piece, so that they arrive in separate reads), keeps the connection
open for SECONDS (default 1), then closes it. Start HAProxy with scripts/proxies/haproxy.sh pointing its
FastCGI server at this port, then send it a request for /index.php."""
import socket
import sys
import threading


def request_done(data):
    """True once an empty STDIN record has arrived (any request id)."""
    pos = 0
    while pos + 8 <= len(data):
        rtype = data[pos + 1]
        clen = (data[pos + 4] << 8) | data[pos + 5]
        if rtype == 5 and clen == 0:
            return True
        pos += 8 + clen + data[pos + 6]
    return False


def serve(conn, reply, linger, cuts):
    conn.settimeout(0.5)
    data = b""
    try:
        while not request_done(data):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    try:
        start = 0
        for end in cuts + [len(reply)]:
            conn.sendall(reply[start:end])
            start = end
            if end < len(reply):
                threading.Event().wait(0.2)
        threading.Event().wait(linger)
    except OSError as e:
        print(f"play_reply: {e}", file=sys.stderr)
    conn.close()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    port = int(sys.argv[1])
    with open(sys.argv[2], "rb") as f:
        reply = f.read()
    linger = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    cuts = [int(a) for a in sys.argv[4:]]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(8)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, reply, linger, cuts),
                         daemon=True).start()


if __name__ == "__main__":
    main()
