"""`differential.py repro CASE --backends A,B,...`: starts those backends,
sends the case's bytes to each through fcgi-diff view, and prints the views
side by side, a `*` before every row where they differ, then the cluster
keys the comparison gives."""
from . import backends, campaign, casefile, compare, probe, stream

WIDTH = 28


def rows(views):
    """[(field, {backend: text})] of views, in a stable order: the outcome,
    then per reply its status, role, shown id, each param name, STDIN."""
    names = list(views)
    out = [("outcome", {n: views[n]["outcome"] for n in names})]
    per = {n: compare.replies_of(views[n]) for n in names}
    most = max((len(r) for r in per.values()), default=0)
    for i in range(most):
        def field(get, i=i):
            return {n: (get(per[n][i]) if i < len(per[n]) else "-") for n in names}
        tag = f"reply {i + 1}"
        out.append((f"{tag} id", field(lambda r: r.get("id"))))
        out.append((f"{tag} protocol_status", field(lambda r: r.get("protocol_status"))))
        out.append((f"{tag} role", field(lambda r: r.get("role"))))
        out.append((f"{tag} shown_id", field(lambda r: r.get("shown_id"))))
        pnames = sorted({p[0] for n in names if i < len(per[n])
                         for p in per[n][i].get("params") or ()})
        for pn in pnames:
            out.append((f"  {pn}", field(lambda r, pn=pn: " | ".join(
                v for k, v in r.get("params") or () if k == pn) or "-")))
        out.append((f"{tag} stdin", field(lambda r: r.get("stdin"))))
    return out


def _cell(value):
    text = "null" if value is None else str(value)
    return text if len(text) <= WIDTH else text[:WIDTH - 3] + "..."


def side_by_side(views):
    names = list(views)
    first = max([len(f) for f, _ in rows(views)] + [5])
    lines = ["  " + "field".ljust(first) + "  " + "  ".join(n[:WIDTH].ljust(WIDTH) for n in names)]
    for field, cells in rows(views):
        mark = "*" if len({str(cells[n]) for n in names}) > 1 else " "
        lines.append(f"{mark} {field.ljust(first)}  " +
                     "  ".join(_cell(cells[n]).ljust(WIDTH) for n in names))
    return "\n".join(line.rstrip() for line in lines)


def run(case, names, timeout_ms, out=print):
    """Sends the case's bytes to the named backends; prints the views and
    the keys. Returns the comparison."""
    data = casefile.case_bytes(case)
    quirks = probe.load()
    with backends.Fleet(names) as fleet:
        campaign.calibrate(fleet, fleet.work, timeout_ms)
        path = fleet.work / "case.bin"
        path.write_bytes(data)
        lines = campaign.view_recovering(list(fleet), [path], timeout_ms)
        views = {b.name: campaign.result_view(lines[(path.name, b.name)],
                                              crashed=campaign.dead(b)) for b in fleet}
    cmp = compare.classify(views, quirks, sent=stream.sent_requests(data))
    out(f"{len(data)} bytes from {case}")
    out(side_by_side(views))
    keys = sorted(k for ks in cmp.keys.values() for k in ks)
    out("groups: " + " / ".join(",".join(g) for g in cmp.groups))
    out("clusters: " + (" ".join(keys) if keys else "none (all agree)"))
    return cmp
