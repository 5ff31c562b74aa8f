"""Delta debugging for the differential engine: the smallest stream that
still shows a cluster.

The algorithm is Zeller and Hildebrandt's ddmin as scripts/fcgispec_tools/proxy_fuzz/
minimise.py writes it once for the whole project: a test takes several
candidates at once and names the first that still fails, so one round is
one `fcgi-diff view` call over all its candidates. ddmin() here is the same
over a plain predicate, for callers that test one candidate at a time.

minimise_pieces() works on bytes cut into pieces, first over whole pieces,
then over bytes; minimise_stream() cuts a generated stream into its records
(the proxy engine cuts a request into its lines). It only keeps or removes
byte ranges of what it was given; it never writes a FastCGI byte of its
own."""
import time

from ..proxy_fuzz import minimise as _dd

from . import stream


def ddmin(items, fails, max_chunks=None, calls=None):
    """A 1-minimal sublist of items on which fails(sublist) still holds
    (as far as max_chunks and calls allow); items itself must fail."""
    def first_failing(candidates):
        return next((i for i, c in enumerate(candidates) if fails(c)), None)
    return _dd.ddmin(items, first_failing, max_chunks, rounds=calls)


def minimise_pieces(pieces, first_failing, calls=40, max_chunks=64, seconds=None,
                    valid=lambda candidate: len(candidate) > 0):
    """The bytes of pieces (a list of byte strings: a stream's records, a
    request's lines) made smaller while first_failing(list of candidate
    bytes) names one that still shows the failure: ddmin over the pieces,
    then over the bytes; only candidates valid() holds for are tried. At
    most calls rounds, and none after seconds."""
    budget = _dd.Budget(calls, None if seconds is None else time.monotonic() + seconds)
    test = budget.wrap(first_failing, valid=valid)
    pieces = _dd.ddmin(pieces, lambda cands: test([b"".join(c) for c in cands]),
                       rounds=budget.left)
    data = b"".join(pieces)
    if budget.left <= 0:
        return data
    kept = _dd.ddmin(list(range(len(data))),
                     lambda cands: test([bytes(data[i] for i in c) for c in cands]),
                     max_chunks, rounds=budget.left)
    return bytes(data[i] for i in kept)


def minimise_stream(data, first_failing, calls=40, max_chunks=64, seconds=None):
    """A generated stream minimised over its records (their byte ranges,
    found by stream.records), then over bytes (minimise_pieces)."""
    records = [data[a:b] for a, b, _, _ in stream.records(data)]
    return minimise_pieces(records, first_failing, calls, max_chunks, seconds)
