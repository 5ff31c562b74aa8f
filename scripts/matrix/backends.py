"""Which backends the matrix covers: every start script NAME.sh under
scripts/backends/ that has a baseline, plus the built-in reference
responder."""
import dataclasses
import pathlib

REFERENCE = "reference"
# Files beside the start scripts that are not backends.
NOT_BACKENDS = {"run", "common"}


@dataclasses.dataclass(frozen=True)
class Backend:
    name: str
    start: pathlib.Path | None  # None: the reference responder
    baseline: pathlib.Path | None

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


def discover(backends_dir):
    """The reference first, then the scripted backends by name."""
    found = [Backend(REFERENCE, None, None)]
    for baseline in sorted((backends_dir / "baselines").glob("*.txt")):
        start = backends_dir / f"{baseline.stem}.sh"
        if start.is_file() and baseline.stem not in NOT_BACKENDS:
            found.append(Backend(baseline.stem, start, baseline))
    return found


def select(found, names):
    """The backends named in NAMES, in discovery order; an unknown name is
    a ValueError that lists the known ones."""
    by_name = {b.name: b for b in found}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(
            f"unknown backend {', '.join(unknown)} "
            f"(known: {', '.join(by_name)})")
    return [b for b in found if b.name in names]
