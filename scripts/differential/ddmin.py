"""Delta debugging for the differential engine: the smallest stream that
still shows a cluster.

The algorithm is Zeller and Hildebrandt's ddmin as scripts/proxy_fuzz/
minimise.py writes it once for the whole project: a test takes several
candidates at once and names the first that still fails, so one round is
one `fcgi-diff view` call over all its candidates. ddmin() here is the same
over a plain predicate, for callers that test one candidate at a time.

minimise_stream() works on a generated stream's bytes: first over whole
records (their byte ranges, found by stream.records), then over bytes. It
only keeps or removes byte ranges of the stream it was given; it never
writes a FastCGI byte of its own."""
import time

from proxy_fuzz import minimise as _dd

from . import stream


def ddmin(items, fails, max_chunks=None, calls=None):
    """A 1-minimal sublist of items on which fails(sublist) still holds
    (as far as max_chunks and calls allow); items itself must fail."""
    def first_failing(candidates):
        return next((i for i, c in enumerate(candidates) if fails(c)), None)
    return _dd.ddmin(items, first_failing, max_chunks, rounds=calls)


def minimise_stream(data, first_failing, calls=40, max_chunks=64, seconds=None):
    """data made smaller while first_failing(list of candidate bytes) names
    one that still shows the failure: ddmin over the records, then over the
    bytes. At most calls rounds, and none after seconds."""
    budget = _dd.Budget(calls, None if seconds is None else time.monotonic() + seconds)
    test = budget.wrap(first_failing, valid=lambda candidate: len(candidate) > 0)

    def joined(ranges):
        return b"".join(data[a:b] for a, b in ranges)
    ranges = [(a, b) for a, b, _, _ in stream.records(data)]
    ranges = _dd.ddmin(ranges, lambda cands: test([joined(c) for c in cands]),
                       rounds=budget.left)
    data = joined(ranges)
    if budget.left <= 0:
        return data
    kept = _dd.ddmin(list(range(len(data))),
                     lambda cands: test([bytes(data[i] for i in c) for c in cands]),
                     max_chunks, rounds=budget.left)
    return bytes(data[i] for i in kept)
