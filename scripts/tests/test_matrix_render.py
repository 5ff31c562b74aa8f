"""The matrix's pieces on small synthetic fcgispec reports: discovery,
baseline reading and comparison, the HTML page and the Markdown summary."""
import html.parser
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "matrix"))
import backends  # noqa: E402
import check  # noqa: E402
import page  # noqa: E402
import summary  # noqa: E402
from runner import Result  # noqa: E402


def case(cid, verdict, level="MUST", known=False, trace=""):
    return {"id": cid, "section": cid.split("/")[0], "level": level,
            "role": "responder", "verdict": verdict, "known": known, "ms": 1,
            "requirement": f"requirement of {cid} <&>", "expected": "exp",
            "observed": "obs", "notes": "", "rerun": "", "trace": trace}


def report(cases):
    verdicts = {v: 0 for v in ("pass", "info", "unsupported", "non-strict",
                               "fail", "hang", "error")}
    for c in cases:
        verdicts[c["verdict"]] += 1
    must = [c for c in cases if c["level"] == "MUST"]
    passed = sum(c["verdict"] == "pass" for c in must)
    return {"summary": {
        "levels": {"MUST": {"total": len(must), "scored": len(must),
                            "passed": passed},
                   "SHOULD": {"total": 0, "scored": 0, "passed": 0}},
        "verdicts": verdicts, "score": 100.0 * passed / len(must)},
        "cases": cases}


@pytest.fixture
def results():
    ref = Result("reference", "the reference.", False, "fcgispec -v",
                 report([case("3.3/a", "pass"), case("4.2/b", "pass"),
                         case("7/c", "info", level="INFO")]), seconds=0.5)
    php = Result("php-fpm", "php-fpm serving echo.php.", True,
                 "bash scripts/backends/run.sh php-fpm -v",
                 report([case("3.3/a", "fail", known=True,
                              trace="  wire trace\n >> 8 bytes"),
                         case("4.2/b", "hang"),
                         case("7/c", "info", level="INFO", known=True)]),
                 seconds=2.0)
    gone = Result("mono", "mono.", True, "x", skipped="exit code 3: no mono")
    return [ref, php, gone]


