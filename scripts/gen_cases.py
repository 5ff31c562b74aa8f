#!/usr/bin/python3
"""Writes the generated conformance cases (docs/cases.md): runs fcgispec_tools/gen_cases.py."""
import sys

from fcgispec_tools import gen_cases

sys.exit(gen_cases.main())
