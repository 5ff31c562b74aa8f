"""Running the C tool fcgi-diff (docs/differential.md, "fcgi-diff"): its
`streams` mode writes the generated FastCGI streams, its `view` mode sends
stream files to the backends and prints what each one showed. Every
FastCGI byte of a campaign is written and read by it."""
import json
import subprocess

from . import backends


class ToolError(Exception):
    """fcgi-diff failed: the message holds its exit status and last line."""


def binary():
    path = backends.build_dir() / "conformance" / "fcgi-diff"
    if not path.exists():
        raise ToolError(f"{path} is missing (build the project first)")
    return path


def _run(args, ok=(0,)):
    r = subprocess.run([str(binary())] + [str(a) for a in args], capture_output=True, text=True)
    if r.returncode not in ok:
        last = (r.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise ToolError(f"fcgi-diff {args[0]} exited {r.returncode}: {last}")
    return r


def _lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def streams(seed, count, out, first=0):
    """Writes streams first..first+count-1 of seed into out; their JSON lines
    ({id, file, size, mutations})."""
    return _lines(_run(["streams", "--seed", seed, "--count", count, "--out", out,
                        "--first", first]).stdout)


def view(targets, files, timeout_ms):
    """Sends each file to every target (a list of backends.Backend, or of
    (name, address, script) triples); {(file name, target name): its JSON
    line}. A target unreachable at the probe raises ToolError."""
    args = ["view", "--timeout", timeout_ms]
    for t in targets:
        name, address, script = (t.name, t.address, t.script) if hasattr(t, "name") else t
        args += ["--target", f"{name}={address}", "--script", f"{name}={script}"]
    lines = _lines(_run(args + [str(f) for f in files]).stdout)
    return {(line["file"], line["target"]): line for line in lines}
