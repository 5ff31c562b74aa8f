"""The differential engine (docs/differential.md): the same generated
input to every backend (FastCGI streams) or every reverse proxy (HTTP
requests), the views compared, the disagreements classified, clustered and
minimised.

commands:
  probe      learn each implementation's quirks (--side backend or proxy;
             --write: into the quirks file)
  backends   a seeded campaign over the backends, written as results JSON
  proxies    a seeded campaign over the proxies, written as results JSON
  repro      a case file's bytes to some backends, the views side by side
  ci         the clusters of results files that no finding lists
  grid       results files drawn as one HTML page
  bench      streams per second, and the time to rediscover known clusters

exit status: 0 done, 1 new clusters (ci), 2 usage, 3 a backend or proxy
would not start, 130 interrupted."""
import argparse
import json
import pathlib
import sys
import time

from .. import ROOT
from . import backends, campaign, casefile, ci, grid, probe, proxy_campaign, repro, tool
from ..proxy_fuzz import driver

EXIT_OK, EXIT_NEW, EXIT_USAGE, EXIT_START = 0, 1, 2, 3


def _backend_list(text):
    try:
        return backends.parse_names(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e))


def _positive(text):
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number")
    if n < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return n


def _common(p):
    p.add_argument("--backends", type=_backend_list, default=backends.all_names(),
                   metavar="A,B,...", help="the backends to run (default: all: "
                   + ",".join(backends.all_names()) + ")")
    p.add_argument("--timeout", type=_positive, default=1000, metavar="MS",
                   help="a backend hangs after MS without progress (default 1000)")


