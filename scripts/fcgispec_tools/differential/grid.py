"""The differential grid: one self-contained HTML page of a campaign's
results (the results JSON of docs/differential.md): streams as rows,
implementations as columns, each cell coloured by the cluster its
implementation falls in for that stream; a click opens every
implementation's view of the stream side by side.

Every string of a results file is untrusted (backends and proxies echo the
bytes they were sent). The page carries the results as JSON in a script
element whose <, > and & are escaped; its script (grid.js) builds the DOM
from it with text nodes and attributes only. The static parts written here
go through html.escape.

  grid.py RESULTS.json [RESULTS.json] --out PAGE.html

One results file per side (backend, proxy); each side gets its own grid.
exit status: 0 written, 2 usage or a results file that cannot be read."""
import argparse
import colorsys
import json
import pathlib
import sys
from html import escape

HERE = pathlib.Path(__file__).resolve().parent
SIDES = ("backend", "proxy")
CLASSES = ("accept-reject", "param-set", "value-bytes", "body-bytes",
           "request-mixing", "crash", "hang")
# The two letters a cell of each class shows (colour alone is not enough).
SHORT = {"accept-reject": "AR", "param-set": "PS", "value-bytes": "VB",
         "body-bytes": "BB", "request-mixing": "RM", "crash": "CR",
         "hang": "HG"}


class GridError(ValueError):
    """A results file the grid cannot draw; the message is one line."""


def colour(key):
    """The cluster's colour, the same on every page: a light colour whose
    hue, saturation and lightness come from an FNV-1a hash of the key."""
    h = 0x811C9DC5
    for byte in key.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    hue = (h % 360) / 360
    light = (68 + (h >> 9) % 16) / 100
    sat = (55 + (h >> 14) % 35) / 100
    r, g, b = colorsys.hls_to_rgb(hue, light, sat)
    return "#%02x%02x%02x" % (round(r * 255), round(g * 255), round(b * 255))


def owner(key):
    """The implementation of a cluster key SIDE/IMPL/CLASS."""
    parts = key.split("/")
    if len(parts) < 3 or parts[0] not in SIDES or parts[-1] not in CLASSES:
        raise GridError(f"cluster key {key!r} is not SIDE/IMPL/CLASS")
    return "/".join(parts[1:-1])


def check_key(key, side, where):
    need(key, str, where)
    try:
        owner(key)
    except GridError as e:
        raise GridError(f"{where}: {e}") from None
    if not key.startswith(side + "/"):
        raise GridError(f"{where}: cluster key {key!r} is not of side {side}")


def need(value, kind, where):
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise GridError(f"{where}: expected {kind.__name__}, got "
                        f"{type(value).__name__}")
    return value


def check(results, where):
    """Raises GridError naming the first field the grid reads that is
    missing or of the wrong type."""
    need(results, dict, where)
    for field in ("side", "implementations", "streams"):
        if field not in results:
            raise GridError(f"{where}: missing {field!r}")
    if results["side"] not in SIDES:
        raise GridError(f"{where}: side: {results['side']!r} is neither "
                        "backend nor proxy")
    for i, name in enumerate(need(results["implementations"], list,
                                  f"{where}: implementations")):
        need(name, str, f"{where}: implementations[{i}]")
    for i, s in enumerate(need(results["streams"], list, f"{where}: streams")):
        at = f"{where}: streams[{i}]"
        need(s, dict, at)
        for field, kind in (("id", int), ("views", dict), ("groups", list),
                            ("clusters", list)):
            if field not in s:
                raise GridError(f"{at}: missing {field!r}")
            need(s[field], kind, f"{at}.{field}")
        need(s.get("input", ""), str, f"{at}.input")
        need(s.get("mutations", []), list, f"{at}.mutations")
        for name, view in s["views"].items():
            need(view, dict, f"{at}.views.{name}")
            # null: the engine could not read the page (docs/differential.md)
            params = view.get("params") or []
            need(params, list, f"{at}.views.{name}.params")
            for j, pair in enumerate(params):
                if (not isinstance(pair, list) or len(pair) != 2
                        or not all(isinstance(x, str) for x in pair)):
                    raise GridError(f"{at}.views.{name}.params[{j}]: expected "
                                    "[name, value] strings")
        for j, key in enumerate(s["clusters"]):
            check_key(key, results["side"], f"{at}.clusters[{j}]")
    for i, c in enumerate(need(results.get("clusters", []), list,
                               f"{where}: clusters")):
        need(c, dict, f"{where}: clusters[{i}]")
        if "key" not in c:
            raise GridError(f"{where}: clusters[{i}]: missing 'key'")
        check_key(c["key"], results["side"], f"{where}: clusters[{i}].key")


