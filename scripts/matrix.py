#!/usr/bin/python3
"""The certification matrix: runs the conformance suite (fcgispec) against
every backend under scripts/backends/ that has a baseline, plus the
reference responder, and writes an HTML matrix, a Markdown summary and each
backend's JSON and JUnit reports. With --check it fails when a backend's
verdicts differ from its checked-in baseline. With --reports DIR it runs
nothing and renders the reports an earlier run wrote under DIR (the jobs
of a CI matrix, one backend each: .github/workflows/certify.yml).

  scripts/matrix.py [--backends a,b] [--jobs N] [--out DIR] [--check]
                    [--screenshot FILE] [--reports DIR]
"""
import argparse
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "matrix"))

import backends  # noqa: E402
import check  # noqa: E402
import page  # noqa: E402
import runner  # noqa: E402
import screenshot  # noqa: E402
import summary  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


def in_root(path):
    path = pathlib.Path(path)
    return path if path.is_absolute() else ROOT / path


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Run the FastCGI conformance suite against every "
        "backend and write the certification matrix.")
    p.add_argument("--backends", metavar="A,B",
                   help="only these backends (default: all discovered)")
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="backends run at the same time (default 1)")
    p.add_argument("--out", default="build/matrix", metavar="DIR",
                   help="output directory (default build/matrix)")
    p.add_argument("--check", action="store_true",
                   help="fail when verdicts differ from the baselines")
    p.add_argument("--screenshot", metavar="FILE",
                   help="also save a PNG of the page, rendered by Chromium")
    p.add_argument("--timeout", type=float, default=600, metavar="S",
                   help="seconds one backend's run may take (default 600)")
    p.add_argument("--reports", metavar="DIR",
                   help="run nothing: render DIR/json/NAME.json, the reports "
                   "of earlier runs (a backend without one is skipped)")
    p.add_argument("--backends-dir", default="scripts/backends",
                   metavar="DIR", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error(f"--jobs must be at least 1, got {args.jobs}")
    return args


def main(argv=None):
    args = parse_args(argv)
    build = in_root(os.environ.get("FCS_BUILD_DIR", "build/default"))
    fcgispec = build / "conformance" / "fcgispec"
    if not args.reports and not fcgispec.exists():
        print(f"matrix: {fcgispec} is missing: build the default preset "
              "first (or set FCS_BUILD_DIR)", file=sys.stderr)
        return 2
    backends_dir = in_root(args.backends_dir)
    found = backends.discover(backends_dir)
    try:
        chosen = (backends.select(found, args.backends.split(","))
                  if args.backends else found)
        baselines = {b.name: check.read_baseline(b.baseline)
                     for b in chosen if b.baseline}
    except ValueError as e:
        print(f"matrix: {e}", file=sys.stderr)
        return 2
    out = in_root(args.out)
    setup = runner.Setup(ROOT, build, backends_dir, out, args.timeout)
    results = (runner.load_all(chosen, setup, in_root(args.reports))
               if args.reports else runner.run_all(chosen, setup, args.jobs))

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
    print("check: " + ("every backend matches its baseline" if ok
                       else "verdicts changed (update the baseline or fix "
                       "the regression)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
