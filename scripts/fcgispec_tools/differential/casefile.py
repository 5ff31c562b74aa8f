"""A minimised stream as a case file (docs/cases.md), and back.

The case sends the stream's bytes with `raw` hex items and then `observe`:
level INFO and no condition, so it records what a backend does and never
fails. The bytes are read back with `fcgispec --dump-send`, the catalog
parser's own reading, so the file is the one source of the repro."""
import pathlib
import re
import subprocess

from .. import ROOT
from . import backends

CASES_OUT = ROOT / "seeds" / "differential" / "backend"
ROW = 32  # bytes per raw line


def case_path(key, out_dir=CASES_OUT):
    """Where the case of a cluster key SIDE/IMPL/CLASS is written."""
    _, impl, cls = key.split("/")
    return pathlib.Path(out_dir) / f"{impl}-{cls}.case"


def repro_command(path, names):
    rel = shown(path)
    return f"/usr/bin/python3 scripts/differential.py repro {rel} --backends {','.join(names)}"


def shown(path):
    """path relative to the repository when it is inside it."""
    path = pathlib.Path(path).resolve()
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def write_case(key, data, names, out_dir=CASES_OUT, origin=""):
    """Writes the case of a cluster key holding data; {case, repro}."""
    path = case_path(key, out_dir)
    _, impl, cls = key.split("/")
    repro = repro_command(path, names)
    lines = [
        "# Written by scripts/differential.py (docs/differential.md, \"Minimisation\"):",
        f"# the smallest stream found that still shows the cluster {key}",
        f"# against {', '.join(n for n in names if n != impl)}{origin}. Repro:",
        f"#   {repro}",
        f"id: differential/backend/{impl}-{cls}",
        "section: differential",
        "level: INFO",
        "role: any",
        f"requirement: Not a requirement: a discrepancy the differential engine found ({key}).",
    ]
    lines += [f"raw {data[i:i + ROW].hex()}" for i in range(0, len(data), ROW)]
    lines.append("observe")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return {"case": shown(path), "repro": repro}


def case_id(path):
    m = re.search(r"^id: (\S+)$", pathlib.Path(path).read_text(), re.M)
    if not m:
        raise ValueError(f"{path}: no 'id:' line")
    return m.group(1)


def case_bytes(path):
    """The bytes a case file sends, as fcgispec reads them. ValueError with
    fcgispec's message when the file does not parse."""
    path = pathlib.Path(path)
    fcgispec = backends.build_dir() / "conformance" / "fcgispec"
    r = subprocess.run([str(fcgispec), "--cases", str(path.parent), "--dump-send",
                        case_id(path)], capture_output=True)
    if r.returncode != 0:
        msg = r.stderr.decode(errors="replace").strip().splitlines()
        raise ValueError(msg[-1] if msg else f"{path}: fcgispec exited {r.returncode}")
    return r.stdout
