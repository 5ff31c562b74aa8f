#!/usr/bin/python3
"""Writes the generated proxy cases (docs/cases.md): runs fcgispec_tools/gen_proxy_cases.py."""
import sys

from fcgispec_tools import gen_proxy_cases

sys.exit(gen_proxy_cases.main())
