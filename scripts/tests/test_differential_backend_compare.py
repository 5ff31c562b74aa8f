"""scripts/fcgispec_tools/differential/compare.py, ddmin.py, stream.py and ci.py on their
own, with hand-written views, synthetic predicates and a register made in a
temporary directory: each class, the consensus tie rule, and the quirks
ignored exactly (no more: a normaliser that drops every added param, or
every param of a name some backend adds, fails here)."""
import json
import subprocess
import sys

import pytest

from fuzz_helpers import BUILD, ROOT

from fcgispec_tools.differential import casefile, ci, compare, ddmin, stream

SCRIPT = ROOT / "scripts" / "differential.py"
BASE = [["REQUEST_METHOD", "GET"], ["SCRIPT_NAME", "/x"], ["HTTP_HOST", "a"]]


def view(params=BASE, stdin="", outcome="answered", rid=1, role=1, shown=1, status=0,
         replies=None):
    if replies is None:
        replies = [{"id": rid, "protocol_status": status, "params": params, "stdin": stdin,
                    "role": role, "shown_id": shown}]
    return {"outcome": outcome, "replies": replies}


def sent(params=BASE, role=1, stdin=""):
    return {1: {"role": role, "params": params, "stdin": stdin}}


def keys(views, quirks=None, s=None):
    return compare.classify(views, quirks or {}, sent=s if s is not None else sent()).keys


def test_all_equal_gives_one_group_and_no_key():
    c = compare.classify({"reference": view(), "a": view(), "b": view()}, {}, sent=sent())
    assert c.groups == [["a", "b", "reference"]] and c.keys == {}


@pytest.mark.parametrize("odd, cls", [
    (view(outcome="closed", replies=[]), "accept-reject"),
    (view(status=3), "accept-reject"),
    (view(params=BASE[:2]), "param-set"),
    (view(params=BASE + [["X_EXTRA", "1"]]), "param-set"),
    (view(params=BASE[:2] + [["HTTP_HOST", "b"]]), "value-bytes"),
    (view(stdin="abc"), "body-bytes"),
    (view(shown=2), "request-mixing"),
    (view(outcome="crashed", replies=[]), "crash"),
    (view(outcome="hung", replies=[]), "hang"),
])
def test_each_class_is_named_for_the_odd_one_out(odd, cls):
    got = keys({"reference": view(), "a": view(), "odd": odd})
    assert got == {"odd": [f"backend/odd/{cls}"]}


def test_a_crash_is_only_a_crash_and_classes_come_in_contract_order():
    got = keys({"reference": view(), "a": view(),
                "odd": view(params=BASE[:2] + [["HTTP_HOST", "b"]], stdin="zz", status=3)})
    assert got["odd"] == ["backend/odd/accept-reject", "backend/odd/value-bytes",
                          "backend/odd/body-bytes"]
    assert keys({"reference": view(), "a": view(), "odd": view(outcome="crashed")}) == \
        {"odd": ["backend/odd/crash"]}


def test_a_pair_of_another_request_is_request_mixing():
    two = [{"id": 1, "params": BASE, "stdin": "one"},
           {"id": 2, "params": [["REQUEST_METHOD", "POST"]], "stdin": "two"}]
    mixed = [{"id": 1, "params": BASE, "stdin": "two"},
             {"id": 2, "params": [["REQUEST_METHOD", "POST"]], "stdin": "two"}]
    got = keys({"reference": view(replies=two), "a": view(replies=two),
                "odd": view(replies=mixed)}, s={})
    assert got == {"odd": ["backend/odd/body-bytes", "backend/odd/request-mixing"]}


def test_consensus_tie_goes_to_reference_then_to_the_smallest_first_name():
    c = compare.classify({"reference": view(), "zz": view(), "a": view(stdin="x"),
                          "b": view(stdin="x")}, {}, sent=sent())
    assert c.consensus == ["reference", "zz"]
    assert sorted(c.keys) == ["a", "b"]
    c = compare.classify({"c": view(), "d": view(), "a": view(stdin="x"),
                          "b": view(stdin="x")}, {}, sent=sent(), prefer=None)
    assert c.consensus == ["a", "b"]
    assert c.groups[0] == ["a", "b"]


