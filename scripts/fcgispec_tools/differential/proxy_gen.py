"""Seeded HTTP requests for the proxy side of the differential engine
(docs/differential.md, "Proxies"): stream I of seed S is always the same
bytes (random.Random keyed by "S:I"), a plain GET or POST for
/test.php?{marker} with 1 to 3 mutations of its framing, headers, target
or method. Streams 0 and 1 are the plain GET and the plain POST, so a
campaign starts from agreement. Each request becomes a proxy case file
(docs/proxies.md) with one `http` step and no condition."""
import dataclasses
import pathlib
import random

from ..proxy_fuzz.reply import encode  # (the case format's byte items)

PLAIN = 2  # streams 0 and 1: the plain GET and the plain POST
CRLF = b"\r\n"
SCRIPT = b"/test.php"
QUERY = b"{marker}"


@dataclasses.dataclass
class Request:
    """An HTTP request being built; data() gives its bytes with the
    placeholders {marker} and {host} the runner expands."""
    method: bytes = b"GET"
    path: bytes = SCRIPT
    query: bytes = QUERY
    version: bytes = b"HTTP/1.1"
    headers: list = dataclasses.field(default_factory=lambda: [[b"Host", b"{host}"]])
    eol: bytes = CRLF
    body: bytes = b""
    framing: bytes = b""   # set by a framing mutation: the bytes after the head
    absolute: bytes = b""  # scheme and authority of an absolute-form target
    mutations: list = dataclasses.field(default_factory=list)

    def header(self, name, value, first=False):
        if first:
            self.headers.insert(0, [name, value])
        else:
            self.headers.append([name, value])

    def without(self, name):
        self.headers = [h for h in self.headers
                        if h[0] is None or h[0].lower() != name.lower()]

    def host(self):
        """The first Host header's [name, value], added when there is none."""
        for h in self.headers:
            if h[0] is not None and h[0].lower() == b"host":
                return h
        self.header(b"Host", b"{host}", first=True)
        return self.headers[0]

    def data(self):
        target = self.absolute + self.path + b"?" + self.query
        head = b" ".join((self.method, target, self.version)) + self.eol
        head += b"".join(n + b": " + v + self.eol if n is not None else v + self.eol
                         for n, v in self.headers)
        return head + self.eol + (self.framing if self.framing else self.body)


def _plain(post):
    r = Request()
    if post:
        r.method, r.body = b"POST", b"a=1&b=2"
        r.header(b"Content-Type", b"application/x-www-form-urlencoded")
        r.header(b"Content-Length", b"7")
    return r


def _set_body(r, body):
    r.method = r.method if r.method != b"GET" else b"POST"
    r.without(b"Content-Length")
    r.body = body
    r.header(b"Content-Length", str(len(body)).encode())


# Each mutation changes the request in place; rng picks the variant.

def m_underscore(r, rng):
    name = rng.choice([b"X-A", b"X-Real-IP", b"X-Forwarded-For", b"Remote-Addr"])
    pair = [[name, b"dash"], [name.replace(b"-", b"_"), b"under"]]
    rng.shuffle(pair)
    for h in pair[:rng.choice([1, 2])]:
        r.header(*h)


def m_dup_header(r, rng):
    name = rng.choice([b"X-Dup", b"Cookie", b"Accept", b"X-Forwarded-For", b"Host",
                       b"Content-Type", b"User-Agent"])
    for v in (b"one", b"two")[:2]:
        r.header(name, v)


ODD = [b"\x00", b"\r", b"\n", b" ", b"\t", b".", b"@", b"\x80", b"\xff", b";", b"\x7f",
       b"\x01", b"(", b"/"]


def m_odd_name(r, rng):
    r.header(b"X" + rng.choice(ODD) + b"B", b"odd-name")


def m_odd_value(r, rng):
    c = rng.choice(ODD + [b"  ", b"\r\r", b"\xc3\xa9", b"\\"])
    r.header(b"X-V", rng.choice([b"a" + c + b"b", c + b"v", b"v" + c]))


def m_obs_fold(r, rng):
    r.header(b"X-Fold", b"first")
    r.header(None, rng.choice([b" second", b"\tsecond", b"  "]))


def m_line_ends(r, rng):
    r.eol = rng.choice([b"\n", b"\r\n", b"\r"]) if rng.random() < 0.8 else b"\n"


