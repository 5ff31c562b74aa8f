"""scripts/gen_cases.py: the checked-in generated cases are exactly what it
writes, --check catches any difference, it never touches files it did not
write, and the bytes its cases send are the requests they describe."""
import re
import shutil
import struct
import subprocess

import pytest

from fuzz_helpers import BUILD, ROOT

from fcgispec_tools import gen_cases

SCRIPT = ROOT / "scripts" / "gen_cases.py"
PARAMS, STDIN = 4, 5


def run(*args):
    return subprocess.run(["/usr/bin/python3", str(SCRIPT), *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def cases(tmp_path):
    """A copy of seeds/cases to change."""
    copy = tmp_path / "cases"
    shutil.copytree(ROOT / "seeds" / "cases", copy)
    return copy


def test_checked_in_files_are_what_the_generator_writes():
    p = run("--check")
    assert p.returncode == 0, p.stderr
    assert "306 generated cases up to date" in p.stdout


def test_check_names_a_planted_change(cases):
    assert run("--check", "--cases", str(cases)).returncode == 0
    victim = cases / "generated" / "3.4" / "params-split" / "14" / "value.case"
    victim.write_text(victim.read_text().replace("expect echo 1", "expect response 1"))
    p = run("--check", "--cases", str(cases))
    assert p.returncode == 1
    assert "seeds/cases/generated/3.4/params-split/14/value.case differs" in p.stderr


def test_check_names_a_missing_and_an_extra_file(cases):
    (cases / "generated" / "3.5" / "keep-conn" / "2-requests" / "same-id.case").unlink()
    p = run("--check", "--cases", str(cases))
    assert p.returncode == 1
    assert "generated/3.5/keep-conn/2-requests/same-id.case is missing" in p.stderr
    assert run("--cases", str(cases)).returncode == 0
    (cases / "generated" / "3.3" / "zz.case").write_text(gen_cases.MARKER + "\n")
    p = run("--check", "--cases", str(cases))
    assert p.returncode == 1
    assert "generated/3.3/zz.case is not generated" in p.stderr


def test_write_removes_its_stale_files_and_restores_changed_ones(cases):
    stale = cases / "generated" / "9.9" / "old" / "x.case"
    stale.parent.mkdir(parents=True)
    stale.write_text(gen_cases.MARKER + "\nid: 9.9/old/x\n")
    changed = cases / "generated" / "5.4" / "abort-at" / "during-stdin.case"
    changed.write_text(gen_cases.MARKER + "\n")
    p = run("--cases", str(cases))
    assert p.returncode == 0, p.stderr
    assert "1 written, 1 removed" in p.stdout
    assert not (cases / "generated" / "9.9").exists()
    assert run("--check", "--cases", str(cases)).returncode == 0


def test_write_refuses_to_touch_a_hand_written_file(cases):
    mine = cases / "generated" / "3.3" / "mine.case"
    mine.write_text("id: 3.3/mine\n")
    before = {p: p.read_text() for p in (cases / "generated").rglob("*.case")}
    p = run("--cases", str(cases))
    assert p.returncode == 1
    assert "seeds/cases/generated/3.3/mine.case is not a generated file" in p.stderr
    assert {p: p.read_text() for p in (cases / "generated").rglob("*.case")} == before


def test_write_refuses_an_id_a_hand_written_case_uses(cases):
    (cases / "3.3" / "clash.case").write_text(
        "id: 3.3/padding/7/begin\nsection: 3.3\n")
    p = run("--cases", str(cases))
    assert p.returncode == 1
    assert "'3.3/padding/7/begin' is already used by the hand-written" \
        " seeds/cases/3.3/clash.case" in p.stderr


def test_docs_show_the_generated_counts():
    table = gen_cases.counts_table(gen_cases.all_cases())
    assert table in (ROOT / "docs" / "cases.md").read_text()


def test_every_request_carries_a_body_and_unique_markers():
    for c in gen_cases.all_cases():
        text = c.text()
        assert c.id.startswith(c.section + "/")
        begun = set(re.findall(r"^begin (\d+)", text, re.M))
        assert begun, c.id
        for _, tag in re.findall(r'"X_GEN_REQ" "(([^"#]+)#\d+)"', text):
            assert tag == c.id
        # each request's CONTENT_LENGTH is the length of its STDIN bytes
        for length, tag in re.findall(
                r'"CONTENT_LENGTH" "(\d+)" "REQUEST_METHOD" "POST" '
                r'"X_GEN_REQ" "([^"]+)"', text):
            assert int(length) == len(f"{tag} stdin")
        assert "expect echo" in text or "expect response" in text, c.id
        assert not re.search(r"^expect echo \d+ \S", text, re.M), c.id


def sent_records(case_id):
    fcgispec = BUILD / "conformance" / "fcgispec"
    if not fcgispec.exists():
        pytest.fail(f"{fcgispec} is missing: build the default preset first")
    data = subprocess.run([str(fcgispec), "--dump-send", case_id],
                          capture_output=True, check=True, timeout=30).stdout
    recs = []
    while data:
        _, rtype, rid, clen, plen, _ = struct.unpack(">BBHHBB", data[:8])
        recs.append((rtype, rid, data[8:8 + clen]))
        data = data[8 + clen + plen:]
    return recs


def pairs(stream):
    out, at = [], 0

    def length():
        nonlocal at
        if stream[at] < 128:
            at += 1
            return stream[at - 1]
        at += 4
        return int.from_bytes(stream[at - 4:at], "big") & 0x7FFFFFFF

    while at < len(stream):
        n, v = length(), length()
        out.append((stream[at:at + n].decode(), stream[at + n:at + n + v].decode()))
        at += n + v
    return out


@pytest.mark.parametrize("form,boundary,offset", [
    ("11", "between-lengths", 1), ("14", "value-length-3", 4),
    ("41", "name-length-1", 1), ("44", "value-length-2", 6),
    ("44", "name", 8 + 70), ("14", "between-pairs", 1 + 4 + 11 + 300)])
def test_a_split_cuts_the_pair_where_its_id_says(form, boundary, offset):
    cid = f"3.4/params-split/{form}/{boundary}"
    params = [c for t, i, c in sent_records(cid) if t == PARAMS and i == 1]
    std, first, second, end = params
    assert len(first) == offset and end == b""
    got = dict(pairs(first + second))
    name, value = gen_cases.split_pair(form, f"{cid}#1")
    assert got == {name: value, "X_GEN_REQ_1": f"{cid}#1"}
    assert dict(pairs(std))["CONTENT_LENGTH"] == str(len(f"{cid}#1 stdin"))


def test_byte_records_carry_one_byte_each():
    recs = sent_records("3.4/params-split/44/byte-records")
    params = [c for t, i, c in recs if t == PARAMS]
    assert all(len(c) == 1 for c in params[:-1]) and params[-1] == b""
    stdin = b"".join(c for t, i, c in recs if t == STDIN)
    assert stdin == b"3.4/params-split/44/byte-records#1 stdin"


def cut_class(pair_bytes, off):
    """Where in one encoded pair the offset off falls, named as the
    generator names its boundaries (worked out here from the bytes)."""
    ln = 1 if pair_bytes[0] < 128 else 4
    lv = 1 if pair_bytes[ln] < 128 else 4

    def length(at, size):
        raw = pair_bytes[at:at + size]
        return raw[0] if size == 1 else int.from_bytes(raw, "big") & 0x7FFFFFFF
    n, v = length(0, ln), length(ln, lv)
    marks = [(ln, "between-lengths"), (ln + lv, "before-name"),
             (ln + lv + n, "before-value"), (ln + lv + n + v, "between-pairs")]
    for at, name in marks:
        if off == at:
            return name
    if off < ln:
        return f"name-length-{off}"
    if off < ln + lv:
        return f"value-length-{off - ln}"
    return "name" if off < ln + lv + n else "value"


@pytest.mark.parametrize("cid", sorted(
    c.id for c in gen_cases.all_cases()
    if c.id.startswith("3.4/params-split/") and
    not c.id.endswith("byte-records")))
def test_every_split_cuts_where_its_id_says(cid):
    params = [c for t, i, c in sent_records(cid) if t == PARAMS and i == 1]
    _, first, second, _ = params
    assert cut_class(first + second, len(first)) == cid.rsplit("/", 1)[1]
