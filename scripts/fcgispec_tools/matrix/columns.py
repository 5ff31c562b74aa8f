"""The columns of the matrix. Backends: the built-in reference responder
and every start script NAME.sh under scripts/backends/ that has a
baseline. Reverse proxies: every start script NAME.sh under
scripts/proxies/ that has a baseline. Each kind is run by the run.sh
beside its start scripts."""
import dataclasses
import pathlib

BACKEND = "backend"
PROXY = "proxy"
PLURALS = {BACKEND: "backends", PROXY: "proxies"}
REFERENCE = "reference"
# Scripts beside the start scripts that are not columns.
NOT_COLUMNS = {BACKEND: {"run", "common"},
               PROXY: {"run", "common", "start", "stop", "docroot"}}


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    kind: str  # BACKEND or PROXY
    start: pathlib.Path | None  # None: the reference responder
    baseline: pathlib.Path | None

    @property
    def run_sh(self):
        """The script that runs the suite against this column."""
        return self.start.parent / "run.sh"

    @property
    def description(self):
        """The first sentence of the start script's leading comment."""
        if self.start is None:
            return "fcgi-responder, this project's reference responder."
        words = []
        for line in self.start.read_text(errors="replace").splitlines()[1:]:
            if not line.startswith("# ") or line.startswith("# fcgispec-"):
                break
            words.append(line[2:].strip())
        text = " ".join(words)
        end = text.find(". ")
        return text[:end + 1] if end >= 0 else text


def scripted(directory, kind):
    """The columns of KIND that DIRECTORY has a start script and a baseline
    for, by name."""
    found = []
    for baseline in sorted((directory / "baselines").glob("*.txt")):
        start = directory / f"{baseline.stem}.sh"
        if start.is_file() and baseline.stem not in NOT_COLUMNS[kind]:
            found.append(Column(baseline.stem, kind, start, baseline))
    return found


def discover(backends_dir, proxies_dir):
    """The reference, the scripted backends, then the proxies. Reports are
    kept by name (json/NAME.json), so a name used twice is a ValueError."""
    found = ([Column(REFERENCE, BACKEND, None, None)]
             + scripted(backends_dir, BACKEND) + scripted(proxies_dir, PROXY))
    by_name = {}
    for c in found:
        other = by_name.setdefault(c.name, c)
        if other is not c:
            raise ValueError(
                f"{other.kind} and {c.kind} are both named {c.name} "
                f"({other.start or 'built in'} and {c.start}): their "
                f"reports would overwrite each other; rename one")
    return found


def select(found, kind, names):
    """The columns of KIND named in NAMES, in discovery order; an unknown
    name is a ValueError that lists the known ones."""
    known = [c.name for c in found if c.kind == kind]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(
            f"unknown {kind} {', '.join(unknown)} "
            f"(known: {', '.join(known) or 'none'})")
    return [c for c in found if c.kind == kind and c.name in names]


def choose(found, backends=None, proxies=None, only=None):
    """The columns a run covers: every one of kind ONLY; or the BACKENDS
    and PROXIES named (a kind not named is left out); or, with none of
    these, all of them."""
    if only:
        return [c for c in found if c.kind == only]
    if backends is None and proxies is None:
        return found
    return (select(found, BACKEND, backends or [])
            + select(found, PROXY, proxies or []))
