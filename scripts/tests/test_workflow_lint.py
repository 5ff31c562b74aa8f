"""The CI recipes users copy (.github/workflows, .github/actions,
.clusterfuzzlite, fuzz/oss-fuzz/project.yaml): yamllint with the
repository's .yamllint, then what yamllint cannot know: GitHub's shape of a
job and a step, a certify job for every backend matrix.py knows, each with
a package list that exists, and ClusterFuzzLite run with the language and
sanitizers the OSS-Fuzz project declares."""
import shutil
import subprocess

import pytest
import yaml

from fuzz_helpers import ROOT

from fcgispec_tools.matrix import columns

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LINTED = [ROOT / ".github", ROOT / ".clusterfuzzlite", ROOT / "fuzz" / "oss-fuzz" / "project.yaml"]


def yamllint(*paths):
    if shutil.which("yamllint") is None:
        pytest.fail("yamllint is missing: bash scripts/install-deps.sh lint")
    return subprocess.run(["yamllint", "-s", "-f", "parsable",
                           "-c", str(ROOT / ".yamllint"), *map(str, paths)],
                          capture_output=True, text=True)


def load(path):
    return yaml.safe_load(path.read_text())


def test_yamllint_passes_every_recipe():
    r = yamllint(*LINTED)
    assert r.returncode == 0, r.stdout + r.stderr


def test_yamllint_catches_a_broken_file(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("jobs:\n  a:\n    steps:\n    - run: x\n     - run: y\n")
    r = yamllint(bad)
    assert r.returncode != 0 and "bad.yml:5" in r.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_and_step_has_githubs_shape(path):
    flow = load(path)
    # YAML 1.1 (PyYAML) reads the `on` key as True
    assert flow.get("name") and flow.get(True, flow.get("on")), f"{path.name}: name, on"
    for name, job in flow["jobs"].items():
        assert job.get("runs-on") and job.get("steps"), f"{path.name}: job {name}"
        for need in [job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", []):
            assert need in flow["jobs"], f"{path.name}: {name} needs unknown job {need}"
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), f"{path.name}: {name}: {step}"
            uses = step.get("uses")
            if uses and uses.startswith("./"):
                assert (ROOT / uses / "action.yml").is_file(), f"{path.name}: no {uses}"
            elif uses:
                assert "@" in uses, f"{path.name}: {uses} names no version"


def known(kind):
    found = columns.discover(ROOT / "scripts" / "backends",
                             ROOT / "scripts" / "proxies")
    return sorted(c.name for c in found if c.kind == kind)


def test_certify_runs_every_backend_with_a_package_list_that_exists():
    jobs = load(ROOT / ".github" / "workflows" / "certify.yml")["jobs"]
    include = jobs["backend"]["strategy"]["matrix"]["include"]
    assert sorted(j["backend"] for j in include) == known(columns.BACKEND)
    lists = ROOT / "scripts" / "packages.d"
    for job in include:
        for name in job["packages"].split():
            assert (lists / f"{name}.txt").is_file(), f"{job['backend']}: no list {name}"


def test_certify_runs_every_proxy_that_has_a_baseline():
    job = load(ROOT / ".github" / "workflows" / "certify.yml")["jobs"]["proxy"]
    assert sorted(job["strategy"]["matrix"]["proxy"]) == known(columns.PROXY)
    install = next(s["run"] for s in job["steps"] if "install-deps" in s.get("run", ""))
    assert "proxies" in install.split()


def test_clusterfuzzlite_fuzzes_as_the_oss_fuzz_project_declares():
    project = load(ROOT / "fuzz" / "oss-fuzz" / "project.yaml")
    assert load(ROOT / ".clusterfuzzlite" / "project.yaml")["language"] == project["language"]
    modes = set()
    for path in (ROOT / ".github" / "workflows").glob("cflite_*.yml"):
        job = load(path)["jobs"]["fuzz"]
        assert job["strategy"]["matrix"]["sanitizer"] == project["sanitizers"], path.name
        for step in job["steps"]:
            if step.get("uses", "").startswith("google/clusterfuzzlite/actions/build_fuzzers"):
                assert step["with"]["language"] == project["language"], path.name
            if step.get("uses", "").startswith("google/clusterfuzzlite/actions/run_fuzzers"):
                modes.add(step["with"]["mode"])
    assert modes == {"code-change", "batch"}


def test_the_base_builder_action_tags_the_name_the_dockerfile_builds_from():
    dockerfile = (ROOT / ".clusterfuzzlite" / "Dockerfile").read_text()
    assert "ARG BASE_BUILDER=" in dockerfile and "FROM ${BASE_BUILDER}" in dockerfile
    action = load(ROOT / ".github" / "actions" / "cflite-base-builder" / "action.yml")
    script = action["runs"]["steps"][0]["run"]
    assert "s/^ARG BASE_BUILDER=//p' .clusterfuzzlite/Dockerfile" in script
