"""The fuzzing loop: batches of replies (fresh from the grammar, or
mutations of the corpus) run through the proxy; a reply whose behaviour
had a shape not seen before joins the corpus; a finding is rerun alone
(it must come back, else it is flaky), minimised, and written as a case
file; the summary says what ran, how fast, and what was found."""
import hashlib
import json
import pathlib
import random
import sys
import time

from . import grammar, minimise, outcome
from . import reply as R
from .driver import Driver

TOOL = "scripts/proxy_fuzz.py"
OWN = ".proxy-fuzz"  # the file that makes an output directory the fuzzer's
MARK = f"written by {TOOL}"  # the first comment of every case file it writes
CASE_MARK = f"# {MARK}\n"
# Fast settings for batches; a finding is confirmed with slower ones, so
# a proxy that is only slow is not taken for one that hangs.
BATCH_TIMEOUT_MS, BATCH_SETTLE_MS = 1000, 30
CONFIRM_TIMEOUT_MS, CONFIRM_SETTLE_MS = 5000, 200
MUTATE_SHARE = 0.6
PER_KIND = 3  # distinct findings of a kind that are confirmed and minimised
FLAKY_TRIES = 3  # replies of one kind and cause that may fail to come back alone
MINIMISE_CALLS = 80
MINIMISE_SECONDS = 300  # per finding: replies that fail by a timeout are slow
SUB_BATCH = 16  # candidates of a minimisation round per proxy start
PROGRESS_EVERY = 10.0

ADVISORY = {
    "crash": "a proxy's parser of application replies sits on a trust boundary; "
             "a crash there is a denial of service and often a memory-safety bug "
             "(CVE-2014-3583: Apache mod_proxy_fcgi read past a buffer on long "
             "response headers)",
    "desync": "response desync / splitting (CWE-113): a reply the proxy frames "
              "wrongly lets an application, or client input it echoes, answer "
              "another request on the client's connection",
    "hang": "resource exhaustion (CWE-400): an application that misframes its "
            "reply and closes must not leave client connections waiting",
    "memory": "resource exhaustion (CWE-400): a reply must not make the proxy's "
              "memory grow without bound",
    "malformed": "response splitting (CWE-113): a proxy that writes an application's "
                 "malformed header block into the client's stream lets the "
                 "application decide how the client parses what follows",
}
REQUIREMENT = {
    "crash": "Whatever the application replies, the proxy keeps serving: it "
             "takes connections after the case and none of its processes dies.",
    "desync": "Whatever the application replies, the next request on the same "
              "client connection gets its own response.",
    "hang": "Once the application closed its connection, the proxy answers the "
            "request or closes the client connection within the deadline.",
    "memory": f"Whatever the application replies, the proxy's processes hold at "
              f"most {outcome.RSS_LIMIT_MIB} MiB after it.",
    "malformed": "Whatever the application replies, the client gets a well-formed "
                 "HTTP/1.1 response (RFC 9112) or a close.",
}


