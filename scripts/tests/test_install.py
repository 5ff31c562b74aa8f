"""The Debian package end to end: builds it with CPack from a copy of the
source tree in a fresh build directory, deletes both, installs the .deb
with dpkg -i, then uses what it installed as a user would (the runner
against its built-in responder and installed catalog, the library through
pkg-config and find_package, the man pages), removes it (dpkg -r, then
--purge for dpkg's own record) and checks the machine is as it was. Needs
root and dpkg: without them it fails, saying why. A fcgispec package
already on the machine is never touched: the test fails instead."""
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = "fcgispec"
PROGRAMS = ("fcgispec", "fcgi-curl", "fcgi-responder", "fcgi-mutant", "fcgi-diff")
# What a copy of the source tree leaves out: builds, caches, history.
NOT_SOURCE = shutil.ignore_patterns("build", ".git", "__pycache__", ".pytest_cache")

DECODE_C = r"""
#include <stdio.h>
#include <fcs/fcs.h>

/* An FCGI_END_REQUEST for request 3: appStatus 7, REQUEST_COMPLETE. */
static const uint8_t record[] = {1, 3, 0, 3, 0, 8, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0};

int main(void) {
  fcs_decoder d;
  fcs_event ev;
  fcs_decoder_init(&d, FCS_STRICT);
  size_t at = 0;
  do {
    at += fcs_decoder_feed(&d, record + at, sizeof(record) - at, &ev);
    if (ev.type == FCS_EV_ERROR)
      return 1;
    if (ev.type == FCS_EV_RECORD_END)
      printf("%s id=%u appStatus=%u %s\n", fcs_type_name(ev.header.type),
             ev.header.request_id, (unsigned)ev.body.end.app_status,
             fcs_protocol_status_name(ev.body.end.protocol_status));
  } while (ev.type != FCS_EV_NONE);
  return 0;
}
"""
DECODED = "FCGI_END_REQUEST id=3 appStatus=7 FCGI_REQUEST_COMPLETE\n"

CMAKE_PROJECT = """cmake_minimum_required(VERSION 3.20)
project(uses_fcs LANGUAGES C)
find_package(fcs {version} REQUIRED)
add_executable(decode_shared decode.c)
target_link_libraries(decode_shared PRIVATE fcs::fcs)
add_executable(decode_static decode.c)
target_link_libraries(decode_static PRIVATE fcs::fcs_static)
"""


def run(*argv, cwd=None, check=True, env=None):
    r = subprocess.run([str(a) for a in argv], cwd=cwd, env=env,
                       capture_output=True, text=True, errors="replace")
    if check and r.returncode != 0:
        pytest.fail(f"{' '.join(map(str, argv))} exited {r.returncode}:\n"
                    f"{r.stdout[-3000:]}{r.stderr[-3000:]}")
    return r


def project_version():
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(fcgispec VERSION ([0-9.]+)", text).group(1)


def package_status():
    """dpkg's status line for the package, '' when dpkg does not know it."""
    r = run("dpkg-query", "-W", "-f=${Status}", PACKAGE, check=False)
    return r.stdout.strip() if r.returncode == 0 else ""


def require_root_and_dpkg():
    if os.geteuid() != 0:
        pytest.fail("test_install needs root: it installs the .deb with dpkg -i")
    missing = [t for t in ("dpkg", "dpkg-deb", "dpkg-shlibdeps", "file", "cpack",
                           "pkg-config", "man")
               if shutil.which(t) is None]
    if missing:
        pytest.fail(f"test_install needs {', '.join(missing)} (scripts/packages.d/"
                    "install.txt: bash scripts/install-deps.sh install)")
    status = package_status()
    if status and "not-installed" not in status:
        pytest.fail(f"the {PACKAGE} package is already on this machine ({status}): "
                    "this test installs and removes it, so it will not touch yours; "
                    f"remove it (dpkg -r {PACKAGE}) or run the test elsewhere")


def build_deb(tmp):
    """The .deb from a copy of the source tree, built and packaged in tmp;
    the copy and the build are deleted, so nothing installed can lean on
    them."""
    src, build = tmp / "src", tmp / "build"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCE, symlinks=True)
    run("cmake", "-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
        "-DCMAKE_INSTALL_PREFIX=/usr", "-DFCS_BUILD_TESTS=OFF")
    run("cmake", "--build", build, "-j", str(os.cpu_count() or 2))
    run("cpack", "-G", "DEB", cwd=build)
    debs = list(build.glob(f"{PACKAGE}_*.deb"))
    assert len(debs) == 1, f"cpack made {debs}"
    deb = tmp / debs[0].name
    debs[0].rename(deb)
    shutil.rmtree(src)
    shutil.rmtree(build)
    return deb


def package_paths(deb):
    """Every path the package holds, as installed (/usr/...)."""
    paths = []
    for line in run("dpkg-deb", "-c", deb).stdout.splitlines():
        name = line.split(None, 5)[5].split(" -> ")[0]
        path = "/" + name.lstrip("./").rstrip("/")
        if path != "/":
            paths.append(pathlib.Path(path))
    return paths


