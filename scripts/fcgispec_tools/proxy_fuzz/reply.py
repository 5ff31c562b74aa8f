"""A reply as a list of steps, and the proxy case file that plays it
(docs/proxies.md, "Replies"): the reply lines, `reply close` so the proxy
never waits on its read timeout, then the two requests and their checks."""
from dataclasses import dataclass

# A run of at least this many equal bytes is written as "x"*N.
RUN = 8
# The option order of a record line, as docs/proxies.md lists them.
OPTION_ORDER = ("id", "pad", "padbyte", "version", "reserved", "clen", "split")
NAMED = {b"\n": "\\n", b"\r": "\\r", b"\t": "\\t", b"\0": "\\0",
         b"\\": "\\\\", b'"': '\\"'}

# What every case asks after the reply: request 1 is answered or its
# connection closed within the deadline (no hang), and request 2, on the
# same client connection, gets its own reply (no desync). The runner then
# checks that the proxy still takes connections (no crash).
REQUESTS = ('get "/test.php"', "expect answered 1 or close",
            'get "/test.php"', "expect own-reply 2")
HANG_LINE, DESYNC_LINE = REQUESTS[1], REQUESTS[3]


@dataclass(frozen=True)
class Step:
    """One reply line. kind: "record" (rtype: a type name or number, opts:
    ((name, value), ...), items: the content), "raw" (items), "wait" (ms)
    or "close"."""
    kind: str
    rtype: str = ""
    opts: tuple = ()
    items: tuple = ()
    ms: int = 0

    def option(self, name, default=None):
        return dict(self.opts).get(name, default)

    def with_options(self, **changes):
        """The step with options set (a value of None removes one)."""
        opts = dict(self.opts)
        opts.update(changes)
        kept = tuple((k, opts[k]) for k in OPTION_ORDER
                     if opts.get(k) is not None)
        return Step(self.kind, self.rtype, kept, self.items, self.ms)

    def with_items(self, items):
        return Step(self.kind, self.rtype, self.opts, tuple(items), self.ms)


def record(rtype, *items, **opts):
    return Step("record", rtype, (), items).with_options(**opts)


def _quoted(data):
    out = []
    for i in range(len(data)):
        b = data[i:i + 1]
        if b in NAMED:
            out.append(NAMED[b])
        elif 0x20 <= b[0] < 0x7f:
            out.append(b.decode())
        else:
            out.append(f"\\x{b[0]:02x}")
    return '"' + "".join(out) + '"'


def encode(data):
    """A byte item of the case format for data: quoted pieces, runs of
    equal bytes as "x"*N, joined with +."""
    if not data:
        return '""'
    pieces, i = [], 0
    while i < len(data):
        j = i
        while j < len(data) and data[j] == data[i]:
            j += 1
        if j - i >= RUN:
            pieces.append(f"{_quoted(data[i:i + 1])}*{j - i}")
            i = j
            continue
        k = i  # up to the next long run
        while k < len(data):
            m = k
            while m < len(data) and data[m] == data[k]:
                m += 1
            if m - k >= RUN:
                break
            k = m
        pieces.append(_quoted(data[i:k]))
        i = k
    return "+".join(pieces)


def line(step):
    if step.kind == "wait":
        return f"reply wait {step.ms}"
    if step.kind == "close":
        return "reply close"
    head = ["reply", "raw" if step.kind == "raw" else str(step.rtype)]
    for name, value in step.opts:
        head.append(f"{name}={value:02x}" if name == "padbyte" else f"{name}={value}")
    return " ".join(head + [encode(item) for item in step.items])


def reply_lines(steps):
    return [line(s) for s in steps] + ["reply close"]


def case_text(cid, steps, requirement, level="INFO", advisory=None,
              comments=()):
    """The case file: comments, header, the reply, the requests."""
    section = cid.split("/", 1)[0]
    out = [f"# {c}" for c in comments]
    out += [f"id: {cid}", f"section: {section}", f"level: {level}"]
    if advisory:
        out.append(f"advisory: {advisory}")
    out.append(f"requirement: {requirement}")
    out += reply_lines(steps)
    out += REQUESTS
    return "\n".join(out) + "\n"


def valid(steps):
    """Whether the case format takes the reply: a record of more than 65535
    bytes needs split=, raw bytes are not empty."""
    return all((s.kind != "record" or sum(map(len, s.items)) <= 65535 or
                s.option("split")) and (s.kind != "raw" or any(s.items))
               for s in steps)


def size(steps):
    """Bytes in a reply's items: what byte minimisation shrinks."""
    return sum(len(i) for s in steps for i in s.items)
