"""The certification matrix: runs the conformance suite (fcgispec) against
every backend under scripts/backends/ that has a baseline, plus the
reference responder, and runs the proxy cases against every reverse proxy
under scripts/proxies/ that has a baseline; writes an HTML matrix (a table
of backends and one of proxies), a Markdown summary and each column's JSON
and JUnit reports. With --check it fails when a column's verdicts differ
from its checked-in baseline, or a column could not run. With --reports
DIR it runs nothing and renders the reports an earlier run wrote under DIR
(the jobs of a CI matrix, one backend each:
.github/workflows/certify.yml).

  scripts/matrix.py [--backends A,B] [--proxies A,B] [--only backends|proxies]
                    [--jobs N] [--proxy-jobs N] [--out DIR] [--check]
                    [--screenshot FILE]
                    [--reports DIR]

Without a selection every backend and every proxy is run. --backends and
--proxies name the columns of their kind, and a kind not named is left
out (--backends go runs go alone); --only KIND takes every column of one
kind.
"""
import argparse
import os
import pathlib
import sys


from .. import ROOT
from . import check, columns, page, runner, screenshot, summary


def in_root(path):
    path = pathlib.Path(path)
    return path if path.is_absolute() else ROOT / path


def names(text):
    return text.split(",")


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Run the FastCGI conformance suite against every "
        "backend and reverse proxy and write the certification matrix.")
    p.add_argument("--backends", metavar="A,B", type=names,
                   help="only these backends (and no proxies unless "
                   "--proxies names some)")
    p.add_argument("--proxies", metavar="A,B", type=names,
                   help="only these proxies (and no backends unless "
                   "--backends names some)")
    p.add_argument("--only", choices=list(columns.PLURALS.values()),
                   help="every column of one kind")
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="columns run at the same time (default 1)")
    p.add_argument("--proxy-jobs", type=int, metavar="N",
                   help="run proxies in a pool of their own, N at a time, "
                   "beside the --jobs pool of backends (a proxy run mostly "
                   "waits on the network)")
    p.add_argument("--out", default="build/matrix", metavar="DIR",
                   help="output directory (default build/matrix)")
    p.add_argument("--check", action="store_true",
                   help="fail when verdicts differ from the baselines")
    p.add_argument("--screenshot", metavar="FILE",
                   help="also save a PNG of the page, rendered by Chromium")
    p.add_argument("--timeout", type=float, default=600, metavar="S",
                   help="seconds one column's run may take (default 600)")
    p.add_argument("--reports", metavar="DIR",
                   help="run nothing: render DIR/json/NAME.json, the reports "
                   "of earlier runs (a column without one is skipped)")
    p.add_argument("--backends-dir", default="scripts/backends",
                   metavar="DIR", help=argparse.SUPPRESS)
    p.add_argument("--proxies-dir", default="scripts/proxies",
                   metavar="DIR", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error(f"--jobs must be at least 1, got {args.jobs}")
    if args.proxy_jobs is not None and args.proxy_jobs < 1:
        p.error(f"--proxy-jobs must be at least 1, got {args.proxy_jobs}")
    if args.only and (args.backends or args.proxies):
        p.error("--only takes every column of a kind: give it without "
                "--backends and --proxies")
    return args


def main(argv=None):
    args = parse_args(argv)
    build = in_root(os.environ.get("FCS_BUILD_DIR", "build/default"))
    fcgispec = build / "conformance" / "fcgispec"
    if not args.reports and not fcgispec.exists():
        print(f"matrix: {fcgispec} is missing: build the default preset "
              "first (or set FCS_BUILD_DIR)", file=sys.stderr)
        return 2
    only = {v: k for k, v in columns.PLURALS.items()}.get(args.only)
    try:
        found = columns.discover(in_root(args.backends_dir),
                                 in_root(args.proxies_dir))
        chosen = columns.choose(found, args.backends, args.proxies, only)
        baselines = {c.name: check.read_baseline(c.baseline)
                     for c in chosen if c.baseline}
    except ValueError as e:
        print(f"matrix: {e}", file=sys.stderr)
        return 2
    out = in_root(args.out)
    setup = runner.Setup(ROOT, build, out, args.timeout)
    results = (runner.load_all(chosen, setup, in_root(args.reports))
               if args.reports else runner.run_all(
                   chosen, setup, args.jobs, proxy_jobs=args.proxy_jobs))

    out.mkdir(parents=True, exist_ok=True)
    html_path = out / "matrix.html"
    html_path.write_text(page.render(results))
    (out / "matrix.md").write_text(summary.render(results))
    print(f"wrote {html_path}, {out / 'matrix.md'}" +
          ("" if args.reports else f", {out / 'json'}/ and {out / 'junit'}/"))
    if args.screenshot:
        target = in_root(args.screenshot)
        screenshot.save(html_path, target)
        print(f"wrote {target}")
    if not args.check:
        return 0
    ok, text = check.report(results, baselines)
    print(text)
    print("check: " + ("every backend and proxy matches its baseline"
                       if ok else "verdicts changed (update the baseline or "
                       "fix the regression)"))
    return 0 if ok else 1
