"""scripts/fuzz_upstream.py (the pinned upstream sources) and
scripts/fuzz_upstream_seeds.py (their seed corpora), without the network:
the fetch itself runs in test.sh, which builds every harness from it."""
import hashlib

import pytest

from fuzz_helpers import ROOT

from fcgispec_tools.fuzz import coverage, upstream, upstream_seeds


def test_the_pins_are_the_harness_folders():
    pins = upstream.pins()
    assert pins and all(len(v) == 2 for v in pins.values())
    for harness in pins:
        assert (ROOT / "fuzz" / "upstream" / harness / "upstream.cmake").is_file(), harness


def test_each_harness_names_fastcgi_units_its_source_has():
    """What `fuzz.py coverage --upstream` reports on: files of the fetched
    source (test.sh fetches before the tests run)."""
    for harness in upstream.pins():
        units = coverage.upstream_units(harness)
        assert units, harness
        missing = [str(u) for u in units if not u.is_file()]
        assert not missing, f"{harness}: coverage.txt names {missing} (fetched?)"


def test_a_bad_sources_line_names_file_and_line(tmp_path, monkeypatch):
    bad = tmp_path / "sources.txt"
    bad.write_text("# harness package version\nnginx nginx\n")
    monkeypatch.setattr(upstream, "SOURCES", bad)
    monkeypatch.setattr(upstream, "ROOT", tmp_path)
    with pytest.raises(SystemExit, match=r"sources.txt:2: want 'harness package version'"):
        upstream.pins()


def test_deb_src_entries_mirror_this_release_only(tmp_path):
    codename = upstream._codename()
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list").write_text(
        f"deb [arch=amd64 signed-by=/k/one.gpg] http://archive.invalid/debian {codename} main\n"
        "deb http://other.invalid/debian sid main\n")
    (tmp_path / "sources.list.d" / "a.sources").write_text(
        f"Types: deb\nURIs: http://sec.invalid/debian-security\n"
        f"Suites: {codename}-security\nComponents: main\nSigned-By: /k/two.gpg\n\n"
        "Types: deb\nURIs: http://node.invalid\nSuites: nodistro\nComponents: main\n")
    (tmp_path / "sources.list.d" / "b.sources.disabled").write_text(
        f"Types: deb\nURIs: http://off.invalid\nSuites: {codename}\nComponents: main\n")
    entries = upstream.source_entries(tmp_path)
    assert entries == [
        "Types: deb-src\nURIs: http://archive.invalid/debian\n"
        f"Suites: {codename}\nComponents: main\nSigned-By: /k/one.gpg",
        "Types: deb-src\nURIs: http://sec.invalid/debian-security\n"
        f"Suites: {codename}-security\nComponents: main\nSigned-By: /k/two.gpg"]


def test_no_entry_for_this_release_is_an_error(tmp_path):
    (tmp_path / "sources.list").write_text("deb http://other.invalid/debian sid main\n")
    with pytest.raises(upstream.FetchError, match="no archive for"):
        upstream.source_entries(tmp_path)


def test_a_folder_it_did_not_make_is_never_replaced(tmp_path):
    mine = tmp_path / "nginx"
    mine.mkdir()
    (mine / "notes.txt").write_text("someone's\n")
    with pytest.raises(upstream.FetchError, match="was not made by fuzz_upstream.py"):
        upstream.fetch_one("nginx", "nginx", "1", tmp_path, upstream.Apt(tmp_path))
    assert (mine / "notes.txt").read_text() == "someone's\n"


def test_a_stamped_source_is_left_alone(tmp_path):
    src = tmp_path / "h2o"
    src.mkdir()
    record = upstream._record("h2o", "9", ROOT / "fuzz" / "upstream" / "h2o" / "prepare.sh")
    (src / upstream.STAMP).write_text(record)
    # No download is tried: Apt would fail in a folder without sources.
    assert upstream.fetch_one("h2o", "h2o", "9", tmp_path, None) == src


def test_seeds_are_content_named_and_never_overwritten(tmp_path):
    (tmp_path / hashlib.sha1(b"kept").hexdigest()).write_bytes(b"kept")
    big = b"x" * (upstream_seeds.MAX_SEED + 1)
    new = upstream_seeds.write_seeds(tmp_path, [b"kept", b"", big, b"new", b"new"])
    assert new == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        hashlib.sha1(b).hexdigest() for b in (b"kept", b"new"))
