"""The proxy side of the differential engine (docs/differential.md,
"Proxies"): each generated HTTP request (proxy_gen.py) goes to every proxy
of scripts/proxies/list.sh, each proxy's view of it is read from the
runner's JSON report ("requests", docs/proxies.md), and the views are
compared with compare.py, clustered, and one example per cluster is
minimised with ddmin.

Batches run through scripts/fcgispec_tools/proxy_fuzz/driver.py (one proxy start per
batch), at most PARALLEL proxies at once."""
import concurrent.futures
import json
import pathlib
import re
import subprocess
import time

from .. import ROOT
from ..proxy_fuzz import driver

from . import compare, ddmin, proxy_gen, register

QUIRKS = ROOT / "seeds" / "differential" / "quirks-proxy.json"
MINIMAL = ROOT / "seeds" / "differential" / "proxy"
PARALLEL = 3          # proxies run at once (the machine has 2 cores)
TIMEOUT_MS, SETTLE_MS = 1000, 30
BATCH = 50            # streams per proxy start
MARKER = re.compile(r"fcgispec=c[0-9]+r[0-9]+")
# mod_proxy_fcgi's documented SCRIPT_FILENAME form (the backend strips it).
PROXY_FCGI = re.compile(r"^proxy:fcgi://[^/]*")
# RFC 9110 9.3: the methods it defines (method names are case-sensitive).
STANDARD_METHODS = {b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"CONNECT", b"OPTIONS",
                    b"TRACE"}
UNKNOWN_METHOD = b"FCGISPEC"  # the probe's method, a token no server defines
# The probe's header that a proxy may withhold (RFC 3875 4.1.18 recommends
# withholding Authorization): a param most proxies show for it and one does
# not is that one's `dropped`.
HEADER_PROBES = {"auth": (b"Authorization", b"Bearer t")}
ABOUT = ("Learnt by `scripts/differential.py probe --side proxy --write` "
         "(docs/differential.md, \"Proxies\"): per proxy, the params it adds or "
         "sets itself for a plain request, the ones it withholds, which the comparison "
         "ignores, and how it treats an unknown method.")


def names(asked=None):
    """The proxies of list.sh, or the asked ones (a one-line error for an
    unknown name)."""
    known = driver.proxy_names()
    asked = asked or known
    for n in asked:
        if n not in known:
            raise ValueError(f"unknown proxy '{n}' (known: {', '.join(known)})")
    return [n for n in known if n in asked]


def versions(proxies):
    """{proxy: "pkg version, ..."}: dpkg-query of each package its start
    script names (`# fcgispec-proxy-package:`)."""
    out = {}
    for name in proxies:
        text = (ROOT / "scripts" / "proxies" / f"{name}.sh").read_text()
        m = re.search(r"^# fcgispec-proxy-package: (.*)$", text, re.M)
        parts = []
        for pkg in (m.group(1).split() if m else ()):
            r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                               capture_output=True, text=True)
            parts.append(f"{pkg} {r.stdout.strip() if r.returncode == 0 else '(not installed)'}")
        out[name] = ", ".join(parts)
    return out


def _substitute(value, place):
    """A value with what differs between runs put back as placeholders:
    the document root, the proxy's and the backend's addresses, markers;
    and mod_proxy_fcgi's `proxy:fcgi://HOST` prefix taken off."""
    value = PROXY_FCGI.sub("", value)
    backend = (place.get("backend") or "").split(":", 1)[-1]
    for text, name in ((place.get("docroot"), "{docroot}"), (backend, "{backend}"),
                       (place.get("host"), "{host}"), (place.get("port"), "{port}")):
        if text:
            value = value.replace(text, name)
    return MARKER.sub("{marker}", value)


def _pairs(backend, place):
    """The params, placeholders put back. Left out as the same as not set:
    a param with an empty value (RFC 3875 4.1), and CONTENT_LENGTH 0 with
    no STDIN (4.1.2: no data attached)."""
    no_body = not backend["stdin_total"]
    return [[_substitute(n, place), _substitute(v, place)]
            for n, v in backend["params"]
            if v and not (no_body and n == "CONTENT_LENGTH" and v == "0")]


