"""The proxy side of the differential engine (docs/differential.md,
"Proxies"): the request generator, the runner's per-request JSON
("requests", docs/proxies.md) against the stand-in proxy, the view
extraction and quirk learning, and a short three-proxy campaign against
apache2, nginx and lighttpd when they are installed."""
import json
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from fuzz_helpers import BUILD, ROOT

from fcgispec_tools.differential import compare, proxy_campaign, proxy_gen, register
from fcgispec_tools.proxy_fuzz import driver

FCGISPEC = BUILD / "conformance" / "fcgispec"
REAL = [p for p in ("apache2", "nginx", "lighttpd") if shutil.which(p) or os.path.exists(f"/usr/sbin/{p}")]


def test_the_same_seed_and_index_give_the_same_bytes_and_others_differ():
    a = [proxy_gen.generate(7, i).data() for i in range(60)]
    assert a == [proxy_gen.generate(7, i).data() for i in range(60)]
    b = [proxy_gen.generate(8, i).data() for i in range(60)]
    assert sum(x != y for x, y in zip(a[2:], b[2:])) > 50
    assert all(b"{marker}" in x and x.count(b"{marker}") == 1 for x in a)


def test_the_first_streams_are_the_plain_get_and_post():
    get, post = proxy_gen.generate(3, 0), proxy_gen.generate(3, 1)
    assert get.data() == b"GET /test.php?{marker} HTTP/1.1\r\nHost: {host}\r\n\r\n"
    assert post.data().startswith(b"POST /test.php?{marker} HTTP/1.1\r\n")
    assert post.data().endswith(b"Content-Length: 7\r\n\r\na=1&b=2")
    assert get.mutations == post.mutations == []
    later = [proxy_gen.generate(3, i) for i in range(2, 200)]
    assert all(r.mutations for r in later)
    kinds = {m.split(":")[0] for r in later for m in r.mutations}
    assert kinds == set(proxy_gen.MUTATIONS)