def load(path):
    """The results file at PATH, checked."""
    try:
        results = json.loads(pathlib.Path(path).read_text())
    except OSError as e:
        raise GridError(f"{path}: {e.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise GridError(f"{path}: not a results JSON file: {e}") from None
    check(results, str(path))
    return results


class Interner:
    """Equal values stored once; a value becomes its index in a list (the
    views of one stream's agreeing implementations are often equal, and
    most params recur in every stream)."""

    def __init__(self, key):
        self.key = key  # a hashable form equal for equal values
        self.index = {}
        self.values = []

    def add(self, value):
        key = self.key(value)
        if key not in self.index:
            self.index[key] = len(self.values)
            self.values.append(value)
        return self.index[key]


def cluster_table(all_results):
    """Every cluster of every side, in the results' order, then keys that
    only streams name; each with its colour and owner."""
    table, at = [], {}
    for results in all_results:
        listed = {c["key"]: c for c in results.get("clusters", [])}
        seen = {}
        for s in results["streams"]:
            for key in s["clusters"]:
                seen[key] = seen.get(key, 0) + 1
        for key in [*listed, *(k for k in seen if k not in listed)]:
            c = listed.get(key, {})
            at[key] = len(table)
            table.append({
                "key": key, "side": results["side"], "implementation": owner(key),
                "class": key.rsplit("/", 1)[1],
                "count": c.get("count", seen.get(key, 0)),
                "finding": c.get("finding"), "timing": bool(c.get("timing")),
                "minimal": c.get("minimal"), "first_seen_s": c.get("first_seen_s"),
                "colour": colour(key)})
    return table, at


def page_data(all_results):
    """What grid.js draws: per side its columns and compact streams, with
    views and param pairs stored once for the whole page."""
    clusters, at = cluster_table(all_results)
    views = Interner(lambda view: json.dumps(view, sort_keys=True))
    pairs = Interner(tuple)
    sides = []
    for results in all_results:
        streams = []
        for s in results["streams"]:
            row = []
            for name in results["implementations"]:
                view = s["views"].get(name)
                if view is None:
                    row.append(None)
                    continue
                view = dict(view)
                if view.get("params") is None:
                    view["params shown"] = "no (the page was not read)"
                view["params"] = [pairs.add(p) for p in view.get("params") or []]
                row.append(views.add(view))
            streams.append({
                "id": s["id"], "m": s.get("mutations", []), "in": s.get("input", ""),
                "d": int(len(s["groups"]) > 1 or bool(s["clusters"])),
                "k": [at[key] for key in s["clusters"]], "v": row})
        sides.append({"side": results["side"],
                      "implementations": results["implementations"],
                      "streams": streams})
    return {"sides": sides, "clusters": clusters, "views": views.values,
            "pairs": pairs.values, "short": SHORT}


def script_json(data):
    """DATA as JSON that cannot end its script element: <, > and & only
    occur inside JSON strings, where their \\u escapes mean the same."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace(
        "&", "\\u0026")


def legend(results, clusters):
    items = []
    for i, c in enumerate(clusters):
        if c["side"] != results["side"]:
            continue
        finding = escape(c["finding"]) if c["finding"] else "new"
        timing = ' <span class="timing">timing</span>' if c["timing"] else ""
        seen = c["first_seen_s"]
        title = (f' title="first seen after {seen:.1f} s"'
                 if isinstance(seen, (int, float)) else "")
        items.append(
            f'<li><button type="button" class="cluster k{i}" data-cluster="{i}"{title} '
            f'data-key="{escape(c["key"])}" aria-pressed="false">'
            f'<span class="key">{escape(c["key"])}</span> '
            f'<span class="count">{escape(str(c["count"]))}</span> '
            f'{"stream" if c["count"] == 1 else "streams"} · '
            f'<span class="finding">{finding}</span>{timing}</button></li>')
    if not items:
        return '<p class="meta">No cluster: every implementation agreed.</p>'
    return f'<ul class="legend">{"".join(items)}</ul>'


def side_section(n, results, clusters):
    side = results["side"]
    versions = results.get("versions") or {}
    heads = "".join(
        f'<th class="impl" data-impl="{escape(name)}" '
        f'title="{escape(name + " " + str(versions.get(name, "")))}">'
        f"{escape(name)}</th>" for name in results["implementations"])
    stats = results.get("stats") or {}
    rate = stats.get("streams_per_second")
    meta = [f'{len(results["streams"])} streams',
            f'{len(results["implementations"])} implementations']
    if results.get("seed") is not None:
        meta.append(f'seed {escape(str(results["seed"]))}')
    if isinstance(rate, (int, float)):
        meta.append(f"{rate:.1f} streams/s")
    if results.get("quirks"):
        meta.append(f'quirks ignored: {escape(str(results["quirks"]))}')
    return (
        f'<section class="side" id="side-{side}" data-side="{n}">'
        f'<h2>{side} side</h2><p class="meta">{" · ".join(meta)}</p>'
        f"{legend(results, clusters)}"
        f'<p class="meta shown"></p>'
        f'<table class="grid"><thead><tr><th class="sid">stream</th>{heads}'
        f"</tr></thead><tbody></tbody></table>"
        f'<div class="more"></div></section>')


def html(all_results):
    data = page_data(all_results)
    style = (HERE / "grid.css").read_text() + "".join(
        f'.k{i}{{background:{c["colour"]}}}' for i, c in enumerate(data["clusters"]))
    script = (HERE / "grid.js").read_text()
    sides = " and ".join(r["side"] for r in all_results)
    title = f"Differential grid: {sides}"
    body = "".join(side_section(n, r, data["clusters"])
                   for n, r in enumerate(all_results))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{style}</style></head><body>"
        f"<h1>{title}</h1>"
        '<p class="meta">A row is a stream, a column an implementation. A '
        "coloured cell is outside its stream's consensus, coloured by its "
        "cluster (two letters name the class); a plain cell agrees. Click a "
        "cell or a stream for every view side by side; click a cluster to "
        "show its streams alone.</p>"
        '<p><label><input type="checkbox" id="only-disagreeing"> only '
        "streams with a disagreement</label></p>"
        f"{body}"
        '<aside id="panel" hidden><button type="button" id="close">close'
        '</button><div id="panel-body"></div></aside>'
        f'<script type="application/json" id="grid-data">{script_json(data)}'
        f"</script><script>{script}</script></body></html>")


def render(results, out_path):
    """Writes the page of RESULTS (one results dict, or a list of them, one
    per side) to OUT_PATH and returns its path."""
    all_results = results if isinstance(results, list) else [results]
    for i, r in enumerate(all_results):
        check(r, f"results[{i}]")
    sides = [r["side"] for r in all_results]
    for side in set(sides):
        if sides.count(side) > 1:
            raise GridError(f"results: side {side} given twice: one file per side")
    out = pathlib.Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html(all_results))
    return out


def main(argv):
    ap = argparse.ArgumentParser(
        prog="grid", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n")[-1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="+", type=pathlib.Path,
                    help="a results JSON file per side")
    ap.add_argument("--out", required=True, type=pathlib.Path, metavar="PAGE",
                    help="the HTML page to write")
    args = ap.parse_args(argv)
    try:
        page = render([load(p) for p in args.results], args.out)
    except GridError as e:
        print(f"grid: {e}", file=sys.stderr)
        return 2
    print(f"grid: wrote {page}")
    return 0
