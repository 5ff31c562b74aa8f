"""Reading (never writing) the FastCGI streams fcgi-diff generates: where
each record sits, for minimising over whole records, and what each request
asked for, for the comparison's quirk rules. Every byte sent is written by
fcgi-diff (the codec's encoder); Python only keeps or removes byte ranges.

The reading is lenient, like an application that trusts the header: a
record is 8 header bytes, contentLength, then paddingLength bytes; the
version byte is not checked; a record cut short by the end of the stream is
the last range."""
HEADER = 8
BEGIN_REQUEST, PARAMS, STDIN = 1, 4, 5


def escape(data):
    """Bytes as the results JSON writes them: printable ASCII as is, other
    bytes and the backslash as \\xNN."""
    return "".join(chr(b) if 0x20 <= b < 0x7F and b != 0x5C else f"\\x{b:02x}" for b in data)


def records(data):
    """[(offset, end, type, request id)] of each record in data, in order."""
    out, at = [], 0
    while at < len(data):
        head = data[at:at + HEADER]
        if len(head) < HEADER:
            out.append((at, len(data), None, None))
            break
        length = (head[4] << 8) | head[5]
        end = min(len(data), at + HEADER + length + head[6])
        out.append((at, end, head[1], (head[2] << 8) | head[3]))
        at = end
    return out


def _length(buf, at):
    """A name-value length at buf[at:] and the offset after it; None when cut."""
    if at >= len(buf):
        return None
    if buf[at] < 0x80:
        return buf[at], at + 1
    if at + 4 > len(buf):
        return None
    return int.from_bytes(buf[at:at + 4], "big") & 0x7FFFFFFF, at + 4


def pairs(buf):
    """The name-value pairs of a PARAMS stream's bytes, as escaped strings;
    a pair cut short by the end is left out."""
    out, at = [], 0
    while at < len(buf):
        n = _length(buf, at)
        v = n and _length(buf, n[1])
        if not v or v[1] + n[0] + v[0] > len(buf):
            break
        start = v[1]
        out.append([escape(buf[start:start + n[0]]),
                    escape(buf[start + n[0]:start + n[0] + v[0]])])
        at = start + n[0] + v[0]
    return out


def sent_requests(data):
    """{request id: {"role": r, "params": [[name, value]], "stdin": text}}:
    each request's role (from its last BEGIN_REQUEST), the pairs of its
    PARAMS stream and its STDIN bytes (escaped), each up to the empty record
    that ends that stream."""
    found, streams, ended = {}, {}, set()
    for at, end, rtype, rid in records(data):
        if rtype is None:
            break
        content = data[at + HEADER:min(end, at + HEADER + ((data[at + 4] << 8) | data[at + 5]))]
        if rtype == BEGIN_REQUEST and len(content) >= 2:
            found[rid] = {"role": (content[0] << 8) | content[1]}
            for kind in (PARAMS, STDIN):
                streams[(rid, kind)] = bytearray()
                ended.discard((rid, kind))
        elif rtype in (PARAMS, STDIN) and rid in found and (rid, rtype) not in ended:
            if content:
                streams[(rid, rtype)] += content
            else:
                ended.add((rid, rtype))
    for rid, req in found.items():
        req["params"] = pairs(bytes(streams[(rid, PARAMS)]))
        req["stdin"] = escape(bytes(streams[(rid, STDIN)]))
    return found