def test_the_largest_group_wins_over_reference():
    c = compare.classify({"reference": view(stdin="x"), "a": view(), "b": view()}, {},
                         sent=sent())
    assert c.consensus == ["a", "b"]
    assert c.keys == {"reference": ["backend/reference/body-bytes"]}


ADDS = {"php": {"added": ["PHP_SELF"]}}


def test_an_added_name_is_ignored_for_the_backend_that_lists_it_only():
    added = view(params=BASE + [["PHP_SELF", "/x"]])
    assert keys({"reference": view(), "a": view(), "php": added}, ADDS) == {}
    # the same name added by a backend whose quirks do not list it
    assert keys({"reference": view(), "a": view(), "other": added}, ADDS) == \
        {"other": ["backend/other/param-set"]}


def test_added_quirk_ignores_only_the_listed_names():
    """The planted mistake this guards against: a normaliser that drops
    every param the request did not send, instead of the listed ones."""
    extra = view(params=BASE + [["PHP_SELF", "/x"], ["NOT_LISTED", "1"]])
    assert keys({"reference": view(), "a": view(), "php": extra}, ADDS) == \
        {"php": ["backend/php/param-set"]}


def test_an_added_name_the_request_sent_is_still_compared():
    s = sent(BASE + [["PHP_SELF", "/sent"]])
    ok = view(params=BASE + [["PHP_SELF", "/sent"]])
    changed = view(params=BASE + [["PHP_SELF", "/other"]])
    assert keys({"reference": ok, "a": ok, "php": changed}, ADDS, s) == \
        {"php": ["backend/php/value-bytes"]}


def test_a_dropped_name_is_taken_out_of_both_views_only_for_that_backend():
    q = {"go": {"dropped": ["HTTP_HOST"]}}
    assert keys({"reference": view(), "a": view(), "go": view(params=BASE[:2])}, q) == {}
    # a backend without that quirk that loses the name still differs
    assert keys({"reference": view(), "a": view(), "b": view(params=BASE[:2])}, q) == \
        {"b": ["backend/b/param-set"]}


def test_a_rewritten_value_is_ignored_but_not_the_name():
    q = {"go": {"rewritten": ["SCRIPT_NAME"]}}
    rewritten = view(params=[BASE[0], ["SCRIPT_NAME", ""], BASE[2]])
    assert keys({"reference": view(), "a": view(), "go": rewritten}, q) == {}
    assert keys({"reference": view(), "a": view(), "go": view(params=BASE[1:])}, q) == \
        {"go": ["backend/go/param-set"]}


def test_duplicates_shown_by_each_backend_s_own_rule_agree():
    dup = BASE + [["X", "1"], ["X", "2"]]
    q = {"reference": {"duplicates": "both"}, "first": {"duplicates": "first"},
         "last": {"duplicates": "last"}, "joined": {"duplicates": "joined:, "}}
    views = {"reference": view(params=dup), "first": view(params=BASE + [["X", "1"]]),
             "last": view(params=BASE + [["X", "2"]]),
             "joined": view(params=BASE + [["X", "1, 2"]])}
    assert keys(views, q, sent(dup)) == {}
    # last where its rule says first: a real difference
    views["first"] = view(params=BASE + [["X", "2"]])
    assert keys(views, q, sent(dup)) == {"first": ["backend/first/value-bytes"]}


def test_a_role_one_does_not_serve_is_not_compared_for_it():
    q = {"resp": {"roles": [1]}}
    s = sent(role=3)
    got = keys({"reference": view(role=3), "a": view(role=3),
                "resp": view(outcome="rejected", status=3, role=None)}, q, s)
    assert got == {}
    got = keys({"reference": view(role=3), "a": view(role=3),
                "b": view(outcome="rejected", status=3, role=None)}, q, s)
    assert got == {"b": ["backend/b/accept-reject", "backend/b/request-mixing"]}


