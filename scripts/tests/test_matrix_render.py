"""The matrix's pieces on small synthetic fcgispec reports: discovery,
baseline reading and comparison, the HTML page and the Markdown summary,
for backends and for reverse proxies."""
import html.parser
import pathlib
import re

import pytest

from matrix_reports import case, report

ROOT = pathlib.Path(__file__).resolve().parents[2]
from fcgispec_tools.matrix import check, columns, page, runner, sections, summary
from fcgispec_tools.matrix.runner import Result


@pytest.fixture
def results():
    ref = Result("reference", "backend", "the reference.", False,
                 "fcgispec -v",
                 report([case("3.3/a", "pass"), case("4.2/b", "pass"),
                         case("7/c", "info", level="INFO")]), seconds=0.5)
    php = Result("php-fpm", "backend", "php-fpm serving echo.php.", True,
                 "bash scripts/backends/run.sh php-fpm -v",
                 report([case("3.3/a", "fail", known=True,
                              trace="  wire trace\n >> 8 bytes"),
                         case("4.2/b", "hang"),
                         case("7/c", "info", level="INFO", known=True)]),
                 seconds=2.0)
    gone = Result("mono", "backend", "mono.", True, "x",
                  skipped="exit code 3: no mono")
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
    assert "| reference | 100.0% | 2/2 | 0/0 | 2 | 1 | 0 | 0 | 0 | 0 | 0 | 0.5 |" in md
    assert "| php-fpm | 0.0% | 0/2 | 0/0 | 0 | 1 | 0 | 0 | 1 | 1 | 0 | 2.0 |" in md
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
                       r"'CASE-ID VERDICT' \(verdict: info, .*\), got '4.2/b'"):
        check.read_baseline(f)
    f.write_text("# comment\n3.3/a fail  # why\n")
    assert check.read_baseline(f) == {"3.3/a": "fail"}


@pytest.mark.parametrize("text, error", [
    ("3.3/reply/aligned pass\n", "got '3.3/reply/aligned pass'"),
    ("3.3/reply/aligned fail\n3.3/reply/aligned info\n", "line 2: .* listed twice"),
    ("3.3/reply/aligned sometimes\n", "expected 'CASE-ID VERDICT'"),
])
def test_read_baseline_refuses_what_fcgispec_refuses(tmp_path, text, error):
    """The lines fcgispec --baseline refuses (conformance/tests/
    test_new_user.py gives it the same)."""
    f = tmp_path / "x.txt"
    f.write_text(text)
    with pytest.raises(check.BaselineError, match=error):
        check.read_baseline(f)


def scripts_dir(directory, names, baselines=None):
    """Start scripts NAMES in DIRECTORY, with baselines for BASELINES
    (default: all of them)."""
    (directory / "baselines").mkdir(parents=True)
    for name in names:
        (directory / f"{name}.sh").write_text(
            f"#!/usr/bin/env bash\n# {name} server on ADDRESS. More.\n"
            "# Second line.\n# fcgispec-jobs: 1\n")
    for name in names if baselines is None else baselines:
        (directory / "baselines" / f"{name}.txt").write_text("")
    return directory


def test_discovery_needs_a_script_and_a_baseline(tmp_path):
    backends_dir = scripts_dir(tmp_path / "b", ["zeta", "alpha", "run",
                                                "common", "no-baseline"],
                               ["zeta", "alpha", "run", "common"])
    (backends_dir / "baselines" / "no-script.txt").write_text("")
    proxies_dir = scripts_dir(tmp_path / "p", ["nginx", "h2o", "run",
                                               "common", "start", "stop",
                                               "docroot"])
    found = columns.discover(backends_dir, proxies_dir)
    assert [(c.name, c.kind) for c in found] == [
        ("reference", "backend"), ("alpha", "backend"), ("zeta", "backend"),
        ("h2o", "proxy"), ("nginx", "proxy")]
    assert found[1].description == "alpha server on ADDRESS."
    assert found[1].run_sh == backends_dir / "run.sh"
    assert found[4].run_sh == proxies_dir / "run.sh"
    assert found[4].baseline == proxies_dir / "baselines" / "nginx.txt"


def test_discovery_fails_when_a_backend_and_a_proxy_share_a_name(tmp_path):
    backends_dir = scripts_dir(tmp_path / "b", ["caddy"])
    proxies_dir = scripts_dir(tmp_path / "p", ["caddy", "reference"])
    with pytest.raises(ValueError, match=r"^backend and proxy are both named "
                       r"caddy \(.*/b/caddy.sh and .*/p/caddy.sh\): their "
                       "reports would overwrite each other; rename one$"):
        columns.discover(backends_dir, proxies_dir)
    (backends_dir / "baselines" / "caddy.txt").unlink()
    with pytest.raises(ValueError, match=r"both named reference \(built in "
                       r"and .*/p/reference.sh\)"):
        columns.discover(backends_dir, proxies_dir)


