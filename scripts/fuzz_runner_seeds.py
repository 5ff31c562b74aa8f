#!/usr/bin/python3
"""Writes the runner corpus (docs/fuzzing.md): runs fcgispec_tools/fuzz/runner_seeds.py."""
import sys

from fcgispec_tools.fuzz import runner_seeds

sys.exit(runner_seeds.main())