def test_stdin_or_id_not_shown_hides_only_that_field():
    q = {"quiet": {"stdin_shown": False, "id_shown": False}}
    assert keys({"reference": view(stdin="b"), "a": view(stdin="b"),
                 "quiet": view(stdin=None, shown=None)}, q) == {}
    assert keys({"reference": view(stdin="b"), "a": view(stdin="b"),
                 "quiet": view(stdin=None, shown=None, params=BASE[:2])}, q) == \
        {"quiet": ["backend/quiet/param-set"]}


def undecoded(**kw):
    v = view(**kw)
    v["replies"][0].update(decoded=False, params=[["<page not decoded>", ""]],
                           stdin="<page not decoded>", role=None, shown_id=None)
    return v


def test_an_undecoded_page_is_compared_on_outcome_and_status_only():
    # No params, body, role or id to compare: it agrees with a decoded page
    # of the same status, on either side.
    c = compare.classify({"reference": view(), "a": view(), "odd": undecoded()}, {}, sent=sent())
    assert c.keys == {} and c.groups == [["a", "odd", "reference"]]
    assert keys({"reference": undecoded(), "a": undecoded(), "odd": view(stdin="x")}) == {}


@pytest.mark.parametrize("odd", [undecoded(status=3), undecoded(outcome="rejected")])
def test_an_undecoded_page_of_another_status_or_outcome_is_accept_reject_only(odd):
    assert keys({"reference": view(), "a": view(), "odd": odd}) == \
        {"odd": ["backend/odd/accept-reject"]}


def test_a_flat_view_reads_as_one_reply():
    flat = {"outcome": "answered", "params": BASE, "stdin": "", "role": 1, "id": 1}
    assert keys({"reference": view(), "a": flat}, s={}) == {}


def test_stream_records_and_sent_requests_read_the_framing():
    data = (bytes([1, 1, 0, 1, 0, 8, 0, 0]) + bytes([0, 1, 1, 0, 0, 0, 0, 0])
            + bytes([1, 4, 0, 1, 0, 7, 1, 0]) + bytes([1, 4]) + b"Xab\\\x01" + b"\0"
            + bytes([1, 4, 0, 1, 0, 0, 0, 0]) + bytes([1, 5, 0, 1, 0, 2, 0, 0]) + b"hi"
            + bytes([1, 5, 0, 1]))
    assert [(a, b, t, i) for a, b, t, i in stream.records(data)] == [
        (0, 16, 1, 1), (16, 32, 4, 1), (32, 40, 4, 1), (40, 50, 5, 1), (50, 54, None, None)]
    assert stream.sent_requests(data) == {
        1: {"role": 1, "params": [["X", "ab\\x5c\\x01"]], "stdin": "hi"}}


def test_ddmin_keeps_exactly_the_elements_that_matter():
    calls = []

    def fails(items):
        calls.append(items)
        return 3 in items and 11 in items
    assert ddmin.ddmin(list(range(16)), fails) == [3, 11]
    assert len(calls) < 60


def test_ddmin_respects_its_call_budget():
    calls = []
    ddmin.ddmin(list(range(64)), lambda items: calls.append(1) or 5 in items, calls=3)
    assert len(calls) <= 3 * 64


def test_minimise_stream_removes_whole_records_then_bytes():
    rec = bytes([1, 11, 0, 0, 0, 2, 0, 0]) + b"zz"
    keep = bytes([1, 9, 0, 0, 0, 3, 0, 0]) + b"KEY"
    data = rec * 3 + keep + rec * 2
    tried = []

    def first_failing(cands):
        tried.extend(cands)
        return next((i for i, c in enumerate(cands) if b"KEY" in c), None)
    small = ddmin.minimise_stream(data, first_failing)
    assert small == b"KEY"
    # every candidate is the stream with byte ranges removed, in order
    assert all(_subsequence(c, data) for c in tried)


