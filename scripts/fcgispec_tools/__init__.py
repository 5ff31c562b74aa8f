"""The project's Python tools. The commands are the launchers beside this
package in scripts/ (fuzz.py, matrix.py, differential.py, proxy_fuzz.py,
proxy_bench.py, gen_cases.py, ...); each runs a main() from here.

  fuzz          the fuzzing driver and its seed writers (docs/fuzzing.md)
  matrix        the certification matrix (docs/matrix.md)
  differential  the differential engine (docs/differential.md)
  proxy_fuzz    the response-side proxy fuzzer (docs/proxy-fuzz.md)
  procs         stopping a process group
"""
import pathlib

# The repository's top: this file is scripts/fcgispec_tools/__init__.py.
ROOT = pathlib.Path(__file__).resolve().parents[2]
