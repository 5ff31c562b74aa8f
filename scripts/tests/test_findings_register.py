"""The findings register (docs/findings/, docs/findings.md) and its reader,
scripts/fcgispec_tools/differential/register.py: every page parses, the table lists
exactly the pages, each repro names real cases and files, each finding is
linked from its implementation's page, and malformed pages are refused
with their file and line."""
import fnmatch
import re
import shlex
import shutil

import pytest

from fuzz_helpers import ROOT, catalog_ids

from fcgispec_tools.differential.register import cluster_index, load_register

FINDINGS = ROOT / "docs" / "findings"
TABLE_ROW = re.compile(r"\| \[(F\d{3})\]\(findings/([^)]+)\) \| (.*?) \| (.*?) \| "
                       r"(.*?) \| (.*?) \| (.*?) \|")
LINK = re.compile(r"\]\(\.\./findings/([^)#]+)")


@pytest.fixture(scope="module")
def register():
    return load_register(ROOT)


def ctest_names():
    names = set()
    for cmake in ROOT.rglob("CMakeLists.txt"):
        if "build" not in cmake.relative_to(ROOT).parts:
            names |= set(re.findall(r"add_test\(NAME (\S+)", cmake.read_text()))
    return names


def start_scripts(kind):
    names = {p.stem for p in (ROOT / "scripts" / kind).glob("*.sh")}
    return names - {"run", "common", "start", "stop", "list", "docroot",
                    "apache2-common"}


def impl_page(finding):
    kind = "backends" if finding.side == "backend" else "proxies"
    return ROOT / "docs" / kind / f"{finding.implementation}.md"


def test_every_page_parses_and_ids_are_consecutive(register):
    pages = sorted(FINDINGS.glob("*.md"))
    assert len(register) == len(pages) > 0
    assert [f.id for f in register] == [f"F{n:03d}" for n in range(1, len(register) + 1)]
    for f in register:
        assert f.title and f.risk_reason and f.repro
        text = f.path.read_text()
        for section in ("## What happens", "## Root cause", "## Where it came from"):
            assert f"\n{section}\n" in text, f"{f.path.name}: no {section}"


def test_the_table_lists_exactly_the_pages(register):
    rows = {}
    for line in (ROOT / "docs" / "findings.md").read_text().splitlines():
        m = TABLE_ROW.fullmatch(line)
        if m:
            fid, name, impl, side, title, risk, status = m.groups()
            assert fid not in rows, f"{fid} listed twice"
            rows[fid] = (name, impl, side, title.replace("\\|", "|"), risk,
                         status.replace("\\|", "|"))
    assert rows == {f.id: (f.path.name, f.implementation, f.side, f.title,
                           f.risk, f.status) for f in register}


def test_implementations_are_start_scripts(register):
    known = start_scripts("backends") | start_scripts("proxies") | {"reference"}
    assert {f.implementation for f in register} - known == set()
    for f in register:
        kind = "backends" if f.side == "backend" else "proxies"
        # reference: this project's fcgi-responder, a backend of the engine
        own = {"reference"} if kind == "backends" else set()
        assert f.implementation in start_scripts(kind) | own, f.id


def test_repro_lines_name_real_cases_and_files(register):
    ids = catalog_ids()
    for f in register:
        words = shlex.split(f.repro.replace(";", " ; ").replace("&", " & "))
        run = [i for i, w in enumerate(words)
               if re.fullmatch(r"scripts/(backends|proxies)/run\.sh", w)]
        patterns = []
        if run:
            i = run[0]
            assert words[i + 1] == f.implementation, f"{f.id}: runs {words[i + 1]}"
            args = words[i + 2:]
            # A differential cluster's repro runs its minimal case: --cases DIR.
            cases_dir = args[args.index("--cases") + 1] if "--cases" in args else None
            known = catalog_ids(ROOT / cases_dir) if cases_dir else ids
            patterns = [w for w in args if not w.startswith("-") and w != cases_dir]
            assert patterns, f"{f.id}: no case id in the repro"
            for p in patterns:
                assert fnmatch.filter(known, p), f"{f.id}: no case matches {p}"
        if words[0] == "ctest":
            name = words[words.index("-R") + 1]
            assert name in ctest_names(), f"{f.id}: no ctest test {name}"
        paths = [w for w in words if "/" in w and w not in patterns
                 and not w.startswith(("build/", "tcp:", "unix:"))]
        assert paths or words[0] == "ctest", f"{f.id}: the repro names no script or file"
        for p in paths:
            assert (ROOT / p).exists(), f"{f.id}: {p} does not exist"


def test_implementation_pages_link_only_existing_findings():
    names = {p.name for p in FINDINGS.glob("*.md")}
    for kind in ("backends", "proxies"):
        for page in (ROOT / "docs" / kind).glob("*.md"):
            for target in LINK.findall(page.read_text()):
                assert target in names, f"{page.name} links {target}"


