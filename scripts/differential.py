#!/usr/bin/python3
"""The differential engine's command line (docs/differential.md).

  differential.py probe --side proxy [--proxies A,B] [--write]
  differential.py proxies [--seed S] [--count N] [--proxies A,B] [--out FILE]
                          [--minimise-calls N] [--quirks FILE]

Exit status: 0 done, 2 usage (a one-line error), 3 a proxy would not start."""
import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from differential import proxy_campaign  # noqa: E402
from proxy_fuzz import driver  # noqa: E402


def _proxies(text):
    return proxy_campaign.names(text.split(",") if text else None)


def cmd_probe(args):
    if args.side != "proxy":
        raise ValueError(f"--side {args.side}: this command line knows only 'proxy'")
    quirks = proxy_campaign.probe(_proxies(args.proxies))
    if args.write:
        proxy_campaign.write_quirks(quirks)
        print(f"wrote {proxy_campaign.QUIRKS.relative_to(proxy_campaign.ROOT)}")
    else:
        print(json.dumps(quirks, indent=2, sort_keys=True))
    return 0


def cmd_proxies(args):
    proxies = _proxies(args.proxies)
    if len(proxies) < 2:
        raise ValueError("--proxies: a comparison needs at least two proxies")
    quirks = proxy_campaign.load_quirks(args.quirks)
    out = pathlib.Path(args.out or proxy_campaign.ROOT / "build" / "differential" /
                       f"proxy-s{args.seed}.json")

    def progress(done, clusters, seconds):
        print(f"{done}/{args.count} streams, {clusters} clusters, {seconds:.0f} s",
              file=sys.stderr)
    res = proxy_campaign.campaign(proxies, args.seed, args.count, quirks,
                                  minimise_calls=args.minimise_calls, progress=progress,
                                  minimal_root=pathlib.Path(args.minimal))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n")
    st = res["stats"]
    print(f"{st['streams']} streams through {len(proxies)} proxies in {st['seconds']} s "
          f"({st['streams_per_second']} streams/s compared), "
          f"{len(res['clusters'])} clusters; results in {out}")
    for c in res["clusters"]:
        example = bytes.fromhex(res["streams"][c["streams"][0]]["input"])
        print(f"  {c['key']}: {c['count']} (stream {c['streams'][0]}: {example[:120]!r})")
        if c["minimal"]:
            print(f"    minimal: {c['minimal']['case']} ({c['minimal']['bytes']} bytes); "
                  f"repro: {c['minimal']['repro']}")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="differential.py", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("probe", help="learn each implementation's quirks")
    p.add_argument("--side", default="proxy")
    p.add_argument("--proxies", help="comma-separated names (default: every proxy)")
    p.add_argument("--write", action="store_true", help="write the quirks file")
    p = sub.add_parser("proxies", help="a campaign of generated HTTP requests")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--proxies", help="comma-separated names (default: every proxy)")
    p.add_argument("--out", help="the results JSON (default build/differential/proxy-sS.json)")
    p.add_argument("--quirks", default=str(proxy_campaign.QUIRKS))
    p.add_argument("--minimal", default=str(proxy_campaign.MINIMAL),
                   help="where minimal cases go (default seeds/differential/proxy)")
    p.add_argument("--minimise-calls", type=int, default=8,
                   help="ddmin rounds per cluster (0: no minimising)")
    args = ap.parse_args(argv)
    try:
        return {"probe": cmd_probe, "proxies": cmd_proxies}[args.cmd](args)
    except (ValueError, FileNotFoundError) as e:
        print(f"differential.py: {e}", file=sys.stderr)
        return 2
    except driver.WouldNotStart as e:
        print(f"differential.py: a proxy would not start: {e}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
