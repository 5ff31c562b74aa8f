"""Replies from a grammar, and mutations of replies. A reply is a CGI
header block (RFC 3875 section 6) and a body, carried in STDOUT records,
among the other records an application may send (or should not): STDERR,
END_REQUEST early, twice, short or with another status, GET_VALUES_RESULT,
unknown types, raw garbage, waits, a close in the middle of a record.
Every choice comes from the random.Random it is given, so a seed gives the
same replies."""
from . import reply as R
from .reply import Step, record

MAX_CONTENT = 65535

STATUS = [b"200 OK", b"200", b"404 Not Found", b"302 Found", b"500 Oops",
          b"204 No Content", b"304 Not Modified", b"101 Switching Protocols",
          b"100 Continue", b"103 Early Hints", b"999 Odd", b"099 Low",
          b"2000 Big", b"20 Short", b"abc", b"", b" 200 OK", b"200OK",
          b"-200 Neg", b"4294967496 Wrap"]
STATUS_NAMES = [b"Status", b"status", b"STATUS", b"Status ", b"Stat us"]

# name -> values; "{len}" is the body's length, "{len+N}" off by N.
HEADERS = {
    b"Content-Type": [b"text/html", b"text/plain; charset=utf-8", b""],
    b"Content-Length": [b"{len}", b"{len+1}", b"{len-1}", b"{len+100}", b"0",
                        b"-1", b"99999999999999999999", b"{len}, {len}",
                        b"{len}, {len+1}", b"+{len}", b" {len} ", b"0x10",
                        b"", b"18446744073709551616", b"{len}\x00"],
    b"Transfer-Encoding": [b"chunked", b"identity", b"chunked, gzip", b"gzip",
                           b"Chunked", b"chunked, chunked", b" chunked"],
    b"Location": [b"http://example.com/", b"/test.php", b"/static.txt",
                  b"/test.php?{marker}", b"//example.com/x", b"/nowhere.php",
                  b"http://example.com/\r\nInjected: yes", b"javascript:x",
                  b"/../../etc/passwd", b"*"],
    b"X-Accel-Redirect": [b"/static.txt", b"/test.php", b"/../../etc/passwd",
                          b"/etc/passwd", b"@named", b""],
    b"X-Sendfile": [b"/etc/passwd", b"{docroot}/static.txt", b"static.txt",
                    b"/dev/zero", b""],
    b"X-Lighttpd-Send-File": [b"/etc/passwd", b"{docroot}/static.txt"],
    b"X-Accel-Buffering": [b"no", b"yes"],
    b"Set-Cookie": [b"a=b; Path=/", b"a=b\r\nSet-Cookie: evil=1", b"x=" + b"y" * 300],
    b"Connection": [b"close", b"keep-alive", b"upgrade", b"Transfer-Encoding",
                    b"Content-Length"],
    b"Upgrade": [b"websocket", b"h2c"],
    b"Content-Encoding": [b"gzip", b"identity"],
    b"Trailer": [b"X-T"],
    b"Keep-Alive": [b"timeout=1"],
    b"Content-Range": [b"bytes 0-1/2", b"bytes */0"],
    b"X-Fcgispec-Recorder": [b"1", b"2"],
    b"Date": [b"Thu, 01 Jan 1970 00:00:00 GMT"],
    b"Vary": [b"*"],
    b"WWW-Authenticate": [b"Basic realm=x"],
    b"X-Fuzz": [b"v", b""],
}
ODD_NAMES = [b"X Bad", b"X\tTab", b"", b" X-Lead", b"X-Trail ", b"X\x00Nul",
             b"X-\xff", b"HTTP/1.1 200 OK", b"X-A:B", b"\x7f"]
SPECIAL = [b"\r", b"\n", b"\r\n", b"\0", b"\xff", b"\x80", b"\x7f", b"\t",
           b" ", b":", b"\r\n\r\n", b"\r\nInjected: yes\r\n"]
EOLS = [b"\r\n"] * 12 + [b"\n"] * 3 + [b"\r", b"\r\r\n", b"\n\r"]
SMUGGLED = (b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n"
            b"X-Fcgispec-Recorder: 2\r\n\r\nsmuggled")
TYPES = ["stdout", "stderr", "end", "get-values-result", "unknown-type"]


def _chance(rng, p):
    return rng.random() < p


def _blob(rng, n):
    return bytes(rng.randrange(256) for _ in range(n))


def _long(rng):
    """A long value: a repeated byte, up to past 64 KiB."""
    n = rng.choice([100, 1000, 4000, 8191, 8192, 16384, 32768, 65000, 65536,
                    70000])
    return bytes([rng.choice(b"aAz0 \xff")]) * n


