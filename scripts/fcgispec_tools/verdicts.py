"""The verdicts a case can get, from conformance/src/verdicts.def, the list
fcgispec is built from: best to worst, whether each counts in a score, and
what each means."""
import dataclasses
import re

from . import ROOT

DEF = ROOT / "conformance" / "src" / "verdicts.def"
# FSP_VERDICT(ID, "name", SCORED, "meaning" ...): the meaning may be several
# adjacent string literals; none has escapes (verdicts.def says so).
ENTRY = re.compile(r'^FSP_VERDICT\((\w+), "([^"]*)", ([01]),((?:\s*"[^"]*")+)\)$', re.M)


@dataclasses.dataclass(frozen=True)
class Verdict:
    name: str
    scored: bool
    meaning: str


def read():
    """The verdicts of verdicts.def, best to worst."""
    text = DEF.read_text()
    found = [Verdict(name, scored == "1", "".join(re.findall(r'"([^"]*)"', meaning)))
             for _, name, scored, meaning in ENTRY.findall(text)]
    # An entry in another form would be in fcgispec and not here.
    if not found or len(found) != len(re.findall(r"^FSP_VERDICT\(", text, re.M)):
        raise ValueError(f"{DEF}: an FSP_VERDICT entry not in the form it describes")
    return found


ALL = read()
NAMES = [v.name for v in ALL]
UNSCORED = [v.name for v in ALL if not v.scored]
