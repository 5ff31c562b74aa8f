"""Fetches the upstream FastCGI code the fuzz/upstream harnesses compile.

  fuzz_upstream.py fetch [--out DIR] [HARNESS...]   (default: every harness)
  fuzz_upstream.py list

For each harness, fuzz/upstream/sources.txt pins a Debian source package
and version. `fetch` downloads it with `apt-get source` through a private
apt setup under DIR/.apt: a deb-src entry for each Debian suite of this
release the machine's own apt sources list (same archive, same signing
key), with lists and cache of its own, so the machine's apt configuration
and state are never touched. dpkg-source unpacks it (Debian's patches
applied) into DIR/<harness>, and fuzz/upstream/<harness>/prepare.sh, when
there is one, runs the upstream's own configure there for its generated
headers. DIR/<harness>/.fcgispec-source records what was fetched and
prepared; a harness whose record matches is left alone, and a DIR/<harness>
without one (not ours) is never replaced.

Exit codes: 0 done; 1 a download, unpack or prepare step failed (the
message names the step and its log); 2 usage or a bad sources.txt line.
"""
import argparse
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys

from .. import ROOT

SOURCES = ROOT / "fuzz" / "upstream" / "sources.txt"
DEFAULT_OUT = ROOT / "build" / "upstream"
STAMP = ".fcgispec-source"


class FetchError(Exception):
    pass


def pins():
    """{harness: (package, version)} in the order sources.txt lists them."""
    found = {}
    for n, line in enumerate(SOURCES.read_text().splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 3:
            raise SystemExit(f"fuzz_upstream: {SOURCES.relative_to(ROOT)}:{n}: "
                             f"want 'harness package version', got {line.strip()!r}")
        found[words[0]] = (words[1], words[2])
    return found


def _codename():
    for line in pathlib.Path("/etc/os-release").read_text().splitlines():
        if line.startswith("VERSION_CODENAME="):
            return line.split("=", 1)[1].strip('"')
    raise FetchError("/etc/os-release names no VERSION_CODENAME")


def _stanzas(path):
    """deb822 stanzas of a .sources file, as dicts."""
    stanza = {}
    for line in path.read_text().splitlines() + [""]:
        if not line.strip():
            if stanza:
                yield stanza
            stanza = {}
        elif not line.startswith("#") and ":" in line and not line[0].isspace():
            key, value = line.split(":", 1)
            stanza[key.strip().lower()] = value.strip()


def _one_line(path):
    """One-line entries of a .list file, as deb822-like dicts."""
    for line in path.read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) < 4 or words[0] != "deb":
            continue
        entry = {"types": "deb"}
        if words[1].startswith("["):  # [signed-by=... arch=...]
            opts = []
            while words and not words[1].endswith("]"):
                opts.append(words.pop(1))
            opts.append(words.pop(1))
            for opt in " ".join(opts).strip("[]").split():
                key, _, value = opt.partition("=")
                if key == "signed-by":
                    entry["signed-by"] = value
        entry.update(uris=words[1], suites=words[2], components=" ".join(words[3:]))
        yield entry


def source_entries(etc=pathlib.Path("/etc/apt")):
    """deb-src stanzas mirroring the machine's deb entries for this release."""
    codename = _codename()
    entries = []
    if (etc / "sources.list").is_file():
        entries += _one_line(etc / "sources.list")
    for path in sorted((etc / "sources.list.d").glob("*")):
        if path.suffix == ".list":
            entries += _one_line(path)
        elif path.suffix == ".sources":
            entries += _stanzas(path)
    out = []
    for e in entries:
        suites = [s for s in e.get("suites", "").split()
                  if s == codename or s.startswith(codename + "-")]
        if "deb" not in e.get("types", "").split() or not suites:
            continue
        stanza = ["Types: deb-src", f"URIs: {e['uris']}",
                  f"Suites: {' '.join(suites)}", f"Components: {e.get('components', 'main')}"]
        if e.get("signed-by"):
            stanza.append(f"Signed-By: {e['signed-by']}")
        out.append("\n".join(stanza))
    if not out:
        raise FetchError(f"the machine's apt sources list no archive for {codename}")
    return out


def _run(cmd, log, cwd=None):
    with open(log, "ab") as f:
        f.write(("$ " + " ".join(map(str, cmd)) + "\n").encode())
        f.flush()
        return subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT).returncode