def test_case_files_parse_and_send_the_generated_bytes(tmp_path):
    made = proxy_gen.write_cases(1, 40, tmp_path)
    out = subprocess.run([FCGISPEC, "--cases", tmp_path, "--proxy", "tcp:127.0.0.1:1",
                          "--list"], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "40 cases"
    assert "differential/s1/000017" in out
    for i, r in made[:12]:
        sent = subprocess.run([FCGISPEC, "--cases", tmp_path, "--proxy", "tcp:127.0.0.1:1",
                               "--dump-send", proxy_gen.case_id(1, i)],
                              capture_output=True, check=True).stdout
        want = r.data().replace(b"{marker}", b"fcgispec=c1r1").replace(
            b"{host}", b"127.0.0.1:1")
        assert sent == want, i


def _standin_report(tmp_path, cases):
    d = driver.Driver("standin:plain")
    try:
        return d.run([(cid, proxy_gen.case_text(cid, data)) for cid, data in cases], 1000, 30)
    finally:
        d.close()


def test_the_report_carries_each_request_as_the_backend_got_it(tmp_path):
    batch = _standin_report(tmp_path, [
        ("differential/t/hdr", b"GET /test.php?{marker} HTTP/1.1\r\nHost: {host}\r\n"
                               b"X-Diff: a\\b\r\nContent-Length: 4\r\n\r\n\x00\\\xff\""),
        ("differential/t/404", b"GET /404?{marker} HTTP/1.1\r\nHost: {host}\r\n\r\n")])
    hdr = batch.results["differential/t/hdr"]["requests"]
    assert [r["request"] for r in hdr] == [1] and hdr[0]["forwarded"]
    assert hdr[0]["marker"].startswith("fcgispec=c")
    assert hdr[0]["response"]["status_line"] == "HTTP/1.1 200 OK"
    b = hdr[0]["backend"]
    assert ["HTTP_X_DIFF", "a\\x5cb"] in b["params"]
    assert ["QUERY_STRING", hdr[0]["marker"]] in b["params"]
    assert b["stdin"] == '\\x00\\x5c\\xff"' and b["stdin_total"] == 4 and b["stdin_ended"]
    assert b["broken"] == []
    lost = batch.results["differential/t/404"]["requests"]
    assert not lost[0]["forwarded"] and "backend" not in lost[0]
    assert lost[0]["response"]["status"] == 404
    assert batch.placeholders["docroot"] == "" and batch.placeholders["host"]


def test_views_put_back_placeholders_and_outcomes():
    place = {"host": "127.0.0.1:4242", "port": "4242", "docroot": "/srv/docroot",
             "backend": "tcp:127.0.0.1:999"}
    backend = {"params": [["SCRIPT_FILENAME", "proxy:fcgi://127.0.0.1:999/srv/docroot/test.php"],
                          ["HTTP_HOST", "127.0.0.1:4242"], ["SERVER_PORT", "4242"],
                          ["QUERY_STRING", "fcgispec=c9r1"], ["CONTENT_TYPE", ""],
                          ["CONTENT_LENGTH", "0"]],
               "stdin": "", "stdin_total": 0, "broken": []}
    fwd = {"requests": [{"request": 1, "forwarded": True, "closed": False, "client_error": "",
                         "response": {"status_line": "HTTP/1.1 200 OK"}, "backend": backend}]}
    v = proxy_campaign.view_of(fwd, place)
    assert v["outcome"] == "answered" and v["params"] == [
        ["SCRIPT_FILENAME", "{docroot}/test.php"], ["HTTP_HOST", "{host}"],
        ["SERVER_PORT", "{port}"], ["QUERY_STRING", "{marker}"]]
    rej = {"requests": [{"request": 1, "forwarded": False, "closed": True, "client_error": "",
                         "response": {"status_line": "HTTP/1.1 400 Bad Request"}}]}
    assert proxy_campaign.view_of(rej, place)["outcome"] == "rejected"
    shut = {"requests": [{"request": 1, "forwarded": False, "closed": True, "client_error": "",
                          "response": None}]}
    assert proxy_campaign.view_of(shut, place)["outcome"] == "closed"
    shut["requests"][0]["closed"] = False
    assert proxy_campaign.view_of(shut, place)["outcome"] == "hung"
    assert proxy_campaign.view_of({"down": True, **fwd}, place)["outcome"] == "crashed"
    smug = {"requests": fwd["requests"] + [{"request": 0, "forwarded": True,
                                             "backend": backend}]}
    assert len(proxy_campaign.view_of(smug, place)["smuggled"]) == 1


def _plain(params):
    return {"outcome": "answered", "params": [list(p) for p in params], "stdin": ""}


def test_quirks_are_what_a_proxy_adds_or_what_varies():
    common = [("REQUEST_METHOD", "GET"), ("HTTP_HOST", "{host}")]
    views = {
        "a": {f"differential/probe/get-{n}": _plain(common + [
            ("SERVER_SOFTWARE", "a/1"), ("REMOTE_PORT", str(n)), ("X_ONLY_A", "1")])
              for n in (1, 2)},
        "b": {f"differential/probe/get-{n}": _plain(common + [
            ("SERVER_SOFTWARE", "b/2"), ("REMOTE_PORT", str(10 + n))]) for n in (1, 2)}}
    q = proxy_campaign.learn(views)
    assert q["a"]["added"] == ["X_ONLY_A"] and q["b"]["added"] == []
    assert q["a"]["rewritten"] == ["REMOTE_PORT", "SERVER_SOFTWARE"]
    assert q["a"]["varies"] == ["REMOTE_PORT"] and q["a"]["constants"]["SERVER_SOFTWARE"] == "a/1"
    # With them, the plain views agree, and a forwarded header one drops is a cluster.
    got = proxy_campaign.classify({n: views[n]["differential/probe/get-1"] for n in views}, q)
    assert len(got.groups) == 1
    extra = {n: _plain(dict(views[n]["differential/probe/get-1"]["params"]).items())
             for n in views}
    extra["a"]["params"].append(["HTTP_X_A", "v"])
    extra["c"] = dict(extra["a"])
    got = proxy_campaign.classify(extra, {**q, "c": q["a"]})
    assert got.keys == {"b": ["proxy/b/param-set"]}


def test_the_checked_in_quirks_name_every_proxy():
    q = proxy_campaign.load_quirks()
    assert sorted(q) == driver.proxy_names()
    assert all("REMOTE_PORT" in v["rewritten"] + v["added"] for v in q.values())


@pytest.fixture
def private_tmp(monkeypatch):
    """A short temporary directory of the test's own for the driver's work
    directories, so that what is left there is this test's."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="fcs-dp."))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    yield tmp
    shutil.rmtree(tmp)


@pytest.mark.skipif(len(REAL) < 3, reason="apache2, nginx and lighttpd are not installed "
                    "(Debian: apache2 nginx lighttpd)")
def test_a_three_proxy_campaign_shows_a_known_difference(tmp_path, private_tmp):
    quirks = proxy_campaign.load_quirks()
    res = proxy_campaign.campaign(["apache2", "lighttpd", "nginx"], 1, 24, quirks, minimise_calls=3,
                                  minimal_root=tmp_path)
    assert res["side"] == "proxy" and res["count"] == 24 and len(res["streams"]) == 24
    assert res["versions"]["nginx"].startswith("nginx ")
    assert [s["clusters"] for s in res["streams"][:2]] == [[], []]  # plain requests agree
    keys = {c["key"] for c in res["clusters"]}
    # Stream 2 sends a header name with a high byte (X\x80B): nginx forwards
    # the request, lighttpd and apache2 answer 400: two of three, a
    # consensus. (With two proxies every disagreement is a split.)
    assert res["streams"][2]["input"] == proxy_gen.generate(1, 2).data().hex()
    assert b"X\x80B:" in proxy_gen.generate(1, 2).data()
    views = res["streams"][2]["views"]
    assert (views["nginx"]["outcome"], views["lighttpd"]["outcome"]) == ("answered", "rejected")
    assert views["lighttpd"]["status"].startswith("HTTP/1.1 400")
    assert "proxy/nginx/accept-reject" in keys and "proxy/nginx/accept-reject" in \
        res["streams"][2]["clusters"]
    # each cluster names the finding of the register that lists it (the
    # grid's legend shows it); nginx's forwarded bad name is registered
    index = register.cluster_index(register.load_register(ROOT))
    found = {c["key"]: c["finding"] for c in res["clusters"]}
    assert found == {k: (index[k].id if k in index else None) for k in found}
    assert found["proxy/nginx/accept-reject"] is not None
    for c in res["clusters"]:
        for i in c["streams"]:
            assert c["key"] in res["streams"][i]["clusters"]
        case = pathlib.Path(c["minimal"]["case"])
        assert case.exists() and c["minimal"]["bytes"] <= c["minimal"]["from_bytes"]
    json.dumps(res)
    out = subprocess.run([FCGISPEC, "--cases", tmp_path, "--proxy", "tcp:127.0.0.1:1",
                          "--list"], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith(f"{len(res['clusters'])} cases")
    assert list(private_tmp.iterdir()) == []
    assert subprocess.run(["pgrep", "-f", str(private_tmp)], capture_output=True).returncode == 1


def test_the_command_line_refuses_an_unknown_proxy():
    p = subprocess.run(["/usr/bin/python3", ROOT / "scripts" / "differential.py", "proxies",
                        "--proxies", "nginx,nosuch"], capture_output=True, text=True)
    assert p.returncode == 2 and "unknown proxy 'nosuch'" in p.stderr
    assert compare.CLASSES[0] == "accept-reject"
