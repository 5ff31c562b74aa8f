from fuzz_helpers import ROOT

from fcgispec_tools.fuzz import coverage


def test_totals_come_from_llvm_cov_export():
    export = {"data": [{"totals": {
        "lines": {"count": 200, "covered": 190, "percent": 95.0},
        "branches": {"count": 100, "covered": 91, "percent": 91.0},
        "functions": {"count": 10, "covered": 10, "percent": 100.0}}}]}
    t = coverage.totals(export)
    assert (t["lines"], t["branches"], t["lines_covered"]) == (95.0, 91.0, 190)


def test_corpus_replay_covers_the_decoder(tmp_path):
    t = coverage.measure([ROOT / "seeds" / "corpus" / "decode"], names=["decode"],
                              html_dir=tmp_path / "html", log=lambda _: None)
    assert t["lines"] > 50.0 and t["branches"] > 40.0
    assert (tmp_path / "html" / "index.html").exists()
