"""The Markdown summary of a matrix run (the body of docs/matrix.md): per
kind with columns, a table of columns and one of sections."""
from .. import verdicts
from . import catalog, sections
from .columns import BACKEND, PLURALS, PROXY
from .runner import SCORED_LEVELS, scored_levels_text

# Each kind's part: the words before its first line, and what its
# sections are.
PARTS = [(BACKEND, "", "spec section"),
         (PROXY, "Reverse proxies: ", "section")]


def row(cells):
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def column_table(kind, results):
    levels = SCORED_LEVELS[kind]
    head = [kind, "score", *levels, *verdicts.NAMES, "seconds"]
    lines = [row(head), "|" + " --- |" * len(head)]
    for r in results:
        if r.report is None:
            cells = [r.name, f"skipped: {r.skipped}"] + [""] * (len(head) - 2)
        else:
            cells = [r.name, f"{r.score:.1f}%",
                     *(r.level(lv) for lv in levels),
                     *(str(r.counts.get(v, 0)) for v in verdicts.NAMES),
                     f"{r.seconds:.1f}"]
        lines.append(row(cells))
    return lines


def section_table(results):
    ran = [r for r in results if r.report is not None]
    head = ["section", *(r.name for r in ran)]
    lines = [row(head), "|" + " --- |" * len(head)]
    for section, _ in catalog.rows(ran):
        cells = [sections.title(section)]
        for r in ran:
            passed, scored = r.section_score(section)
            cells.append(f"{passed}/{scored}" if scored else "-")
        lines.append(row(cells))
    return lines


def part(kind, intro, section_word, results):
    levels = scored_levels_text(kind)
    n_cases = sum(len(c) for _, c in catalog.rows(results))
    lines = [f"{intro}{n_cases} cases, {len(results)} {PLURALS[kind]}. "
             f"Score: the share of scored {levels} cases that passed.", ""]
    lines += column_table(kind, results)
    lines += ["", f"Passed / scored {levels} cases per {section_word} "
              "(`-`: none scored):", ""]
    lines += section_table(results)
    return lines


def render(results):
    """The parts of the kinds that have columns, a blank line apart."""
    lines = []
    for kind, intro, section_word in PARTS:
        of_kind = [r for r in results if r.kind == kind]
        if of_kind:
            lines += ([""] if lines else []) + part(kind, intro, section_word,
                                                    of_kind)
    return "\n".join(lines) + "\n"
