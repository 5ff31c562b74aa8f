"""scripts/proxy_fuzz.py: ddmin and the reply minimiser on their own; the
case format the replies are written in, played byte for byte; the same
seed gives the same replies; and the oracles proven on the stand-in proxy
(conformance/tests/judge_proxy.py): a few seconds of fuzzing find the
desync and the crash planted in it, minimise each to a small case that
fcgispec takes, that fails on the planted stand-in and passes on the plain
one; the plain stand-in yields no finding. Last, the command line's errors
and a short run against nginx when it is installed."""
import json
import os
import pathlib
import random
import shutil
import subprocess
import time

import pytest

from fuzz_helpers import BUILD, ROOT

from fcgispec_tools.proxy_fuzz import grammar, minimise, outcome
from fcgispec_tools.proxy_fuzz import reply as R

SCRIPT = ROOT / "scripts" / "proxy_fuzz.py"
FCGISPEC = BUILD / "conformance" / "fcgispec"
CURL = BUILD / "conformance" / "client" / "fcgi-curl"
STANDIN = ROOT / "conformance" / "tests" / "judge_proxy.py"


def first(predicate):
    """A first_failing for ddmin from a predicate over one candidate."""
    def first_failing(candidates):
        return next((i for i, c in enumerate(candidates) if predicate(c)), None)
    return first_failing


def test_ddmin_keeps_exactly_the_two_elements_that_matter():
    calls = []

    def fails(candidates):
        calls.append(len(candidates))
        return first(lambda c: 3 in c and 17 in c)(candidates)
    assert minimise.ddmin(list(range(20)), fails) == [3, 17]
    assert calls, "ddmin never asked"


def test_ddmin_finds_one_culprit_and_keeps_order():
    assert minimise.ddmin(list("abcdefghij"), first(lambda c: "g" in c)) == ["g"]
    assert minimise.ddmin(list("abcdefghij"), first(lambda c: "c" in c and "i" in c)) \
        == ["c", "i"]


def test_ddmin_stops_after_its_rounds():
    asked = []

    def never(candidates):
        asked.append(1)
        return None
    assert minimise.ddmin(list(range(64)), never, rounds=3) == list(range(64))
    assert len(asked) == 3


def test_ddmin_with_max_chunks_stops_at_that_granularity():
    asked = []

    def never(candidates):
        asked.append(len(candidates))
        return None
    minimise.ddmin(list(range(1000)), never, max_chunks=8)
    assert max(asked) == 16  # 8 chunks and their 8 complements


def test_minimise_reply_drops_steps_options_and_bytes():
    steps = [R.record("stderr", b"noise"),
             R.record("stdout", b"Status: 200 OK\r\nX-Sendfile: /etc/passwd\r\n\r\nbody",
                      pad=7, id=1),
             R.Step("wait", ms=10), R.record("stdout"), R.record("end")]

    def bad(c):
        return any(b"X-Sendfile" in i for s in c for i in s.items)
    small = minimise.minimise_reply(steps, first(bad))
    assert small == [R.record("stdout", b"X-Sendfile")]


def test_minimise_reply_asks_nothing_after_its_seconds():
    asked = []

    def slow(candidates):  # every reply with a step fails
        asked.append(1)
        time.sleep(0.2)
        return next((i for i, c in enumerate(candidates) if c), None)
    steps = [R.record("stdout", bytes(range(64)))] * 8
    minimise.minimise_reply(steps, slow, seconds=0.5)
    assert 2 <= len(asked) <= 4


def test_minimise_reply_tries_the_empty_reply_first():
    asked = []

    def any_fails(candidates):
        asked.append(candidates)
        return 0
    assert minimise.minimise_reply([R.record("end")], any_fails) == []
    assert asked == [[[]]]


def test_minimise_reply_skips_candidates_the_case_format_refuses():
    big = R.record("stdout", b"a" * 70000, split=65535)
    seen = []

    def fails(candidates):
        seen.extend(candidates)
        return first(lambda c: R.size(c) > 65000)(candidates)
    small = minimise.minimise_reply([big], fails, R.valid)
    assert all(R.valid(c) for c in seen)
    assert R.valid(small) and R.size(small) > 65000


TRACE_OK = ("  client 1 response 1: HTTP/1.1 200 OK (body 5 bytes, content-length, "
            "3 header lines)\n  client 1 response 2: HTTP/1.1 200 OK (body 19 bytes, "
            "chunked, 5 header lines)\n")


