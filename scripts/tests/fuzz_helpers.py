"""Shared by the fuzz script tests: paths and the scripts on sys.path."""
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
BUILD = pathlib.Path(os.environ.get("FCS_BUILD_DIR", ROOT / "build" / "default"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD
