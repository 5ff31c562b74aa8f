"""A management reply (FCGI_UNKNOWN_TYPE, FCGI_GET_VALUES_RESULT) is late
when the END_REQUEST of a request written after the record that asked for
it comes first; an END_REQUEST that an earlier check already consumed does
not make it late (the record was sent after that request's last input)."""
import socket
import struct
import threading
import time

from conftest import run_fcgispec

BEGIN, END, STDIN, STDOUT = 1, 3, 5, 6
GET_VALUES, GET_VALUES_RESULT, UNKNOWN_TYPE = 9, 10, 11
DELAY = 0.15  # seconds between the END_REQUESTs and the UNKNOWN_TYPE


def record(rtype, rid, content=b""):
    return struct.pack(">BBHHBB", 1, rtype, rid, len(content), 0, 0) + content


def records(data):
    """The complete records in data, and the bytes left over."""
    out = []
    while len(data) >= 8:
        _, rtype, rid, clen, plen, _ = struct.unpack(">BBHHBB", data[:8])
        if len(data) < 8 + clen + plen:
            break
        out.append((rtype, rid, data[8:8 + clen]))
        data = data[8 + clen + plen:]
    return out, data


def serve(conn):
    """Answers each request when its STDIN ends; answers an unknown
    management record only DELAY after the END_REQUESTs of that read."""
    data = b""
    with conn:
        while chunk := conn.recv(65536):
            recs, data = records(data + chunk)
            ends, unknown = b"", b""
            for rtype, rid, content in recs:
                if rtype == GET_VALUES:
                    ends += record(GET_VALUES_RESULT, 0)
                elif rtype == STDIN and not content:
                    ends += record(STDOUT, rid, b"Status: 200 OK\r\n\r\n")
                    ends += record(STDOUT, rid)
                    ends += record(END, rid, bytes(8))
                elif rid == 0 and rtype > UNKNOWN_TYPE:
                    unknown += record(UNKNOWN_TYPE, 0, bytes([rtype]) + bytes(7))
            try:
                conn.sendall(ends)
                if unknown:
                    time.sleep(DELAY)
                    conn.sendall(unknown)
            except OSError:  # the runner decided and closed
                return


def late_replier(path):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(16)

    def loop():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return server


CASE = """id: 9/late/{name}
section: 9
level: MUST
requirement: r
request 1 keep
record 12 0 "ABCDEFGH"
{more}expect response 1
expect unknown-type 12
"""


def run_case(tmp_path, name, more=""):
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "x.case").write_text(CASE.format(name=name, more=more))
    server = late_replier(tmp_path / "late.sock")
    try:
        return run_fcgispec("--target", f"unix:{tmp_path}/late.sock",
                            "--cases", str(cases), "--timeout", "2000")
    finally:
        server.close()


def test_reply_after_a_consumed_end_request_is_awaited(tmp_path):
    code, out, _ = run_case(tmp_path, "after-consumed-end")
    assert code == 0, out
    assert "verdicts: pass 1," in out


def test_reply_after_a_later_requests_end_request_is_late(tmp_path):
    code, out, elapsed = run_case(tmp_path, "after-later-end",
                                  "request 2 keep\n")
    assert code == 1, out
    assert "no FCGI_UNKNOWN_TYPE before the END_REQUEST of a later request" in out
    assert elapsed < 2.0  # decided when END_REQUEST(2) came, not at the deadline
