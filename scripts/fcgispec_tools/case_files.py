"""What the case generators (gen_cases.py, gen_proxy_cases.py) share: the
directory under seeds/cases a generator owns and the marker line that makes
a file its own, checked (--check) or written, never touching a file it did
not write nor taking an id a hand-written case uses."""
import argparse
import pathlib
import re
import sys
from dataclasses import dataclass

from . import ROOT

CASES = ROOT / "seeds" / "cases"


def counts_table(cases, heading, column):
    """Markdown: cases per family and COLUMN (an attribute of a case), in
    generation order; HEADING names the two columns."""
    rows = {}
    for c in cases:
        key = (c.family, getattr(c, column))
        rows[key] = rows.get(key, 0) + 1
    lines = [f"| {heading[0]} | {heading[1]} | cases |", "| --- | --- | --- |"]
    lines += [f"| {fam} | {col} | {n} |" for (fam, col), n in rows.items()]
    lines.append(f"| total | | {len(cases)} |")
    return "\n".join(lines) + "\n"


@dataclass
class Owned:
    tool: str  # the generator's name in messages: gen_cases
    out: str  # its directory, relative to the cases directory
    marker: str  # the first line of every file it writes
    what: str  # "generated cases", in the --check summary
    id_chars: str = "a-z0-9.-"  # what an id segment is made of

    def fail(self, text):
        raise SystemExit(f"{self.tool}: {text}")

    def planned(self, cases, validate=None):
        """{path relative to the cases directory: text}; ids checked, and
        each case by validate (which returns a complaint or None)."""
        out, seen = {}, set()
        segment = f"[{self.id_chars}]+"
        for c in cases:
            if c.id in seen:
                self.fail(f"id '{c.id}' generated twice")
            seen.add(c.id)
            if not re.fullmatch(f"{segment}(/{segment})+", c.id) or \
                    not c.id.startswith(c.section + "/"):
                self.fail(f"bad id '{c.id}'")
            why = validate(c) if validate else None
            if why:
                self.fail(f"'{c.id}': {why}")
            out[f"{self.out}/{c.id}.case"] = c.text()
        return out

    def hand_written_ids(self, cases_dir):
        ids = {}
        for p in sorted(cases_dir.rglob("*.case")):
            rel = p.relative_to(cases_dir).as_posix()
            if rel.startswith(self.out + "/"):
                continue
            m = re.search(r"^id:\s*(\S+)", p.read_text(errors="replace"), re.M)
            if m:
                ids[m.group(1)] = rel
        return ids

    def existing(self, cases_dir):
        """{relative path: text} of every file under the output directory."""
        root = cases_dir / self.out
        if not root.exists():
            return {}
        return {p.relative_to(cases_dir).as_posix(): p.read_text(errors="replace")
                for p in sorted(root.rglob("*")) if p.is_file()}

    def ours(self, text):
        return text.startswith(self.marker + "\n")

    def check(self, cases_dir, plan):
        have = self.existing(cases_dir)
        for rel in sorted(set(plan) | set(have)):
            if rel not in have:
                why = "is missing"
            elif rel not in plan:
                why = "is not generated (stale, or not the generator's)"
            elif have[rel] != plan[rel]:
                why = "differs from what the generator writes"
            else:
                continue
            print(f"{self.tool}: seeds/cases/{rel} {why}; run"
                  f" scripts/{self.tool}.py", file=sys.stderr)
            return 1
        print(f"{self.tool}: {len(plan)} {self.what} up to date")
        return 0

    def write(self, cases_dir, plan):
        have = self.existing(cases_dir)
        foreign = [rel for rel, text in have.items() if not self.ours(text)]
        if foreign:
            self.fail(f"seeds/cases/{foreign[0]} is not a generated file (no"
                      f" marker line); refusing to touch {self.out}/ until it"
                      " is moved out")
        taken = self.hand_written_ids(cases_dir)
        for rel in plan:
            cid = rel[len(self.out) + 1:-len(".case")]
            if cid in taken:
                self.fail(f"id '{cid}' is already used by the hand-written"
                          f" seeds/cases/{taken[cid]}")
        written = removed = 0
        for rel, text in plan.items():
            if have.get(rel) != text:
                path = cases_dir / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
                written += 1
        for rel in sorted(set(have) - set(plan)):
            (cases_dir / rel).unlink()
            removed += 1
        for d in sorted((cases_dir / self.out).rglob("*"), reverse=True):
            if d.is_dir() and not any(d.iterdir()):
                d.rmdir()
        print(f"{self.tool}: {len(plan)} cases, {written} written,"
              f" {removed} removed")
        return 0

    def main(self, doc, all_cases, counts_table, counts_help, validate=None,
             argv=None):
        """The generator's command line: write, --check or --counts."""
        ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
        ap.add_argument("--check", action="store_true",
                        help="compare instead of writing; exit 1 on a"
                        " difference")
        ap.add_argument("--counts", action="store_true", help=counts_help)
        ap.add_argument("--cases", type=pathlib.Path, default=CASES,
                        help="the case directory (default: seeds/cases)")
        args = ap.parse_args(argv)
        cases = all_cases()
        if args.counts:
            print(counts_table(cases), end="")
            return 0
        plan = self.planned(cases, validate)
        return (self.check(args.cases, plan) if args.check
                else self.write(args.cases, plan))
