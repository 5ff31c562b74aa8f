#!/usr/bin/python3
"""The certification matrix (docs/matrix.md): runs fcgispec_tools/matrix/cli.py."""
import sys

from fcgispec_tools.matrix import cli

sys.exit(cli.main())