@pytest.mark.parametrize("result,kind,why", [
    ({"verdict": "info", "trace": TRACE_OK}, None, ""),
    ({"verdict": "fail", "down": True,
      "notes": "the proxy stopped accepting connections after this case\n"}, "crash", "down"),
    ({"verdict": "info", "rss_kib": 600 * 1024}, "memory", "over the bound"),
    ({"verdict": "info", "expected": 'line 9: expect answered 1 or close',
      "observed": "no decision: nothing moved for 1000 ms", "trace": ""},
     "hang", "request 1 after HTTP nothing"),
    ({"verdict": "info", "expected": 'line 9: expect answered 1 or close',
      "observed": "request 1 got no complete response; no decision: nothing moved",
      "trace": "  client 1: bad status line at byte 12\n"},
     "malformed", "bad status line at byte N"),
    ({"verdict": "info", "expected": 'line 9: expect answered 1 or close',
      "observed": "request 1 got no complete response; no decision: nothing moved",
      "trace": "  client 1: response head longer than 65536 bytes at byte 9\n"}, None,
     "beyond the runner's bounds: response head longer than N bytes at byte N"),
    ({"verdict": "info", "expected": "line 11: expect own-reply 2",
      "observed": 'request 2: the client got HTTP 200 and body "x", not the reply to '
                  "its backend request 4", "trace": TRACE_OK}, "desync", "another response"),
    ({"verdict": "info", "expected": "line 11: expect own-reply 2",
      "observed": "request 2 did not reach the backend; the client got HTTP 200",
      "trace": TRACE_OK}, "desync", "answered without the backend"),
    ({"verdict": "info", "expected": "line 11: expect own-reply 2",
      "observed": "request 2 did not reach the backend; the client got HTTP 502",
      "trace": TRACE_OK}, None, ""),
    ({"verdict": "info", "expected": "line 11: expect own-reply 2",
      "observed": "request 2 got no complete response",
      "trace": "  client 1: the proxy closed the connection\n"}, None, ""),
])
def test_judge_names_each_kind(result, kind, why):
    oc = outcome.judge(result)
    assert (oc.kind, oc.why) == (kind, why)


def test_shapes_tell_responses_apart():
    other = TRACE_OK.replace("200 OK (body 5 bytes, content-length",
                             "502 Bad Gateway (body 5 bytes, close-delimited")
    a, b = outcome.shape({"trace": TRACE_OK}), outcome.shape({"trace": other})
    assert a != b and a[0][0] == ("200", "content-length", 4, False)  # 3-4 lines
    assert outcome.shape({"trace": TRACE_OK.replace("5 bytes", "7 bytes")}) == a


def test_encode_writes_runs_and_escapes():
    assert R.encode(b"") == '""'
    assert R.encode(b'a"b\\c\r\n\t\0\x01\xff') == r'"a\"b\\c\r\n\t\0\x01\xff"'
    assert R.encode(b"ab" + b"x" * 20 + b"cd") == '"ab"+"x"*20+"cd"'
    assert R.line(R.record("stdout", b"hi", padbyte=10, pad=3, id=0)) == \
        'reply stdout id=0 pad=3 padbyte=0a "hi"'


def test_same_seed_same_replies_and_another_seed_others():
    def replies(seed, n=200):
        rng, corpus, out = random.Random(seed), [], []
        for i in range(n):
            steps = (grammar.mutate(rng, rng.choice(corpus), rng.choice(corpus))
                     if corpus and i % 2 else grammar.generate(rng))
            corpus.append(steps)
            out.append(grammar.digest_line(steps))
        return out
    assert replies(7) == replies(7)
    assert replies(7) != replies(8)
    assert len(set(replies(7))) > 150, "the grammar repeats itself"


