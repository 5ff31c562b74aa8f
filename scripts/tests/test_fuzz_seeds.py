import hashlib
import stat

import pytest

from fuzz_helpers import BUILD, ROOT, catalog_ids

from fcgispec_tools.fuzz import seeds

FCGISPEC = BUILD / "conformance" / "fcgispec"


@pytest.fixture(scope="module")
def streams():
    if not FCGISPEC.exists():
        pytest.fail(f"{FCGISPEC} is missing: build the default preset first")
    return seeds.streams(FCGISPEC)


def test_seed_only_cases_stay_out_of_the_scored_catalog():
    seed_only = catalog_ids(seeds.FUZZ_CASES)
    assert seed_only and all(i.startswith("seed/") for i in seed_only)
    assert not seed_only & catalog_ids(ROOT / "seeds" / "cases")


def test_every_seed_only_case_gives_a_stream(streams):
    app, client, params = streams
    cases = seeds.FUZZ_CASES
    def count(folder):
        return len(list((cases / folder).glob("*.case")))
    assert len([k for k in app if k.startswith("seed_")]) == count("app") + count("params")
    assert len(client) == count("reply") + count("runner")
    assert len(params) == count("params")
    # and every case of the scored catalog a web server's bytes
    assert len([k for k in app if k.startswith("case-")]) > 300


def test_get_values_query_is_the_spec_example(streams):
    rec = streams[0]["seed_app_get-values"]
    assert rec[:8] == bytes.fromhex("0109000000300000")
    assert rec[8:24] == b"\x0e\x00FCGI_MAX_CONNS"
    assert len(rec) == 8 + 48


def test_name_value_length_forms(streams):
    params = streams[2]
    assert params["seed_params_value-127"][:2] == b"\x7f\x7f"
    assert params["seed_params_value-128"][:8] == b"\x80\x00\x00\x80" * 2
    assert params["seed_params_long-form-127"][:8] == b"\x80\x00\x00\x7f\x80\x00\x00\x01"
    # the 2^31-1 lengths of CVE-2025-23016's shape
    assert params["seed_params_lengths-2-31"] == b"\xff" * 8 + b"A" * 8
    assert params["seed_params_nothing"] == b""


def test_replies_are_what_the_cases_script(streams):
    client = streams[1]
    # STDOUT "A", its end, STDOUT "B" after it, END_REQUEST complete
    assert client["seed_reply_stdout-after-end"] == bytes.fromhex(
        "0106000100010000" "41" "0106000100000000" "0106000100010000" "42"
        "0103000100080000" "0000000000000000")
    assert client["seed_reply_end-status-4"][8:16] == bytes.fromhex("0000000004000000")


def test_inputs_follow_each_target_format(streams):
    c = seeds.corpora(*streams)
    assert all(i[0] < 4 for i in c["decode"])
    assert all(i[0] < 2 for i in c["reference"])
    for i in c["chunking"]:
        nsteps = i[0] >> 2
        assert len(i) >= 1 + nsteps
    for i in c["params"]:
        assert len(i) >= 1 + (i[0] & 0x3F)
    assert any(b"\xff\xff\xff\xff\xff\xff\xff\xff" in i for i in c["params"])
    assert len(c["multiplex"]) == 4


def test_files_are_named_by_content_and_rewriting_adds_nothing(tmp_path):
    corpus = {"decode": [b"\x00abc", b"\x01abc"]}
    assert seeds.write_corpora(tmp_path, corpus) == 2
    for p in (tmp_path / "decode").iterdir():
        assert p.name == hashlib.sha1(p.read_bytes()).hexdigest()
    assert seeds.write_corpora(tmp_path, corpus) == 0


def test_exports_name_the_cases_directory_and_selection(tmp_path):
    runner = tmp_path / "fake-runner"
    runner.write_text('#!/bin/sh\n[ "$1 $2 $3" = "--cases DIR --export-params" ] || exit 2\n'
                      '[ "$5" = seed/params ] || exit 2\n'
                      'printf "\\001\\011" > "$4/seed_a.bin"\nprintf "xy" > "$4/b.bin"\n')
    runner.chmod(runner.stat().st_mode | stat.S_IEXEC)
    got = seeds.exported(runner, "--export-params", "DIR", ["seed/params"])
    assert got == {"seed_a": b"\x01\x09", "b": b"xy"}


def test_main_writes_every_target_reproducibly(tmp_path):
    if not FCGISPEC.exists():
        pytest.fail(f"{FCGISPEC} is missing: build the default preset first")
    assert seeds.main(["--out", str(tmp_path), "--conformance", str(FCGISPEC)]) == 0
    first = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert {p.name for p in tmp_path.iterdir()} == {
        "decode", "chunking", "roundtrip", "params", "reference", "libfcgi",
        "responder", "multiplex"}
    # a second run writes the same files and nothing new
    assert seeds.main(["--out", str(tmp_path), "--conformance", str(FCGISPEC)]) == 0
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == first


def test_main_needs_the_runner(tmp_path, capsys):
    assert seeds.main(["--out", str(tmp_path), "--conformance", str(tmp_path / "none")]) == 2
    assert "no conformance runner" in capsys.readouterr().err