@pytest.fixture
def found(tmp_path):
    return columns.discover(scripts_dir(tmp_path / "b", ["zeta", "alpha"]),
                            scripts_dir(tmp_path / "p", ["nginx", "h2o"]))


def names(chosen):
    return [c.name for c in chosen]


def test_without_a_selection_every_column_runs(found):
    assert names(columns.choose(found)) == [
        "reference", "alpha", "zeta", "h2o", "nginx"]


def test_naming_one_kind_leaves_the_other_out(found):
    assert names(columns.choose(found, backends=["zeta", "reference"])) == [
        "reference", "zeta"]
    assert names(columns.choose(found, proxies=["nginx"])) == ["nginx"]
    assert names(columns.choose(found, ["alpha"], ["nginx", "h2o"])) == [
        "alpha", "h2o", "nginx"]


def test_only_takes_every_column_of_a_kind(found):
    assert names(columns.choose(found, only="proxy")) == ["h2o", "nginx"]
    assert names(columns.choose(found, only="backend")) == [
        "reference", "alpha", "zeta"]


def test_an_unknown_name_lists_the_known_ones_of_its_kind(found, tmp_path):
    with pytest.raises(ValueError, match="unknown backend beta "
                       r"\(known: reference, alpha, zeta\)"):
        columns.choose(found, backends=["beta"])
    # a proxy is not a backend
    with pytest.raises(ValueError, match=r"unknown backend nginx \(known: "):
        columns.choose(found, backends=["nginx"])
    with pytest.raises(ValueError, match=r"unknown proxy zeta \(known: h2o, "
                       r"nginx\)"):
        columns.choose(found, proxies=["zeta"])
    none = columns.discover(tmp_path / "none", tmp_path / "none")
    with pytest.raises(ValueError, match=r"unknown proxy nginx \(known: "
                       r"none\)"):
        columns.choose(none, proxies=["nginx"])


def test_a_proxy_is_run_by_the_run_sh_beside_it(found, tmp_path):
    setup = runner.Setup(tmp_path, tmp_path / "build", tmp_path / "out", 60)
    argv, repro = runner.command(found[4], setup)
    assert argv == ["bash", str(tmp_path / "p" / "run.sh"), "nginx",
                    "--color", "never",
                    "--json", str(tmp_path / "out" / "json" / "nginx.json"),
                    "--junit", str(tmp_path / "out" / "junit" / "nginx.xml")]
    assert repro == "bash p/run.sh nginx -v"
    argv, repro = runner.command(found[0], setup)
    assert argv[0] == str(tmp_path / "build" / "conformance" / "fcgispec")


def test_proxy_sections_have_titles_and_an_order():
    shuffled = ["trust", "http", "fcgi-3.3", "rfc3875-4.1.18",
                "rfc3875-4.1.2", "fcgi-5.1", "odd", "3.3", "10.1"]
    ordered = sorted(shuffled, key=sections.sort_key)
    assert [sections.title(s) for s in ordered] == [
        "3.3 Records", "section 10.1",
        "RFC 3875 4.1.2 CONTENT_LENGTH",
        "RFC 3875 4.1.18 Protocol-Specific Meta-Variables (HTTP_*)",
        "FastCGI 3.3 Records", "FastCGI 5.1 FCGI_BEGIN_REQUEST",
        "HTTP message framing (RFC 9112)", "Security advisories",
        "section odd"]
    assert sections.title("rfc3875-4.1.99") == "RFC 3875 4.1.99"


def test_response_sections_have_titles_after_the_meta_variables():
    shuffled = ["rfc3875-6.3.4", "rfc3875-6.2.2", "rfc3875-4.1.2",
                "rfc3875-6.3"]
    ordered = sorted(shuffled, key=sections.sort_key)
    assert [sections.title(s) for s in ordered] == [
        "RFC 3875 4.1.2 CONTENT_LENGTH",
        "RFC 3875 6.2.2 Local Redirect Response",
        "RFC 3875 6.3 Response Header Fields",
        "RFC 3875 6.3.4 Protocol-Specific Header Fields"]


PROXY_RUN = "bash scripts/proxies/run.sh"


def proxy_case(cid, section, verdict, level, **kw):
    return case(cid, verdict, level=level, section=section, **kw)


