"""The certification matrix of scripts/matrix.py (docs/matrix.md).

  columns   the backends and proxies with a baseline
  runner    runs a column's fcgispec, reads its report
  check     a column's verdicts against its baseline
  catalog, sections   the cases and the spec sections they belong to
  page, summary       the HTML matrix and the Markdown summary
  browser, screenshot the page in headless Chromium
"""