def _subsequence(small, big):
    it = iter(big)
    return all(b in it for b in small)


def test_case_file_round_trips_through_the_catalog_parser(tmp_path):
    data = bytes(range(70))
    made = casefile.write_case("backend/node-fastcgi/crash", data,
                               ["node-fastcgi", "reference", "php-fpm"], tmp_path)
    path = tmp_path / "node-fastcgi-crash.case"
    assert made["case"] == str(path)
    assert made["repro"] == ("/usr/bin/python3 scripts/differential.py repro "
                             f"{path} --backends node-fastcgi,reference,php-fpm")
    listed = subprocess.run([str(BUILD / "conformance" / "fcgispec"), "--cases", str(tmp_path),
                             "--list"], capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert "differential/backend/node-fastcgi-crash" in listed.stdout and "INFO" in listed.stdout
    assert casefile.case_bytes(path) == data


def _register(root, clusters, timing="no"):
    pages = root / "docs" / "findings"
    pages.mkdir(parents=True)
    (pages / "F001-node-dies.md").write_text(
        "# F001: node dies\n\n| field | value |\n| --- | --- |\n"
        "| implementation | node-fastcgi 1.3.3 |\n| side | backend |\n"
        "| risk | low: it restarts |\n| status | new |\n| repro | `true` |\n"
        f"| clusters | {clusters} |\n| timing | {timing} |\n\n## What happens\n")
    return pages


def _results(tmp_path, *keys):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"clusters": [{"key": k} for k in keys]}))
    return path


def test_ci_names_each_cluster_no_finding_lists(tmp_path):
    pages = _register(tmp_path, "`backend/node-fastcgi/crash`")
    results = _results(tmp_path, "backend/node-fastcgi/crash", "backend/go/param-set")
    assert ci.unlisted(json.loads(results.read_text()), pages) == ["backend/go/param-set"]
    r = subprocess.run([sys.executable, str(SCRIPT), "ci", "--results", str(results),
                        "--register", str(pages)], capture_output=True, text=True)
    assert r.returncode == 1
    assert "backend/go/param-set" in r.stdout and "node-fastcgi/crash" not in r.stdout


def test_ci_passes_when_every_cluster_is_listed(tmp_path):
    pages = _register(tmp_path, "`backend/node-fastcgi/crash`, `backend/go/param-set`", "yes")
    results = _results(tmp_path, "backend/node-fastcgi/crash", "backend/go/param-set")
    r = subprocess.run([sys.executable, str(SCRIPT), "ci", "--results", str(results),
                        "--register", str(pages)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("args, message", [
    (["backends", "--count", "0", "--out", "x"], "must be at least 1"),
    (["backends", "--count", "5", "--out", "x", "--backends", "nosuch"],
     "unknown backend 'nosuch'"),
    (["ci", "--results", "/nonexistent.json"], "cannot read --results"),
    (["repro", "nonexistent.case"], "no case file"),
])
def test_usage_errors_are_one_line_and_exit_2(args, message):
    r = subprocess.run([sys.executable, str(SCRIPT)] + args, capture_output=True, text=True)
    assert r.returncode == 2
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_the_headers_probe_teaches_dropped_http_names():
    from fcgispec_tools.differential import probe
    plain = [["REQUEST_METHOD", "GET"], ["HTTP_HOST", "a"]]
    headers = plain + [["HTTP_COOKIE", "a=1"], ["HTTP_X_NUL", "n"]]

    def probes(shown_headers):
        return [("plain-get", sent(plain), view(plain)),
                ("headers", sent(headers), view(shown_headers))]
    assert probe.learn(probes(plain))["dropped"] == ["HTTP_COOKIE", "HTTP_X_NUL"]
    assert probe.learn(probes(headers))["dropped"] == []
