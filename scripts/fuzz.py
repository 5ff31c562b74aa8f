#!/usr/bin/python3
"""The fuzzing driver (docs/fuzzing.md): runs fcgispec_tools/fuzz/cli.py."""
import sys

from fcgispec_tools.fuzz import cli

sys.exit(cli.main())