def mutate_bytes(rng, data):
    """One byte-level change: a special byte in, a range out or doubled, a
    byte flipped, a line end changed, a cut."""
    op = rng.randrange(7)
    at = rng.randrange(len(data) + 1)
    if op == 0 or not data:
        return data[:at] + rng.choice(SPECIAL) + data[at:]
    if op == 1:
        end = min(len(data), at + rng.randrange(1, 64))
        return data[:at] + data[end:]
    if op == 2:
        end = min(len(data), at + rng.randrange(1, 64))
        return data[:end] + data[at:end] * rng.randrange(1, 4) + data[end:]
    if op == 3:
        i = rng.randrange(len(data))
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
    if op == 4:
        return data.replace(b"\r\n", rng.choice([b"\n", b"\r", b"\r\r\n"]), 1)
    if op == 5:
        return data[:at]
    return data[:at] + _blob(rng, rng.randrange(1, 16)) + data[at:]


def _value(rng, name, body_len):
    values = HEADERS.get(name) or [b"v"]
    v = rng.choice(values)
    for k in (100, 1):
        v = v.replace(b"{len+%d}" % k, b"%d" % (body_len + k))
    v = v.replace(b"{len-1}", b"%d" % max(body_len - 1, 0))
    v = v.replace(b"{len}", b"%d" % body_len)
    if _chance(rng, 0.1):
        v = _long(rng)
    if _chance(rng, 0.15):
        v = mutate_bytes(rng, v)
    return v


def header_block(rng, body_len):
    """The CGI header block: lines, each with its own line end, and the
    blank line (or not)."""
    lines = []
    if _chance(rng, 0.8):
        lines.append(rng.choice(STATUS_NAMES if _chance(rng, 0.1) else [b"Status"])
                     + b": " + rng.choice(STATUS))
    count = rng.choice([0, 1, 1, 2, 2, 3, 4, 6]) if _chance(rng, 0.95) \
        else rng.randrange(20, 400)
    for _ in range(count):
        if _chance(rng, 0.08):
            name = rng.choice(ODD_NAMES)
        else:
            name = rng.choice(list(HEADERS))
        sep = b": " if _chance(rng, 0.9) else rng.choice([b":", b" : ", b":\t", b""])
        lines.append(name + sep + _value(rng, name, body_len))
    if _chance(rng, 0.05):
        lines.insert(rng.randrange(len(lines) + 1), b" folded continuation")
    eol = rng.choice(EOLS) if _chance(rng, 0.2) else b"\r\n"
    out = b"".join(ln + (rng.choice(EOLS) if _chance(rng, 0.05) else eol)
                   for ln in lines)
    if _chance(rng, 0.93):
        out += eol
    return out


def body(rng):
    kind = rng.randrange(10)
    if kind <= 2:
        return b"hello\n"
    if kind == 3:
        return b""
    if kind == 4:
        return SMUGGLED
    if kind == 5:
        return b"5\r\nhello\r\n0\r\n\r\n" + (SMUGGLED if _chance(rng, 0.5) else b"")
    if kind == 6:
        return _blob(rng, rng.randrange(1, 600))
    if kind == 7:
        return _long(rng)
    if kind == 8:
        return b"x" * rng.choice([65535 - 8, 65535, 65536, 131072, 200000])
    return b"body " * rng.randrange(1, 50)


def _record_options(rng):
    """Mostly none; sometimes padding, another id, version or length."""
    opts = {}
    if _chance(rng, 0.15):
        opts["pad"] = rng.choice([1, 7, 8, 255, rng.randrange(256)])
        if _chance(rng, 0.3):
            opts["padbyte"] = rng.randrange(256)
    if _chance(rng, 0.04):
        opts["id"] = rng.choice([0, 2, 65535])
    if _chance(rng, 0.02):
        opts["version"] = rng.choice([0, 2, 255])
    if _chance(rng, 0.02):
        opts["reserved"] = rng.choice([1, 255])
    return opts


def stdout_records(rng, content):
    """content cut into STDOUT records at random points (or by split=)."""
    if len(content) > MAX_CONTENT or (content and _chance(rng, 0.1)):
        sizes = [n for n in (1, 7, 8, 100, 4096, len(content) // 3)
                 if 0 < n <= MAX_CONTENT and len(content) <= n * 2000]
        return [record("stdout", content, split=rng.choice(sizes + [MAX_CONTENT]),
                       **_record_options(rng))]
    cuts = sorted({rng.randrange(len(content) + 1)
                   for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 8]))})
    pieces, last = [], 0
    for c in cuts + [len(content)]:
        if c > last:
            pieces.append(content[last:c])
            last = c
    steps = []
    for p in pieces:
        opts = _record_options(rng)
        if _chance(rng, 0.03):
            opts["clen"] = min(MAX_CONTENT, rng.choice([0, max(len(p) - 1, 0),
                                                         len(p) + 1, 65535]))
        steps.append(record("stdout", p, **opts))
    return steps


def end_request(rng):
    kind = rng.randrange(12)
    if kind <= 6:
        return record("end")
    if kind == 7:  # another protocolStatus or appStatus
        return record("end", bytes([0, 0, 0, rng.randrange(256),
                                    rng.choice([1, 2, 3, 200]), 0, 0, 0]))
    if kind == 8:  # short
        return record("end", b"\0" * rng.randrange(8))
    if kind == 9:  # long
        return record("end", b"\0" * rng.randrange(9, 17))
    if kind == 10:
        return record("end", id=rng.choice([0, 2]))
    return record("end", pad=rng.randrange(1, 256))