def view_of(result, place):
    """A proxy's view of one stream from its case result: outcome
    (answered: forwarded; rejected: an HTTP response without forwarding;
    closed; hung; crashed: the proxy went down), params, stdin, status,
    and backend requests carrying no marker (smuggled)."""
    reqs = result.get("requests") or []
    first = next((r for r in reqs if r["request"] == 1), None)
    view = {"outcome": "hung", "status": None}
    if first is not None and first["response"]:
        view["status"] = first["response"]["status_line"]
    if result.get("down"):
        view["outcome"] = "crashed"
    elif first is None:
        view["outcome"] = "closed"
    elif first["forwarded"]:
        view["outcome"] = "answered"
        b = first["backend"]
        view.update(params=_pairs(b, place), stdin=b["stdin"], broken=b["broken"])
    elif first["response"]:
        view["outcome"] = "rejected"
    elif first["closed"] or first["client_error"]:
        view["outcome"] = "closed"
    smuggled = [{"params": _pairs(r["backend"], place), "stdin": r["backend"]["stdin"]}
                for r in reqs if r["request"] == 0]
    if smuggled:
        view["smuggled"] = smuggled
    return view


def comparable(view):
    """The view as compare.py reads it: the forwarded request as reply 1,
    each smuggled one as reply 0."""
    replies = []
    if "params" in view:
        replies.append({"id": 1, "params": view["params"], "stdin": view["stdin"]})
    replies += [{"id": 0, "params": s["params"], "stdin": s["stdin"]}
                for s in view.get("smuggled", ())]
    return {"outcome": view["outcome"], "replies": replies}


def method_of(data):
    """The method of an HTTP request's bytes: what comes before the first
    space of its first line."""
    return re.split(rb"\r?\n", data, maxsplit=1)[0].split(b" ", 1)[0]


def habit(view):
    """How a proxy treated a request: `forwarded`, else its outcome and the
    status code it answered with (`rejected 501`)."""
    if view["outcome"] == "answered":
        return "forwarded"
    code = (view.get("status") or "").split(" ")[1:2]
    return " ".join([view["outcome"], *code])


def abstaining(views, quirks, data):
    """The proxies that refused a request whose method RFC 9110 9.3 does not
    list the way the probe learnt they refuse every unknown method
    (`unknown_method`): they have no say in how it is forwarded. Nobody
    abstains when everybody would."""
    if data is None or method_of(data) in STANDARD_METHODS:
        return set()
    out = {n for n, v in views.items() if v["outcome"] != "answered"
           and habit(v) == quirks.get(n, {}).get("unknown_method")}
    return out if len(out) < len(views) else set()


def classify(views, quirks, data=None):
    """compare.classify on the proxies' views of the request data, with a
    weak consensus a split (majority=True); abstaining proxies are left out
    and shown as a group of their own, last."""
    out = abstaining(views, quirks, data)
    cmp = compare.classify({n: comparable(v) for n, v in views.items() if n not in out},
                           quirks, side="proxy", prefer=None, majority=True)
    if out:
        cmp.groups.append(sorted(out))
    return cmp


def run_cases(proxies, cases, parallel=PARALLEL):
    """Runs cases ([(id, text)]) through each proxy, at most parallel at
    once: {proxy: {case id: view}}."""
    def one(name):
        d = driver.Driver(name)
        try:
            batch = d.run(cases, TIMEOUT_MS, SETTLE_MS)
        finally:
            d.close()
        views = {}
        for cid, _ in cases:
            res = batch.results.get(cid)
            views[cid] = view_of(res, batch.placeholders) if res else {"outcome": "crashed"}
        return views
    with concurrent.futures.ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = {n: pool.submit(one, n) for n in proxies}
        return {n: f.result() for n, f in futures.items()}


# --- quirks ---------------------------------------------------------------

PLAIN = ("get", "post")


def probe_cases():
    """Two plain GETs and two plain POSTs, a GET with each header of
    HEADER_PROBES and one with an unknown method; each its own case
    (connection)."""
    made = []
    for kind, index in (("get", 0), ("post", 1)):
        made += [(f"{kind}-{n}", proxy_gen.generate(0, index)) for n in (1, 2)]
    for kind, (name, value) in HEADER_PROBES.items():
        made.append((f"{kind}-1", proxy_gen.generate(0, 0)))
        made[-1][1].header(name, value)
    made.append(("method-1", proxy_gen.generate(0, 0)))
    made[-1][1].method = UNKNOWN_METHOD
    return [(f"differential/probe/{pid}",
             proxy_gen.case_text(f"differential/probe/{pid}", r.data())) for pid, r in made]


