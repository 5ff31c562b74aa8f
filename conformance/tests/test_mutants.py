"""Each mutant backend breaks one rule; the case written for that rule must
catch it, and the only cases that stop passing are the ones that depend on
the broken rule (listed here, reviewed by hand). Generated cases
(scripts/gen_cases.py) are named by globs over their ids."""
import fnmatch
import json

import pytest

from conftest import mutant_spawn_args, run_fcgispec

from fcgispec_tools import gen_cases

GENERATED_IDS = {c.id for c in gen_cases.all_cases()}


def generated(*patterns):
    return {i for i in GENERATED_IDS
            if any(fnmatch.fnmatchcase(i, p) for p in patterns)}


GET_VALUES = generated("4.1/foreign/get-values/*") | {
    "4.1/get-values/reply",
    "4.1/get-values/unknown-name-omitted", "4.1/get-values/only-asked-names",
    "4.1/get-values/empty-query", "4.1/get-values/between-requests",
    "4.1/get-values/inside-request", "3.3/record/coalesced-write",
}
UNKNOWN_TYPE = generated("4.2/foreign/*") | {
    f"4.2/unknown-type/{n}" for n in
    ("type-0", "type-12", "type-32", "type-127", "type-255", "empty-content",
     "odd-content-and-padding", "between-params-records")
}
# A GET_VALUES first on the connection, then a kept request and a last one.
SEQUENCE = "3.5/keep-conn/values-kept-request-then-close"
KEPT_CONNECTION = {
    "3.3/request-id/reuse-after-end", "3.5/keep-conn/1-stays-open",
    "3.5/keep-conn/five-in-sequence", SEQUENCE,
    "4.1/get-values/between-requests",
    "5.4/abort/after-end-request", "5.5/end-request/exactly-one",
    "6.1/output/nothing-after-end", "3.3/inactive-id/records-after-end",
    "5.1/begin/undefined-flag-bits-set-keep", "5.4/abort/active-request",
}
# Generated cases that send a request after another was answered: records
# of an ended id, sequences, ABORTs, and a record after the last input
# (which one more request follows).
GENERATED_KEPT = generated(
    "3.3/foreign/ended/*", "3.5/keep-conn/*-requests/*", "5.4/abort-at/*",
    "3.3/padding/*",
    "3.3/foreign/never-begun/*/after-stdin-end",
    "3.3/foreign/never-begun/*/after-data-end",
    "4.*/foreign/*/after-stdin-end", "4.*/foreign/*/after-data-end")
# Generated ABORTs that come once the request's input is complete, so it may
# find the id inactive.
GENERATED_LATE_ABORT = generated(
    "3.3/foreign/*/abort/*", "5.4/abort-at/after-stdin-end",
    "5.4/abort-at/filter/after-data-end", "5.4/abort-at/*after-end-request")

# mutant -> (the case written for its rule, every case expected not to pass)
MUTANTS = {
    "ignore-get-values": ("4.1/get-values/reply", GET_VALUES),
    "no-unknown-type": ("4.2/unknown-type/type-32", UNKNOWN_TYPE),
    "serve-unknown-role": ("5.1/begin/unknown-role-4", {
        "5.1/begin/unknown-role-0", "5.1/begin/unknown-role-4",
        "5.1/begin/unknown-role-65535"}),
    "no-stdout-end": ("6.1/stdout/terminated", {
        "6.1/stdout/terminated", "6.3/authorizer/served"}),
    "swap-id-bytes": ("3.3/request-id/0x0100", {"3.3/request-id/0x0100"}),
    "ignore-keep-conn-0": ("3.5/keep-conn/0-closes", {
        "3.5/keep-conn/0-closes", "3.5/keep-conn/five-in-sequence", SEQUENCE,
        "5.1/begin/undefined-flag-bits-clear-keep"}),
    "close-keep-conn-1": ("3.5/keep-conn/1-stays-open",
                          KEPT_CONNECTION | GENERATED_KEPT),
    "wrong-version": ("3.3/reply/version-1", {"3.3/reply/version-1"}),
    "close-mid-record": ("4.2/unknown-type/type-0", UNKNOWN_TYPE),
    "lie-length": ("4.1/get-values/reply", GET_VALUES | {
        "3.3/reply/aligned", "3.3/reply/request-ids", "3.3/reply/types",
        "3.3/reply/version-1", SEQUENCE}),
    # Not dropped: a second request begun once the first was answered.
    "drop-second-request": ("5.5/multiplex/second-request", {
        "5.5/multiplex/second-request",
        "5.5/multiplex/interleaved-when-advertised"} | generated("5.5/mpx/*") -
        {"5.5/mpx/whole/after-stdin-end", "5.5/mpx/filter/whole/after-data-end"}),
    # Ignored: an ABORT for a request still waiting for input.
    "ignore-abort": ("5.4/abort/active-request", {"5.4/abort/active-request"} |
                     generated("5.4/abort-at/*during-*",
                               "5.4/abort-at/*after-params-end",
                               "5.4/abort-at/filter/after-stdin-end")),
    # Caught only where a case checks for a second END_REQUEST: a second
    # END_REQUEST before the id is reused is ignored, as the spec's
    # inactive-id rule says, so it answers no later request.
    "double-end": ("5.5/end-request/exactly-one", KEPT_CONNECTION - {
        "4.1/get-values/between-requests",
        "5.1/begin/undefined-flag-bits-set-keep",
        "3.3/request-id/reuse-after-end", "3.5/keep-conn/1-stays-open",
        "3.5/keep-conn/five-in-sequence", SEQUENCE} |
        generated("3.3/foreign/ended/*", "5.4/abort-at/*")),
    "early-output": ("6.2/responder/params-read-before-output", {
        "6.2/responder/params-read-before-output",
        "6.4/filter/stdin-read-before-output", "3.3/reply/aligned"}),
    "answer-inactive": ("5.4/abort/inactive-id", {
        "5.4/abort/inactive-id", "5.4/abort/after-end-request",
        "3.3/inactive-id/records-before-begin"} | GENERATED_LATE_ABORT),
    "crash-on-long-form": ("3.4/nv/four-byte-form-for-short-lengths",
                           {"3.4/nv/four-byte-form-for-short-lengths"}),
}

