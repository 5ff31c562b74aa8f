import pytest

from fuzz_helpers import ROOT  # noqa: F401

import fuzz_oss_contract


@pytest.mark.parametrize("engine", sorted(fuzz_oss_contract.ENGINES))
def test_build_sh_meets_the_oss_fuzz_contract(engine):
    assert fuzz_oss_contract.check(engine, log=lambda _: None) == []


def test_an_empty_out_directory_is_reported(tmp_path):
    problems = []
    fuzz_oss_contract.check_out("libfuzzer", tmp_path, problems)
    assert len(problems) == len(fuzz_oss_contract.targets())
    assert all("missing or not executable" in p for p in problems)


def test_environment_follows_oss_fuzz():
    env = fuzz_oss_contract.environment("afl", "/w", "/o")
    assert env["LIB_FUZZING_ENGINE"].endswith("libAFLDriver.a")
    assert env["CC"] == "afl-clang-fast" and env["CXXFLAGS"] == env["CFLAGS"]
    env = fuzz_oss_contract.environment("libfuzzer", "/w", "/o")
    assert "-fsanitize=fuzzer-no-link" in env["CFLAGS"]
    assert (env["WORK"], env["OUT"]) == ("/w", "/o")