def _kind(pid):
    return pid.rsplit("/", 1)[-1].rsplit("-", 1)[0]


def learn(views):
    """Quirks from {proxy: {probe id: view}}: per proxy, `added` the names
    it shows for a plain request that not every proxy shows for any kind
    of plain request (GET, POST), `rewritten` the
    names every proxy shows but whose value varies between connections or
    between proxies, `dropped` the names a strict majority of proxies show
    for a header probe (and none for a plain GET) that it does not show,
    `unknown_method` its habit with the unknown method (habit()), and for
    people `constants` (its value of each such name when it stays the
    same) and `varies`."""
    proxies = sorted(views)
    every_probe = sorted(next(iter(views.values())))
    probes = [pid for pid in every_probe if _kind(pid) in PLAIN]
    for p in proxies:
        for pid in probes + [pid for pid in every_probe if _kind(pid) in HEADER_PROBES]:
            if views[p][pid]["outcome"] != "answered":
                raise RuntimeError(f"{p} did not forward the probe request {pid} "
                                   f"({views[p][pid]['outcome']})")
    kinds = sorted({_kind(pid) for pid in probes})
    universal = set()  # names every proxy shows for some kind of request
    quirks = {p: {"added": set(), "rewritten": set(), "constants": {}, "varies": set()}
              for p in proxies}
    for kind in kinds:
        runs = [pid for pid in probes if _kind(pid) == kind]
        shown = {p: [dict(views[p][pid]["params"]) for pid in runs] for p in proxies}
        every = set.intersection(*(set(s) for p in proxies for s in shown[p]))
        universal |= every
        for p in proxies:
            for name in set().union(*shown[p]):
                values = {s.get(name) for s in shown[p]}
                if len(values) > 1:
                    quirks[p]["varies"].add(name)
                else:
                    quirks[p]["constants"][name] = values.pop()
                if name not in every:
                    quirks[p]["added"].add(name)
        for name in every:
            values = {s[name] for p in proxies for s in shown[p]}
            if len(values) > 1:
                for p in proxies:
                    quirks[p]["rewritten"].add(name)
    plain_get = set().union(*(dict(views[p][pid]["params"]) for p in proxies
                              for pid in probes if _kind(pid) == "get"))
    for p in proxies:
        quirks[p]["dropped"] = set()
    for pid in (pid for pid in every_probe if _kind(pid) in HEADER_PROBES):
        shown = {p: set(dict(views[p][pid]["params"])) - plain_get for p in proxies}
        for name in set().union(*shown.values()):
            if 2 * sum(name in s for s in shown.values()) > len(proxies):
                for p in proxies:
                    if name not in shown[p]:
                        quirks[p]["dropped"].add(name)
    for p in proxies:
        method = [pid for pid in every_probe if _kind(pid) == "method"]
        if method:
            quirks[p]["unknown_method"] = habit(views[p][method[0]])
    for q in quirks.values():
        q["added"] -= universal  # shown by all for a body, say: compared
        q["constants"] = {n: v for n, v in sorted(q["constants"].items())
                          if n in q["added"] | q["rewritten"]}
        for k in ("added", "dropped", "rewritten", "varies"):
            q[k] = sorted(q[k])
    return quirks


def probe(proxies):
    return learn(run_cases(proxies, probe_cases()))


def load_quirks(path=QUIRKS):
    return json.loads(pathlib.Path(path).read_text())["implementations"]


def write_quirks(quirks, path=QUIRKS):
    pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(path).write_text(json.dumps(
        {"about": ABOUT, "side": "proxy", "implementations": quirks},
        indent=2, sort_keys=True) + "\n")


# --- minimising -----------------------------------------------------------

def _lines(data):
    return data.splitlines(keepends=True)


