"""Stopping a process group: what was started with start_new_session=True
leads a group of its own, and its children (a proxy's workers, a
supervisor's backend) are in it."""
import os
import signal
import subprocess


def _signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass  # the group is gone, or all that is left of it is not ours


def stop_group(proc, seconds):
    """TERM to the group PROC leads, up to SECONDS for PROC to go, then KILL
    to what is left of the group (PROC itself if it took too long, workers
    it left behind); PROC is waited for."""
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()
