"""scripts/fcgispec_tools/differential/grid.py: the HTML grid of a campaign's results,
rendered from results built here (both sides, clusters, a timing cluster,
findings, hostile bytes) and checked in headless Chromium through the DOM:
cell colours follow cluster keys, the legend counts, the side-by-side
panel, the filters, and that attacker bytes stay text."""
import json
import os
import subprocess
import sys
import time

import pytest

from fuzz_helpers import ROOT

from fcgispec_tools.differential import grid

from fcgispec_tools.matrix import browser

BACKENDS = ["reference", "php-fpm", "libfcgi", "node-fastcgi", "fcgiwrap"]
PROXIES = ["nginx", "apache2", "caddy"]
XSS_PARAM = "<script>window.pwned = 1</script>"
XSS_NOTE = "<img src=x onerror=\"window.pwned = 2\">"
XSS_REPRO = "</script><script>window.pwned = 3</script>"
XSS_REQUEST = b"GET /<script>window.pwned=4</script> HTTP/1.1\r\nHost: a\\b\r\n\r\n"
BASE = [["GATEWAY_INTERFACE", "CGI/1.1"], ["REQUEST_METHOD", "GET"],
        ["SCRIPT_FILENAME", "{script}"], ["QUERY_STRING", "a=1"]]


def view(params=BASE, outcome="answered", stdin="", **extra):
    return {"outcome": outcome, "params": [list(p) for p in params],
            "stdin": stdin, "role": 1, "id": 1, **extra}


def stream(i, views, clusters=(), mutations=(), data=b"\x01\x01\x00\x01"):
    """A stream whose groups put the implementations without a cluster key
    together (the consensus) and each other one alone."""
    owners = {grid.owner(k) for k in clusters}
    agree = sorted(n for n in views if n not in owners)
    return {"id": i, "mutations": list(mutations), "input": data.hex(),
            "views": views, "groups": [agree] + [[n] for n in sorted(owners)],
            "clusters": list(clusters)}


def same(names, **kw):
    return {n: view(**kw) for n in names}


NODE_PS = "backend/node-fastcgi/param-set"
PHP_VB = "backend/php-fpm/value-bytes"
WRAP_HANG = "backend/fcgiwrap/hang"
LIB_VB = "backend/libfcgi/value-bytes"
PHP_CRASH = "backend/php-fpm/crash"
APACHE_VB = "proxy/apache2/value-bytes"
DUPS = BASE + [["X", "a"], ["X", "b"]]


def backend_results():
    streams = [
        stream(0, same(BACKENDS)),
        stream(1, {**same(BACKENDS), "node-fastcgi": view(BASE[:3])},
               [NODE_PS], ["split-params"], bytes(range(40))),
        stream(2, {**same(BACKENDS, params=DUPS),
                   "php-fpm": view(BASE + [["X", "a,b"]]),
                   "node-fastcgi": view(BASE + [["X", "b"]])},
               [PHP_VB, NODE_PS], ["dup-name"]),
        stream(3, {**same(BACKENDS), "fcgiwrap": view([], outcome="hung")},
               [WRAP_HANG], ["abort"]),
        stream(4, {**same(BACKENDS, params=BASE + [["V", "x"]]),
                   "libfcgi": view(BASE + [["V", XSS_PARAM]], note=XSS_NOTE)},
               [LIB_VB], ["<b>mutation</b>"]),
        stream(5, {**same(BACKENDS),
                   "php-fpm": view(BASE + [["PHP_SELF", "/x"]])}),
        stream(6, {**same(BACKENDS), "php-fpm": view([], outcome="crashed")},
               [PHP_CRASH], ["version"]),
    ]
    clusters = [
        {"key": NODE_PS, "class": "param-set", "implementation": "node-fastcgi",
         "count": 2, "streams": [1, 2], "first_seen_s": 0.4,
         "minimal": {"case": "seeds/differential/backend/node-fastcgi-param-set.case",
                     "repro": "fcgi-diff view --target node-fastcgi=tcp:127.0.0.1:9000 x.bin"},
         "finding": "F007", "timing": False},
        {"key": PHP_VB, "class": "value-bytes", "implementation": "php-fpm",
         "count": 1, "streams": [2], "first_seen_s": 0.5, "minimal": None,
         "finding": None, "timing": False},
        {"key": WRAP_HANG, "class": "hang", "implementation": "fcgiwrap",
         "count": 1, "streams": [3], "first_seen_s": 0.9, "minimal": None,
         "finding": None, "timing": True},
        {"key": LIB_VB, "class": "value-bytes", "implementation": "libfcgi",
         "count": 1, "streams": [4], "first_seen_s": 1.0,
         "minimal": {"case": "seeds/differential/backend/libfcgi-value-bytes.case",
                     "repro": XSS_REPRO},
         "finding": "F003", "timing": False},
        {"key": PHP_CRASH, "class": "crash", "implementation": "php-fpm",
         "count": 1, "streams": [6], "first_seen_s": 1.2, "minimal": None,
         "finding": "F002", "timing": False},
    ]
    return {"side": "backend", "seed": 1, "count": len(streams),
            "implementations": BACKENDS,
            "versions": {"php-fpm": "8.2.20-1~deb12u1"},
            "quirks": "seeds/differential/quirks-backend.json",
            "streams": streams, "clusters": clusters,
            "stats": {"seconds": 1.5, "streams": 7, "streams_per_second": 4.7}}


