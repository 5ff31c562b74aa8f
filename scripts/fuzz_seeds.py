#!/usr/bin/python3
"""Writes the fuzz seed corpora (docs/fuzzing.md): runs fcgispec_tools/fuzz/seeds.py."""
import sys

from fcgispec_tools.fuzz import seeds

sys.exit(seeds.main())
