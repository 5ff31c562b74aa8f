#!/usr/bin/python3
"""The differential engine (docs/differential.md): runs fcgispec_tools/differential/cli.py."""
import sys

from fcgispec_tools.differential import cli

sys.exit(cli.main())
