"""fcgi-curl against the reference responder."""
import subprocess

from conftest import FCGI_CURL, need


def curl(*args, input=None):
    return subprocess.run([need(FCGI_CURL), *args], capture_output=True,
                          input=input, timeout=30)


def test_get_prints_cgi_response_and_exits_with_app_status(responder):
    p = curl(responder.address, "/hello?x=1", "-p", "FCS_APP_STATUS=7")
    assert p.returncode == 7
    assert p.stdout.startswith(b"Status: 200 OK\r\n")
    assert b"param QUERY_STRING=x%3D1\n" in p.stdout
    assert b"param REQUEST_METHOD=GET\n" in p.stdout


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
    assert curl(f"unix:{tmp_path}/nothing.sock").returncode == 3
    assert curl("--id", "0", responder.address).returncode == 2
