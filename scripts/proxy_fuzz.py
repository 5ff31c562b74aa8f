#!/usr/bin/python3
"""The response-side proxy fuzzer (docs/proxy-fuzz.md): runs fcgispec_tools/proxy_fuzz/cli.py."""
import sys

from fcgispec_tools.proxy_fuzz import cli

sys.exit(cli.main())