def minimise(data, impl, cls, others, quirks, calls=8, seconds=120):
    """data made smaller while impl still differs from others (two proxies
    of the consensus) in class cls: ddmin over the request's lines, then
    over its bytes. Each round is one batch per proxy."""
    def first_failing(candidates):
        cases = [(f"differential/min/{i:04d}", proxy_gen.case_text(
            f"differential/min/{i:04d}", c)) for i, c in enumerate(candidates)]
        got = run_cases([impl, *others], cases)
        for i, (cid, _) in enumerate(cases):
            cmp = classify({p: got[p][cid] for p in got}, quirks, candidates[i])
            if cls in cmp.classes.get(impl, ()):
                return i
        return None
    return ddmin.minimise_pieces(_lines(data), first_failing, calls, seconds=seconds,
                                 valid=lambda c: b"{marker}" in c)


def write_minimal(impl, cls, data, seed, stream, others, root=MINIMAL):
    """The minimal case as root/IMPL-CLASS/case... : (path, repro)."""
    cid = f"differential/proxy/{impl}/{cls}"
    path = pathlib.Path(root) / f"{impl}-{cls}.case"
    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    repro = (f"bash scripts/proxies/run.sh {impl} --cases {rel.parent} -v '{cid}'"
             f"  # compare: the same with {' or '.join(others)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(proxy_gen.case_text(
        cid, data, f"cluster proxy/{impl}/{cls}, minimised from stream {stream} of "
        f"seed {seed}; repro: {repro}"))
    return str(rel), repro


# --- the campaign ---------------------------------------------------------

def campaign(proxies, seed, count, quirks, minimise_calls=8, minimal_root=MINIMAL,
             batch=BATCH, progress=None):
    """Runs streams 0..count-1 of seed through the proxies; the results
    JSON of ISSUE 13 (side "proxy") as a dict."""
    t0 = time.monotonic()
    streams, clusters = [], {}
    for first in range(0, count, batch):
        made = [(i, proxy_gen.generate(seed, i))
                for i in range(first, min(first + batch, count))]
        cases = [(proxy_gen.case_id(seed, i), proxy_gen.case_text(
            proxy_gen.case_id(seed, i), r.data())) for i, r in made]
        got = run_cases(proxies, cases)
        seen = time.monotonic() - t0
        for (i, r), (cid, _) in zip(made, cases):
            views = {p: got[p][cid] for p in proxies}
            cmp = classify(views, quirks, r.data())
            keys = [k for p in sorted(cmp.keys) for k in cmp.keys[p]]
            streams.append({"id": i, "mutations": r.mutations, "input": r.data().hex(),
                            "views": views, "groups": cmp.groups, "clusters": keys,
                            "consensus": cmp.consensus})
            for p in sorted(cmp.classes):
                for cls in cmp.classes[p]:
                    key = f"proxy/{p}/{cls}"
                    c = clusters.setdefault(key, {
                        "key": key, "class": cls, "implementation": p, "count": 0,
                        "streams": [], "first_seen_s": round(seen, 1), "minimal": None,
                        "finding": None, "timing": False})
                    c["count"] += 1
                    c["streams"].append(i)
        if progress:
            progress(len(streams), len(clusters), time.monotonic() - t0)
    compared_s = time.monotonic() - t0
    if minimise_calls:
        for c in clusters.values():
            s = streams[c["streams"][0]]
            others = [p for p in s["consensus"] if p != c["implementation"]][:2]
            data = bytes.fromhex(s["input"])
            small = minimise(data, c["implementation"], c["class"], others, quirks,
                             calls=minimise_calls)
            path, repro = write_minimal(c["implementation"], c["class"], small, seed,
                                        s["id"], others, minimal_root)
            c["minimal"] = {"case": path, "repro": repro, "bytes": len(small),
                            "from_bytes": len(data)}
    for s in streams:
        del s["consensus"]
    seconds = time.monotonic() - t0
    return {"side": "proxy", "seed": seed, "count": count, "implementations": proxies,
            "versions": versions(proxies),
            "quirks": str(QUIRKS.relative_to(ROOT)),
            "streams": streams,
            "clusters": register.with_findings(
                sorted(clusters.values(), key=lambda c: (-c["count"], c["key"])), ROOT),
            "stats": {"seconds": round(seconds, 1), "compare_seconds": round(compared_s, 1),
                      "streams": count,
                      "streams_per_second": round(count / compared_s, 2) if compared_s else 0}}