class Apt:
    """apt-get with its own sources, lists and cache under DIR/.apt."""

    def __init__(self, out):
        self.dir = out / ".apt"
        self.log = self.dir / "apt.log"
        self.ready = False

    def options(self):
        d = self.dir
        return ["-q", "-o", f"Dir::Etc::SourceList={d / 'sources.list'}",
                "-o", f"Dir::Etc::SourceParts={d / 'sources.list.d'}",
                "-o", f"Dir::State::Lists={d / 'lists'}",
                "-o", f"Dir::Cache={d / 'cache'}",
                "-o", "Debug::NoLocking=1"] + (
                    ["-o", "APT::Sandbox::User=root"] if os.geteuid() == 0 else [])

    def update(self):
        if self.ready:
            return
        for sub in ("sources.list.d", "lists/partial", "cache/archives/partial"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        (self.dir / "sources.list").write_text("")
        (self.dir / "sources.list.d" / "upstream.sources").write_text(
            "\n\n".join(source_entries()) + "\n")
        if _run(["apt-get", *self.options(), "update"], self.log) != 0:
            raise FetchError(f"apt-get update failed (log: {self.log})")
        self.ready = True

    def download(self, package, version, into):
        self.update()
        into.mkdir(parents=True, exist_ok=True)
        if _run(["apt-get", *self.options(), "source", "--download-only",
                 f"{package}={version}"], self.log, cwd=into) != 0:
            raise FetchError(f"apt-get source {package}={version} failed (log: {self.log}); "
                             f"is the version still in the archive? "
                             f"'apt-cache showsrc {package}' lists those it has")


def _record(package, version, prepare):
    digest = hashlib.sha1(prepare.read_bytes()).hexdigest() if prepare.is_file() else "-"
    return f"{package} {version} prepare {digest}\n"


def fetch_one(harness, package, version, out, apt, log=sys.stderr):
    """Makes out/<harness> hold the prepared source; returns its path."""
    dest = out / harness
    prepare = ROOT / "fuzz" / "upstream" / harness / "prepare.sh"
    record = _record(package, version, prepare)
    stamp = dest / STAMP
    if stamp.is_file() and stamp.read_text() == record:
        return dest
    if dest.exists() and not stamp.is_file():
        raise FetchError(f"{dest} exists and was not made by fuzz_upstream.py; "
                         f"move it away or pick another --out")
    print(f"fuzz_upstream: {harness}: {package} {version}", file=log, flush=True)
    downloads = out / ".download"
    dsc = downloads / f"{package}_{version.split(':')[-1]}.dsc"
    if not dsc.is_file():
        apt.download(package, version, downloads)
    # Unpacked beside the .dsc, so dpkg-source finds the tarballs in place
    # and copies none of them next to the folder it makes.
    tmp = downloads / f".{harness}.unpacking"
    if tmp.exists():
        shutil.rmtree(tmp)  # ours: a name only this script uses
    unpack_log = out / f"{harness}.unpack.log"
    unpack_log.unlink(missing_ok=True)
    if _run(["dpkg-source", "--no-check", "-x", str(dsc), str(tmp)], unpack_log) != 0:
        raise FetchError(f"dpkg-source could not unpack {dsc.name} (log: {unpack_log})")
    if prepare.is_file():
        prepare_log = out / f"{harness}.prepare.log"
        prepare_log.unlink(missing_ok=True)
        if _run(["bash", str(prepare), str(tmp)], prepare_log, cwd=tmp) != 0:
            raise FetchError(f"{prepare.relative_to(ROOT)} failed (log: {prepare_log})")
    if dest.exists():
        shutil.rmtree(dest)  # stamped, so ours
    tmp.rename(dest)
    (dest / STAMP).write_text(record)
    return dest


def fetch(harnesses=None, out=DEFAULT_OUT, log=sys.stderr):
    """Fetches the named harnesses' sources (all by default) into out."""
    known = pins()
    for h in harnesses or []:
        if h not in known:
            raise SystemExit(f"fuzz_upstream: unknown harness {h!r}; known: {', '.join(known)}")
    out = pathlib.Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    apt = Apt(out)
    return [fetch_one(h, *known[h], out, apt, log) for h in (harnesses or known)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help="download, unpack and prepare the sources")
    f.add_argument("--out", default=str(DEFAULT_OUT),
                   help="where the sources go (default: build/upstream)")
    f.add_argument("harnesses", nargs="*", metavar="HARNESS")
    sub.add_parser("list", help="the harnesses and their pinned sources")
    a = ap.parse_args(argv)
    if a.cmd == "list":
        for h, (package, version) in pins().items():
            print(f"{h}\t{package}\t{version}")
        return 0
    try:
        for path in fetch(a.harnesses, a.out):
            print(path)
    except FetchError as e:
        print(f"fuzz_upstream: {e}", file=sys.stderr)
        return 1
    return 0
