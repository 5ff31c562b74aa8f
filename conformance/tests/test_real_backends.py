"""php-fpm, fcgiwrap, libfcgi and Go net/http/fcgi, started by
scripts/backends/run.sh, still match their checked-in baselines (every
deviation is explained in docs/conformance.md)."""
import json
import os
import subprocess

import pytest

from conftest import BUILD, ROOT


@pytest.mark.parametrize("backend", ["php-fpm", "fcgiwrap", "libfcgi", "go"])
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