NOT_PASSING = {"fail", "hang", "non-strict", "error"}


def verdicts(tmp_path, rule, *extra):
    report = tmp_path / "report.json"
    code, out, _ = run_fcgispec(*mutant_spawn_args(rule, tmp_path),
                                "--timeout", "1000", "--json", str(report),
                                *extra)
    cases = json.loads(report.read_text())["cases"]
    return code, {c["id"]: c for c in cases}, out


def test_unbroken_mutant_passes_every_case(tmp_path):
    code, cases, out = verdicts(tmp_path, "none", "--jobs", "2")
    assert code == 0, out
    assert not {i for i, c in cases.items() if c["verdict"] in NOT_PASSING}


@pytest.mark.parametrize("rule", sorted(MUTANTS))
def test_mutant_is_caught_by_its_case_only(tmp_path, rule):
    primary, expected = MUTANTS[rule]
    # A crash takes down whatever runs beside it: run those one at a time.
    jobs = "1" if rule.startswith("crash") else "2"
    code, cases, out = verdicts(tmp_path, rule, "--jobs", jobs)
    assert cases[primary]["verdict"] in NOT_PASSING, cases[primary]
    failing = {i for i, c in cases.items() if c["verdict"] in NOT_PASSING}
    assert failing == expected, out
    assert code != 0


def test_crash_is_pinned_to_its_case_and_backend_restarted(tmp_path):
    code, cases, _ = verdicts(tmp_path, "crash-on-long-form", "--jobs", "1")
    case = cases["3.4/nv/four-byte-form-for-short-lengths"]
    assert "did not serve a fresh connection" in case["observed"]
    assert "had died; restarted" in case["observed"]


# Mutants that change the request the app sees: the integrity check names
# the change in whatever case shows it, as a MUST failure.
INTEGRITY = {
    "inject-param": ("3.4/nv/one-pair-per-record",
                     "param X_INJECTED injected"),
    "cut-value": ("3.4/nv/length-127-one-byte",
                  "value of X_V127 cut at byte 63"),
    "lose-body-on-padding": ("3.3/padding/1/empty-params", "body lost"),
    "lose-data": ("3.3/padding/1/filter/empty-params", "data cut at byte"),
}


@pytest.mark.parametrize("rule", sorted(INTEGRITY))
def test_changed_request_is_named_by_the_integrity_check(tmp_path, rule):
    case, finding = INTEGRITY[rule]
    code, cases, out = verdicts(tmp_path, rule, case)
    assert cases[case]["verdict"] == "fail", out
    assert finding in cases[case]["observed"], out
    assert code == 1


def test_lost_body_shows_only_where_the_padding_is(tmp_path):
    # The same mutant leaves requests without a padded empty PARAMS intact.
    code, cases, out = verdicts(tmp_path, "lose-body-on-padding",
                                "3.3/padding/*", "--jobs", "2")
    failing = {i for i, c in cases.items() if c["verdict"] != "pass"}
    assert failing == {f"3.3/padding/{n}/{role}empty-params"
                       for n in (1, 7, 8, 255) for role in ("", "filter/")}
    assert code == 1
