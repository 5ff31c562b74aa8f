"""What one case's result in fcgispec's JSON report says: the shape of the
proxy's behaviour (for the corpus) and the finding, if any.

The fuzzer's cases are INFO cases, so every result carries its trace
(docs/proxies.md: the status line of each response, its body length,
framing and header lines, the client's parse error, whether the proxy
closed), an expect that did not hold names its line in "expected", and
"down" and "rss_kib" say whether the proxy went down and what its
processes held after the case."""
import re
from dataclasses import dataclass

from .reply import DESYNC_LINE, HANG_LINE

RESPONSE = re.compile(r"^  client (\d+) response (\d+): (\S*) ?(\d{3})?.*\(body (\d+) "
                      r"bytes, ([a-z -]+), (\d+) header lines(, incomplete)?\)$", re.M)
CLIENT_ERROR = re.compile(r"^  client \d+: (?!the proxy closed)(.*)$", re.M)
CLOSED = re.compile(r"^  client \d+: the proxy closed the connection$", re.M)
BACKEND = re.compile(r"^  backend request \d+ ", re.M)
# Parse errors that are the runner's own bounds (http_client.h), not the
# proxy's mistakes: HTTP sets no limit on a response head.
RUNNER_LIMIT = re.compile(r"longer than|^more than")
# The proxy's processes may hold this much after a case (--rss-limit): the
# generated replies are at most a few hundred KiB.
RSS_LIMIT_MIB = 512
NO_DECISION = "no decision: nothing moved"

# The kinds of finding, each a failure of one oracle.
KINDS = {
    "crash": "the proxy stopped taking connections, or a worker died",
    "hang": "the client got neither an answer nor a close within the deadline",
    "malformed": "the client got bytes that are no HTTP/1.1 response, and no close",
    "desync": "the next request on the client connection did not get its own response",
    "memory": f"the proxy's processes held more than {RSS_LIMIT_MIB} MiB after a case",
}


def _bucket(n):
    """0, 1, 2, 3-4, 5-8, ...: counts that differ by a little are alike."""
    return n if n < 3 else 1 << (n - 1).bit_length()


@dataclass
class Outcome:
    kind: str | None  # a key of KINDS, or None
    why: str          # which way the oracle failed, for telling findings apart
    reason: str       # the observation behind it, one line
    shape: tuple      # the behaviour, for the corpus


def _failed_line(result):
    expected = result.get("expected", "")
    if expected.endswith(HANG_LINE):
        return 1
    if expected.endswith(DESYNC_LINE):
        return 2
    return 0


def client_errors(trace):
    """The client's parse errors, offsets left out."""
    return [re.sub(r"\d+", "N", e) for e in CLIENT_ERROR.findall(trace)]


def shape(result):
    trace = result.get("trace", "")
    responses = tuple(
        (m.group(4) or m.group(3), m.group(6), _bucket(int(m.group(7))),
         bool(m.group(8)))
        for m in RESPONSE.finditer(trace))
    return (responses, tuple(client_errors(trace)), bool(CLOSED.search(trace)),
            _bucket(len(BACKEND.findall(trace))), _failed_line(result),
            bool(result.get("down")))


def judge(result):
    """The Outcome of one case result (a dict of the JSON report)."""
    observed = result.get("observed", "").replace("\n", " ")
    notes = result.get("notes", "")
    failed = _failed_line(result)
    errors = client_errors(result.get("trace", ""))
    kind, why = None, ""
    if result.get("down"):
        kind, why, observed = "crash", "down", notes.strip().splitlines()[0]
    elif result.get("verdict") == "error":
        kind, why = "crash", "unreachable"
    elif result.get("rss_kib", 0) > RSS_LIMIT_MIB * 1024:
        kind, why = "memory", "over the bound"
        observed = f"the proxy's processes hold {result['rss_kib']} KiB after the case"
    elif any(RUNNER_LIMIT.search(e) for e in errors):
        why = "beyond the runner's bounds: " + errors[-1]
    elif failed == 1 and errors:
        kind, why = "malformed", errors[-1]
    elif failed and NO_DECISION in observed:
        statuses = [m.group(4) or "?" for m in RESPONSE.finditer(result.get("trace", ""))]
        kind, why = "hang", f"request {failed} after HTTP {' '.join(statuses) or 'nothing'}"
    elif failed == 2:
        why = _desync(result, observed)
        kind = "desync" if why else None
    return Outcome(kind, why, observed, shape(result))


def _desync(result, observed):
    """How request 2 got a response that is not its own, or bytes that are
    no response; "" when it did not. A proxy may close a kept connection
    instead of answering the next request (RFC 9112 9.6), and may refuse it
    with a 5xx of its own: neither is a desync."""
    if "not the reply to its backend request" in observed:
        return "another response"
    errors = client_errors(result.get("trace", ""))
    if errors:
        return "unparsable: " + errors[-1][:60]
    m = re.search(r"did not reach the backend; the client got HTTP (\d+)", observed)
    if m and int(m.group(1)) < 500:
        return "answered without the backend"
    return ""
