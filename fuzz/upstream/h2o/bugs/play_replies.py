#!/usr/bin/python3
"""A FastCGI application for checking the notes in this folder against a
running h2o: it listens on a Unix socket, keeps each connection open, and
answers the n-th request it reads (on any connection) with the bytes of
the n-th reply file, the last file again for the requests after that.

    /usr/bin/python3 play_replies.py SOCKET REPLY [REPLY...]
"""
import os
import socket
import sys
import threading

STDIN_END = bytes([1, 5, 0, 1, 0, 0, 0, 0])  # h2o's request ends with it


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip())
    path = sys.argv[1]
    replies = []
    for name in sys.argv[2:]:
        with open(name, "rb") as f:
            replies.append(f.read())
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    os.chmod(path, 0o777)
    server.listen(8)
    served = [0]
    lock = threading.Lock()

    def serve(conn):
        pending = b""
        while True:
            data = conn.recv(65536)
            if not data:
                return
            pending += data
            while STDIN_END in pending:
                pending = pending[pending.index(STDIN_END) + len(STDIN_END):]
                with lock:
                    n = served[0]
                    served[0] += 1
                reply = replies[min(n, len(replies) - 1)]
                print(f"request {n + 1} on connection {conn.fileno()}: "
                      f"{len(reply)} reply bytes", file=sys.stderr)
                conn.sendall(reply)

    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
