"""The real backends under scripts/backends/ (php-fpm, fcgiwrap, libfcgi,
Go net/http/fcgi, ...) and run.sh, which starts one. Whether each still
matches its checked-in baseline is scripts/matrix.py --check's to say: test.sh
runs it over every backend with the ASan+UBSan runner (and
conformance/tests/test_echo_formats.py runs two of them in other echo
formats)."""
import os
import subprocess


from conftest import BUILD, ROOT


BACKENDS = sorted(
    p.stem for p in (ROOT / "scripts" / "backends" / "baselines").glob("*.txt")
    if (ROOT / "scripts" / "backends" / f"{p.stem}.sh").exists())


def test_the_four_first_backends_are_there():
    assert {"php-fpm", "fcgiwrap", "libfcgi", "go"} <= set(BACKENDS)


def test_run_refuses_an_echo_format_the_backend_lacks():
    p = subprocess.run(
        ["bash", str(ROOT / "scripts" / "backends" / "run.sh"),
         "net-async-fastcgi"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "FCS_BUILD_DIR": str(BUILD),
             "FCS_ECHO_FORMAT": "php-var-dump"})
    assert p.returncode == 2
    assert ("net-async-fastcgi cannot echo in format 'php-var-dump' "
            "(it can: lines json printenv)") in p.stderr
