"""Every real backend with a start script and a baseline under
scripts/backends/ (php-fpm, fcgiwrap, libfcgi, Go net/http/fcgi, ...),
started by scripts/backends/run.sh, still matches its checked-in baseline
(every deviation is explained in the docs)."""
import json
import os
import subprocess

import pytest

from conftest import BUILD, ROOT


BACKENDS = sorted(
    p.stem for p in (ROOT / "scripts" / "backends" / "baselines").glob("*.txt")
    if (ROOT / "scripts" / "backends" / f"{p.stem}.sh").exists())


def test_the_four_first_backends_are_there():
    assert {"php-fpm", "fcgiwrap", "libfcgi", "go"} <= set(BACKENDS)


@pytest.mark.parametrize("backend", BACKENDS)
def test_backend_matches_its_baseline(tmp_path, backend):
    report = tmp_path / "r.json"
    p = subprocess.run(
        ["bash", str(ROOT / "scripts" / "backends" / "run.sh"), backend,
         "--color", "never", "--json", str(report)],
        capture_output=True, text=True, errors="replace", timeout=300,
        env={**os.environ, "FCS_BUILD_DIR": str(BUILD)})
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
    summary = json.loads(report.read_text())["summary"]
    baseline = ROOT / "scripts" / "backends" / "baselines" / f"{backend}.txt"
    listed = [l for l in baseline.read_text().splitlines()
              if l.strip() and not l.startswith("#")]
    assert summary["known"] == len(listed), "baseline entries no longer seen"


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