class Cells(html.parser.HTMLParser):
    """Text of each <td>/<th> by row, and the class of each <td>."""

    def __init__(self, text):
        super().__init__()
        self.rows, self.classes, self.cell = [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
            self.classes.append([])
        elif self.cell is not None:
            self.cell.append(" ")  # inner elements read as separate words
        if tag in ("td", "th") and self.rows:
            self.cell = []
            if tag == "td":
                self.classes[-1].append(dict(attrs).get("class", ""))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_page_has_a_column_per_backend_with_score_counts_or_reason(results):
    head = Cells(page.render(results)).rows[0]
    assert head[1].startswith("reference 100.0% MUST 2/2 · SHOULD 0/0 2 pass 1 info")
    assert head[2].startswith("php-fpm 0.0% MUST 0/2")
    assert "1 fail" in head[2] and "1 hang" in head[2]
    assert head[3] == "mono skipped: exit code 3: no mono"


def test_page_groups_rows_by_section_with_verdict_cells(results):
    parsed = Cells(page.render(results))
    rows = parsed.rows[1:]
    assert rows[0][0] == "3.3 Records"
    assert rows[0][1:] == ["1/1", "0/1", ""]
    assert rows[1][0].startswith("3.3/a MUST requirement of 3.3/a <&>")
    assert rows[1][1] == "pass"
    assert rows[1][3] == "skipped"
    # The second section's hang is not in php-fpm's baseline: marked new.
    assert parsed.classes[4][1:] == ["v pass", "v hang new", "v absent"]
    assert [r[0] for r in rows if len(r) == 4 and "/" not in r[0]] == [
        "3.3 Records", "4.2 FCGI_UNKNOWN_TYPE", "7 Errors"]


def test_non_pass_cells_hold_trace_and_rerun_escaped(results):
    text = page.render(results)
    assert "<details><summary>fail</summary>" in text
    assert "  wire trace\n &gt;&gt; 8 bytes" in text
    assert "bash scripts/backends/run.sh php-fpm -v 3.3/a" in text
    assert "requirement of 3.3/a &lt;&amp;&gt;" in text
    assert "<&>" not in text
    assert "http" not in text.replace('lang="en"', "")  # no external assets


def test_markdown_summary_tables(results):
    md = summary.render(results).splitlines()
    assert md[0] == "3 cases, 3 backends. Score: the share of scored MUST " \
        "and SHOULD cases that passed."
    assert "| reference | 100.0% | 2/2 | 0/0 | 2 | 0 | 0 | 1 | 0 | 0 | 0 | 0.5 |" in md
    assert "| php-fpm | 0.0% | 0/2 | 0/0 | 0 | 1 | 0 | 1 | 0 | 1 | 0 | 2.0 |" in md
    assert any(l.startswith("| mono | skipped: exit code 3: no mono |")
               for l in md)
    assert "| section | reference | php-fpm |" in md
    assert "| 4.2 FCGI_UNKNOWN_TYPE | 1/1 | 0/1 |" in md
    assert "| 7 Errors | - | - |" in md


def test_check_diff_names_each_changed_case(results):
    ok, text = check.report(results[:2], {"php-fpm": {"3.3/a": "fail",
                                                      "7/c": "info",
                                                      "5.1/gone": "fail"}})
    assert not ok
    lines = text.splitlines()
    assert lines[0] == ("reference: verdicts match the reference rule "
                        "(info, pass, unsupported only)")
    assert lines[1] == "php-fpm: 2 verdicts differ from its baseline"
    assert lines[2].split() == ["4.2/b", "expected", "pass", "now", "hang"]
    assert lines[3].split() == ["5.1/gone", "expected", "fail", "now", "not",
                                "run", "(no", "such", "case)"]


def test_check_fails_on_a_skipped_backend_and_a_failing_reference(results):
    ok, text = check.report([results[2]], {"mono": {}})
    assert not ok
    assert text == "mono: not checked, exit code 3: no mono"
    results[0].report["cases"][0]["verdict"] = "non-strict"
    ok, text = check.report([results[0]], {})
    assert not ok
    assert text.splitlines()[1].split() == ["3.3/a", "expected", "pass",
                                            "now", "non-strict"]


def test_check_passes_when_verdicts_match(results):
    ok, _ = check.report(results[:2], {"php-fpm": {"3.3/a": "fail",
                                                   "4.2/b": "hang",
                                                   "7/c": "info"}})
    assert ok


def test_read_baseline_names_the_bad_line(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("# comment\n3.3/a fail  # why\n\n4.2/b\n")
    with pytest.raises(check.BaselineError, match=r"x.txt line 4: expected "
                       r"'CASE-ID VERDICT', got '4.2/b'"):
        check.read_baseline(f)
    f.write_text("# comment\n3.3/a fail  # why\n")
    assert check.read_baseline(f) == {"3.3/a": "fail"}


def test_discovery_needs_a_script_and_a_baseline(tmp_path):
    (tmp_path / "baselines").mkdir()
    for name in ("zeta", "alpha", "run", "common"):
        (tmp_path / f"{name}.sh").write_text(
            f"#!/usr/bin/env bash\n# {name} server on ADDRESS. More.\n"
            "# Second line.\n# fcgispec-jobs: 1\n")
        (tmp_path / "baselines" / f"{name}.txt").write_text("")
    (tmp_path / "no-baseline.sh").write_text("")
    (tmp_path / "baselines" / "no-script.txt").write_text("")
    found = backends.discover(tmp_path)
    assert [b.name for b in found] == ["reference", "alpha", "zeta"]
    assert found[1].description == "alpha server on ADDRESS."
    assert [b.name for b in backends.select(found, ["zeta", "reference"])] \
        == ["reference", "zeta"]
    with pytest.raises(ValueError, match="unknown backend beta "
                       r"\(known: reference, alpha, zeta\)"):
        backends.select(found, ["beta"])