def test_every_finding_is_linked_from_its_implementations_page(register):
    for f in register:
        page = impl_page(f)
        assert f"../findings/{f.path.name}" in page.read_text(), \
            f"{page.name} does not link {f.path.name}"


def test_cluster_index_maps_each_key_to_its_finding(tmp_path):
    root = copy_register(tmp_path, clusters=False)
    set_field(root, 1, "clusters", "`backend/anyevent-fcgi/hang`, `backend/anyevent-fcgi/body-bytes`")
    set_field(root, 2, "clusters", "`backend/anyevent-fcgi/accept-reject`")
    index = cluster_index(load_register(root))
    planted = {k: f.id for k, f in index.items() if k.startswith("backend/anyevent-fcgi/")}
    assert planted == {
        "backend/anyevent-fcgi/hang": "F001", "backend/anyevent-fcgi/body-bytes": "F001",
        "backend/anyevent-fcgi/accept-reject": "F002"}


# Planted mistakes, in a copy of the register.

def copy_register(tmp_path, clusters=True):
    """A copy of the register; without its cluster keys when clusters is
    false, so a test sees only the keys it sets."""
    shutil.copytree(FINDINGS, tmp_path / "docs" / "findings")
    if not clusters:
        for page in (tmp_path / "docs" / "findings").glob("F*.md"):
            page.write_text(re.sub(r"^\| clusters \| .* \|$", "| clusters | none |",
                                   page.read_text(), flags=re.M))
    return tmp_path


def page_of(root, n):
    (page,) = (root / "docs" / "findings").glob(f"F{n:03d}-*.md")
    return page


def set_field(root, n, field, value):
    page = page_of(root, n)
    text, count = re.subn(rf"^\| {field} \| .* \|$", f"| {field} | {value} |",
                          page.read_text(), flags=re.M)
    assert count == 1
    page.write_text(text)
    return page


def line_of(page, prefix):
    return next(i for i, l in enumerate(page.read_text().split("\n"), 1)
                if l.startswith(prefix))


def refused(root, page, line):
    with pytest.raises(ValueError) as e:
        load_register(root)
    where = f"docs/findings/{page.name}:{line}:"
    assert str(e.value).startswith(where), str(e.value)
    return str(e.value)


def test_a_missing_field_is_refused_with_file_and_line(tmp_path):
    root = copy_register(tmp_path)
    page = page_of(root, 5)
    page.write_text(re.sub(r"^\| repro \| .*\n", "", page.read_text(), flags=re.M))
    assert "missing field 'repro'" in refused(root, page, line_of(page, "| field |"))


def test_a_duplicate_id_is_refused_with_file_and_line(tmp_path):
    root = copy_register(tmp_path)
    twin = root / "docs" / "findings" / "F003-a-twin.md"
    twin.write_text(page_of(root, 3).read_text())
    first, second = sorted((root / "docs" / "findings").glob("F003-*.md"))
    assert f"id F003 is also docs/findings/{first.name}" in refused(root, second, 1)


def test_a_cluster_key_of_two_findings_is_refused_with_file_and_line(tmp_path):
    root = copy_register(tmp_path, clusters=False)
    set_field(root, 7, "clusters", "`backend/go/request-mixing`")
    page = set_field(root, 8, "clusters", "`backend/go/accept-reject`, `backend/go/request-mixing`")
    message = refused(root, page, line_of(page, "| clusters |"))
    assert "'backend/go/request-mixing' is also listed by F007" in message


@pytest.mark.parametrize("field,value,error", [
    ("risk", "severe: it is bad", "risk 'severe' is not one of"),
    ("risk", "low", "risk needs a reason"),
    ("clusters", "`backend/go/wrong-class`", "is not SIDE/IMPL/CLASS"),
    ("clusters", "`backend/go`", "is not SIDE/IMPL/CLASS"),
    ("clusters", "`proxy/nginx/hang`", "not on this finding's side"),
    ("timing", "maybe", "timing 'maybe' is not yes or no"),
    ("status", "fixed upstream", "status must start with one of"),
    ("repro", "bash run.sh", "repro must be a command in backticks"),
])
def test_a_bad_value_is_refused_with_file_and_line(tmp_path, field, value, error):
    root = copy_register(tmp_path)
    page = set_field(root, 6, field, value)
    assert error in refused(root, page, line_of(page, f"| {field} |"))


def test_a_title_that_does_not_match_the_file_is_refused(tmp_path):
    root = copy_register(tmp_path)
    page = page_of(root, 4)
    page.write_text(page.read_text().replace("# F004:", "# F040:", 1))
    assert "id F040 does not match the file name" in refused(root, page, 1)
