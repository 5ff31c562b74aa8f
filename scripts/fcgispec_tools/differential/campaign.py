"""A differential campaign over FastCGI backends: generate streams, send
them in batches to every backend, compare, cluster, minimise, and write the
results JSON of docs/differential.md.

After each batch every backend is checked: a backend that died (its
process gone, its socket no longer listening, or its log telling of more
deaths than fcgi-diff's probe alone costs it, see calibrate) is restarted
unless its supervisor did, and the streams of the batch from its first
unanswered one on are sent to it again, in halves while it dies on them:
a stream it dies on alone gets the outcome `crashed` (class crash), the
others the view of their rerun."""
import json
import pathlib
import sys
import time

from . import backends, casefile, compare, ddmin, probe, register, stream, tool

BATCH = 40
SETTLE = 0.1
ANSWERED = ("answered", "rejected")


def result_view(line, crashed=False):
    """A results-JSON view from a fcgi-diff view line: the outcome, every
    reply, and the first reply's fields at the top level."""
    replies = [{k: r.get(k) for k in ("id", "protocol_status", "app_status", "params", "stdin",
                                      "role", "shown_id", "decoded")}
               for r in line.get("replies") or ()]
    view = {"outcome": "crashed" if crashed else line["outcome"], "replies": replies,
            "records_broken": line.get("records_broken", []), "ms": line.get("ms")}
    if replies:
        first = replies[0]
        view.update(params=first["params"], stdin=first["stdin"], role=first["role"],
                    id=first["id"])
    if crashed:
        view["note"] = "the backend died on this stream"
    return view


class Clusters:
    """Cluster keys as they turn up: count, streams, first time seen."""

    def __init__(self, started):
        self.started, self.by_key = started, {}

    def add(self, key, cls, impl, stream_id):
        c = self.by_key.get(key)
        if c is None:
            c = self.by_key[key] = {"key": key, "class": cls, "implementation": impl,
                                    "count": 0, "streams": [],
                                    "first_seen_s": round(time.monotonic() - self.started, 3),
                                    "minimal": None, "finding": None, "timing": False}
        c["count"] += 1
        c["streams"].append(stream_id)
        return c["count"] == 1

    def sorted(self):
        return sorted(self.by_key.values(), key=lambda c: c["key"])


