#!/usr/bin/python3
"""A stand-in reverse proxy for the proxy-mode judge runs (planted.cmake):
it takes HTTP/1.1 on a Unix socket and forwards each request to the
FastCGI backend with fcgi-curl (the project's one FastCGI encoder), so
fcgispec's proxy mode can be proven without a real proxy installed.

  judge_proxy.py MODE unix:HTTP_SOCKET BACKEND_ADDRESS FCGI_CURL

MODE says how it behaves:
  plain   forwards every request: the client's headers as HTTP_* params
  spoof   as plain, and a Remote-Addr header also sets REMOTE_ADDR
  silent  reads requests and never answers
  die     as plain, and exits once it has answered one request
  split   as plain, and copies the app's CGI header block into the response
          head as it is (response splitting: the app picks the headers)
A path that holds /404 is answered 404 without being forwarded.
"""
import os
import signal
import socket
import subprocess
import sys
import threading


def read_request(f):
    """(method, target, headers, body) of the next request, or None."""
    line = f.readline()
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers = []
    while True:
        h = f.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        name, _, value = h.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    length = next((int(v) for n, v in headers if n.lower() == "content-length"),
                  0)
    return method, target, headers, f.read(length) if length else b""


def forward(mode, backend, curl, method, target, headers, body):
    argv = [curl, "-X", method, "-p", "REMOTE_ADDR=127.0.0.1",
            "-p", "SCRIPT_NAME=" + target.split("?")[0]]
    for name, value in headers:
        if name.lower() != "content-length":
            argv += ["-H", f"{name}: {value}"]
        if mode == "spoof" and name.lower() == "remote-addr":
            argv += ["-p", f"REMOTE_ADDR={value}"]
    if body:
        argv += ["-d", "-"]
    if mode == "split":
        argv += ["--include"]
    argv += [backend, target]
    return subprocess.run(argv, input=body, capture_output=True).stdout


def serve(conn, mode, backend, curl):
    with conn, conn.makefile("rb") as f:
        while True:
            req = read_request(f)
            if req is None:
                return
            if mode == "silent":
                continue
            method, target, headers, body = req
            if "/404" in target:
                status, out = "404 Not Found", b"not here\n"
            else:
                status = "200 OK"
                out = forward(mode, backend, curl, method, target, headers,
                              body)
            app_head = b""
            if mode == "split":
                app_head, _, out = out.partition(b"\r\n\r\n")
                app_head += b"\r\n"
            conn.sendall(f"HTTP/1.1 {status}\r\n".encode() + app_head +
                         f"Content-Length: {len(out)}\r\n\r\n".encode() +
                         out)
            if mode == "die":
                os.kill(os.getpid(), signal.SIGTERM)


def main():
    mode, http, backend, curl = sys.argv[1:5]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    path = http.removeprefix("unix:")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(16)
    try:
        while True:
            conn, _ = server.accept()
            threading.Thread(target=serve, args=(conn, mode, backend, curl),
                             daemon=True).start()
    finally:
        os.unlink(path)


if __name__ == "__main__":
    main()
