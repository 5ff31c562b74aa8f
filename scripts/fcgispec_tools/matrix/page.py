"""The self-contained HTML matrix: a table of backends and one of reverse
proxies, each with its columns side by side and its cases as rows grouped
by section; every verdict other than pass opens a block with the checks,
the wire trace and the command that reruns the case."""
from html import escape

from .. import verdicts
from . import catalog, sections
from .columns import BACKEND, PLURALS, PROXY
from .runner import scored_levels_text

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; }
h1 { font-size: 1.5em; margin: 0 0 .3em; }
.meta, .legend { margin: .3em 0; }
.legend span { display: inline-block; margin: 0 .6em .3em 0; padding: 0 .4em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d0d5; padding: 3px 6px; vertical-align: top; }
thead th { position: sticky; top: 0; background: #f4f4f7; z-index: 2;
  min-width: 7.5em; font-weight: normal; text-align: left; }
thead .name { font-weight: bold; font-size: 1.05em; }
thead .score { font-size: 1.3em; font-weight: bold; }
thead .req, .req, .levels { font-size: .85em; color: #555; }
thead ul { list-style: none; margin: .2em 0 0; padding: 0; font-size: .85em; }
thead .skipped { color: #b42318; font-weight: bold; max-width: 14em; }
td.case { width: 30em; }
h2 { font-size: 1.2em; margin: 1.2em 0 .2em; }
.level { font-size: .75em; border: 1px solid #999; border-radius: 3px;
  padding: 0 3px; margin-left: .3em; }
.level[data-level="TRUST"] { border-color: #b42318; color: #b42318;
  font-weight: bold; }
tr.section-head th { background: #e9e9ef; text-align: left; }
tr.section-head td { background: #e9e9ef; font-size: .85em; }
td.v { text-align: center; white-space: nowrap; }
.pass { background: #d3f2d6; } .fail { background: #ffc9c4; }
.non-strict { background: #ffe1a8; } .info { background: #d7e6ff; }
.unsupported { background: #e6e6e6; } .hang { background: #e2ccff; }
.error { background: #f7a8c4; } .absent { background: #fafafa; color: #999; }
td.new { outline: 3px solid #1d1d1f; outline-offset: -3px; }
summary { cursor: pointer; }
details[open] > .detail { position: absolute; left: 2em; right: 2em;
  z-index: 5; background: #fff; border: 2px solid #555; padding: .8em;
  max-height: 70vh; overflow: auto; text-align: left; white-space: normal;
  box-shadow: 0 4px 18px rgba(0,0,0,.3); }
.detail h3 { margin: 0 0 .4em; font-size: 1.05em; }
.detail dt { font-weight: bold; margin-top: .4em; }
.detail dd { margin-left: 1em; }
pre { margin: .2em 0; white-space: pre-wrap; font-size: 12px; }
body.only-differing tr[data-differ="0"] { display: none; }
"""

# Without scripts the page still works; this adds the row filter and lets
# Escape close the open detail blocks.
SCRIPT = """
document.getElementById('only-differing').addEventListener('change', e =>
  document.body.classList.toggle('only-differing', e.target.checked));
document.addEventListener('keydown', e => {
  if (e.key === 'Escape')
    document.querySelectorAll('details[open]').forEach(d => d.open = false);
});
"""


def column_head(r):
    parts = [f'<div class="name" title="{escape(r.description)}">'
             f"{escape(r.name)}</div>"]
    if r.report is None:
        parts.append(f'<div class="skipped">skipped: {escape(r.skipped)}</div>')
    else:
        parts.append(f'<div class="score">{r.score:.1f}%</div>')
        levels = " · ".join(f"{lv} {r.level(lv)}" for lv in r.scored_levels)
        parts.append(f'<div class="levels">{levels}</div><ul class="counts">')
        for v in verdicts.NAMES:
            n = r.counts.get(v, 0)
            if n:
                parts.append(f'<li class="{v}" data-verdict="{v}">'
                             f'<span class="n">{n}</span> {v}</li>')
        parts.append("</ul>")
    return (f'<th class="{r.kind}" data-{r.kind}="{escape(r.name)}">'
            + "".join(parts) + "</th>")


def detail(r, c):
    fields = [("requirement", c["requirement"]), ("expected", c["expected"]),
              ("observed", c["observed"])]
    body = [f"<h3>{escape(r.name)} · {escape(c['id'])} · "
            f"{escape(c['verdict'])}</h3><dl>"]
    for label, text in fields:
        if text:
            body.append(f"<dt>{label}</dt><dd>{escape(text)}</dd>")
    if c["notes"]:
        body.append(f"<dt>notes</dt><dd><pre>{escape(c['notes'])}</pre></dd>")
    body.append(f'<dt>rerun</dt><dd><pre class="repro">'
                f'{escape(r.repro_for(c["id"]))}</pre></dd>')
    if c["trace"]:
        body.append(f'<dt>wire trace</dt><dd><pre class="trace">'
                    f'{escape(c["trace"])}</pre></dd>')
    body.append("</dl>")
    return "".join(body)


def cell(r, case):
    c = r.cases.get(case.id)
    if c is None:
        text = "skipped" if r.report is None else "not run"
        return f'<td class="v absent">{text}</td>'
    v = c["verdict"]
    if v == "pass":
        return '<td class="v pass">pass</td>'
    # A non-pass the baseline does not list is what --check reports.
    new = " new" if r.has_baseline and not c["known"] else ""
    title = ' title="not in the baseline"' if new else ""
    return (f'<td class="v {v}{new}"{title}><details><summary>{v}</summary>'
            f'<div class="detail">{detail(r, c)}</div></details></td>')


def section_head(section, results):
    scores = []
    for r in results:
        if r.report is None:
            scores.append("<td></td>")
            continue
        passed, scored = r.section_score(section)
        scores.append(f"<td>{passed}/{scored}</td>" if scored else "<td></td>")
    return (f'<tr class="section-head"><th>{escape(sections.title(section))}'
            f"</th>{''.join(scores)}</tr>")


def case_row(case, results):
    differ = "1" if catalog.verdicts_differ(case, results) else "0"
    head = (f'<td class="case"><code>{escape(case.id)}</code>'
            f'<span class="level" data-level="{escape(case.level)}">'
            f"{escape(case.level)}</span>"
            f'<div class="req">{escape(case.requirement)}</div></td>')
    cells = "".join(cell(r, case) for r in results)
    return (f'<tr data-case="{escape(case.id)}" data-differ="{differ}">'
            f"{head}{cells}</tr>")


# Each kind's table (its id is the kind's plural): heading, and what its
# columns are.
TABLES = [
    (BACKEND, "Backends",
     "FastCGI applications: fcgispec sends them records and judges the "
     "replies."),
    (PROXY, "Reverse proxies",
     "HTTP servers in front of a FastCGI application: fcgispec sends them "
     "HTTP and records, as the application behind them, what arrives. "
     "TRUST marks a rule that comes from a security advisory; it is judged "
     "like MUST."),
]


def table(kind, heading, about, results):
    table_id = PLURALS[kind]
    groups = catalog.rows(results)
    n_cases = sum(len(cases) for _, cases in groups)
    out = [
        f'<h2 id="{table_id}-heading">{escape(heading)}</h2>',
        f'<p class="meta">{n_cases} cases, {len(results)} {table_id}. '
        f"{escape(about)} The score is the share of scored "
        f"{scored_levels_text(kind)} cases that passed.</p>",
        f'<table id="{table_id}"><thead><tr><th class="case">case</th>',
        *(column_head(r) for r in results),
        "</tr></thead>",
    ]
    for section, cases in groups:
        out.append(f'<tbody data-section="{escape(section)}">')
        out.append(section_head(section, results))
        out.extend(case_row(case, results) for case in cases)
        out.append("</tbody>")
    out.append("</table>")
    return out


def render(results, title="FastCGI conformance matrix"):
    """The page; a kind without columns has no table."""
    legend = "".join(f'<span class="{v.name}" title="{escape(v.meaning)}">{v.name}: '
                     f"{escape(v.meaning)}</span>" for v in verdicts.ALL)
    out = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        '<p class="meta">Section rows give passed/scored. Click a verdict '
        "other than pass for its checks, wire trace and rerun command; a "
        "thick border marks a verdict its baseline does not expect.</p>",
        f'<div class="legend">{legend}</div>',
        '<p><label><input type="checkbox" id="only-differing"> only cases '
        "where the columns differ</label></p>",
    ]
    for kind, heading, about in TABLES:
        of_kind = [r for r in results if r.kind == kind]
        if of_kind:
            out.extend(table(kind, heading, about, of_kind))
    out.append(f"<script>{SCRIPT}</script></body></html>\n")
    return "\n".join(out)
