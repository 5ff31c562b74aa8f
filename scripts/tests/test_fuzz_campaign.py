from fuzz_helpers import ROOT

from fcgispec_tools.fuzz import build, campaign


def test_status_lines_of_both_libfuzzer_modes_are_read():
    s = campaign.Summary(execs=0)
    campaign._absorb_status(s, [
        "#2048\tpulse  cov: 300 ft: 900 corp: 120/9Kb lim: 50 exec/s: 1024 rss: 40Mb\n"])
    assert (s["execs"], s["coverage"], s["corpus"], s["exec_s"]) == (2048, 300, 120, 1024)
    campaign._absorb_status(s, [
        "#90000: cov: 310 ft: 950 corp: 130 exec/s 30000 oom/timeout/crash: 0/0/0 time: 3s\n"])
    assert (s["execs"], s["coverage"], s["corpus"], s["exec_s"]) == (90000, 310, 130, 30000)


def test_afl_stats_add_up_over_instances(tmp_path):
    for name, execs in (("main", 100), ("secondary1", 50)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "fuzzer_stats").write_text(
            f"execs_done        : {execs}\ncorpus_count      : 7\nsaved_crashes     : 1\n")
    assert campaign._afl_stats(tmp_path) == {
        "execs_done": 150, "corpus_count": 14, "saved_crashes": 2}


def test_the_work_folder_follows_fcs_fuzz_work(tmp_path, monkeypatch):
    monkeypatch.delenv("FCS_FUZZ_WORK", raising=False)
    assert campaign.work_dir("decode") == ROOT / "build" / "fuzz-work" / "decode"
    monkeypatch.setenv("FCS_FUZZ_WORK", str(tmp_path))
    assert campaign.work_dir("decode") == tmp_path / "decode"
    assert campaign.work_dir("decode", tmp_path / "x") == tmp_path / "x" / "decode"


def test_every_target_has_seeds_and_options():
    for t in build.targets():
        assert any(campaign.seeds(t).iterdir()), t
        assert (ROOT / "fuzz" / "options" / f"{t}.options").exists(), t


def test_afl_campaign_runs_main_and_secondary_sharing_a_sync_folder(tmp_path):
    build.build("afl", ["params"])
    s = campaign.run_afl("params", 5, jobs=2, root=tmp_path, log=lambda _: None)
    assert s["instances"] == ["main", "secondary1"]
    assert s["execs"] > 0 and s["crashes"] == []


def test_libfuzzer_run_and_merge_into_a_corpus(tmp_path):
    build.build("libfuzzer", ["params"])
    s = campaign.run_libfuzzer("params", 3, root=tmp_path, log=lambda _: None)
    assert s["execs"] > 0 and s["crashes"] == [] and s["returncode"] == 0
    dest = tmp_path / "merged"
    before, after = campaign.merge(
        "params", [campaign.seeds("params"), tmp_path / "params" / "corpus"], dest,
        log=lambda _: None)
    assert 0 < after <= before
    names = {p.name for p in dest.iterdir()}
    assert len(names) == after
