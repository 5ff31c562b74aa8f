#!/usr/bin/python3
"""The FastCGI application that apache2-fcgid.sh has mod_fcgid spawn: it
accepts connections on the listening socket it is given as fd 0 (as every
FastCGI application spawned by a web server is, FCGI_LISTENSOCK_FILENO) and
relays each one, unchanged in both directions, to the backend at
FCGISPEC_RELAY_TO (unix:PATH or tcp:HOST:PORT). When one side stops
sending, the relay stops sending to the other (a half-close); a connection
ends when both sides have. So the backend sees the bytes mod_fcgid writes,
and mod_fcgid the backend's."""
import os
import socket
import sys
import threading


def backend_address(text):
    if text.startswith("unix:"):
        return socket.AF_UNIX, text[len("unix:"):]
    if text.startswith("tcp:") and ":" in text[len("tcp:"):]:
        host, port = text[len("tcp:"):].rsplit(":", 1)
        return socket.AF_INET, (host.strip("[]"), int(port))
    sys.exit(f"fcgi-relay: FCGISPEC_RELAY_TO must be unix:PATH or tcp:HOST:PORT, not '{text}'")


def pump(src, dst, done):
    """Copies src to dst until src stops sending, then half-closes dst.
    When a side fails, both sockets are shut so the other pump ends too."""
    try:
        while data := src.recv(65536):
            dst.sendall(data)
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
    done.release()


def relay(client, family, address):
    with client:
        try:
            backend = socket.socket(family, socket.SOCK_STREAM)
            backend.connect(address)
        except OSError as e:
            print(f"fcgi-relay: cannot connect to {address}: {e}", file=sys.stderr)
            return
        with backend:
            done = threading.Semaphore(0)
            for src, dst in ((client, backend), (backend, client)):
                threading.Thread(target=pump, args=(src, dst, done), daemon=True).start()
            done.acquire()
            done.acquire()


def main():
    family, address = backend_address(os.environ.get("FCGISPEC_RELAY_TO", ""))
    listener = socket.socket(fileno=0)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=relay, args=(client, family, address), daemon=True).start()


if __name__ == "__main__":
    main()