def proxy_results():
    uri = ["REQUEST_URI", "/<script>window.pwned=4</script>"]
    streams = [
        stream(0, same(PROXIES), data=b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        stream(1, {**same(PROXIES, params=BASE + [uri]),
                   "apache2": view(BASE + [[uri[0], "/%3Cscript%3E"]])},
               [APACHE_VB], ["raw-path"], XSS_REQUEST),
    ]
    clusters = [{"key": APACHE_VB, "class": "value-bytes", "implementation": "apache2",
                 "count": 1, "streams": [1], "first_seen_s": 0.2, "minimal": None,
                 "finding": None, "timing": False}]
    return {"side": "proxy", "seed": 1, "count": 2, "implementations": PROXIES,
            "versions": {}, "quirks": "seeds/differential/quirks-proxy.json",
            "streams": streams, "clusters": clusters,
            "stats": {"seconds": 0.5, "streams": 2, "streams_per_second": 4.0}}


def rgb(hex_colour):
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


WHITE = "rgb(255, 255, 255)"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    out = grid.render([backend_results(), proxy_results()],
                      tmp_path_factory.mktemp("grid") / "grid.html")
    with browser.Chromium() as b:
        b.open(out.resolve().as_uri())
        yield b


@pytest.fixture
def b(page):
    """The page with its filters off and the panel closed."""
    page.evaluate("""(() => {
      const box = document.getElementById('only-disagreeing');
      if (box.checked) box.click();
      document.querySelectorAll('.legend button[aria-pressed="true"]')
        .forEach(b => b.click());
      document.getElementById('close').click(); })()""")
    return page


def rendered(b, selector):
    """innerText of every visible element matching SELECTOR."""
    return b.evaluate(
        f"[...document.querySelectorAll({json.dumps(selector)})]"
        ".filter(e => e.checkVisibility()).map(e => e.innerText.trim())")


def background(b, selector):
    return b.evaluate(
        f"getComputedStyle(document.querySelector({json.dumps(selector)}))"
        ".backgroundColor")


def cell(side, stream_id, impl):
    return f'#side-{side} tr[data-stream="{stream_id}"] td[data-impl="{impl}"]'


def test_the_title_names_both_sides_and_each_has_its_columns(b):
    assert b.evaluate("document.title") == "Differential grid: backend and proxy"
    assert rendered(b, "h2") == ["backend side", "proxy side"]
    assert rendered(b, "#side-backend thead th.impl") == BACKENDS
    assert rendered(b, "#side-proxy thead th.impl") == PROXIES
    assert rendered(b, "#side-backend tbody th.sid") == [
        "0", "1 split-params", "2 dup-name", "3 abort", "4 <b>mutation</b>",
        "5", "6 version"]


def test_each_cell_is_coloured_by_the_cluster_of_its_implementation(b):
    for results in (backend_results(), proxy_results()):
        side = results["side"]
        for s in results["streams"]:
            for impl in results["implementations"]:
                keys = [k for k in s["clusters"] if grid.owner(k) == impl]
                where = cell(side, s["id"], impl)
                shown = b.evaluate(
                    f"document.querySelector({json.dumps(where)}).dataset.clusters")
                assert shown == (" ".join(keys) if keys else None), where
                want = rgb(grid.colour(keys[0])) if keys else WHITE
                assert background(b, where) == want, where
    # two clusters in one stream: each cell shows its own class
    assert rendered(b, cell("backend", 2, "php-fpm")) == ["VB"]
    assert rendered(b, cell("backend", 2, "node-fastcgi")) == ["PS"]


def test_a_cluster_has_one_colour_across_streams_and_agreeing_cells_none(b):
    # Planted: colouring by stream (or by row, or by position) fails here.
    one, two = cell("backend", 1, "node-fastcgi"), cell("backend", 2, "node-fastcgi")
    assert background(b, one) == background(b, two) == rgb(grid.colour(NODE_PS))
    assert background(b, cell("backend", 2, "php-fpm")) != background(b, two)
    for impl in ("reference", "php-fpm", "libfcgi", "fcgiwrap"):
        assert background(b, cell("backend", 1, impl)) == WHITE
    # php-fpm's quirk (an added param) keeps stream 5 in agreement
    for impl in BACKENDS:
        assert background(b, cell("backend", 5, impl)) == WHITE
    # the legend's swatch is the cells' colour
    assert background(b, f'.legend button[data-key="{NODE_PS}"]') == \
        background(b, one)
    assert b.evaluate(f"document.querySelector('.legend button[data-key=\"{NODE_PS}\"]')"
                      ".title") == "first seen after 0.4 s"


def test_a_colour_depends_on_the_key_alone():
    results = backend_results()
    first = grid.page_data([results])["clusters"]
    results["clusters"].reverse()
    again = grid.page_data([results])["clusters"]
    assert {c["key"]: c["colour"] for c in first} == \
        {c["key"]: c["colour"] for c in again}
    assert len({c["colour"] for c in first}) == len(first)


def test_the_legend_lists_each_cluster_with_count_and_finding(b):
    assert rendered(b, "#side-backend .legend button") == [
        f"{NODE_PS} 2 streams · F007", f"{PHP_VB} 1 stream · new",
        f"{WRAP_HANG} 1 stream · new timing", f"{LIB_VB} 1 stream · F003",
        f"{PHP_CRASH} 1 stream · F002"]
    assert rendered(b, "#side-proxy .legend button") == [
        f"{APACHE_VB} 1 stream · new"]
    # a timing cluster's cells are marked as such
    assert b.evaluate(f"document.querySelector({json.dumps(cell('backend', 3, 'fcgiwrap'))})"
                      ".classList.contains('timing')")


def test_clicking_a_cell_opens_every_view_side_by_side(b):
    b.click(cell("backend", 2, "node-fastcgi"))
    assert rendered(b, "#panel h3") == ["backend stream 2"]
    assert rendered(b, "#panel .views thead th") == [""] + BACKENDS
    assert rendered(b, "#panel .views thead th.picked") == ["node-fastcgi"]
    # params aligned by name, the second X on a row of its own
    names = rendered(b, "#panel .views tbody th")
    assert names[names.index("params") + 1:] == [
        "GATEWAY_INTERFACE", "REQUEST_METHOD", "SCRIPT_FILENAME",
        "QUERY_STRING", "X", "X #2"]
    assert rendered(b, '#panel tr[data-field="X"] td') == ["a", "a,b", "a", "b", "a"]
    assert rendered(b, '#panel tr[data-field="X"] td.differs') == ["a,b", "b"]
    assert b.evaluate("""[...document.querySelectorAll(
        '#panel tr[data-field="X #2"] td')].map(td =>
        [td.dataset.impl, td.className])""") == [
        ["reference", ""], ["php-fpm", "absent differs"], ["libfcgi", ""],
        ["node-fastcgi", "absent differs"], ["fcgiwrap", ""]]
    assert b.evaluate("document.body.classList.contains('panel-open')")
    assert background(b, '#panel tr[data-field="X"] td.differs') == \
        "rgb(255, 201, 196)"
    assert rendered(b, '#panel tr[data-field="QUERY_STRING"] td.differs') == []
    assert rendered(b, '#panel tr[data-field="outcome"] td') == ["answered"] * 5
    assert rendered(b, "#panel .mutations") == ["mutations: dup-name"]
    assert rendered(b, "#panel ul.clusters li") == [
        f"{PHP_VB} · new", f"{NODE_PS} · F007"]
    minimal = rendered(b, "#panel pre.minimal")
    assert minimal == [
        "case:  seeds/differential/backend/node-fastcgi-param-set.case\n"
        "repro: fcgi-diff view --target node-fastcgi=tcp:127.0.0.1:9000 x.bin"]
    b.click("#close")
    assert rendered(b, "#panel") == []


def test_a_backend_stream_shows_its_input_as_a_hex_dump(b):
    b.click('#side-backend tr[data-stream="1"] th.sid')
    assert rendered(b, "#panel h4") == ["input, 40 bytes", "minimal case of " + NODE_PS]
    dump = rendered(b, "#panel pre.input")[0].splitlines()
    assert dump[0] == ("000000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"
                       "  ................")
    assert dump[2].startswith("000020  20 21 22 23 24 25 26 27  ")
    assert dump[2].endswith(' !"#$%&\'')
    # a click on the stream picks no column; its row is the one marked
    assert rendered(b, "#panel .views thead th.picked") == []
    assert rendered(b, "tr.picked th.sid") == ["1 split-params"]
    # the outcome of a view that did not answer differs
    b.click(cell("backend", 6, "reference"))
    assert rendered(b, '#panel tr[data-field="outcome"] td.differs') == ["crashed"]


def test_the_disagreement_filter_hides_agreeing_rows(b):
    def ids():
        return b.evaluate("[...document.querySelectorAll('#side-backend tbody tr')]"
                          ".filter(e => e.checkVisibility()).map(e => e.dataset.stream)")
    assert ids() == ["0", "1", "2", "3", "4", "5", "6"]
    b.click("#only-disagreeing")
    assert ids() == ["1", "2", "3", "4", "6"]
    assert rendered(b, "#side-backend .shown") == ["5 of 7 streams shown"]
    assert rendered(b, '#side-proxy tbody tr th.sid') == ["1 raw-path"]
    b.click("#only-disagreeing")
    assert ids() == ["0", "1", "2", "3", "4", "5", "6"]


def test_a_legend_entry_filters_the_streams_of_its_cluster(b):
    button = f'#side-backend .legend button[data-key="{NODE_PS}"]'
    b.click(button)
    assert b.evaluate(f"document.querySelector({json.dumps(button)})"
                      ".getAttribute('aria-pressed')") == "true"
    assert rendered(b, "#side-backend tbody th.sid") == ["1 split-params", "2 dup-name"]
    assert len(rendered(b, "#side-proxy tbody tr")) == 2  # the other side keeps its rows
    b.click(button)
    assert len(rendered(b, "#side-backend tbody tr")) == 7


def test_hostile_bytes_stay_text(b):
    b.click(cell("backend", 4, "libfcgi"))
    assert rendered(b, '#panel tr[data-field="V"] td.differs') == [XSS_PARAM]
    assert rendered(b, '#panel tr[data-field="note"] td') == [
        "", "", XSS_NOTE, "", ""]
    assert rendered(b, "#panel pre.minimal") == [
        "case:  seeds/differential/backend/libfcgi-value-bytes.case\n"
        f"repro: {XSS_REPRO}"]
    b.click('#side-proxy tr[data-stream="1"] th.sid')
    request = rendered(b, "#panel pre.input")[0]
    assert request == ("GET /<script>window.pwned=4</script> HTTP/1.1\\r\\n\n"
                       "Host: a\\x5cb\\r\\n\n\\r\\n")
    assert rendered(b, "#panel h4") == [f"input, {len(XSS_REQUEST)} bytes"]
    # none of the payloads ran, and none became an element
    assert b.evaluate("typeof window.pwned") == "undefined"
    assert b.evaluate("document.scripts.length") == 2
    assert b.evaluate("document.querySelectorAll('img, b').length") == 0


def big_results(n_streams=2000, n_impls=13):
    """A campaign's worth: every implementation echoes 24 params and a
    body; one stream in ten has a cluster."""
    impls = ["reference"] + [f"impl-{i:02}" for i in range(1, n_impls)]
    classes = grid.CLASSES
    streams = []
    for i in range(n_streams):
        params = [[f"HTTP_X_HEADER_{j}", f"value {j} of stream {i % 50}"]
                  for j in range(20)]
        params += [["QUERY_STRING", f"s={i}"]] + BASE[:3]
        views = same(impls, params=params, stdin=f"body of {i}" * 4)
        keys = []
        if i % 10 == 3:
            odd = impls[1 + i % (n_impls - 1)]
            views[odd] = view(params[:-1], outcome="rejected")
            keys = [f"backend/{odd}/{classes[i % len(classes)]}"]
        data = bytes((i + k) % 256 for k in range(600))
        streams.append(stream(i, views, keys, ["split-params", "padding"], data))
    return {"side": "backend", "seed": 7, "count": n_streams,
            "implementations": impls, "versions": {}, "quirks": "q.json",
            "streams": streams, "clusters": [],
            "stats": {"seconds": 100.0, "streams": n_streams,
                      "streams_per_second": n_streams / 100}}


def test_two_thousand_streams_by_thirteen_load_quickly(tmp_path):
    results = big_results()
    out = grid.render(results, tmp_path / "big.html")
    size = out.stat().st_size
    # Equal views and recurring params are stored once: the page is a
    # fraction of the results it draws.
    assert size < 4_000_000
    assert size < len(json.dumps(results)) / 5
    with browser.Chromium() as b:
        start = time.monotonic()
        b.open(out.resolve().as_uri())
        took = time.monotonic() - start
        assert took < 4.0, f"the page took {took:.1f}s to load"
        drawn = len(b.evaluate("[...document.querySelectorAll('tbody tr')]"
                               ".map(e => 1)"))
        assert 200 <= drawn < 2000
        assert b.evaluate("document.querySelectorAll('tbody td').length") == drawn * 13
        assert rendered(b, ".shown")[0].startswith("2000 of 2000 streams shown (")
        # Scrolled to the bottom again and again, the rows all come.
        deadline = time.monotonic() + 30
        while (b.evaluate("document.querySelectorAll('tbody tr').length") < 2000
               and time.monotonic() < deadline):
            b.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            time.sleep(0.05)  # the scroll event comes with the next frame
        assert b.evaluate("document.querySelectorAll('tbody tr').length") == 2000
        start = time.monotonic()
        b.click("#only-disagreeing")
        assert b.evaluate("document.querySelectorAll('tbody tr').length") == 200
        assert time.monotonic() - start < 2.0
        b.click('tr[data-stream="1993"] td[data-impl="impl-10"]')
        assert rendered(b, '#panel tr[data-field="outcome"] td.differs') == ["rejected"]


def run_cli(*args):
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "differential.py"), "grid", *args],
        capture_output=True, text=True, timeout=60, env=dict(os.environ))


