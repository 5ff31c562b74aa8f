#!/usr/bin/python3
"""Fetches the pinned upstream sources (docs/fuzzing.md): runs fcgispec_tools/fuzz/upstream.py."""
import sys

from fcgispec_tools.fuzz import upstream

sys.exit(upstream.main())
