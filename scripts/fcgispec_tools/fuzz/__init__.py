"""The fuzzing driver of scripts/fuzz.py (docs/fuzzing.md) and the seed
writers of scripts/fuzz_*_seeds.py.

  build          the fuzz builds and the list of targets
  campaign       libFuzzer and AFL++ runs, corpus merges
  triage         crashes filed under seeds/regression
  coverage       source coverage of the corpora
  bench          executions per second against a baseline build
  upstream       the pinned upstream sources (scripts/fuzz_upstream.py)
  upstream_seeds the upstream harnesses' corpora
  oss_contract   OSS-Fuzz's build contract (scripts/fuzz_oss_contract.py)
  seeds          the spec-derived corpora (scripts/fuzz_seeds.py)
  runner_seeds   the runner corpus, http_seeds the http_response corpus
"""
