"""scripts/gen_proxy_cases.py: the checked-in generated proxy cases are
exactly what it writes, --check catches any difference, it never touches
files it did not write, and every case it writes parses as a proxy case
whose spoofed value is its own."""
import re
import shutil
import subprocess

import pytest

from fuzz_helpers import BUILD, ROOT

from fcgispec_tools import gen_proxy_cases

SCRIPT = ROOT / "scripts" / "gen_proxy_cases.py"
GENERATED = "proxy/generated"


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
    n = len(gen_proxy_cases.all_cases())
    assert f"{n} generated proxy cases up to date" in p.stdout


def test_check_names_a_planted_change(cases):
    assert run("--check", "--cases", str(cases)).returncode == 0
    victim = cases / GENERATED / "trust" / "header-folding" / "alone" / \
        "underscore.case"
    victim.write_text(victim.read_text().replace("param-lacks", "param-has"))
    p = run("--check", "--cases", str(cases))
    assert p.returncode == 1
    assert (f"seeds/cases/{GENERATED}/trust/header-folding/alone/"
            "underscore.case differs") in p.stderr


def test_check_names_a_missing_and_an_extra_file(cases):
    gone = cases / GENERATED / "rfc3875-4.1.8" / "header-named-like" / \
        "remote-addr.case"
    gone.unlink()
    p = run("--check", "--cases", str(cases))
    assert p.returncode == 1
    assert "rfc3875-4.1.8/header-named-like/remote-addr.case is missing" \
        in p.stderr
    assert run("--cases", str(cases)).returncode == 0
    (cases / GENERATED / "trust" / "zz.case").write_text(
        gen_proxy_cases.MARKER + "\n")
    p = run("--check", "--cases", str(cases))
    assert p.returncode == 1
    assert f"{GENERATED}/trust/zz.case is not generated" in p.stderr


def test_write_removes_its_stale_files_and_restores_changed_ones(cases):
    stale = cases / GENERATED / "trust" / "old" / "x.case"
    stale.parent.mkdir(parents=True)
    stale.write_text(gen_proxy_cases.MARKER + "\nid: trust/old/x\n")
    changed = cases / GENERATED / "trust" / "header-named-like" / \
        "php-value.case"
    changed.write_text(gen_proxy_cases.MARKER + "\n")
    p = run("--cases", str(cases))
    assert p.returncode == 0, p.stderr
    assert "1 written, 1 removed" in p.stdout
    assert not (cases / GENERATED / "trust" / "old").exists()
    assert run("--check", "--cases", str(cases)).returncode == 0


def test_write_refuses_to_touch_a_hand_written_file(cases):
    mine = cases / GENERATED / "trust" / "mine.case"
    mine.write_text("id: trust/mine\n")
    before = {p: p.read_text() for p in (cases / GENERATED).rglob("*.case")}
    p = run("--cases", str(cases))
    assert p.returncode == 1
    assert f"seeds/cases/{GENERATED}/trust/mine.case is not a generated" \
        " file" in p.stderr
    assert {p: p.read_text()
            for p in (cases / GENERATED).rglob("*.case")} == before


def test_write_refuses_an_id_a_hand_written_case_uses(cases):
    clash = cases / "proxy" / "trust" / "clash.case"
    clash.parent.mkdir(parents=True, exist_ok=True)
    clash.write_text("id: trust/header-folding/alone/dot\nsection: trust\n")
    p = run("--cases", str(cases))
    assert p.returncode == 1
    assert "'trust/header-folding/alone/dot' is already used by the" \
        " hand-written seeds/cases/proxy/trust/clash.case" in p.stderr


def test_the_backend_generator_leaves_the_proxy_files_alone():
    """gen_cases.py owns seeds/cases/generated only."""
    p = subprocess.run(["/usr/bin/python3",
                        str(ROOT / "scripts" / "gen_cases.py"), "--check"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr


def test_each_case_spoofs_a_value_of_its_own():
    """A spoofed value found in some param can only come from the header
    of the case that sent it."""
    seen = {}
    for c in gen_proxy_cases.all_cases():
        if "same-winner" in c.id:
            continue  # its ten requests share one value on purpose
        sent = re.findall(r'"[^":]+: ([^"]+)"', c.text().split("\nget ")[1])
        spoofed = [v for v in sent if v != gen_proxy_cases.REAL_IP]
        assert len(spoofed) == 1, c.id
        assert spoofed[0] not in seen, (c.id, seen.get(spoofed[0]))
        seen[spoofed[0]] = c.id
        assert spoofed[0] in c.text().split("\nexpect ", 1)[1], c.id


def test_every_odd_spelling_is_a_token_that_folds_onto_x_real_ip():
    tchar = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
    for ch in gen_proxy_cases.ODD_CHARS:
        name = gen_proxy_cases.odd_name(ch)
        assert tchar.fullmatch(name) and ch not in "-"
        assert re.sub(r"[^A-Za-z0-9]", "_", name).upper() == "X_REAL_IP"


def test_fcgispec_lists_every_generated_case_as_a_proxy_case():
    fcgispec = BUILD / "conformance" / "fcgispec"
    if not fcgispec.exists():
        pytest.fail(f"{fcgispec} is missing: build the default preset first")
    p = subprocess.run([str(fcgispec), "--proxy", "tcp:127.0.0.1:1",
                        "--list"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    for c in gen_proxy_cases.all_cases():
        assert re.search(rf"^{re.escape(c.id)}\s", p.stdout, re.M), c.id


def test_docs_show_the_generated_counts():
    table = gen_proxy_cases.counts_table(gen_proxy_cases.all_cases())
    assert table in (ROOT / "docs" / "proxies.md").read_text()
