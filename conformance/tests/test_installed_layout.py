"""fcgispec as `cmake --install --prefix DIR` lays it out (no root, no
package; scripts/tests/test_install.py does the Debian package): the
installed copy reads the installed catalog and starts the installed
reference responder, from wherever the prefix is moved; the build tree's
copy reads the source tree's; --cases and FCGISPEC_CASES beat both."""
import os
import re
import subprocess

import pytest

from conftest import BUILD, FCGISPEC, MUTANT, ROOT, need, run_fcgispec

SOURCE_CASES = ROOT / "seeds" / "cases"


def version():
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(fcgispec VERSION ([0-9.]+)", text).group(1)


def case_count(out):
    return int(re.search(r"^(\d+) cases$", out, re.M).group(1))


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    """An install of the build under test, moved after installing."""
    first = tmp_path_factory.mktemp("prefix")
    r = subprocess.run(["cmake", "--install", str(need(BUILD)), "--prefix", str(first)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    moved = first.with_name(first.name + "-moved")
    first.rename(moved)
    return moved


def installed(prefix, *args, env=None):
    r = subprocess.run([str(prefix / "bin" / "fcgispec"), "--color", "never", *args],
                       capture_output=True, text=True, errors="replace", env=env,
                       timeout=300)
    return r.returncode, r.stdout + r.stderr


def test_programs_print_their_version():
    for exe, name in ((FCGISPEC, "fcgispec"), (MUTANT, "fcgi-mutant")):
        r = subprocess.run([need(exe), "--version"], capture_output=True, text=True)
        assert (r.returncode, r.stdout) == (0, f"{name} {version()}\n")


def test_the_installed_copy_reads_the_installed_catalog(prefix):
    catalog = prefix / "share" / "fcgispec" / "cases"
    assert (len(list(catalog.rglob("*.case")))
            == len(list(SOURCE_CASES.rglob("*.case"))))
    # Backend cases: the proxy cases (under proxy/) list in proxy mode.
    shipped = sorted(p for p in catalog.rglob("*.case")
                     if "proxy" not in p.relative_to(catalog).parts)
    assert (catalog / "generated").is_dir() and (catalog / "proxy").is_dir()
    shipped[0].unlink()  # so the two catalogs differ
    code, out = installed(prefix, "--list")
    assert code == 0 and case_count(out) == len(shipped) - 1
    code, out, _ = run_fcgispec("--list")
    assert code == 0 and case_count(out) == len(shipped)


def test_the_installed_copy_starts_the_installed_responder(prefix, tmp_path):
    responder = prefix / "bin" / "fcgi-responder"
    real = responder.with_name("fcgi-responder.real")
    responder.rename(real)
    marker = tmp_path / "started"
    responder.write_text(f"#!/bin/sh\ntouch '{marker}'\nexec '{real}' \"$@\"\n")
    responder.chmod(0o755)
    try:
        code, out = installed(prefix, "--jobs", "2", "3.5")
    finally:
        responder.unlink()
        real.rename(responder)
    assert code == 0, out
    assert marker.exists(), "fcgispec did not start the fcgi-responder beside it"
    assert "built-in reference responder" in out


def test_cases_dir_and_environment_override_the_catalog(prefix, tmp_path):
    one = next(SOURCE_CASES.glob("4.1/*.case"))
    (tmp_path / one.name).write_bytes(one.read_bytes())
    code, out = installed(prefix, "--cases", str(tmp_path), "--list")
    assert code == 0 and case_count(out) == 1
    env = dict(os.environ, FCGISPEC_CASES=str(tmp_path))
    code, out = installed(prefix, "--list", env=env)
    assert code == 0 and case_count(out) == 1


def test_fcs_pc_names_the_prefix_it_was_installed_under(prefix):
    pcs = list(prefix.glob("lib*/**/pkgconfig/fcs.pc"))
    assert len(pcs) == 1, pcs
    text = pcs[0].read_text()
    # written at install time, before the move
    assert re.search(r"^prefix=.*/" + re.escape(prefix.name[:-len("-moved")]) + "$",
                     text, re.M), text
    assert f"Version: {version()}" in text
