"""The self-contained HTML matrix: backends as columns, cases as rows
grouped by spec section; every verdict other than pass opens a block with
the checks, the wire trace and the command that reruns the case."""
from html import escape

import catalog
import sections
from runner import VERDICTS

MEANING = {
    "pass": "every check held",
    "fail": "a MUST check did not hold, or the backend stopped serving",
    "non-strict": "a SHOULD check did not hold",
    "info": "the spec leaves room; the behaviour is recorded",
    "unsupported": "the backend lacks the feature the case needs",
    "hang": "nothing arrived for a whole case deadline",
    "error": "the runner could not decide (unreachable, or still receiving at the cap)",
}

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
.level { font-size: .75em; border: 1px solid #999; border-radius: 3px;
  padding: 0 3px; margin-left: .3em; }
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


def backend_head(r):
    parts = [f'<div class="name" title="{escape(r.description)}">'
             f"{escape(r.name)}</div>"]
    if r.report is None:
        parts.append(f'<div class="skipped">skipped: {escape(r.skipped)}</div>')
    else:
        parts.append(f'<div class="score">{r.score:.1f}%</div>')
        parts.append(f'<div class="levels">MUST {r.level("MUST")} · '
                     f'SHOULD {r.level("SHOULD")}</div><ul class="counts">')
        for v in VERDICTS:
            n = r.counts.get(v, 0)
            if n:
                parts.append(f'<li class="{v}" data-verdict="{v}">'
                             f'<span class="n">{n}</span> {v}</li>')
        parts.append("</ul>")
    return (f'<th class="backend" data-backend="{escape(r.name)}">'
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
            f'<span class="level">{escape(case.level)}</span>'
            f'<div class="req">{escape(case.requirement)}</div></td>')
    cells = "".join(cell(r, case) for r in results)
    return (f'<tr data-case="{escape(case.id)}" data-differ="{differ}">'
            f"{head}{cells}</tr>")


def render(results, title="FastCGI conformance matrix"):
    groups = catalog.rows(results)
    n_cases = sum(len(cases) for _, cases in groups)
    legend = "".join(f'<span class="{v}" title="{escape(MEANING[v])}">{v}: '
                     f"{escape(MEANING[v])}</span>" for v in VERDICTS)
    out = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{n_cases} cases, {len(results)} backends. The score '
        "is the share of scored MUST and SHOULD cases that passed; section "
        "rows give passed/scored. Click a verdict other than pass for its "
        "checks, wire trace and rerun command; a thick border marks a "
        "verdict its baseline does not expect.</p>",
        f'<div class="legend">{legend}</div>',
        '<p><label><input type="checkbox" id="only-differing"> only cases '
        "where the backends differ</label></p>",
        '<table id="matrix"><thead><tr><th class="case">case</th>',
        *(backend_head(r) for r in results),
        "</tr></thead>",
    ]
    for section, cases in groups:
        out.append(f'<tbody data-section="{escape(section)}">')
        out.append(section_head(section, results))
        out.extend(case_row(case, results) for case in cases)
        out.append("</tbody>")
    out.append(f"</table><script>{SCRIPT}</script></body></html>\n")
    return "\n".join(out)