class Campaign:
    """One campaign over a running fleet (backends.Fleet)."""

    def __init__(self, fleet, quirks, seed, count, timeout_ms=1000, batch=BATCH,
                 log=None, on_new=None):
        self.fleet, self.quirks = fleet, quirks
        self.seed, self.count, self.timeout_ms, self.batch = seed, count, timeout_ms, batch
        self.log = log or (lambda line: None)
        self.on_new = on_new or (lambda key, seconds, streams: None)
        self.started = time.monotonic()
        self.clusters = Clusters(self.started)
        self.streams = []
        self.deadline = None  # of the minimisation under way
        self.work = fleet.work / "streams"
        self.work.mkdir(exist_ok=True)
        calibrate(fleet, self.work, timeout_ms)

    def run(self):
        done = 0
        while done < self.count:
            n = min(self.batch, self.count - done)
            self.run_batch(done, n)
            done += n
            elapsed = time.monotonic() - self.started
            self.log(f"{done}/{self.count} streams, {done / elapsed:.1f} streams/s, "
                     f"{len(self.clusters.by_key)} clusters")
        return self

    def run_batch(self, first, n):
        made = tool.streams(self.seed, n, self.work, first)
        files = [self.work / m["file"] for m in made]
        views = self._send(files)
        for m, path in zip(made, files):
            data = path.read_bytes()
            per = views[path.name]
            cmp = compare.classify(per, self.quirks, sent=stream.sent_requests(data))
            keys = sorted(k for ks in cmp.keys.values() for k in ks)
            self.streams.append({"id": m["id"], "mutations": m["mutations"], "input": data.hex(),
                                 "views": per, "groups": cmp.groups, "clusters": keys})
            for impl, classes in cmp.classes.items():
                for cls in classes:
                    key = f"backend/{impl}/{cls}"
                    if self.clusters.add(key, cls, impl, m["id"]):
                        self.on_new(key, time.monotonic() - self.started, len(self.streams))
            path.unlink()

    def _send(self, files):
        """{file name: {backend: results view}} for files, every backend, with
        deaths found, recovered from and pinned to their streams."""
        lines = self._view(list(self.fleet), files)
        views = {f.name: {b.name: result_view(lines[(f.name, b.name)]) for b in self.fleet}
                 for f in files}
        time.sleep(SETTLE)
        for b in self.fleet:
            outcomes = [views[f.name][b.name]["outcome"] for f in files]
            if not dead(b, settle=0) and outcomes[-1] != "refused":
                continue
            b.recover()
            first = next((i for i, o in enumerate(outcomes) if o not in ANSWERED), 0)
            self._pin(b, files[first:], views)
        return views

    def _pin(self, b, files, views):
        """Sends files to b alone again, halving the ones it dies on down to
        single streams: those get `crashed`, the others their new view."""
        lines = self._view([b], files)
        if not dead(b):
            for f in files:
                views[f.name][b.name] = result_view(lines[(f.name, b.name)])
            return
        b.recover()
        if len(files) == 1:
            views[files[0].name][b.name] = result_view(lines[(files[0].name, b.name)],
                                                       crashed=True)
            return
        half = len(files) // 2
        self._pin(b, files[:half], views)
        self._pin(b, files[half:], views)

    def _view(self, targets, files, tries=3):
        return view_recovering(targets, files, self.timeout_ms, tries)

    def results(self, seconds=None):
        seconds = time.monotonic() - self.started if seconds is None else seconds
        names = [b.name for b in self.fleet]
        return {
            "side": "backend", "seed": self.seed, "count": self.count,
            "implementations": names, "versions": backends.versions(names),
            "quirks": str(probe.QUIRKS.relative_to(backends.ROOT)),
            "streams": self.streams,
            "clusters": register.with_findings(self.clusters.sorted(), backends.ROOT),
            "stats": {"seconds": round(seconds, 3), "streams": len(self.streams),
                      "streams_per_second": round(len(self.streams) / seconds, 2) if seconds else 0,
                      "restarts": {b.name: b.restarts for b in self.fleet if b.restarts}},
        }

    def minimise_new(self, out_dir=casefile.CASES_OUT, calls=40, seconds=60, only=None):
        """For every cluster without a case file in out_dir yet: minimises its
        first stream against the deviating backend and two members of that
        stream's consensus, and writes the case. Fills each cluster's
        `minimal` (also from a case file already there). only: the keys to
        minimise (None: all)."""
        by_id = {s["id"]: s for s in self.streams}
        for c in self.clusters.sorted():
            if only is not None and c["key"] not in only:
                continue
            path = casefile.case_path(c["key"], out_dir)
            s = by_id[c["streams"][0]]
            consensus = next(g for g in s["groups"] if c["implementation"] not in g)
            witnesses = sorted(consensus, key=lambda n: (n != backends.REFERENCE, n))[:2]
            names = [c["implementation"]] + witnesses
            if path.exists():
                c["minimal"] = {"case": casefile.shown(path),
                                "repro": casefile.repro_command(path, names)}
                continue
            test = lambda cands, c=c, w=witnesses: self.reproduces(
                c["key"], c["implementation"], w, cands)
            data = bytes.fromhex(s["input"])
            if test([data]) is None:
                self.log(f"{c['key']}: stream {s['id']} does not show it again; not minimised")
                continue
            self.deadline = time.monotonic() + seconds
            small = ddmin.minimise_stream(data, test, calls=calls, seconds=seconds)
            self.deadline = None
            origin = f" (seed {self.seed}, stream {s['id']}, {len(data)} bytes)"
            c["minimal"] = casefile.write_case(c["key"], small, names, out_dir, origin)
            self.log(f"{c['key']}: {len(data)} -> {len(small)} bytes, {c['minimal']['case']}")

    def reproduces(self, key, impl, witnesses, candidates):
        """first_failing for ddmin: the index of the first candidate (bytes)
        on which impl still gets key against the witnesses, or None."""
        targets = [self.fleet[n] for n in [impl] + witnesses]
        paths = []
        for i, data in enumerate(candidates):
            p = self.work / f"min-{i:04d}.bin"
            p.write_bytes(data)
            paths.append(p)
        crash = key.endswith("/crash")
        try:
            if crash:
                # A death cannot be told apart from its neighbours: one at a time.
                for i, p in enumerate(paths):
                    if self.deadline and time.monotonic() > self.deadline:
                        return None
                    self._view(targets, [p])
                    died = dead(self.fleet[impl])
                    for t in targets:
                        t.recover()
                    if died:
                        return i
                return None
            lines = self._view(targets, paths)
            time.sleep(SETTLE)
            for t in targets:
                dead(t, settle=0)
                t.recover()
            for i, (p, data) in enumerate(zip(paths, candidates)):
                views = {t.name: result_view(lines[(p.name, t.name)]) for t in targets}
                cmp = compare.classify(views, self.quirks, sent=stream.sent_requests(data))
                if key in cmp.keys.get(impl, ()) and all(w in cmp.consensus for w in witnesses):
                    return i
            return None
        finally:
            for p in paths:
                p.unlink(missing_ok=True)


def dead(backend, settle=SETTLE):
    """Whether the backend died since the last look, beyond the deaths
    fcgi-diff's probe costs it (calibrate). It first waits settle seconds:
    a process may close its connection a moment before it is gone."""
    time.sleep(settle)
    return backend.deaths() > getattr(backend, "probe_deaths", 0)


def view_recovering(targets, files, timeout_ms, tries=3):
    """tool.view, restarting a backend unreachable at fcgi-diff's probe (a
    death the last look could not see yet) and trying again."""
    for attempt in range(tries):
        try:
            return tool.view(targets, files, timeout_ms)
        except tool.ToolError:
            if attempt == tries - 1:
                raise
            for b in targets:
                b.recover()


def calibrate(fleet, work, timeout_ms, calls=2):
    """Sets each backend's probe_deaths: the most deaths one fcgi-diff call
    with a plain request (stream 0 of seed 1) cost it in a few calls. Some
    backends die of the GET_VALUES of fcgi-diff's probe; a stream kills a
    backend only when a call costs it more than that."""
    work = pathlib.Path(work)
    work.mkdir(exist_ok=True)
    plain = work / tool.streams(1, 1, work)[0]["file"]
    for b in fleet:
        b.deaths()
        b.probe_deaths = 0
    for _ in range(calls):
        view_recovering(list(fleet), [plain], timeout_ms)
        time.sleep(SETTLE)
        for b in fleet:
            b.probe_deaths = max(b.probe_deaths, b.deaths())
            b.recover()
    plain.unlink()


def write_results(results, out):
    pathlib.Path(out).write_text(json.dumps(results, indent=1) + "\n")


def stderr_log(line):
    print(f"differential: {line}", file=sys.stderr, flush=True)