def m_long_header(r, rng):
    n = rng.choice([4000, 8190, 8300, 16384, 33000, 65000])
    r.header(rng.choice([b"X-Long", b"Cookie", b"Referer"]), b"v" * n)


def m_many_headers(r, rng):
    for i in range(rng.choice([50, 101, 200])):
        r.header(b"X-H%d" % i, b"v")


def _chunked(body, rng):
    out = b""
    for i in range(0, len(body), 3):
        piece = body[i:i + 3]
        ext = rng.choice([b"", b"", b";ext=1", b";e", b" ;x=\"y\""])
        out += b"%x" % len(piece) + ext + CRLF + piece + CRLF
    trailer = rng.choice([b"", b"", b"X-Trailer: t\r\n", b"Content-Length: 99\r\n"])
    return out + b"0" + CRLF + trailer + CRLF


def m_framing(r, rng):
    body = rng.choice([b"hello", b"a=1&b=2", b"x" * 40, b""])
    r.method = b"POST" if r.method == b"GET" else r.method
    r.without(b"Content-Length")
    kind = rng.choice(["two-cl-same", "two-cl-diff", "cl-te", "te", "te-ext",
                       "te-identity", "te-bad", "cl-plus", "cl-neg", "cl-space", "cl-short",
                       "cl-long", "te-http10"])
    n = str(len(body)).encode()
    r.body = body
    if kind == "two-cl-same":
        r.header(b"Content-Length", n)
        r.header(b"Content-Length", n)
    elif kind == "two-cl-diff":
        r.header(b"Content-Length", n)
        r.header(b"Content-Length", str(len(body) + 3).encode())
        r.body = body + b"xyz"
    elif kind in ("cl-te", "te", "te-ext", "te-http10"):
        if kind == "cl-te":
            r.header(b"Content-Length", str(len(body) + 5).encode())
        if kind == "te-http10":
            r.version = b"HTTP/1.0"
        r.header(b"Transfer-Encoding", b"chunked")
        r.framing = _chunked(body, rng) if kind != "te" else (
            b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n" if body else b"0\r\n\r\n")
    elif kind == "te-identity":
        r.header(b"Transfer-Encoding", rng.choice([b"chunked, identity", b"identity",
                                                   b"gzip, chunked"]))
        r.framing = _chunked(body, rng)
    elif kind == "te-bad":
        r.header(b"Transfer-Encoding", rng.choice([b"xchunked", b"chunked ", b" chunked",
                                                   b"Chunked", b"chunked\x00"]))
        r.framing = _chunked(body, rng)
    elif kind == "cl-plus":
        r.header(b"Content-Length", b"+" + n)
    elif kind == "cl-neg":
        r.header(b"Content-Length", b"-1")
    elif kind == "cl-space":
        r.header(b"Content-Length", b" " + n + b" ")
    elif kind == "cl-short":
        r.header(b"Content-Length", str(max(len(body) - 2, 0)).encode())
    else:  # cl-long: the proxy waits for bytes that never come
        r.header(b"Content-Length", str(len(body) + 4).encode())
    return kind


def m_body(r, rng):
    body = rng.choice([bytes(rng.randrange(256) for _ in range(rng.choice([1, 17, 300]))),
                       b"\x00\r\n\r\nGET / HTTP/1.1\r\n\r\n", b"z" * 70000])
    _set_body(r, body)


PATHS = [b"/test.php%2Fx", b"/%74est.php", b"/x/../test.php", b"//test.php",
         b"/test.php;x=1", b"/test.php%00.txt", b"/test.php/extra/path", b"/a%2e%2e/test.php",
         b"/./test.php", b"/test.php%3Fq", b"/TEST.php", b"/test.php%20", b"/test.PHP",
         b"/x%2f..%2ftest.php", b"/test.php/..%2f..%2fetc", b"/t\xc3\xa9st.php"]


def m_path(r, rng):
    r.path = rng.choice(PATHS)


def m_query(r, rng):
    extra = rng.choice([b"&a=%00", b"&b=%2F", b";c=1", b"&d=+x", b"&e=\xff", b"&f=%zz",
                        b"#frag", b"&g=a%20b", b"&h=../x", b"&&", b"&i=\"'"])
    r.query = r.query + extra if rng.random() < 0.7 else extra.lstrip(b"&") + b"&" + r.query


def m_absolute(r, rng):
    r.absolute = rng.choice([b"http://{host}", b"http://example.com", b"HTTP://{host}",
                             b"https://{host}", b"http://u:p@{host}"])


def m_host(r, rng):
    kind = rng.choice(["none", "empty", "two", "other", "port", "userinfo", "bad", "case"])
    if kind == "none":
        r.without(b"Host")
    elif kind == "empty":
        r.host()[1] = b""
    elif kind == "two":
        r.header(b"Host", b"example.com")
    elif kind == "other":
        r.host()[1] = b"example.com"
    elif kind == "port":
        r.host()[1] = b"127.0.0.1:1"
    elif kind == "userinfo":
        r.host()[1] = b"u@{host}"
    elif kind == "bad":
        r.host()[1] = rng.choice([b"a b", b"a/b", b"[::1", b"{host}:80"])
    else:
        r.host()[0] = b"HOST"
    return kind


def m_method(r, rng):
    r.method = rng.choice([b"PUT", b"DELETE", b"OPTIONS", b"HEAD", b"PATCH", b"get",
                           b"FOO", b"TRACE", b"G\x00T", b"PROPFIND"])


def m_version(r, rng):
    r.version = rng.choice([b"HTTP/1.0", b"HTTP/1.0", b"HTTP/1.2", b"HTTP/2.0",
                            b"http/1.1", b"HTTP/1.1 ", b"HTTP/0.9"])
    if r.version == b"HTTP/1.0" and rng.random() < 0.5:
        r.without(b"Host")


def m_expect(r, rng):
    if not r.body:
        _set_body(r, b"continue-body")
    r.header(b"Expect", rng.choice([b"100-continue", b"100-Continue", b"nothing"]))


def m_trust(r, rng):
    name, value = rng.choice([
        (b"Proxy", b"http://192.0.2.1:3128"),
        (b"Authorization", b"Basic YWxpY2U6cHc="),
        (b"Authorization", b"Basic YWxpY2UKOnB3"),
        (b"Authorization", b"Bearer t"),
        (b"Cookie", b"a=1; b=2"),
        (b"X-Forwarded-Proto", b"https"),
        (b"Remote-User", b"root"),
        (b"Content-Type", b"text/x\x00y"),
        (b"Https", b"on"),
        (b"Script-Name", b"/evil.php")])
    r.header(name, value)


MUTATIONS = {
    "underscore-dash": m_underscore, "dup-header": m_dup_header, "odd-name": m_odd_name,
    "odd-value": m_odd_value, "obs-fold": m_obs_fold, "line-ends": m_line_ends,
    "long-header": m_long_header, "many-headers": m_many_headers, "framing": m_framing,
    "body": m_body, "path": m_path, "query": m_query, "absolute-form": m_absolute,
    "host": m_host, "method": m_method, "version": m_version, "expect": m_expect,
    "trust-header": m_trust,
}


def generate(seed, index):
    """Stream index of seed: a Request with its mutation names (a mutation
    that picks among variants is named "NAME:VARIANT")."""
    if index < PLAIN:
        r = _plain(post=index == 1)
        r.mutations = []
        return r
    rng = random.Random(f"{seed}:{index}")
    r = _plain(post=rng.random() < 0.3)
    for name in rng.sample(sorted(MUTATIONS), rng.choice([1, 1, 2, 3])):
        variant = MUTATIONS[name](r, rng)
        r.mutations.append(f"{name}:{variant}" if variant else name)
    return r


def case_id(seed, index):
    return f"differential/s{seed}/{index:06d}"


def case_text(cid, data, comment=""):
    """A proxy case sending data (bytes holding {marker}) as its request
    1, with no condition: the runner's JSON report carries what each proxy
    made of it ("requests", docs/proxies.md)."""
    lines = [f"# {comment}"] if comment else []
    lines += [f"id: {cid}", "section: differential", "level: INFO",
              "requirement: Recorded for the differential engine: what the proxy "
              "forwards for this request, compared with the other proxies.",
              f"http {encode(data)}"]
    return "\n".join(lines) + "\n"


def write_cases(seed, count, out, first=0):
    """Writes streams first..first+count-1 as OUT/NNNNNN.case; returns
    [(index, Request)]."""
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(first, first + count):
        r = generate(seed, i)
        (out / f"{i:06d}.case").write_bytes(
            case_text(case_id(seed, i), r.data(), " ".join(r.mutations)).encode())
        made.append((i, r))
    return made