def prepare_out(out):
    """Makes out the fuzzer's directory; a directory that is not its own,
    or holds a file it did not write, is refused (ValueError)."""
    out = pathlib.Path(out)
    if out.exists() or out.is_symlink():
        if not (out / OWN).is_file():
            raise ValueError(f"{out} exists and is not a {TOOL} output directory "
                             f"(no {OWN} file); give a new directory")
        mine = [out / OWN, out / "summary.json"] + [
            p for sub in ("corpus", "findings", "flaky") for p in (out / sub).glob("*")]
        for p in out.rglob("*"):
            if p.is_dir() and p.parent == out and p.name in ("corpus", "findings", "flaky"):
                continue
            if p not in mine or (p.suffix == ".case" and
                                 not p.read_text(errors="replace").startswith(CASE_MARK)):
                raise ValueError(f"{p} was not written by {TOOL}; refusing to "
                                 f"reuse {out}")
        for p in mine:
            if p.is_file() and p.name != OWN:
                p.unlink()
    for sub in ("corpus", "findings", "flaky"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    (out / OWN).write_text(f"written by {TOOL}; it replaces what it wrote here\n")
    return out


class Campaign:
    def __init__(self, proxy, seconds, seed, out, batch, log=print, max_replies=None,
                 minimise_calls=MINIMISE_CALLS):
        self.proxy, self.seconds, self.seed = proxy, seconds, seed
        self.batch, self.log, self.max_replies = batch, log, max_replies
        self.minimise_calls = minimise_calls
        self.driver = Driver(proxy)
        try:
            self.out = prepare_out(out)
        except ValueError:
            self.driver.close()
            raise
        self.rng = random.Random(seed)
        self.corpus, self.shapes = [], set()
        self.replies = 0
        self.digest = hashlib.sha256()
        self.findings, self.flaky, self.seen = [], [], {}
        self.fuzz_time = 0.0
        self.peak_kib = 0  # the most the proxy's processes held after a case

    # -- cases ---------------------------------------------------------
    def case(self, cid, steps, kind=None, comments=()):
        """A finding's case (TRUST) or, without kind, a case to run (INFO:
        its result carries the trace whatever the verdict)."""
        if kind:
            return R.case_text(cid, steps, REQUIREMENT[kind], "TRUST", ADVISORY[kind],
                               (MARK,) + tuple(comments))
        return R.case_text(cid, steps, f"A reply of seed {self.seed}: the proxy answers "
                           "or closes, the next request gets its own response, the "
                           "proxy lives on.", "INFO", None, (MARK,) + tuple(comments))

    def next_reply(self):
        if self.corpus and self.rng.random() < MUTATE_SHARE:
            base = self.rng.choice(self.corpus)
            other = self.rng.choice(self.corpus)
            steps = grammar.mutate(self.rng, base, other)
        else:
            steps = grammar.generate(self.rng)
        self.replies += 1
        self.digest.update(grammar.digest_line(steps).encode() + b"\n\0")
        return f"trust/proxy-fuzz/r{self.replies}", steps

    # -- one batch -------------------------------------------------------
    def run_batch(self):
        n = self.batch if self.max_replies is None else \
            min(self.batch, self.max_replies - self.replies)
        todo = [self.next_reply() for _ in range(n)]
        t0 = time.monotonic()
        result = self.driver.run([(cid, self.case(cid, s)) for cid, s in todo],
                                 BATCH_TIMEOUT_MS, BATCH_SETTLE_MS)
        self.fuzz_time += time.monotonic() - t0
        for cid, steps in todo:
            res = result.results.get(cid)
            if res is None:
                continue
            oc = outcome.judge(res)
            if oc.shape not in self.shapes:
                self.shapes.add(oc.shape)
                self.corpus.append(steps)
                name = f"{len(self.corpus):05d}.case"
                (self.out / "corpus" / name).write_text(self.case(cid, steps))
            if oc.kind:
                self.found(oc.kind, oc.why, oc.reason, steps)
        if result.died:
            self.worker_died(todo, result.died[0])
        self.peak_kib = max(self.peak_kib, result.peak_kib)

    def worker_died(self, todo, line):
        steps = [s for _, s in todo]
        at = self._locate_death(steps, BATCH_TIMEOUT_MS, BATCH_SETTLE_MS)
        self.found("crash", "a process died", line.strip()[:160], steps[at])

    def _locate_death(self, step_lists, timeout_ms, settle_ms):
        """The index of the list whose run shows a death in the proxy's log
        (only the whole run tells): halves of them, run alone."""
        lo, hi = 0, len(step_lists)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.driver.run(self._named(step_lists[lo:mid]), timeout_ms,
                               settle_ms).died:
                hi = mid
            else:
                lo = mid
        return lo

    def _named(self, step_lists):
        return [(f"trust/proxy-fuzz/m{i}", self.case(f"trust/proxy-fuzz/m{i}", s))
                for i, s in enumerate(step_lists)]

    # -- findings --------------------------------------------------------
    def fails(self, kind, step_lists, timeout_ms, settle_ms):
        """The index of the first of step_lists that fails as kind, or None.
        They run in batches of SUB_BATCH, the first that has one ending the
        search."""
        for at in range(0, len(step_lists), SUB_BATCH):
            part = step_lists[at:at + SUB_BATCH]
            batch = self.driver.run(self._named(part), timeout_ms, settle_ms)
            for i in range(len(part)):
                res = batch.results.get(f"trust/proxy-fuzz/m{i}")
                if res and outcome.judge(res).kind == kind:
                    return at + i
            if kind == "crash" and batch.died:
                return at + self._locate_death(part, timeout_ms, settle_ms)
        return None

    def found(self, kind, why, reason, steps):
        key = (kind, why)
        self.seen[key] = self.seen.get(key, 0) + 1
        known = [f for f in self.findings if f["kind"] == kind]
        tried = [f for f in self.flaky if f["kind"] == kind]
        if any(f["why"] == why for f in known) or len(known) >= PER_KIND or \
                sum(f["why"] == why for f in tried) >= FLAKY_TRIES or \
                len(tried) >= 2 * PER_KIND:
            return
        self.log(f"proxy_fuzz: {kind} ({why}): {reason[:120]}")
        if self.fails(kind, [steps], CONFIRM_TIMEOUT_MS, CONFIRM_SETTLE_MS) is None:
            n = len(self.flaky) + 1
            path = self.out / "flaky" / f"{kind}-{n}.case"
            path.write_text(self.case(f"trust/proxy-fuzz/flaky/{kind}-{n}", steps,
                                      kind=kind, comments=(f"did not come back alone: "
                                                           f"{reason[:200]}",)))
            self.flaky.append({"kind": kind, "why": why, "file": str(path)})
            self.log(f"proxy_fuzz: flaky: it did not come back alone ({path})")
            return
        self.findings.append({"kind": kind, "why": why, "reason": reason,
                              "steps": steps})

    def minimise_findings(self):
        """Each confirmed finding made small, checked alone again, and
        written as a case."""
        name = self.proxy.replace(":", "-")
        for n, f in enumerate(self.findings, 1):
            kind, steps = f["kind"], f["steps"]
            t0 = time.monotonic()

            def first_failing(cands, kind=kind):
                return self.fails(kind, cands, BATCH_TIMEOUT_MS * 2, BATCH_SETTLE_MS)
            small = minimise.minimise_reply(steps, first_failing, R.valid,
                                            self.minimise_calls,
                                            seconds=MINIMISE_SECONDS)
            held = small == steps or self.fails(
                kind, [small], CONFIRM_TIMEOUT_MS, CONFIRM_SETTLE_MS) is not None
            if not held:
                small = steps
            cid = f"trust/proxy-fuzz/{name}/{kind}-{n}"
            path = self.out / "findings" / f"{kind}-{n}.case"
            f.update(file=str(path), lines=len(R.reply_lines(small)),
                     lines_before=len(R.reply_lines(steps)),
                     bytes=R.size(small), bytes_before=R.size(steps),
                     minimised=held, minimise_seconds=round(time.monotonic() - t0, 1))
            path.write_text(self.case(cid, small, kind=kind, comments=(
                f"found by {TOOL} --proxy {self.proxy} --seed {self.seed}: {f['reason'][:200]}",
                f"minimised from {f['lines_before']} reply lines ({f['bytes_before']} bytes) "
                f"to {f['lines']} ({f['bytes']} bytes)" + ("" if held else
                                                          " (the smaller one did not fail alone)"),
                f"repro: {self.driver.target.repro(path.parent)} '{cid}'")))
            self.log(f"proxy_fuzz: {kind}: {f['lines_before']} -> {f['lines']} reply lines, "
                     f"{path}")
            del f["steps"]

    # -- the run ---------------------------------------------------------
    def run(self):
        start = time.monotonic()
        next_report = start + PROGRESS_EVERY
        try:
            while time.monotonic() - start < self.seconds and (
                    self.max_replies is None or self.replies < self.max_replies):
                self.run_batch()
                if time.monotonic() >= next_report:
                    next_report += PROGRESS_EVERY
                    self.log(self.progress(time.monotonic() - start))
            self.minimise_findings()
        finally:
            self.driver.close()
        return self.summary(time.monotonic() - start)

    def rate(self):
        return self.replies / self.fuzz_time if self.fuzz_time else 0.0

    def progress(self, elapsed):
        return (f"proxy_fuzz: {self.proxy} {elapsed:.0f}/{self.seconds}s: "
                f"{self.replies} replies, {self.rate():.1f} replies/s, corpus "
                f"{len(self.corpus)}, findings {len(self.findings)}, flaky {len(self.flaky)}")

    def summary(self, wall):
        s = {"tool": TOOL, "proxy": self.proxy, "seed": self.seed,
             "seconds": self.seconds, "batch": self.batch, "replies": self.replies,
             "replies_per_second": round(self.rate(), 2),
             "fuzz_seconds": round(self.fuzz_time, 1), "wall_seconds": round(wall, 1),
             "replies_sha256": self.digest.hexdigest(), "corpus": len(self.corpus),
             "peak_memory_mib": round(self.peak_kib / 1024, 1),
             "kinds": outcome.KINDS, "findings": self.findings, "flaky": self.flaky,
             "repeats": {f"{k} ({w})": n for (k, w), n in sorted(self.seen.items())}}
        (self.out / "summary.json").write_text(json.dumps(s, indent=2) + "\n")
        self.log(self.progress(wall))
        return s


def stderr_log(line):
    print(line, file=sys.stderr, flush=True)
