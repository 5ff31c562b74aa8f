"""`differential.py bench`: how fast the engine runs and how fast it finds
known discrepancies (docs/differential.md, "Benchmarks").

1. Throughput: a campaign of COUNT streams over the chosen backends;
   streams per second, and each backend's mean milliseconds per stream
   (fcgi-diff's `ms`; the slowest backend sets the pace, since every stream
   goes to all of them at once).
2. Rediscovery: from an empty corpus (a fresh seed, nothing reused from an
   earlier campaign), the seconds and streams until each of three
   discrepancies the matrix baselines record first shows as its cluster,
   with the backends involved plus reference, libfcgi and php-fpm as the
   others; and the same until it shows on a stream that has the known
   cause (a backend that dies of many things may show the cluster first
   for another reason). Times count from the campaign's start, after the
   backends are up; streams are counted in batches of 20."""
import time

from . import backends, campaign, probe



def _has_mutation(name):
    return lambda s: name in s["mutations"]


# (cluster key, the cause docs/backends/IMPL.md records, how to see it in a
# stream). mojo-fastcgi's known one (a STDIN or PARAMS record holding the
# single byte 0 ends the stream) is out of reach: fcgi-diff never cuts a
# one-byte record.
KNOWN = [
    ("backend/node-fastcgi/crash", "an unknown record type kills the process",
     _has_mutation("unknown-type")),
    ("backend/perl-fcgi/crash", "a NUL byte in a param name kills the process",
     _has_mutation("nul-byte")),
    ("backend/ruby-fcgi/crash", "a GET_VALUES naming a variable kills the process",
     _has_mutation("get-values")),
]
WITNESSES = ["reference", "libfcgi", "php-fpm"]


def throughput(names, count, seed, timeout_ms, log):
    with backends.Fleet(names) as fleet:
        run = campaign.Campaign(fleet, probe.load(), seed, count, timeout_ms).run()
        seconds = time.monotonic() - run.started
    per = {n: sum(s["views"][n].get("ms") or 0 for s in run.streams) / len(run.streams)
           for n in names}
    log(f"throughput: {count} streams x {len(names)} backends in {seconds:.1f} s: "
        f"{count / seconds:.2f} streams/s, {count * len(names) / seconds:.1f} views/s")
    for n in sorted(per, key=per.get, reverse=True):
        log(f"  {n:<18} {per[n]:8.1f} ms per stream")
    return count / seconds


def rediscover(seed, limit, timeout_ms, log, batch=20):
    """{key: (seconds, streams, seconds, streams)} for each KNOWN key: when it
    first showed, and when it first showed on a stream with its known cause
    (None, None when not within limit streams of seed)."""
    names = backends.parse_names(",".join(
        WITNESSES + [k.split("/")[1] for k, _, _ in KNOWN]))
    first, caused = {}, {}
    with backends.Fleet(names) as fleet:
        run = campaign.Campaign(fleet, probe.load(), seed, limit, timeout_ms, batch)
        done = 0
        while done < limit and len(caused) < len(KNOWN):
            n = min(batch, limit - done)
            run.run_batch(done, n)
            done += n
            for s in run.streams[-n:]:
                at = (time.monotonic() - run.started, len(run.streams))
                for key, _, check in KNOWN:
                    if key in s["clusters"]:
                        first.setdefault(key, at)
                        if check(s):
                            caused.setdefault(key, at + (s["id"],))
    out = {}
    for key, cause, _ in KNOWN:
        if key not in first:
            log(f"rediscovery: {key}: not within {limit} streams of seed {seed}")
            continue
        seconds, streams = first[key]
        line = f"rediscovery: {key}: first after {seconds:.1f} s, {streams} streams; "
        if key in caused:
            line += (f"with the known cause ({cause}) after {caused[key][0]:.1f} s, "
                     f"{caused[key][1]} streams (stream {caused[key][2]})")
        else:
            line += f"never with the known cause ({cause}) within {limit} streams"
        log(line)
        out[key] = (first[key], caused.get(key))
    return out


def run(names, count, seed, limit, timeout_ms, log=print):
    throughput(names, count, seed, timeout_ms, log)
    return rediscover(seed, limit, timeout_ms, log)
