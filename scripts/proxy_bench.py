#!/usr/bin/python3
"""Throughput through the reverse proxies (docs/benchmarks.md): runs fcgispec_tools/proxy_bench.py."""
import sys

from fcgispec_tools import proxy_bench

sys.exit(proxy_bench.main())