@pytest.fixture
def proxies():
    nginx = Result("nginx", "proxy", "nginx forwarding .php.", True,
                   f"{PROXY_RUN} nginx -v", report([
                       proxy_case("proxy/trust/httpoxy", "trust", "fail",
                                  "TRUST", trace="  client 1 sent:\n"
                                  "GET /test.php?fcgispec=c1r1 HTTP/1.1"),
                       proxy_case("proxy/cgi/content-length",
                                  "rfc3875-4.1.2", "pass", "MUST"),
                       proxy_case("proxy/cgi/remote-addr", "rfc3875-4.1.8",
                                  "info", "INFO"),
                       proxy_case("proxy/http/te-cl", "http", "non-strict",
                                  "SHOULD", known=True)]), seconds=3.0)
    h2o = Result("h2o", "proxy", "h2o forwarding .php.", True,
                 f"{PROXY_RUN} h2o -v", report([
                     proxy_case("proxy/trust/httpoxy", "trust", "pass",
                                "TRUST"),
                     proxy_case("proxy/cgi/content-length", "rfc3875-4.1.2",
                                "pass", "MUST")]), seconds=1.0)
    caddy = Result("caddy", "proxy", "Caddy forwarding PHP.", True,
                   f"{PROXY_RUN} caddy -v",
                   skipped="exit code 3: caddy.sh: /usr/bin/caddy is missing "
                   "(it comes with Debian's caddy)")
    return [nginx, h2o, caddy]


def table(text, table_id):
    found = re.findall(rf'<table id="{table_id}">.*?</table>', text, re.S)
    return found[0] if found else None


def test_proxies_have_a_table_of_their_own(results, proxies):
    text = page.render(results + proxies)
    backend_head = Cells(table(text, "backends")).rows[0]
    proxy_head = Cells(table(text, "proxies")).rows[0]
    assert [h.split()[0] for h in backend_head] == [
        "case", "reference", "php-fpm", "mono"]
    assert [h.split()[0] for h in proxy_head] == [
        "case", "nginx", "h2o", "caddy"]
    assert proxy_head[1].startswith(
        "nginx 33.3% MUST 1/1 · TRUST 0/1 · SHOULD 0/1 1 pass 1 info "
        "1 non-strict 1 fail")
    assert proxy_head[2].startswith("h2o 100.0% MUST 1/1 · TRUST 1/1 ·")
    assert proxy_head[3] == ("caddy skipped: exit code 3: caddy.sh: "
                             "/usr/bin/caddy is missing (it comes with "
                             "Debian's caddy)")
    assert '<th class="proxy" data-proxy="nginx">' in text
    assert text.index('id="backends"') < text.index('id="proxies"')
    assert "<h2 " in text and ">Reverse proxies</h2>" in text
    assert "MUST, TRUST and SHOULD cases that passed" in text
    # The backends' table is as it was without proxies.
    assert table(text, "backends") == table(page.render(results), "backends")


def test_proxy_rows_are_grouped_by_section_with_trust_levels(proxies):
    parsed = Cells(table(page.render(proxies), "proxies"))
    heads = [r for r in parsed.rows[1:] if "/" not in r[0]]
    assert heads == [
        ["RFC 3875 4.1.2 CONTENT_LENGTH", "1/1", "1/1", ""],
        ["RFC 3875 4.1.8 REMOTE_ADDR", "", "", ""],
        ["HTTP message framing (RFC 9112)", "0/1", "", ""],
        ["Security advisories", "0/1", "1/1", ""]]
    by_case = {r[0].split()[0]: (r, c) for r, c in
               zip(parsed.rows, parsed.classes) if r[0].startswith("proxy/")}
    trust, classes = by_case["proxy/trust/httpoxy"]
    assert trust[0] == ("proxy/trust/httpoxy TRUST requirement of "
                        "proxy/trust/httpoxy <&>")
    assert trust[1:] == [
        "fail nginx · proxy/trust/httpoxy · fail requirement requirement of "
        "proxy/trust/httpoxy <&> expected exp observed obs rerun "
        f"{PROXY_RUN} nginx -v proxy/trust/httpoxy wire trace client 1 sent: "
        "GET /test.php?fcgispec=c1r1 HTTP/1.1", "pass", "skipped"]
    assert classes[1:] == ["v fail new", "v pass", "v absent"]
    # h2o did not run these; the baseline's non-strict is not marked new
    assert by_case["proxy/cgi/remote-addr"][1][1:] == [
        "v info new", "v absent", "v absent"]
    assert by_case["proxy/http/te-cl"][1][1:] == [
        "v non-strict", "v absent", "v absent"]
    assert by_case["proxy/http/te-cl"][0][2:] == ["not run", "skipped"]


def test_trust_is_a_level_badge_of_its_own(proxies):
    text = page.render(proxies)
    assert '<span class="level" data-level="TRUST">TRUST</span>' in text
    assert '.level[data-level="TRUST"]' in page.STYLE


def test_a_kind_without_columns_has_no_table(results, proxies):
    assert table(page.render(results), "proxies") is None
    assert "Reverse proxies" not in page.render(results)
    assert table(page.render(proxies), "backends") is None