class OneLineParser(argparse.ArgumentParser):
    """Usage errors in one line, naming the command and the argument."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see --help)\n")


def parse(argv):
    top = __doc__.split("\n\n")
    ap = OneLineParser(prog="differential.py", description=top[0],
                                 epilog="\n\n".join(top[1:]),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("probe", help="learn each implementation's quirks")
    _common(p)
    p.add_argument("--side", choices=("backend", "proxy"), default="backend",
                   help="the backends (default) or the proxies")
    p.add_argument("--proxies", metavar="A,B,...",
                   help="with --side proxy: the proxies (default: every proxy)")
    p.add_argument("--write", action="store_true",
                   help=f"write the quirks file ({probe.QUIRKS.relative_to(ROOT)}, or "
                   f"{proxy_campaign.QUIRKS.relative_to(ROOT)}; else print them)")

    p = sub.add_parser("backends", help="a seeded campaign over the backends")
    _common(p)
    p.add_argument("--seed", type=int, default=1, metavar="S", help="the seed (default 1)")
    p.add_argument("--count", type=_positive, required=True, metavar="N",
                   help="how many streams (streams 0..N-1 of the seed)")
    p.add_argument("--out", type=pathlib.Path, required=True, metavar="FILE",
                   help="the results JSON")
    p.add_argument("--minimise", nargs="?", const="all", metavar="KEY,...",
                   help="minimise one stream of each cluster (or of the clusters named) "
                   "that has no case file yet")
    p.add_argument("--minimise-seconds", type=_positive, default=60, metavar="S",
                   help="time for minimising one cluster (default 60)")
    p.add_argument("--cases-out", type=pathlib.Path, default=casefile.CASES_OUT, metavar="DIR",
                   help="where minimised cases go (default seeds/differential/backend)")
    p.add_argument("--batch", type=_positive, default=campaign.BATCH, metavar="N",
                   help=f"streams per fcgi-diff call (default {campaign.BATCH})")

    p = sub.add_parser("proxies", help="a seeded campaign over the proxies")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="the seed (default 1)")
    p.add_argument("--count", type=_positive, default=200, metavar="N",
                   help="how many requests (default 200)")
    p.add_argument("--proxies", metavar="A,B,...", help="the proxies (default: every proxy)")
    p.add_argument("--out", type=pathlib.Path, metavar="FILE",
                   help="the results JSON (default build/differential/proxy-sS.json)")
    p.add_argument("--quirks", type=pathlib.Path, default=proxy_campaign.QUIRKS, metavar="FILE",
                   help="the quirks file (default seeds/differential/quirks-proxy.json)")
    p.add_argument("--minimal", type=pathlib.Path, default=proxy_campaign.MINIMAL,
                   metavar="DIR", help="where minimal cases go (default seeds/differential/proxy)")
    p.add_argument("--minimise-calls", type=int, default=8, metavar="N",
                   help="ddmin rounds per cluster (0: no minimising; default 8)")

    p = sub.add_parser("repro", help="a case's bytes to some backends, side by side")
    _common(p)
    p.add_argument("case", type=pathlib.Path, metavar="CASEFILE")

    p = sub.add_parser("ci", help="exit 1 naming each cluster no finding lists")
    p.add_argument("--results", type=pathlib.Path, required=True, nargs="+", metavar="FILE",
                   help="one results file per side")
    p.add_argument("--register", type=pathlib.Path, default=ROOT / "docs" / "findings",
                   metavar="DIR", help="the findings pages (default docs/findings)")

    p = sub.add_parser("grid", help="results files drawn as one HTML page")
    p.add_argument("results", nargs="+", metavar="RESULTS", help="one results file per side")
    p.add_argument("--out", required=True, metavar="PAGE", help="the HTML page to write")

    p = sub.add_parser("bench", help="streams/s and time to rediscover known clusters")
    _common(p)
    p.add_argument("--count", type=_positive, default=200, metavar="N",
                   help="streams for the throughput run (default 200)")
    p.add_argument("--seed", type=int, default=7, metavar="S",
                   help="the seed of the rediscovery runs (default 7)")
    p.add_argument("--limit", type=_positive, default=2000, metavar="N",
                   help="give up on a cluster after N streams (default 2000)")
    return ap.parse_args(argv)


def _proxies(text):
    return proxy_campaign.names(text.split(",") if text else None)


def cmd_probe(a):
    if a.side == "proxy":
        quirks = proxy_campaign.probe(_proxies(a.proxies))
        if a.write:
            proxy_campaign.write_quirks(quirks)
            print(f"wrote {proxy_campaign.QUIRKS.relative_to(ROOT)}")
        else:
            print(json.dumps(quirks, indent=2, sort_keys=True))
        return EXIT_OK
    with backends.Fleet(a.backends) as fleet:
        learnt = probe.run(fleet, a.timeout)
    if a.write:
        probe.write(learnt)
        print(f"wrote {probe.QUIRKS.relative_to(ROOT)} ({len(learnt)} backends)")
    else:
        print(probe.dump(learnt), end="")
    return EXIT_OK


def cmd_backends(a):
    with backends.Fleet(a.backends) as fleet:
        run = campaign.Campaign(fleet, probe.load(), a.seed, a.count, a.timeout, a.batch,
                                log=campaign.stderr_log).run()
        seconds = time.monotonic() - run.started
        if a.minimise:
            only = None if a.minimise == "all" else set(a.minimise.split(","))
            run.minimise_new(a.cases_out, seconds=a.minimise_seconds, only=only)
        results = run.results(seconds)
    campaign.write_results(results, a.out)
    s = results["stats"]
    print(f"{s['streams']} streams in {s['seconds']:.1f} s ({s['streams_per_second']}/s), "
          f"{len(results['clusters'])} clusters, results in {a.out}")
    for c in results["clusters"]:
        print(f"  {c['key']}  {c['count']} streams, first at {c['first_seen_s']} s")
    return EXIT_OK


def cmd_proxies(a):
    proxies = _proxies(a.proxies)
    if len(proxies) < 2:
        raise ValueError("--proxies: a comparison needs at least two proxies")
    quirks = proxy_campaign.load_quirks(a.quirks)
    out = a.out or ROOT / "build" / "differential" / f"proxy-s{a.seed}.json"

    def progress(done, clusters, seconds):
        print(f"{done}/{a.count} streams, {clusters} clusters, {seconds:.0f} s",
              file=sys.stderr)
    res = proxy_campaign.campaign(proxies, a.seed, a.count, quirks,
                                  minimise_calls=a.minimise_calls, progress=progress,
                                  minimal_root=a.minimal)
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
    return EXIT_OK


def cmd_repro(a):
    if not a.case.is_file():
        raise UsageError(f"repro: no case file '{a.case}'")
    try:
        repro.run(a.case, a.backends, a.timeout)
    except ValueError as e:
        raise UsageError(f"repro: {e}")
    return EXIT_OK


def cmd_ci(a):
    new = 0
    for path in a.results:
        try:
            results = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            raise UsageError(f"ci: cannot read --results {path}: {e}")
        unlisted = ci.unlisted(results, a.register)
        for key in unlisted:
            print(f"new cluster: {key} (no page of {a.register} lists it)")
        if not unlisted:
            print(f"every cluster of {path} is in the register")
        new += len(unlisted)
    return EXIT_NEW if new else EXIT_OK


def cmd_grid(a):
    return grid.main([str(p) for p in a.results] + ["--out", a.out])


def cmd_bench(a):
    from . import bench
    bench.run(a.backends, a.count, a.seed, a.limit, a.timeout)
    return EXIT_OK


class UsageError(Exception):
    pass


def main(argv=None):
    a = parse(argv)
    try:
        return {"probe": cmd_probe, "backends": cmd_backends, "proxies": cmd_proxies,
                "repro": cmd_repro, "ci": cmd_ci, "grid": cmd_grid,
                "bench": cmd_bench}[a.command](a)
    except (UsageError, ValueError, FileNotFoundError) as e:
        print(f"differential.py: {e}", file=sys.stderr)
        return EXIT_USAGE
    except backends.WouldNotStart as e:
        print(f"differential.py: a backend would not start: {e}", file=sys.stderr)
        return EXIT_START
    except driver.WouldNotStart as e:
        print(f"differential.py: a proxy would not start: {e}", file=sys.stderr)
        return EXIT_START
    except tool.ToolError as e:
        print(f"differential.py: {e}", file=sys.stderr)
        return EXIT_START if "exited 3" in str(e) else EXIT_USAGE
    except KeyboardInterrupt:
        print("differential.py: interrupted", file=sys.stderr)
        return 130
