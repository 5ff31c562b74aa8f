"""docs/man: each program's page renders without groff warnings and
documents every long option its --help lists (and fcgi-mutant's every
rule), so the pages cannot fall behind the programs unnoticed."""
import re
import subprocess

import pytest

from fuzz_helpers import BUILD, ROOT

MAN = ROOT / "docs" / "man"
PROGRAMS = {
    "fcgispec": BUILD / "conformance" / "fcgispec",
    "fcgi-curl": BUILD / "conformance" / "client" / "fcgi-curl",
    "fcgi-responder": BUILD / "responder" / "fcgi-responder",
    "fcgi-mutant": BUILD / "conformance" / "mutants" / "fcgi-mutant",
    "fcgi-diff": BUILD / "conformance" / "fcgi-diff",
}


def page_text(name):
    """The page's source with roff's escaped hyphens as plain ones."""
    return (MAN / f"{name}.1").read_text().replace("\\-", "-")


def help_text(name):
    exe = PROGRAMS[name]
    if not exe.exists():
        pytest.fail(f"{exe} is missing: build the default preset first")
    r = subprocess.run([str(exe), "--help"], capture_output=True, text=True)
    assert r.returncode == 0, f"{name} --help exited {r.returncode}"
    return r.stdout


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_page_renders_without_warnings(name):
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(MAN / f"{name}.1")],
                       capture_output=True, text=True)
    assert (r.returncode, r.stderr) == (0, "")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_page_documents_every_option_of_help(name):
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", help_text(name)))
    assert options, f"{name} --help lists no long option"
    text = page_text(name)
    missing = sorted(o for o in options if not re.search(re.escape(o) + r"(?![a-z-])", text))
    assert missing == [], f"docs/man/{name}.1 lacks {missing}"


def test_mutant_page_lists_every_rule():
    rules = re.search(r"^rules:(.*)$", help_text("fcgi-mutant"), re.M).group(1).split()
    text = page_text("fcgi-mutant")
    missing = [r for r in rules if r != "none" and f".B {r}\n" not in text]
    assert len(rules) > 1 and missing == [], f"docs/man/fcgi-mutant.1 lacks {missing}"
