"""A backend that hangs or floods still gets a verdict for every case within
the deadlines, with bounded runner memory."""
import json

from conftest import mutant_spawn_args, run_fcgispec, run_fcgispec_measured

# The hand-written cases of a section are enough to show the bounds; the
# generated ones (scripts/gen_cases.py) would only make the run longer.
HAND_WRITTEN = ["--exclude", "3.3/padding/*", "--exclude", "*/foreign/*"]


def test_hang_everything_is_bounded_by_the_deadlines(tmp_path):
    report = tmp_path / "r.json"
    code, out, elapsed = run_fcgispec(
        *mutant_spawn_args("hang", tmp_path), "--timeout", "300", "--jobs",
        "2", "--json", str(report), *HAND_WRITTEN, "3.3", "4.2")
    cases = json.loads(report.read_text())["cases"]
    assert code == 1, out
    # Each case: its 300 ms deadline, a 250 ms liveness probe and a restart;
    # the cases in flight during another's restart run again, alone.
    assert elapsed < len(cases) * 0.7 + 3, elapsed
    assert all(c["verdict"] in {"hang", "fail", "info", "unsupported"}
               for c in cases)
    assert sum(c["verdict"] == "hang" for c in cases) > len(cases) // 2


def test_flood_gets_verdicts_with_bounded_memory(tmp_path):
    report = tmp_path / "r.json"
    code, out, _, peak_kib = run_fcgispec_measured(
        *mutant_spawn_args("flood", tmp_path), "--timeout", "500", "--jobs",
        "2", "--json", str(report), *HAND_WRITTEN, "3.3")
    cases = json.loads(report.read_text())["cases"]
    assert code == 1, out
    hung = [c for c in cases if c["verdict"] == "hang"]
    assert hung and all("flood" in c["observed"] for c in hung)
    assert peak_kib < 256 * 1024, peak_kib


def test_verdicts_do_not_depend_on_jobs_when_the_backend_is_restarted(
        tmp_path):
    # Every case wedges the backend, which the runner restarts after it:
    # the cases in flight must not be blamed for the restart's EOF.
    seen = {}
    for jobs in ("1", "8"):
        (tmp_path / jobs).mkdir()
        report = tmp_path / f"r{jobs}.json"
        run_fcgispec(*mutant_spawn_args("hang", tmp_path / jobs), "--timeout",
                     "300", "--jobs", jobs, "--json", str(report),
                     *HAND_WRITTEN, "3.3")
        seen[jobs] = {c["id"]: c["verdict"]
                      for c in json.loads(report.read_text())["cases"]}
    assert seen["8"] == seen["1"]
