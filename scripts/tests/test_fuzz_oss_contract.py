import pytest

from fcgispec_tools.fuzz import build, oss_contract, upstream


@pytest.mark.parametrize("engine", sorted(oss_contract.ENGINES))
def test_build_sh_meets_the_oss_fuzz_contract(engine):
    assert oss_contract.check(engine, log=lambda _: None) == []


def test_an_empty_out_directory_is_reported(tmp_path):
    problems = []
    oss_contract.check_out("libfuzzer", tmp_path, problems)
    assert len(problems) == len(build.codec_targets())
    assert all("missing or not executable" in p for p in problems)


def test_environment_follows_oss_fuzz():
    env = oss_contract.environment("afl", "/w", "/o")
    assert env["LIB_FUZZING_ENGINE"].endswith("libAFLDriver.a")
    assert env["CC"] == "afl-clang-fast" and env["CXXFLAGS"] == env["CFLAGS"]
    env = oss_contract.environment("libfuzzer", "/w", "/o")
    assert "-fsanitize=fuzzer-no-link" in env["CFLAGS"]
    assert (env["WORK"], env["OUT"]) == ("/w", "/o")


def test_project_yaml_has_what_oss_fuzz_needs_and_names_its_placeholders():
    problems, placeholders = oss_contract.check_project_yaml()
    assert problems == []
    assert {"homepage", "primary_contact", "main_repo"} <= set(placeholders)


def test_project_yaml_problems_are_named(tmp_path):
    bad = tmp_path / "project.yaml"
    bad.write_text("language: go\nhomepage: x  # PLACEHOLDER: home\n"
                   "sanitizers:\n  - adress\n")
    problems, placeholders = oss_contract.check_project_yaml(bad)
    assert "project.yaml: no primary_contact" in problems
    assert "project.yaml: no main_repo" in problems
    assert "project.yaml: language is 'go', not c" in problems
    assert "project.yaml: sanitizers has unknown ['adress']" in problems
    assert placeholders == ["homepage"]


def test_every_upstream_harness_has_an_oss_fuzz_set():
    for h in upstream.pins():
        folder = oss_contract.UPSTREAM / h
        assert (folder / "Dockerfile").is_file(), h
        assert f"upstream/build.sh\" {h}" in (folder / "Dockerfile").read_text(), h
        problems, placeholders = oss_contract.check_project_yaml(folder / "project.yaml")
        assert problems == [] and placeholders == ["primary_contact"], h


def test_an_upstream_build_meets_the_oss_fuzz_contract():
    # php_fpm builds fastest; `fuzz_oss_contract.py --upstream` checks all.
    assert oss_contract.check("libfuzzer", harness="php_fpm", log=lambda _: None) == []
