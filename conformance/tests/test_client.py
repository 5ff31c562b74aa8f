"""fcgi-curl against the reference responder, and against mutants that
break reply rules (fcgi-curl warns and still prints the reply)."""
import re
import subprocess

import pytest

from conftest import FCGI_CURL, MUTANT, Backend, need

WARNING = re.compile(
    rb"^fcgi-curl: warning: the backend broke a FastCGI rule: ([A-Z_]+) "
    rb"at byte (\d+) \(record (\d+), id (\d+)\): .+$", re.M)


def curl(*args, input=None):
    return subprocess.run([need(FCGI_CURL), *args], capture_output=True,
                          input=input, timeout=30)


@pytest.fixture
def mutant(request):
    """fcgi-mutant breaking the rule the test is parametrized with."""
    b = Backend(lambda addr: [need(MUTANT), "--listen", addr,
                              "--break", request.param])
    yield b
    b.stop()


def warnings(stderr):
    return [(m[0].decode(), int(m[1]), int(m[2]), int(m[3]))
            for m in WARNING.findall(stderr)]


def test_get_prints_cgi_response_and_exits_with_app_status(responder):
    p = curl(responder.address, "/hello?x=1", "-p", "FCS_APP_STATUS=7")
    assert p.returncode == 7
    assert p.stdout.startswith(b"Status: 200 OK\r\n")
    assert b"param QUERY_STRING=x%3D1\n" in p.stdout
    assert b"param REQUEST_METHOD=GET\n" in p.stdout
    assert b"warning" not in p.stderr


def test_post_body_from_stdin_and_stderr(responder):
    p = curl(responder.address, "-d", "-", "-p", "FCS_STDERR=warn",
             input=b"body-bytes")
    assert p.returncode == 0
    assert b"param CONTENT_LENGTH=10\n" in p.stdout
    assert b"\nbody-bytes\n" in p.stdout
    assert p.stderr == b"warn"


def test_trace_shows_records_both_ways(responder):
    p = curl("-v", "--keep-conn", responder.address)
    err = p.stderr.decode()
    assert ">> FCGI_BEGIN_REQUEST id=1" in err
    assert "<< FCGI_END_REQUEST id=1" in err
    assert "<< appStatus 0, FCGI_REQUEST_COMPLETE" in err


def test_head_and_filter_role(responder):
    p = curl("-I", "--role", "filter", "--filter-data", "DATA!",
             responder.address)
    assert p.returncode == 0
    assert p.stdout.endswith(b"\r\n\r\n") and b"role" not in p.stdout
    p = curl("--role", "filter", "--filter-data", "DATA!", responder.address)
    assert b"role FILTER\n" in p.stdout and b"\nDATA!\n" in p.stdout


def test_refused_role_and_unreachable_target(responder, tmp_path):
    p = curl("--role", "9", responder.address)
    assert p.returncode == 5 + 3
    assert b"FCGI_UNKNOWN_ROLE" in p.stderr
    assert curl("--id", "0", responder.address).returncode == 2


def test_connect_error_names_the_target(tmp_path):
    p = curl(f"unix:{tmp_path}/nothing.sock")
    assert p.returncode == 3
    assert p.stderr.decode() == (f"fcgi-curl: cannot connect to unix:{tmp_path}"
                                 "/nothing.sock: No such file or directory\n")


@pytest.mark.parametrize("mutant", ["no-stdout-end"], indirect=True)
def test_warns_when_stdout_is_not_ended(mutant):
    p = curl(mutant.address, "/x")
    assert p.returncode == 0
    assert p.stdout.startswith(b"Status: 200 OK\r\n")
    # STDOUT is one record: header, content, padding to 8; END_REQUEST is
    # the next record, where the STDOUT terminator should have been.
    end_at = 8 + len(p.stdout) + (-len(p.stdout)) % 8
    assert warnings(p.stderr) == [("MISSING_STREAM_END", end_at, 1, 1)]
    assert p.stderr.count(b"\n") == 1


@pytest.mark.parametrize("mutant", ["double-end"], indirect=True)
def test_warns_about_a_second_end_request(mutant):
    p = curl(mutant.address, "/x", "--id", "7", "-p", "FCS_APP_STATUS=3")
    assert p.returncode == 3
    stdout_record = 8 + len(p.stdout) + (-len(p.stdout)) % 8
    # STDOUT, its terminator, END_REQUEST, then END_REQUEST again
    assert warnings(p.stderr) == [
        ("RECORD_AFTER_END", stdout_record + 8 + 16, 3, 7)]


@pytest.mark.parametrize("mutant", ["wrong-version"], indirect=True)
def test_warns_about_every_record_of_the_wrong_version(mutant):
    p = curl(mutant.address, "/x", "-I")
    assert p.returncode == 0
    assert p.stdout.endswith(b"\r\n\r\n")
    found = warnings(p.stderr)
    assert [w[0] for w in found] == ["BAD_VERSION"] * 3
    assert [w[2] for w in found] == [0, 1, 2]
    assert found[0][1] == 0
