import stat

from fcgispec_tools.fuzz import bench


def test_replay_rate_leaves_out_start_up(tmp_path):
    fake = tmp_path / "fake-fuzzer"
    # start-up 0.2 s, then 0.01 s per run
    fake.write_text("#!/usr/bin/python3\nimport sys, time\n"
                    "time.sleep(0.2 + int(sys.argv[1].split('=')[1]) / 100)\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    # 2 files, 40 more runs each: 80 executions in about 0.4 s
    rate = bench.replay_rate(fake, ["a", "b"], 41)
    assert 120 < rate < 280


def test_corpus_files_skip_notes():
    files = bench.corpus_files("decode")
    assert files and all("." not in f.rsplit("/", 1)[1] for f in files)


def test_cpu_clock_counts_cpu_time_not_waiting(tmp_path):
    fake = tmp_path / "fake-fuzzer"
    # sleeps 0.3 s, then burns CPU for 0.01 s per run
    fake.write_text("#!/usr/bin/python3\nimport sys, time\n"
                    "time.sleep(0.3)\n"
                    "end = time.process_time() + int(sys.argv[1].split('=')[1]) / 100\n"
                    "while time.process_time() < end:\n    pass\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    # 2 files, 40 more runs each: 80 executions in about 0.4 CPU seconds
    rate = bench.replay_rate(fake, ["a", "b"], 41, bench._cpu)
    assert 120 < rate < 280