def test_a_package_already_installed_is_left_alone(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(shutil, "which", lambda tool: f"/usr/bin/{tool}")
    monkeypatch.setattr(sys.modules[__name__], "package_status",
                        lambda: "install ok installed")
    with pytest.raises(pytest.fail.Exception, match="already on this machine"):
        require_root_and_dpkg()


def test_without_root_it_fails_saying_so(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(pytest.fail.Exception, match="needs root"):
        require_root_and_dpkg()


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """Installs the package for the module's tests; removes it afterwards
    (if a test has not) whatever happened."""
    require_root_and_dpkg()
    deb = build_deb(tmp_path_factory.mktemp("deb"))
    paths = package_paths(deb)
    already = [p for p in paths if p.exists() and not p.is_dir()]
    if already:
        pytest.fail(f"{len(already)} files the package installs are already on this "
                    f"machine, not from it (e.g. {already[0]}): dpkg -r would delete "
                    "them; remove them first")
    before = {p for p in paths if p.exists()}
    run("dpkg", "-i", deb)
    try:
        yield {"deb": deb, "paths": paths, "before": before}
    finally:
        if package_status():
            run("dpkg", "--purge", PACKAGE, check=False)


def test_the_package_says_what_it_is(package):
    fields = run("dpkg-deb", "-f", package["deb"], "Package", "Version",
                 "Maintainer", "Depends", "Description").stdout
    assert f"Package: {PACKAGE}\n" in fields
    assert f"Version: {project_version()}\n" in fields
    assert re.search(r"^Maintainer: .+ <.+@.+>$", fields, re.M), fields
    # computed by dpkg-shlibdeps: the C library, with a version
    assert re.search(r"^Depends: .*libc6 \(>= [0-9.]+\)", fields, re.M), fields
    assert "Description: FastCGI conformance runner" in fields


def test_every_program_is_installed_and_tells_its_version(package):
    for name in PROGRAMS:
        assert pathlib.Path("/usr/bin", name).is_file(), f"/usr/bin/{name} is missing"
    for name in ("fcgispec", "fcgi-mutant", "fcgi-diff"):
        r = run(f"/usr/bin/{name}", "--version")
        assert r.stdout == f"{name} {project_version()}\n"


def test_fcgispec_runs_the_installed_catalog_against_its_responder(package):
    catalog = pathlib.Path("/usr/share/fcgispec/cases")
    # Proxy cases (under proxy/) ship too, and are listed in proxy mode.
    proxy = len(list((catalog / "proxy").rglob("*.case")))
    cases = len(list(catalog.rglob("*.case"))) - proxy
    assert cases > 0 and proxy > 0 and (catalog / "generated").is_dir()
    listed = run("/usr/bin/fcgispec", "--list").stdout.splitlines()[-1]
    assert listed == f"{cases} cases"
    listed = run("/usr/bin/fcgispec", "--proxy", "tcp:127.0.0.1:1",
                 "--list").stdout.splitlines()[-1]
    assert listed == f"{proxy} cases"
    r = run("/usr/bin/fcgispec", "--jobs", "4", "--color", "never", check=False)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "built-in reference responder" in r.stdout
    counts = re.search(r"verdicts: (.*)", r.stdout).group(1)
    assert sum(int(n) for n in re.findall(r"\d+", counts)) == cases, counts


def test_a_c_program_builds_with_pkg_config_and_decodes_a_record(package, tmp_path):
    (tmp_path / "decode.c").write_text(DECODE_C)
    flags = run("pkg-config", "--cflags", "--libs", "fcs").stdout.split()
    assert "-lfcs" in flags
    run("cc", "-std=c11", "-Wall", "-Werror", "-o", tmp_path / "decode",
        tmp_path / "decode.c", *flags)
    assert run(tmp_path / "decode").stdout == DECODED
    linked = run("ldd", tmp_path / "decode").stdout
    soname = re.search(r"libfcs\.so\.[0-9.]+", linked)
    assert soname and soname.group(0).startswith("libfcs.so.0"), linked
    assert run("pkg-config", "--modversion", "fcs").stdout.strip() == project_version()


def test_find_package_gives_the_shared_and_static_library(package, tmp_path):
    (tmp_path / "decode.c").write_text(DECODE_C)
    (tmp_path / "CMakeLists.txt").write_text(
        CMAKE_PROJECT.format(version=project_version()))
    run("cmake", "-S", tmp_path, "-B", tmp_path / "b")
    run("cmake", "--build", tmp_path / "b")
    for exe in ("decode_shared", "decode_static"):
        assert run(tmp_path / "b" / exe).stdout == DECODED
    assert "libfcs.so" in run("ldd", tmp_path / "b" / "decode_shared").stdout
    assert "libfcs.so" not in run("ldd", tmp_path / "b" / "decode_static").stdout


def test_man_finds_every_page(package):
    for name in PROGRAMS:
        r = run("man", "-w", name, check=False)
        assert r.stdout.strip() == f"/usr/share/man/man1/{name}.1", (
            f"man -w {name}: {r.stdout}{r.stderr} (a dpkg path-exclude for "
            "/usr/share/man, as in slim container images, drops man pages)")


def test_removing_the_package_leaves_the_machine_as_found(package):
    run("dpkg", "-r", PACKAGE)
    left = [p for p in package["paths"]
            if p.exists() and p not in package["before"]]
    assert left == [], f"dpkg -r left {left[:5]}"
    # -r keeps dpkg's record of the package (its postrm, for a purge)
    run("dpkg", "--purge", PACKAGE)
    assert package_status() == "", package_status()
    assert run("pkg-config", "--exists", "fcs", check=False).returncode != 0
    assert "libfcs" not in run("ldconfig", "-p").stdout
