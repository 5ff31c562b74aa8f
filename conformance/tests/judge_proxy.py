#!/usr/bin/python3
"""A stand-in reverse proxy for the proxy-mode judge runs (planted.cmake):
it takes HTTP/1.1 on a Unix socket and forwards each request to the
FastCGI backend with fcgi-curl (the project's one FastCGI encoder), so
fcgispec's proxy mode can be proven without a real proxy installed.

  judge_proxy.py MODE unix:HTTP_SOCKET BACKEND_ADDRESS FCGI_CURL [PATTERN]

MODE says how it behaves:
  plain   forwards every request: the client's headers as HTTP_* params;
          answers with the app's Status and its header lines that are a
          token, a colon and text (up to 16 KiB of them), and the body
          with a Content-Length of its own (a response always well framed)
  spoof   as plain, and a Remote-Addr header also sets REMOTE_ADDR
  silent  reads requests and never answers
  die     as plain, and exits once it has answered one request
  close   as plain, each response saying Connection: close; it reads
          nothing more on that connection and closes it a second later
  split   as plain, and copies the app's CGI header block into the response
          head as it is (response splitting: the app picks the headers)
  desync  as plain, but trusts the app's Content-Length when it is less
          than the body: the whole body follows it, so the bytes past
          that length answer the next request on the connection (the
          response desync scripts/proxy_fuzz.py looks for)
  crash   as plain, and dies at once (exit 134, like an abort) when the
          app's STDOUT holds PATTERN (default "X-Sendfile")
A path that holds /404 is answered 404 without being forwarded.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
TEXT = re.compile(rb"[\t\x20-\x7e\x80-\xff]*")
HEAD_MAX = 16384


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
    """What the app answered: all of STDOUT, its header block and body."""
    argv = [curl, "-X", method, "-p", "REMOTE_ADDR=127.0.0.1",
            "-p", "SCRIPT_NAME=" + target.split("?")[0]]
    for name, value in headers:
        if name.lower() != "content-length":
            argv += ["-H", f"{name}: {value}"]
        if mode == "spoof" and name.lower() == "remote-addr":
            argv += ["-p", f"REMOTE_ADDR={value}"]
    if body:
        argv += ["-d", "-"]
    argv += ["-i", backend, target]
    return subprocess.run(argv, input=body, capture_output=True).stdout


def split_head(stdout):
    """The app's header block and body (all of STDOUT without a blank
    line)."""
    m = re.search(rb"\r?\n\r?\n", stdout)
    return (stdout[:m.start()], stdout[m.end():]) if m else (b"", stdout)


def framed(stdout, trust_length=False):
    """The response to the app's STDOUT, well framed unless trust_length
    (the desync mode) takes the app's Content-Length as it is."""
    head, body = split_head(stdout)
    status, lines, length = b"200 OK", [], len(body)
    for line in re.split(rb"\r?\n", head) if head else []:
        name, colon, value = line.partition(b":")
        value = value.strip(b" \t")
        if not colon or not TOKEN.fullmatch(name) or not TEXT.fullmatch(value) \
                or sum(map(len, lines)) + len(line) > HEAD_MAX:
            continue
        if name.lower() == b"status":
            m = re.fullmatch(rb"([2-5][0-9][0-9])( .*)?", value)
            if m and m.group(1) not in (b"204", b"304"):
                status = m.group(1) + (m.group(2) or b" X")
        elif name.lower() == b"content-length":
            if trust_length and value.isdigit() and int(value) < len(body):
                length = int(value)
        elif name.lower() not in (b"transfer-encoding", b"connection"):
            lines.append(name + b": " + value + b"\r\n")
    return (b"HTTP/1.1 " + status + b"\r\n" + b"".join(lines) +
            b"Content-Length: %d\r\n\r\n" % length + body)


def verbatim(stdout):
    """The split mode's response: the app's header block as it is, then a
    Content-Length of the body."""
    head, body = split_head(stdout)
    return (b"HTTP/1.1 200 OK\r\n" + head + b"\r\n" +
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def serve(conn, mode, backend, curl, pattern):
    with conn, conn.makefile("rb") as f:
        while True:
            req = read_request(f)
            if req is None:
                return
            if mode == "silent":
                continue
            method, target, headers, body = req
            if "/404" in target:
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9"
                             b"\r\n\r\nnot here\n")
                continue
            out = forward(mode, backend, curl, method, target, headers, body)
            if mode == "crash" and pattern in out:
                os._exit(134)
            response = (verbatim(out) if mode == "split"
                        else framed(out, mode == "desync"))
            if mode == "close":
                response = response.replace(
                    b"\r\n", b"\r\nConnection: close\r\n", 1)
            conn.sendall(response)
            if mode == "die":
                os.kill(os.getpid(), signal.SIGTERM)
            if mode == "close":  # it said so: reads nothing more, then goes
                time.sleep(1)
                return


def main():
    mode, http, backend, curl = sys.argv[1:5]
    pattern = (sys.argv[5] if len(sys.argv) > 5 else "X-Sendfile").encode()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    path = http.removeprefix("unix:")
    if os.path.exists(path):  # left by a stand-in that crashed
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(16)
    try:
        while True:
            conn, _ = server.accept()
            threading.Thread(target=serve,
                             args=(conn, mode, backend, curl, pattern),
                             daemon=True).start()
    finally:
        os.unlink(path)


if __name__ == "__main__":
    main()
