"""Fuzzes the response side of a reverse proxy: seeded hostile FastCGI
replies, played by fcgispec's recording backend, each judged by the proxy
case conditions (docs/proxy-fuzz.md). A finding is confirmed alone,
minimised and written as a case file in DIR/findings/.

exit status: 0 no finding, 1 findings (DIR/findings/), 2 usage,
3 the proxy would not start, 130 (143) interrupted by Ctrl-C (TERM)."""
import argparse
import pathlib
import signal
import sys

from .. import ROOT
from . import campaign, driver


def parse(argv):
    ap = argparse.ArgumentParser(
        prog="proxy_fuzz.py", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n")[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--proxy", required=True, metavar="NAME",
                    help="a proxy of scripts/proxies/list.sh, or standin:MODE (the "
                    "stand-in proxy conformance/tests/judge_proxy.py: plain, desync, crash)")
    ap.add_argument("--seconds", required=True, type=int, metavar="N",
                    help="how long to fuzz (minimising the findings comes after)")
    ap.add_argument("--seed", type=int, default=1, metavar="S",
                    help="the seed: the same seed gives the same replies (default 1)")
    ap.add_argument("--out", type=pathlib.Path, metavar="DIR",
                    help="where corpus/, findings/, flaky/ and summary.json go; a new "
                    "directory or one this tool wrote (default: "
                    "build/proxy-fuzz/PROXY-sSEED)")
    ap.add_argument("--batch", type=int, default=50, metavar="K",
                    help="replies per proxy start (default 50)")
    ap.add_argument("--max-replies", type=int, metavar="N",
                    help="stop after N replies even if time is left")
    ap.add_argument("--minimise-calls", type=int, default=campaign.MINIMISE_CALLS,
                    metavar="N", help="proxy starts a finding's minimisation may take "
                    f"(default {campaign.MINIMISE_CALLS}; 0 keeps findings as found)")
    args = ap.parse_args(argv)
    for name, least in (("seconds", 1), ("batch", 1), ("max_replies", 1),
                        ("minimise_calls", 0)):
        value = getattr(args, name)
        if value is not None and value < least:
            ap.error(f"--{name.replace('_', '-')} must be at least {least}, not {value}")
    if args.out is None:
        args.out = ROOT / "build" / "proxy-fuzz" / f"{args.proxy.replace(':', '-')}-s{args.seed}"
    return args


def main(argv=None):
    args = parse(argv)
    try:
        run = campaign.Campaign(args.proxy, args.seconds, args.seed, args.out, args.batch,
                                campaign.stderr_log, args.max_replies, args.minimise_calls)
    except ValueError as e:
        print(f"proxy_fuzz.py: {e}", file=sys.stderr)
        return 2
    # TERM ends the run as Ctrl-C does: nothing it started is left behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        summary = run.run()
    except driver.WouldNotStart as e:
        print(f"proxy_fuzz.py: {args.proxy} would not start: {e}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("proxy_fuzz.py: interrupted", file=sys.stderr)
        return 130
    for f in summary["findings"]:
        print(f"{f['kind']}: {f['file']}")
    print(f"{summary['replies']} replies in {summary['fuzz_seconds']} s "
          f"({summary['replies_per_second']} replies/s), {len(summary['findings'])} "
          f"findings, {len(summary['flaky'])} flaky; {args.out}/summary.json")
    return 1 if summary["findings"] else 0
