#!/usr/bin/python3
"""Prints a TCP port of 127.0.0.1 that was free a moment ago (the kernel's
pick for port 0). Whoever binds it next may still lose a race for it."""
import socket

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