def test_markdown_summary_has_a_proxies_part(results, proxies):
    md = summary.render(results + proxies).splitlines()
    assert md[0].startswith("3 cases, 3 backends.")
    start = md.index("Reverse proxies: 4 cases, 3 proxies. Score: the share "
                     "of scored MUST, TRUST and SHOULD cases that passed.")
    assert md[start - 1] == "" and start > 10
    assert md[start + 2] == ("| proxy | score | MUST | TRUST | SHOULD | pass "
                             "| info | unsupported | non-strict | fail | hang "
                             "| error | seconds |")
    assert ("| nginx | 33.3% | 1/1 | 0/1 | 0/1 | 1 | 1 | 0 | 1 | 1 | 0 | 0 "
            "| 3.0 |") in md[start:]
    assert any(l.startswith("| caddy | skipped: exit code 3: caddy.sh: ")
               for l in md[start:])
    assert ("Passed / scored MUST, TRUST and SHOULD cases per section (`-`: "
            "none scored):") in md
    assert "| section | nginx | h2o |" in md
    assert "| Security advisories | 0/1 | 1/1 |" in md
    assert "| RFC 3875 4.1.8 REMOTE_ADDR | - | - |" in md
    assert summary.render(proxies).splitlines()[0].startswith(
        "Reverse proxies: ")


def test_check_compares_proxies_with_their_baselines(proxies):
    ok, text = check.report(proxies[:2], {
        "nginx": {"proxy/trust/httpoxy": "fail",
                  "proxy/cgi/remote-addr": "info",
                  "proxy/http/te-cl": "non-strict"},
        "h2o": {}})
    assert ok, text
    ok, text = check.report(proxies, {
        "nginx": {"proxy/cgi/remote-addr": "info",
                  "proxy/http/te-cl": "non-strict"},
        "h2o": {}, "caddy": {}})
    assert not ok
    assert text.splitlines() == [
        "nginx: 1 verdicts differ from its baseline",
        "  proxy/trust/httpoxy  expected pass        now fail",
        "h2o: verdicts match its baseline",
        "caddy: not checked, exit code 3: caddy.sh: /usr/bin/caddy is "
        "missing (it comes with Debian's caddy)"]


def test_response_side_cases_get_groups_of_their_own():
    """A proxy case with reply lines ("side": "response") is listed under
    "Response side: ..." after every request-side group, and scored
    there, even when it shares a section with request-side cases."""
    def side(c, s):
        c["side"] = s
        return c
    nginx = Result("nginx", "proxy", "nginx forwarding .php.", True,
                   f"{PROXY_RUN} nginx -v", report([
                       side(proxy_case("fcgi-3.3/reply/padding", "fcgi-3.3",
                                       "fail", "TRUST"), "response"),
                       side(proxy_case("fcgi-3.3/records/aligned",
                                       "fcgi-3.3", "pass", "MUST"),
                            "request"),
                       side(proxy_case("trust/httpoxy", "trust", "pass",
                                       "TRUST"), "request")]), seconds=1.0)
    parsed = Cells(table(page.render([nginx]), "proxies"))
    heads = [r for r in parsed.rows[1:] if "/" not in r[0]]
    assert heads == [["FastCGI 3.3 Records", "1/1"],
                     ["Security advisories", "1/1"],
                     ["Response side: FastCGI 3.3 Records", "0/1"]]
    assert sections.title("response:rfc3875-6.3.3") == (
        "Response side: RFC 3875 6.3.3 Status")


def test_proxies_run_in_a_pool_of_their_own(monkeypatch, tmp_path):
    """With proxy_jobs, backends keep their --jobs slots and proxies run
    beside them; results stay in the columns' order."""
    import threading
    import time

    class Done(str):
        def one_line(self):
            return "done"

    lock = threading.Lock()
    running = {"backend": 0, "proxy": 0}
    peak = {"backend": 0, "proxy": 0, "total": 0}

    def fake_run_one(column, setup):
        with lock:
            running[column.kind] += 1
            peak[column.kind] = max(peak[column.kind], running[column.kind])
            peak["total"] = max(peak["total"], sum(running.values()))
        time.sleep(0.2)
        with lock:
            running[column.kind] -= 1
        return Done(column.name)

    monkeypatch.setattr(runner, "run_one", fake_run_one)
    cols = ([columns.Column(f"b{i}", columns.BACKEND, None, None)
             for i in range(3)]
            + [columns.Column(f"p{i}", columns.PROXY, None, None)
               for i in range(4)])
    setup = runner.Setup(tmp_path, tmp_path, tmp_path / "out", 60)
    got = runner.run_all(cols, setup, 1, say=lambda _: None, proxy_jobs=2)
    assert got == [c.name for c in cols]
    assert peak == {"backend": 1, "proxy": 2, "total": 3}
    peak.update(backend=0, proxy=0, total=0)
    runner.run_all(cols, setup, 2, say=lambda _: None)
    assert peak["total"] == 2
