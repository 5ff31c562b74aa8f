import subprocess

import pytest

from fuzz_helpers import BUILD, ROOT

from fcgispec_tools.fuzz import triage

ORACLE_OUTPUT = """FUZZ ORACLE FAILED: error BODY_TOO_SHORT at offset 8, after the 8 bytes consumed
  check (ev.error.offset < (uint64_t)(p - in)) at /src/fuzz/support/trace.c:166
replay: failing input: x
"""

ASAN_OUTPUT = """=================================================================
==123==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602 at pc 0x1
READ of size 1 at 0x602 thread T0
    #0 0x4f in __asan_memcpy
    #1 0x50 in fcs_nv_next /src/codec/src/nv.c:30:5
    #2 0x51 in one_shot /src/fuzz/targets/params.c:40:3
    #3 0x52 in LLVMFuzzerTestOneInput /src/fuzz/targets/params.c:200:3
    #4 0x53 in main /src/fuzz/drivers/replay.c:10:3
"""


def test_oracle_failures_are_keyed_by_their_check():
    f = triage.classify(ORACLE_OUTPUT)
    assert f.signature == "oracle:trace.c:166"
    assert f.message.startswith("error BODY_TOO_SHORT")


def test_sanitizer_reports_are_keyed_by_kind_and_top_frames():
    f = triage.classify(ASAN_OUTPUT)
    assert f.signature == "sanitizer:heap-buffer-overflow@fcs_nv_next/one_shot"


def test_output_without_a_report_is_not_classified():
    assert triage.classify("replayed 3 inputs\n") is None


def test_minimise_keeps_only_what_the_failure_needs():
    def fails(c):
        return b"X" in c and b"Y" in c and c.index(b"X") < c.index(b"Y")
    assert triage.minimise(b"aaaaXbbbbbbbYcc", fails) == b"XY"


def test_minimise_respects_its_budget():
    calls = []

    def fails(c):
        calls.append(c)
        return True
    triage.minimise(bytes(range(1, 200)), fails, budget=10)
    assert len(calls) <= 10


@pytest.fixture(scope="module")
def planted():
    """The decode target linked against a codec with a planted error-offset
    bug, and the real one; both built by ctest's build."""
    subprocess.run(["cmake", "--build", str(BUILD), "--target",
                    "fuzz_planted_error_offset", "fuzz_replay_decode"],
                   check=True, stdout=subprocess.DEVNULL)
    return (BUILD / "fuzz" / "fuzz_planted_error_offset",
            BUILD / "fuzz" / "fuzz_replay_decode")


def test_triage_deduplicates_minimises_and_files(tmp_path, planted):
    bad, good = planted
    crashes = []
    for i, tail in enumerate((b"", b"\x01\x05\x00\x01\x00\x00\x00\x00")):
        p = tmp_path / f"crash-{i}"
        # strict mode, BEGIN_REQUEST with a 4-byte body: BODY_TOO_SHORT
        p.write_bytes(b"\x00" + bytes.fromhex("0101000100040000") + tail)
        crashes.append(p)
    passing = tmp_path / "passes"
    passing.write_bytes(b"\x00")
    filed = triage.triage("decode", bad, crashes + [passing],
                               regression_dir=tmp_path / "regression", log=lambda _: None)
    assert len(filed) == 1 and list(filed)[0].startswith("oracle:feedkit.c:")
    (path,) = filed.values()
    assert len(path.read_bytes()) <= 9
    assert triage.run_input(bad, path.read_bytes()) is not None
    assert triage.run_input(good, path.read_bytes()) is None
    note = path.with_name(path.name + ".txt").read_text()
    assert "Signature: oracle:feedkit.c:" in note and str(ROOT) not in note
