#!/usr/bin/python3
"""Checks the OSS-Fuzz build contract (docs/oss-fuzz.md): runs fcgispec_tools/fuzz/oss_contract.py."""
import sys

from fcgispec_tools.fuzz import oss_contract

sys.exit(oss_contract.main())
