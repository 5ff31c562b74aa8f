"""Any app's echo: a conforming backend gets the same verdicts whatever
format its echo page is written in. The runner learns the format from its
probe and compares decoded params and bytes, never raw text. Apps in three
languages: the reference responder (C) in every format, a Perl app on
Net::Async::FastCGI (lines, json, printenv) and PHP on php-fpm (lines,
json, var_dump, print_r)."""
import json
import os
import subprocess

import pytest

from conftest import BUILD, ROOT, need, run_fcgispec, RESPONDER

FORMATS = ["lines", "json", "printenv", "php-var-dump", "php-print-r"]
NO_DATA = {"printenv", "php-print-r"}  # pages with no place for DATA


ROLES = {}


def verdict_map(report):
    data = json.loads(report.read_text())
    ROLES.update({c["id"]: c["role"] for c in data["cases"]})
    return data["backend"]["echo"], {
        c["id"]: c["verdict"] for c in data["cases"]}, data["summary"]


def responder_run(tmp_path, fmt):
    report = tmp_path / f"{fmt}.json"
    sock = tmp_path / f"{fmt}.sock"
    # Echo the whole body: only the lines format shows a total and a CRC
    # beside a body cut at --echo-bytes.
    run_fcgispec("--jobs", "4", "--json", str(report),
                 "--target", f"unix:{sock}", "--spawn",
                 f"exec {need(RESPONDER)} --echo-format {fmt} "
                 f"--echo-bytes 1048576 --listen unix:{sock}")
    return verdict_map(report)


@pytest.fixture(scope="module")
def reference_lines(tmp_path_factory):
    return responder_run(tmp_path_factory.mktemp("lines"), "lines")


@pytest.mark.parametrize("fmt", FORMATS[1:])
def test_reference_in_every_format_gets_the_same_verdicts(
        tmp_path, fmt, reference_lines):
    _, want, want_summary = reference_lines
    echo, got, summary = responder_run(tmp_path, fmt)
    assert echo == fmt
    if fmt in NO_DATA:
        # A Filter's DATA has no place in these pages: where lines checks
        # it, they cannot, and say so; nothing else may differ.
        for i in want:
            if ROLES[i] == "filter" and (want[i], got[i]) == (
                    "pass", "unsupported"):
                got[i] = "pass"
    assert got == want, {i: (want[i], got[i]) for i in want
                         if got.get(i) != want[i]}
    if fmt not in NO_DATA:
        # Every reply compared in lines is compared in fmt too.
        assert summary["content_checked"] == want_summary["content_checked"]


def backend_run(tmp_path, backend, fmt):
    report = tmp_path / f"{backend}-{fmt}.json"
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "backends" / "run.sh"), backend,
         "--color", "never", "--json", str(report)],
        capture_output=True, text=True, errors="replace", timeout=300,
        env={**os.environ, "FCS_BUILD_DIR": str(BUILD),
             "FCS_ECHO_FORMAT": fmt})
    return verdict_map(report)


@pytest.mark.parametrize("backend,fmt", [
    ("net-async-fastcgi", "json"), ("net-async-fastcgi", "printenv"),
    ("php-fpm", "json"), ("php-fpm", "php-var-dump"),
    ("php-fpm", "php-print-r")])
def test_real_backend_in_another_format_gets_the_same_verdicts(
        tmp_path, backend, fmt):
    _, want, _ = backend_run(tmp_path, backend, "lines")
    echo, got, _ = backend_run(tmp_path, backend, fmt)
    assert echo == fmt
    assert got == want, {i: (want[i], got.get(i)) for i in want
                         if got.get(i) != want[i]}
