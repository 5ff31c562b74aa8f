#!/usr/bin/python3
"""Writes the upstream harnesses' seed corpora (docs/fuzzing.md): runs fcgispec_tools/fuzz/upstream_seeds.py."""
import sys

from fcgispec_tools.fuzz import upstream_seeds

sys.exit(upstream_seeds.main())
