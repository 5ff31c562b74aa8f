"""Slow is not hung: the case deadline restarts on every byte received, up
to a hard cap. A backend that trickles its reply passes; one that trickles
past the cap is undecided (error), and one that sends nothing hangs."""
import json

from conftest import mutant_spawn_args, run_fcgispec

CASE = "5.3/stdin/200000-bytes"  # a ~17 KB reply: about 2.5 s when trickled


def verdict(tmp_path, rule, *opts):
    report = tmp_path / "r.json"
    run_fcgispec(*mutant_spawn_args(rule, tmp_path), "--json", str(report),
                 *opts, CASE)
    case = json.loads(report.read_text())["cases"][0]
    return case["verdict"], case["observed"]


def test_a_trickling_reply_is_not_a_hang(tmp_path):
    # Each byte restarts the 1 s deadline; the whole reply takes longer.
    v, observed = verdict(tmp_path, "trickle", "--timeout", "1000")
    assert v == "pass", observed


def test_still_receiving_at_the_cap_is_undecided(tmp_path):
    v, observed = verdict(tmp_path, "trickle", "--timeout", "1000",
                          "--case-cap", "1500")
    assert v == "error", observed
    assert "undecided: still receiving after" in observed


def test_no_progress_is_a_hang(tmp_path):
    v, observed = verdict(tmp_path, "hang", "--timeout", "300")
    assert v == "hang", observed
    assert "nothing received for 300 ms" in observed
