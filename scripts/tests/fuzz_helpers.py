"""Shared by the script tests: paths and the case ids."""
import os
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BUILD = pathlib.Path(os.environ.get("FCS_BUILD_DIR", ROOT / "build" / "default"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD


def catalog_ids(where=ROOT / "seeds" / "cases"):
    """The id of every case file under where."""
    ids = set()
    for case in where.rglob("*.case"):
        m = re.search(r"^id: (\S+)$", case.read_text(), re.M)
        assert m, f"{case}: no id line"
        ids.add(m.group(1))
    return ids