def test_the_command_writes_one_page_of_both_results_files(tmp_path):
    (tmp_path / "b.json").write_text(json.dumps(backend_results()))
    (tmp_path / "p.json").write_text(json.dumps(proxy_results()))
    p = run_cli(str(tmp_path / "b.json"), str(tmp_path / "p.json"),
                "--out", str(tmp_path / "out" / "grid.html"))
    assert p.returncode == 0, p.stderr
    assert p.stdout == f"grid: wrote {tmp_path / 'out' / 'grid.html'}\n"
    page = (tmp_path / "out" / "grid.html").read_text()
    assert "<script>window" not in page and "</script><script>window" not in page
    assert grid.main([str(tmp_path / "b.json"), "--out", str(tmp_path / "g.html")]) == 0


@pytest.mark.parametrize("change, error", [
    (lambda r: r.pop("streams"), "b.json: missing 'streams'"),
    (lambda r: r.update(side="client"), "b.json: side: 'client' is neither backend nor proxy"),
    (lambda r: r["streams"][2].pop("views"), "b.json: streams[2]: missing 'views'"),
    (lambda r: r["streams"][1]["views"]["php-fpm"]["params"].append(["N"]),
     "b.json: streams[1].views.php-fpm.params[4]: expected [name, value] strings"),
    (lambda r: r["streams"][3]["clusters"].append("backend/x"),
     "b.json: streams[3].clusters[1]: cluster key 'backend/x' is not SIDE/IMPL/CLASS"),
    (lambda r: r["clusters"][1].update(key="proxy/php-fpm/crash"),
     "b.json: clusters[1].key: cluster key 'proxy/php-fpm/crash' is not of side backend"),
    (lambda r: r["streams"][0].update(id="0"), "b.json: streams[0].id: expected int, got str"),
])
def test_a_results_file_the_grid_cannot_draw_is_named_with_the_field(
        tmp_path, change, error):
    results = backend_results()
    change(results)
    (tmp_path / "b.json").write_text(json.dumps(results))
    p = run_cli(str(tmp_path / "b.json"), "--out", str(tmp_path / "g.html"))
    assert p.returncode == 2
    assert p.stderr == f"grid: {tmp_path}/{error}\n"
    assert not (tmp_path / "g.html").exists()


