"""The CI check of a campaign: every cluster key of a results file must be
listed by a finding of the register (docs/findings/, read by register.py).
A key no finding lists is new and fails CI; a finding marked `timing | yes`
lists clusters that come and go with the machine's speed, so whether they
show up never fails it either way."""
import pathlib

from . import register


def unlisted(results, findings_dir):
    """The sorted cluster keys of results (the results JSON, parsed) that no
    finding of findings_dir (a docs/findings directory) lists."""
    root = pathlib.Path(findings_dir).resolve().parent.parent
    index = register.cluster_index(register.load_register(root))
    keys = {c["key"] for c in results.get("clusters", ())}
    return sorted(k for k in keys if k not in index)
