import hashlib
import stat

from fcgispec_tools.fuzz import seeds


def test_get_values_query_is_the_spec_example():
    rec = seeds.record(seeds.GET_VALUES, 0, seeds.QUERY)
    assert rec[:8] == bytes.fromhex("0109000000300000")
    assert rec[8:24] == b"\x0e\x00FCGI_MAX_CONNS"
    assert len(rec) == 8 + 48


def test_name_value_length_forms():
    assert seeds.nv_length(127) == b"\x7f"
    assert seeds.nv_length(128) == b"\x80\x00\x00\x80"
    assert seeds.nv_length(127, long_form=True) == b"\x80\x00\x00\x7f"
    assert seeds.nv_length(2**31 - 1) == b"\xff\xff\xff\xff"


def test_stream_splits_and_terminates():
    s = seeds.stream(seeds.STDIN, 1, b"abcde", piece=2)
    # three data records of 2, 2, 1 bytes, then the empty one
    assert len(s) == 3 * 8 + 5 + 8
    assert s[-8:] == bytes.fromhex("0105000100000000")


def test_inputs_follow_each_target_format():
    c = seeds.corpora(seeds.app_streams(), seeds.client_streams())
    assert all(i[0] < 4 for i in c["decode"])
    assert all(i[0] < 2 for i in c["reference"])
    for i in c["chunking"]:
        nsteps = i[0] >> 2
        assert len(i) >= 1 + nsteps
    for i in c["params"]:
        assert len(i) >= 1 + (i[0] & 0x3F)
    # the 2^31-1 lengths of CVE-2025-23016's shape are among the params seeds
    assert any(b"\xff\xff\xff\xff\xff\xff\xff\xff" in i for i in c["params"])


def test_files_are_named_by_content_and_rewriting_adds_nothing(tmp_path):
    corpus = {"decode": [b"\x00abc", b"\x01abc"]}
    assert seeds.write_corpora(tmp_path, corpus) == 2
    for p in (tmp_path / "decode").iterdir():
        assert p.name == hashlib.sha1(p.read_bytes()).hexdigest()
    assert seeds.write_corpora(tmp_path, corpus) == 0


def test_conformance_case_bytes_are_picked_up(tmp_path):
    runner = tmp_path / "fake-runner"
    runner.write_text('#!/bin/sh\n[ "$1" = --export-seeds ] || exit 2\n'
                      'printf "\\001\\011" > "$2/3.3_a.bin"\nprintf "xy" > "$2/b.bin"\n')
    runner.chmod(runner.stat().st_mode | stat.S_IEXEC)
    got = seeds.conformance_streams(runner)
    assert got == {"case-3.3_a": b"\x01\x09", "case-b": b"xy"}
    assert seeds.conformance_streams(tmp_path / "missing") == {}


def test_main_writes_every_target(tmp_path):
    assert seeds.main(["--out", str(tmp_path), "--conformance", str(tmp_path / "none")]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {
        "decode", "chunking", "roundtrip", "params", "reference", "libfcgi",
        "responder", "multiplex"}
