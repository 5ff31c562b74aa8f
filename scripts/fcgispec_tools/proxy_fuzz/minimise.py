"""Delta debugging (Zeller and Hildebrandt's ddmin) over a reply: its
steps, then each record's options, then the bytes of each item. A test
takes several candidates at once and names the first that still fails
(the fuzzer runs them as one batch, so the proxy starts once per round)."""
import time


def _chunks(items, n):
    size, extra = divmod(len(items), n)
    out, at = [], 0
    for i in range(n):
        step = size + (i < extra)
        out.append(items[at:at + step])
        at += step
    return [c for c in out if c]


def ddmin(items, first_failing, max_chunks=None, rounds=None):
    """A 1-minimal sublist of items (as far as max_chunks allows) on which
    first_failing still reports a failure; items itself must fail.
    first_failing(candidates) -> index of the first failing candidate, or
    None. rounds bounds the calls (None: no bound)."""
    items = list(items)
    n = 2
    while len(items) >= 2 and (rounds is None or rounds > 0):
        chunks = _chunks(items, min(n, len(items)))
        complements = [[x for j, c in enumerate(chunks) if j != i for x in c]
                       for i in range(len(chunks))]
        candidates = chunks + (complements if len(chunks) > 2 else [])
        hit = first_failing(candidates)
        rounds = None if rounds is None else rounds - 1
        if hit is not None and hit < len(chunks):
            items, n = candidates[hit], 2
        elif hit is not None:
            items, n = candidates[hit], max(n - 1, 2)
        elif len(chunks) >= len(items) or (max_chunks and n >= max_chunks):
            break
        else:
            n = min(len(items), n * 2)
    return items


class Budget:
    """Counts the calls a minimisation may still make, and ends them all at
    a deadline (time.monotonic() seconds) when it has one."""

    def __init__(self, calls, deadline=None):
        self.calls, self.deadline = calls, deadline

    @property
    def left(self):
        late = self.deadline is not None and time.monotonic() >= self.deadline
        return 0 if late else self.calls

    def wrap(self, first_failing, valid):
        """first_failing over the valid candidates only, counted."""
        def counted(candidates):
            kept = [i for i, c in enumerate(candidates) if valid(c)]
            if self.left <= 0 or not kept:
                return None
            self.calls -= 1
            hit = first_failing([candidates[i] for i in kept])
            return None if hit is None else kept[hit]
        return counted


def minimise_reply(steps, first_failing, valid=lambda steps: True, calls=60,
                   max_chunks=64, seconds=None):
    """steps made smaller while first_failing (over lists of step lists)
    still reports a failure: the empty reply first, then ddmin over the
    steps, then without each record option, then with long runs of a byte
    cut short, then ddmin over the bytes of each item. Candidates that are
    not valid(candidate) are not tried. At most calls batches, and none
    after seconds."""
    budget = Budget(calls, None if seconds is None else time.monotonic() + seconds)
    test = budget.wrap(first_failing, valid)
    steps = list(steps)
    if steps and test([[]]) == 0:
        return []
    steps = ddmin(steps, test, rounds=budget.left)
    steps = _fewer_options(steps, test)
    steps = _shorter_runs(steps, test)
    for i in range(len(steps)):
        for j in range(len(steps[i].items)):
            if budget.left <= 0 or len(steps[i].items[j]) < 2:
                continue

            def with_bytes(data, i=i, j=j):
                items = list(steps[i].items)
                items[j] = bytes(data)
                return steps[:i] + [steps[i].with_items(items)] + steps[i + 1:]

            def bytes_fail(cands):
                return test([with_bytes(c) for c in cands])
            kept = ddmin(list(steps[i].items[j]), bytes_fail, max_chunks,
                         rounds=budget.left)
            steps = with_bytes(kept)
    # split= may go now that the content is small
    return _fewer_options(steps, test)


def _runs(data, keep):
    """data with every run of 8 or more equal bytes cut to keep(length)."""
    out, i = bytearray(), 0
    while i < len(data):
        j = i
        while j < len(data) and data[j] == data[i]:
            j += 1
        out += data[i:i + (keep(j - i) if j - i >= 8 else j - i)]
        i = j
    return bytes(out)


def _shorter_runs(steps, test):
    """Long runs of one byte (the bulk of a big reply) cut to one byte, or
    halved, while the failure stays: far fewer rounds than ddmin over
    their bytes."""
    for keep in (lambda n: 1, lambda n: n // 2):
        while True:
            cand = [s.with_items(_runs(x, keep) for x in s.items) for s in steps]
            if cand == steps or test([cand]) is None:
                break
            steps = cand
    return steps


def _fewer_options(steps, test):
    """Each record without one of its options, while the failure stays."""
    for i in range(len(steps)):
        while steps[i].kind == "record" and steps[i].opts:
            s = steps[i]
            cands = [steps[:i] + [s.with_options(**{k: None})] + steps[i + 1:]
                     for k, _ in s.opts]
            hit = test(cands)
            if hit is None:
                break
            steps = cands[hit]
    return steps
