"""The Markdown summary of a matrix run (the body of docs/matrix.md)."""
import catalog
import sections
from runner import VERDICTS


def backend_table(results):
    head = ["backend", "score", "MUST", "SHOULD", *VERDICTS, "seconds"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + " --- |" * len(head)]
    for r in results:
        if r.report is None:
            row = [r.name, f"skipped: {r.skipped}"] + [""] * (len(head) - 2)
        else:
            row = [r.name, f"{r.score:.1f}%", r.level("MUST"),
                   r.level("SHOULD"),
                   *(str(r.counts.get(v, 0)) for v in VERDICTS),
                   f"{r.seconds:.1f}"]
        lines.append("| " + " | ".join(cell.replace("|", "\\|")
                                        for cell in row) + " |")
    return lines


def section_table(results):
    ran = [r for r in results if r.report is not None]
    head = ["section", *(r.name for r in ran)]
    lines = ["| " + " | ".join(head) + " |",
             "|" + " --- |" * len(head)]
    for section, _ in catalog.rows(ran):
        row = [sections.title(section)]
        for r in ran:
            passed, scored = r.section_score(section)
            row.append(f"{passed}/{scored}" if scored else "-")
        lines.append("| " + " | ".join(row) + " |")
    return lines


def render(results):
    n_cases = sum(len(c) for _, c in catalog.rows(results))
    lines = [f"{n_cases} cases, {len(results)} backends. Score: the share "
             "of scored MUST and SHOULD cases that passed.", ""]
    lines += backend_table(results)
    lines += ["", "Passed / scored MUST and SHOULD cases per spec section "
              "(`-`: none scored):", ""]
    lines += section_table(results)
    return "\n".join(lines) + "\n"