def test_generated_replies_are_valid_cases(tmp_path):
    rng, corpus = random.Random(3), []
    for i in range(300):
        steps = (grammar.mutate(rng, rng.choice(corpus)) if corpus and i % 3
                 else grammar.generate(rng))
        corpus.append(steps)
        assert R.valid(steps)
        cid = f"trust/proxy-fuzz/r{i}"
        (tmp_path / f"{i:03d}.case").write_text(R.case_text(cid, steps, "A test."))
    p = subprocess.run([str(FCGISPEC), "--cases", str(tmp_path), "--list",
                        "--proxy", "tcp:127.0.0.1:1"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "300 cases" in p.stdout


def standin_run(case_dir, mode, tmp_path, *ids):
    """fcgispec over case_dir through the stand-in in mode: {id: verdict}."""
    sock, rec = tmp_path / f"{mode}-h.sock", tmp_path / f"{mode}-b.sock"
    report = tmp_path / f"{mode}.json"
    spawn = (f"exec /usr/bin/python3 '{STANDIN}' {mode} 'unix:{sock}' "
             f"'unix:{rec}' '{CURL}'")
    subprocess.run([str(FCGISPEC), "--cases", str(case_dir), "--json", str(report),
                    "--proxy", f"unix:{sock}", "--listen", f"unix:{rec}",
                    "--spawn", spawn, *ids], capture_output=True, timeout=120)
    return {c["id"]: c for c in json.loads(report.read_text())["cases"]}


def test_a_reply_is_played_byte_for_byte(tmp_path):
    """Every byte value and long runs, written by encode, reach the client
    as the body (checked against a hex item, another spelling)."""
    body = bytes(range(256)) + b"q" * 300 + b'"\\{marker'
    steps = [R.record("stdout", b"Status: 200 OK\r\n\r\n" + body), R.record("stdout"),
             R.record("end")]
    text = R.case_text("trust/proxy-fuzz/bytes", steps, "Bytes arrive.", "MUST")
    (tmp_path / "bytes.case").write_text(text + f"expect body 1 {body.hex()}\n")
    res = standin_run(tmp_path, "plain", tmp_path)
    assert res["trust/proxy-fuzz/bytes"]["verdict"] == "pass", \
        res["trust/proxy-fuzz/bytes"]["observed"]


def fuzz(*args, timeout=600, **env):
    return subprocess.run(["/usr/bin/python3", str(SCRIPT), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "FCS_BUILD_DIR": str(BUILD), **env})


@pytest.mark.parametrize("mode,kind,seed", [("desync", "desync", 1), ("crash", "crash", 1)])
def test_the_fuzzer_finds_minimises_and_writes_the_planted_bug(mode, kind, seed, tmp_path):
    out = tmp_path / "out"
    # The first 100 replies of the seed, however fast the machine runs them.
    p = fuzz("--proxy", f"standin:{mode}", "--seconds", 300, "--max-replies", 100,
             "--seed", seed, "--batch", 25, "--minimise-calls", 30, "--out", out)
    assert p.returncode == 1, p.stderr
    assert "replies/s" in p.stderr, "no progress line"
    summary = json.loads((out / "summary.json").read_text())
    found = [f for f in summary["findings"] if f["kind"] == kind]
    assert found, summary
    f = found[0]
    assert f["minimised"] and f["lines"] <= 3 and f["bytes"] <= f["bytes_before"]
    case = pathlib.Path(f["file"]).read_text()
    assert case.startswith("# written by scripts/proxy_fuzz.py\n")
    assert "level: TRUST\nadvisory: " in case
    cid = next(ln[4:] for ln in case.splitlines() if ln.startswith("id: "))
    one = tmp_path / "one"
    one.mkdir()
    (one / "finding.case").write_text(case)
    planted = standin_run(one, mode, tmp_path)[cid]
    assert planted["verdict"] != "pass" and outcome.judge(planted).kind == kind
    assert standin_run(one, "plain", tmp_path)[cid]["verdict"] == "pass"
    assert summary["replies"] == 100 and summary["replies_per_second"] > 0


def test_the_plain_standin_gives_no_finding(tmp_path):
    p = fuzz("--proxy", "standin:plain", "--seconds", 8, "--batch", 25, "--out",
             tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert p.returncode == 0, summary
    assert summary["findings"] == [] and summary["flaky"] == []
    assert summary["corpus"] >= 2 and len(list((tmp_path / "out" / "corpus").iterdir())) \
        == summary["corpus"]


def test_same_seed_same_run(tmp_path):
    runs = []
    for n in (1, 2):
        out = tmp_path / f"run{n}"
        p = fuzz("--proxy", "standin:plain", "--seconds", 300, "--max-replies", 40,
                 "--batch", 20, "--seed", 9, "--out", out)
        assert p.returncode == 0, p.stderr
        summary = json.loads((out / "summary.json").read_text())
        corpus = sorted((c.name, c.read_text()) for c in (out / "corpus").iterdir())
        runs.append((summary["replies"], summary["replies_sha256"], corpus))
    assert runs[0] == runs[1]
    assert runs[0][0] == 40


def test_usage_errors_are_one_line_and_exit_2(tmp_path):
    p = fuzz("--proxy", "gopher", "--seconds", 1, "--out", tmp_path / "o")
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0
    assert "unknown proxy 'gopher' (known: apache2" in p.stderr
    assert not (tmp_path / "o").exists()
    p = fuzz("--proxy", "standin:plain", "--seconds", 0)
    assert p.returncode == 2 and "--seconds must be at least 1, not 0" in p.stderr
    p = fuzz("--proxy", "standin:odd", "--seconds", 1, "--out", tmp_path / "o")
    assert p.returncode == 2 and "unknown stand-in mode 'odd'" in p.stderr


def test_an_out_directory_it_did_not_write_is_left_alone(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep\n")
    p = fuzz("--proxy", "standin:plain", "--seconds", 1, "--out", mine)
    assert p.returncode == 2
    assert f"{mine} exists and is not a scripts/proxy_fuzz.py output directory" in p.stderr
    assert sorted(x.name for x in mine.iterdir()) == ["notes.txt"]


def test_its_own_out_directory_is_reused_but_not_a_foreign_file_in_it(tmp_path):
    out = tmp_path / "out"
    args = ("--proxy", "standin:plain", "--seconds", 60, "--max-replies", 10,
            "--batch", 10, "--out", out)
    assert fuzz(*args).returncode == 0
    assert fuzz(*args).returncode == 0
    (out / "corpus" / "mine.case").write_text("id: x\n")
    p = fuzz(*args)
    assert p.returncode == 2 and "mine.case was not written by" in p.stderr
    assert (out / "corpus" / "mine.case").read_text() == "id: x\n"


def test_a_proxy_that_would_not_start_exits_3(tmp_path):
    # A build whose fcgispec says what fcgispec says when the proxy it
    # spawned never takes connections, and exits 3 as it does.
    fake = tmp_path / "build" / "conformance"
    fake.mkdir(parents=True)
    (fake / "fcgispec").write_text("#!/bin/sh\necho 'fcgispec: cannot connect to the "
                                   "proxy: refused' >&2\nexit 3\n")
    (fake / "fcgispec").chmod(0o755)
    p = fuzz("--proxy", "standin:plain", "--seconds", 5, "--out", tmp_path / "o",
             FCS_BUILD_DIR=str(tmp_path / "build"))
    assert p.returncode == 3, p.stderr
    assert p.stderr == ("proxy_fuzz.py: standin:plain would not start: fcgispec: "
                        "cannot connect to the proxy: refused\n")


def test_term_leaves_nothing_running(tmp_path):
    tmp = tmp_path / "t"
    tmp.mkdir()
    proc = subprocess.Popen(["/usr/bin/python3", str(SCRIPT), "--proxy", "standin:plain",
                             "--seconds", "120", "--batch", "200", "--out", str(tmp_path / "o")],
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "FCS_BUILD_DIR": str(BUILD), "TMPDIR": str(tmp)})
    # Inside the first batch the stand-in runs (the machine may be busy:
    # wait for it rather than a fixed time).
    assert until(lambda: running_in(tmp), 60)
    proc.terminate()
    assert proc.wait(timeout=60) == 143
    proc.stderr.close()
    until(lambda: not running_in(tmp), 10)
    assert running_in(tmp) == [] and list(tmp.iterdir()) == []


def running_in(tmp):
    """The command lines of the processes that name tmp."""
    return [cmdline(p) for p in pathlib.Path("/proc").glob("[0-9]*")
            if str(tmp) in cmdline(p)]


def until(check, seconds):
    """Polls check until it holds or seconds pass; its last value."""
    deadline = time.monotonic() + seconds
    while not (ok := check()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return ok


def cmdline(proc_dir):
    try:
        return (proc_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.skipif(not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"),
                    reason="nginx is not installed (Debian: nginx)")
def test_a_short_run_against_nginx(tmp_path):
    p = fuzz("--proxy", "nginx", "--seconds", 8, "--max-replies", 50, "--minimise-calls",
             0, "--out", tmp_path / "out", timeout=900)
    assert p.returncode in (0, 1), p.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["proxy"] == "nginx" and summary["replies"] == 50
    assert summary["replies_per_second"] > 1
