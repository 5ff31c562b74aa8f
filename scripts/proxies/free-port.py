#!/usr/bin/python3
"""Prints N (default 1) distinct TCP ports of 127.0.0.1, one a line, that
were free a moment ago (the kernel's picks for port 0, all held until
printed). Whoever binds one next may still lose a race for it."""
import socket
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 1
held = []
for _ in range(count):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
for s in held:
    print(s.getsockname()[1])
    s.close()
