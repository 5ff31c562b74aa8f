#!/usr/bin/python3
"""Writes the http_response corpus (docs/fuzzing.md): runs fcgispec_tools/fuzz/http_seeds.py."""
import sys

from fcgispec_tools.fuzz import http_seeds

sys.exit(http_seeds.main())
