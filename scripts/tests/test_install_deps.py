"""install-deps.sh keeps the services of the packages it installs from
starting: without a policy-rc.d it writes one that denies (exit 101) for
the duration of apt-get install and removes it afterwards, also when apt
fails or the script is stopped; an existing one is left as it was. apt-get,
dpkg-query and sudo are fakes here, and the policy file's path is a
temporary one (FCS_POLICY_RC_D)."""
import os
import pathlib
import signal
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
INSTALL_DEPS = ROOT / "scripts" / "install-deps.sh"

# apt-get install records what invoke-rc.d would learn from the policy file
# (its exit status, or "none"), then sleeps and exits as told.
FAKE_APT = """#!/bin/sh
[ "$1" = install ] || exit 0
if [ -x "$FCS_POLICY_RC_D" ]; then "$FCS_POLICY_RC_D" nginx start; echo $? > "$SEEN"
else echo none > "$SEEN"; fi
sleep "${APT_SLEEP:-0}"
exit "${APT_STATUS:-0}"
"""


@pytest.fixture
def fake(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("apt-get", FAKE_APT), ("dpkg-query", "#!/bin/sh\nexit 1\n"),
                       ("sudo", '#!/bin/sh\nexec "$@"\n')):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    policy = tmp_path / "policy-rc.d"
    seen = tmp_path / "seen"
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
           "FCS_POLICY_RC_D": str(policy), "SEEN": str(seen)}
    return policy, seen, env


def install(env, **extra):
    return subprocess.run(["bash", str(INSTALL_DEPS), "proxies"], capture_output=True,
                          text=True, timeout=60, env={**env, **extra})


def test_a_policy_of_its_own_denies_starts_during_the_install_only(fake):
    policy, seen, env = fake
    p = install(env)
    assert p.returncode == 0, p.stderr
    assert seen.read_text() == "101\n"
    assert not policy.exists()


def test_its_policy_is_removed_when_apt_fails(fake):
    policy, seen, env = fake
    p = install(env, APT_STATUS="100")
    assert p.returncode == 100
    assert seen.read_text() == "101\n"
    assert not policy.exists()


def test_its_policy_is_removed_when_the_script_is_stopped(fake):
    policy, seen, env = fake
    proc = subprocess.Popen(["bash", str(INSTALL_DEPS), "proxies"], env={**env, "APT_SLEEP": "2"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not (seen.exists() and seen.read_text().endswith("\n")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen.read_text() == "101\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 143
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not policy.exists()


def test_an_existing_policy_is_left_alone(fake):
    policy, seen, env = fake
    policy.write_text("#!/bin/sh\nexit 0\n")
    policy.chmod(0o750)
    p = install(env)
    assert p.returncode == 0, p.stderr
    assert seen.read_text() == "0\n"
    assert policy.read_text() == "#!/bin/sh\nexit 0\n"
    assert policy.stat().st_mode & 0o777 == 0o750
