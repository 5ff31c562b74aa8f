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
   others. Each first stream is checked for the known cause, so a cluster
   that turned up for another reason is reported as such."""
import time

from . import backends, campaign, probe, stream

STDIN = 5


def _has_mutation(name):
    return lambda s: name in s["mutations"]


def _stdin_record_zero(s):
    data = bytes.fromhex(s["input"])
    return any(t == STDIN and data[a + 4:a + 6] == b"\x00\x01" and data[a + 8:a + 9] == b"0"
               for a, _, t, _ in stream.records(data))


# (cluster key, the cause docs/backends/IMPL.md records, how to see it in a stream)
KNOWN = [
    ("backend/node-fastcgi/crash", "an unknown record type kills the process",
     _has_mutation("unknown-type")),
    ("backend/perl-fcgi/crash", "a NUL byte in a param name kills the process",
     _has_mutation("nul-byte")),
    ("backend/mojo-fastcgi/body-bytes", "a STDIN record holding the single byte 0 ends STDIN",
     _stdin_record_zero),
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
    """{key: (seconds, streams, cause seen)} for each KNOWN key found within
    limit streams of seed."""
    names = backends.parse_names(",".join(
        WITNESSES + [k.split("/")[1] for k, _, _ in KNOWN]))
    found = {}
    with backends.Fleet(names) as fleet:
        run = campaign.Campaign(fleet, probe.load(), seed, limit, timeout_ms, batch)

        def seen(key, seconds, streams):
            if any(key == k for k, _, _ in KNOWN) and key not in found:
                found[key] = (seconds, streams)
        run.on_new = seen
        done = 0
        while done < limit and len(found) < len(KNOWN):
            n = min(batch, limit - done)
            run.run_batch(done, n)
            done += n
    out = {}
    for key, cause, check in KNOWN:
        if key not in found:
            log(f"rediscovery: {key}: not within {limit} streams of seed {seed}")
            continue
        seconds, streams = found[key]
        first = next(s for s in run.streams if key in s["clusters"])
        why = "the known cause" if check(first) else "ANOTHER cause than the known one"
        log(f"rediscovery: {key}: {seconds:.1f} s, {streams} streams (stream {first['id']}, "
            f"{why}: {cause}; mutations {','.join(first['mutations'])})")
        out[key] = (seconds, streams, check(first))
    return out


def run(names, count, seed, limit, timeout_ms, log=print):
    throughput(names, count, seed, timeout_ms, log)
    return rediscover(seed, limit, timeout_ms, log)
