"""Each proxy's page (docs/proxies/NAME.md) explains exactly the response-side
entries of its baseline (scripts/proxies/baselines/NAME.txt): every reply
case the baseline expects not to pass is named on the page, and every reply
case id the page names is one of them, so a page cannot keep a finding the
baseline dropped or miss one it gained."""
import re

import pytest

from fuzz_helpers import ROOT, catalog_ids

BASELINES = ROOT / "scripts" / "proxies" / "baselines"
PAGES = ROOT / "docs" / "proxies"
REPLY_CASES = ROOT / "seeds" / "cases" / "proxy" / "reply"
# A response-side case id as the pages write it, between backticks.
REPLY_ID = re.compile(r"[a-z0-9.-]+/reply-[a-z-]+/[a-z0-9-]+")
NAMES = sorted(p.stem for p in BASELINES.glob("*.txt"))


def baseline_reply_ids(name):
    ids = set()
    for line in (BASELINES / f"{name}.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            case_id = line.split()[0]
            if REPLY_ID.fullmatch(case_id):
                ids.add(case_id)
    return ids


def page_reply_ids(name):
    text = (PAGES / f"{name}.md").read_text()
    return {s for s in re.findall(r"`([^`\n]+)`", text) if REPLY_ID.fullmatch(s)}


def test_every_proxy_with_a_baseline_has_a_page():
    assert NAMES, "no proxy baselines"
    assert [n for n in NAMES if not (PAGES / f"{n}.md").exists()] == []


@pytest.mark.parametrize("name", NAMES)
def test_page_names_exactly_the_reply_cases_of_the_baseline(name):
    expected, named = baseline_reply_ids(name), page_reply_ids(name)
    assert expected, f"{name}: no response-side entries in its baseline"
    assert sorted(expected - named) == [], f"{name}.md misses baseline entries"
    assert sorted(named - expected) == [], f"{name}.md names cases its baseline does not list"


@pytest.mark.parametrize("name", NAMES)
def test_baseline_reply_entries_are_catalog_cases(name):
    assert sorted(baseline_reply_ids(name) - catalog_ids(REPLY_CASES)) == []
