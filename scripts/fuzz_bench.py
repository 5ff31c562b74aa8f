"""Benchmark: exec/s of each libFuzzer target on its seed corpus next to
the empty target's exec/s on the same corpus, measured back to back, in
the libFuzzer build without sanitizers (build/fuzz-bench), so the ratio
shows what the harness and the codec cost, not ASan."""
import tempfile

import fuzz_build
import fuzz_campaign


def measure(names, seconds, log=print):
    fuzz_build.build("bench", list(names) + [fuzz_build.EMPTY_TARGET])
    rows = []
    for name in names:
        rates = {}
        for which in (fuzz_build.EMPTY_TARGET, name):
            with tempfile.TemporaryDirectory() as root:
                s = fuzz_campaign.run_libfuzzer(
                    which, seconds, root=root, log=lambda _: None,
                    corpus_target=name, engine="bench")
            rates[which] = s["exec_s"]
        ratio = rates[name] / rates[fuzz_build.EMPTY_TARGET] if rates[fuzz_build.EMPTY_TARGET] else 0.0
        rows.append({"target": name, "exec_s": rates[name],
                     "empty_exec_s": rates[fuzz_build.EMPTY_TARGET], "ratio": round(ratio, 3)})
        log(f"bench: {name:10} {rates[name]:>9} exec/s   empty {rates[fuzz_build.EMPTY_TARGET]:>9}"
            f" exec/s   ratio {ratio:.2f}")
    return rows