def extra(rng):
    """A record or event an application may send (or should not)."""
    kind = rng.randrange(10)
    if kind == 0:
        return record("stderr", rng.choice([b"warning\n", b"x" * 1000, _long(rng)]),
                      split=1000)
    if kind == 1:
        return record("stderr")
    if kind == 2:
        return record(rng.choice(["unknown-type", str(rng.randrange(12, 256))]),
                      _blob(rng, rng.choice([0, 8, 33])), id=rng.choice([0, 1]))
    if kind == 3:
        return record("get-values-result",
                      b"\x0e\x01FCGI_MAX_CONNS1", id=rng.choice([0, 1]))
    if kind == 4:
        return Step("raw", items=(_blob(rng, rng.randrange(1, 24)),))
    if kind == 5:
        return Step("wait", ms=rng.choice([0, 10, 50, 200]))
    if kind == 6:
        return end_request(rng)
    if kind == 7:  # a record that declares more than is ever sent
        return Step("raw", items=(bytes([1, 6, 0, 1, 0xff, 0xff, 0, 0]) + b"Status",))
    if kind == 8:
        return record(rng.choice(["begin", "params", "stdin", "abort", "data"]),
                      _blob(rng, rng.randrange(0, 9)))
    return record("stdout", id=rng.choice([0, 2]))


def generate(rng):
    """A fresh reply."""
    b = body(rng)
    content = header_block(rng, len(b)) + b
    steps = stdout_records(rng, content)
    if _chance(rng, 0.9):
        steps.append(record("stdout", **({"pad": rng.randrange(1, 256)}
                                          if _chance(rng, 0.1) else {})))
    if _chance(rng, 0.05):
        steps.append(record("stdout"))
    if _chance(rng, 0.9):
        steps.append(end_request(rng))
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 3])):
        steps.insert(rng.randrange(len(steps) + 1), extra(rng))
    if _chance(rng, 0.04):  # close in the middle of a record
        steps.insert(rng.randrange(len(steps) + 1),
                     Step("raw", items=(bytes([1, 6, 0, 1, 0, 100, 0, 0]) + b"half",)))
        steps.insert(rng.randrange(len(steps) + 1), Step("close"))
    return steps


def _mutate_step(rng, step):
    if step.kind == "wait":
        return Step("wait", ms=rng.choice([0, 10, 100, 300]))
    if step.kind == "close":
        return extra(rng)
    op = rng.randrange(4)
    if step.kind == "record" and op == 0:
        opts = _record_options(rng) or {"pad": rng.randrange(256)}
        return step.with_options(**opts)
    if step.kind == "record" and op == 1:
        n = sum(len(i) for i in step.items)
        return step.with_options(clen=min(MAX_CONTENT, rng.choice(
            [0, max(n - 1, 0), n + 1, n + 8, 65535])))
    if step.kind == "record" and op == 2 and not step.items:
        return step.with_items([_blob(rng, rng.randrange(1, 9))])
    if not step.items:
        return record(rng.choice(TYPES), _blob(rng, 8))
    i = rng.randrange(len(step.items))
    items = list(step.items)
    items[i] = mutate_bytes(rng, items[i])
    if step.kind == "raw" and not items[i]:
        items[i] = b"\0"
    new = step.with_items(items)
    if sum(len(x) for x in items) > MAX_CONTENT and new.option("split") is None:
        new = new.with_options(split=MAX_CONTENT)
    return new


def _resplit(rng, steps):
    """The STDOUT content cut again at other points."""
    content = b"".join(i for s in steps if s.kind == "record" and s.rtype == "stdout"
                       and s.option("id") is None for i in s.items)
    first = next((n for n, s in enumerate(steps) if s.kind == "record"
                  and s.rtype == "stdout"), 0)
    rest = [s for s in steps if not (s.kind == "record" and s.rtype == "stdout"
                                     and s.items and s.option("id") is None)]
    return rest[:first] + stdout_records(rng, content) + rest[first:]


def mutate(rng, steps, other=None):
    """1..4 changes of a reply: a step dropped, doubled, moved, changed or
    added, the STDOUT cut elsewhere, or a splice with another reply."""
    steps = list(steps)
    for _ in range(rng.randrange(1, 5)):
        op = rng.randrange(8)
        at = rng.randrange(len(steps)) if steps else 0
        if op == 0 and len(steps) > 1:
            del steps[at]
        elif op == 1 and steps:
            steps.insert(at, steps[at])
        elif op == 2 and len(steps) > 1:
            j = rng.randrange(len(steps))
            steps[at], steps[j] = steps[j], steps[at]
        elif op == 3:
            steps.insert(rng.randrange(len(steps) + 1), extra(rng))
        elif op == 4:
            steps = _resplit(rng, steps)
        elif op == 5 and other:
            steps = steps[:rng.randrange(len(steps) + 1)] + \
                list(other[rng.randrange(len(other) + 1):])
        elif steps:
            steps[at] = _mutate_step(rng, steps[at])
    return steps or generate(rng)


def digest_line(steps):
    """The reply as text, for comparing sequences of replies."""
    return "\n".join(R.reply_lines(steps))
