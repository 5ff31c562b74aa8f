"""The quirks step: a fixed set of probe requests sent to every backend,
and what each one's answers teach about its habits (docs/differential.md,
"Quirks"). The comparison (compare.py) ignores exactly what is learnt here.

The probes: streams 0 and 1 of seed 1 from `fcgi-diff streams` (the plain
GET and the POST with a body every seed starts with, so the params are the
generator's own set), and the case files of seeds/differential/probe/, whose
bytes `fcgispec --dump-send` writes: one name sent twice, the Authorizer and
the Filter roles, a request id other than 1 with a body.

learn(probes) is the pure part: probes is a list of (name, sent, view),
sent as stream.sent_requests gives it and view a fcgi-diff view line."""
import json
import pathlib
import subprocess

from .. import ROOT
from . import backends, stream, tool

QUIRKS = ROOT / "seeds" / "differential" / "quirks-backend.json"
PROBE_CASES = ROOT / "seeds" / "differential" / "probe"
GENERATED = ("plain-get", "plain-post")  # streams 0 and 1 of seed 1
CASES = ("duplicate", "authorizer", "filter", "request-id", "headers")
DUP_NAME, DUP_VALUES = "X_FCGI_DIFF_DUP", ["first", "second"]
ROLE_PROBES = {1: "plain-get", 2: "authorizer", 3: "filter"}
SCRIPT_SHOWN = "{script}"  # how fcgi-diff prints a SCRIPT_FILENAME it substituted
ABOUT = ("Learnt by `scripts/differential.py probe --write` (docs/differential.md, "
         "\"Quirks\"): per backend, what the comparison ignores.")


def _replies(view):
    if not view or view.get("outcome") not in ("answered", "rejected"):
        return []
    return view.get("replies") or []


def _served(view):
    """The first reply of a view that completed normally and whose page was
    decoded, or None."""
    return next((r for r in _replies(view)
                 if not r.get("protocol_status") and r.get("decoded", True)), None)


def _same_value(name, shown, sent_values):
    return shown in sent_values or (name == "SCRIPT_FILENAME" and shown == SCRIPT_SHOWN)


def _duplicates(reply):
    """How a reply shows DUP_NAME sent with DUP_VALUES."""
    shown = [v for n, v in reply.get("params") or () if n == DUP_NAME]
    first, second = DUP_VALUES
    if shown == [first]:
        return "first"
    if shown == [second]:
        return "last"
    if shown == DUP_VALUES:
        return "both"
    if len(shown) == 1 and shown[0].startswith(first) and shown[0].endswith(second) \
            and len(shown[0]) > len(first) + len(second):
        return "joined:" + shown[0][len(first):-len(second)]
    return "unknown"


def learn(probes):
    """The quirk entry of one backend from its probes [(probe name, sent,
    view)]: which names it adds, drops or rewrites (the plain probes, and
    `headers` for the generator's other HTTP_* names), how it shows a
    duplicate, which roles it serves, whether it shows STDIN, the request id
    and the role."""
    by = {name: (sent, view) for name, sent, view in probes}
    added, dropped, rewritten = set(), set(), set()
    for name in GENERATED + ("request-id", "headers"):
        sent, view = by.get(name, ({}, None))
        reply = _served(view)
        if reply is None:
            continue
        sent_req = next(iter(sent.values()))
        sent_pairs = [tuple(p) for p in sent_req["params"]]
        shown = [tuple(p) for p in reply.get("params") or ()]
        shown_names = {n for n, _ in shown}
        added |= shown_names - {n for n, _ in sent_pairs}
        dropped |= {n for n, _ in sent_pairs} - shown_names
        for n in shown_names & {n for n, _ in sent_pairs}:
            sent_values = [v for m, v in sent_pairs if m == n]
            if not any(_same_value(n, v, sent_values) for m, v in shown if m == n):
                rewritten.add(n)
    roles = sorted(r for r, probe in ROLE_PROBES.items()
                   if _served(by.get(probe, ({}, None))[1]) is not None)
    dup = _served(by.get("duplicate", ({}, None))[1])
    post_sent, post_view = by.get("request-id", ({}, None))
    post = _served(post_view)
    plain = _served(by.get("plain-get", ({}, None))[1])
    post_req = next(iter(post_sent.values()), {}) if post_sent else {}
    return {
        "added": sorted(added), "dropped": sorted(dropped), "rewritten": sorted(rewritten),
        "duplicates": _duplicates(dup) if dup else "unknown",
        "roles": roles,
        "stdin_shown": bool(post and post_req.get("stdin")
                            and post.get("stdin") == post_req["stdin"]),
        "id_shown": bool(post and post.get("shown_id") is not None),
        "role_shown": bool(plain and plain.get("role") is not None),
    }


def make_probes(work):
    """Writes the probe streams into work; [(probe name, path, sent)]."""
    work = pathlib.Path(work)
    work.mkdir(parents=True, exist_ok=True)
    made = tool.streams(1, len(GENERATED), work)
    out = []
    for name, line in zip(GENERATED, made):
        path = work / line["file"]
        out.append((name, path, stream.sent_requests(path.read_bytes())))
    # The cases send the same SCRIPT_FILENAME placeholder, so each backend
    # gets its own script path.
    placeholder = _placeholder(out[0][2])
    fcgispec = backends.build_dir() / "conformance" / "fcgispec"
    for name in CASES:
        data = subprocess.run([str(fcgispec), "--cases", str(PROBE_CASES), "--dump-send",
                               f"differential/probe/{name}", "--param",
                               f"SCRIPT_FILENAME={placeholder}"],
                              capture_output=True, check=True).stdout
        path = work / f"probe-{name}.bin"
        path.write_bytes(data)
        out.append((name, path, stream.sent_requests(data)))
    return out


def _placeholder(sent):
    for req in sent.values():
        for n, v in req["params"]:
            if n == "SCRIPT_FILENAME":
                return v
    raise tool.ToolError("fcgi-diff's plain stream sends no SCRIPT_FILENAME")


def run(fleet, timeout_ms):
    """{backend: quirk entry} for every backend of a running fleet."""
    made = make_probes(fleet.work / "probe")
    views = tool.view(list(fleet), [p for _, p, _ in made], timeout_ms)
    return {b.name: learn([(name, sent, views.get((path.name, b.name)))
                           for name, path, sent in made]) for b in fleet}


def load(path=QUIRKS):
    """{backend: quirk entry} from a quirks file ({} when there is none)."""
    path = pathlib.Path(path)
    if not path.exists():
        return {}
    return json.loads(path.read_text())["implementations"]


def dump(quirks):
    """The quirks file's text: sorted, one key per line."""
    return json.dumps({"about": ABOUT, "implementations": quirks}, indent=2,
                      sort_keys=True) + "\n"


def write(learnt, path=QUIRKS):
    """Merges learnt into the quirks file (entries of other backends stay)."""
    merged = load(path)
    merged.update(learnt)
    pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(path).write_text(dump(merged))
