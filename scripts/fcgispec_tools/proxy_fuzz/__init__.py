"""The proxy fuzzer of scripts/proxy_fuzz.py (docs/proxy-fuzz.md): hostile
application replies played by fcgispec's recording backend through a real
reverse proxy, judged by the proxy case conditions.

  reply     a reply as steps, and the case file that plays it
  grammar   replies from a grammar of records and CGI headers, mutations
  minimise  delta debugging over a reply's steps and bytes
  outcome   what a case's JSON result says: its shape and any finding
  driver    runs batches of cases through run.sh (or the stand-in proxy)
  campaign  the loop: generate, run, keep, confirm, minimise, report
"""