def test_unreadable_files_and_a_side_given_twice_are_errors(tmp_path):
    (tmp_path / "b.json").write_text("{")
    p = run_cli(str(tmp_path / "b.json"), "--out", str(tmp_path / "g.html"))
    assert p.returncode == 2
    assert p.stderr.startswith(f"grid: {tmp_path}/b.json: not a results JSON file: ")
    assert p.stderr.count("\n") == 1
    (tmp_path / "b.json").write_text(json.dumps(backend_results()))
    p = run_cli(str(tmp_path / "b.json"), str(tmp_path / "b.json"),
                "--out", str(tmp_path / "g.html"))
    assert p.returncode == 2
    assert p.stderr == "grid: results: side backend given twice: one file per side\n"
    p = run_cli(str(tmp_path / "none.json"), "--out", str(tmp_path / "g.html"))
    assert p.stderr == f"grid: {tmp_path}/none.json: No such file or directory\n"


def test_a_view_whose_page_was_not_read_is_drawn_and_says_so(tmp_path):
    # The backend engine gives `params: null` when a backend's echo page
    # could not be read (a HEAD request, a 500 page): the grid draws it.
    results = backend_results()
    results["streams"][3]["views"]["fcgiwrap"]["params"] = None
    (tmp_path / "b.json").write_text(json.dumps(results))
    p = run_cli(str(tmp_path / "b.json"), "--out", str(tmp_path / "grid.html"))
    assert p.returncode == 0, p.stderr
    data = grid.page_data([results])
    shown = [v for v in data["views"] if v.get("params shown")]
    assert [v["outcome"] for v in shown] == ["hung"]
    assert shown[0]["params"] == []
