"""When a consensus may give cluster keys (docs/differential.md, "Classes,
cluster keys and the consensus"), and the proxy habits the probe learns so
that a difference they explain is not one: hand-written views, no proxy
started."""
from fcgispec_tools.differential import compare, proxy_campaign

BASE = [["REQUEST_METHOD", "GET"], ["SCRIPT_NAME", "/x"], ["HTTP_HOST", "a"]]


def view(value="a", outcome="answered"):
    if outcome != "answered":
        return {"outcome": outcome, "replies": []}
    return {"outcome": outcome,
            "replies": [{"id": 1, "params": BASE[:2] + [["HTTP_HOST", value]], "stdin": ""}]}


def classify(views, majority=True):
    return compare.classify(views, {}, side="proxy", prefer=None, majority=majority)


def test_a_consensus_of_two_in_seven_is_a_split_without_keys():
    views = {"a": view(), "b": view(), **{n: view(n) for n in "cdefg"}}
    got = classify(views)
    assert got.split and got.keys == {} and got.classes == {}
    assert got.groups[0] == ["a", "b"] and len(got.groups) == 6
    # Without the rule (the backend side) the same pair gives five keys.
    assert len(classify(views, majority=False).keys) == 5


def test_a_tie_is_a_split():
    got = classify({"a": view(), "b": view(), "c": view("z"), "d": view("z")})
    assert got.split and got.keys == {}


def test_a_strict_majority_gives_keys():
    views = {**{n: view() for n in "abcd"}, "e": view("e"), "f": view("f"), "g": view("g")}
    got = classify(views)
    assert not got.split
    assert got.keys == {n: [f"proxy/{n}/value-bytes"] for n in "efg"}


def test_crashed_and_hung_ones_do_not_vote_and_keep_their_keys():
    views = {"a": view(), "b": view(), "c": view("c"),
             "d": view(outcome="crashed"), "e": view(outcome="hung")}
    got = classify(views)  # two of the three that answered
    assert not got.split
    assert got.keys == {"c": ["proxy/c/value-bytes"], "d": ["proxy/d/crash"],
                        "e": ["proxy/e/hang"]}
    views["f"] = view("f")  # two of four: a split, but a death is still one
    got = classify(views)
    assert got.split
    assert got.keys == {"d": ["proxy/d/crash"], "e": ["proxy/e/hang"]}


# --- the proxy side: habits learnt by the probe ----------------------------

def pview(params, outcome="answered", status="HTTP/1.1 200 OK"):
    if outcome != "answered":
        return {"outcome": outcome, "status": status}
    return {"outcome": outcome, "status": status, "params": [list(p) for p in params],
            "stdin": ""}


PLAIN = [("REQUEST_METHOD", "GET"), ("HTTP_HOST", "{host}")]
REFUSES = "rejected 501"
NOT_IMPLEMENTED = "HTTP/1.1 501 Not Implemented"


def request(method):
    return method + b" /test.php?{marker} HTTP/1.1\r\nHost: {host}\r\n\r\n"


def test_the_method_is_the_first_token_of_the_first_line():
    assert proxy_campaign.method_of(request(b"get")) == b"get"
    assert proxy_campaign.method_of(b"G\x00T /x HTTP/1.1\nHost: a\n\n") == b"G\x00T"
    assert proxy_campaign.habit(pview(None, "rejected", NOT_IMPLEMENTED)) == REFUSES
    assert proxy_campaign.habit(pview(PLAIN)) == "forwarded"


def forwarded_by_three_refused_by_r(r_status=NOT_IMPLEMENTED):
    return {"a": pview(PLAIN), "b": pview(PLAIN), "c": pview(PLAIN),
            "r": pview(None, "rejected", r_status)}


def test_a_refused_unknown_method_is_no_difference_for_a_proxy_that_refuses_them():
    quirks = {"r": {"unknown_method": REFUSES}, **{n: {"unknown_method": "forwarded"}
                                                   for n in "abc"}}
    views = forwarded_by_three_refused_by_r()
    for method in (b"get", b"t", b"FOO", b"PATCH"):
        got = proxy_campaign.classify(views, quirks, request(method))
        assert got.keys == {} and got.groups == [["a", "b", "c"], ["r"]], method
    # A standard method, another status, or no learnt habit: compared.
    want = {"r": ["proxy/r/accept-reject"]}
    assert proxy_campaign.classify(views, quirks, request(b"GET")).keys == want
    assert proxy_campaign.classify(views, quirks, request(b"DELETE")).keys == want
    other = forwarded_by_three_refused_by_r("HTTP/1.1 400 Bad Request")
    assert proxy_campaign.classify(other, quirks, request(b"FOO")).keys == want
    assert proxy_campaign.classify(views, {}, request(b"FOO")).keys == want


def probe_views(shows_auth, method_view):
    """One proxy's views of the probe requests (each plain one once)."""
    auth = PLAIN + ([("HTTP_AUTHORIZATION", "Bearer t")] if shows_auth else [])
    return {"differential/probe/get-1": pview(PLAIN),
            "differential/probe/post-1": pview(PLAIN[:1] + [("REQUEST_METHOD", "POST")]),
            "differential/probe/auth-1": pview(auth),
            "differential/probe/method-1": method_view}


def test_the_probe_learns_withheld_names_and_the_unknown_method_habit():
    forwards = pview(PLAIN)
    refuses = pview(None, "rejected", NOT_IMPLEMENTED)
    views = {"a": probe_views(True, forwards), "b": probe_views(True, forwards),
             "w": probe_views(False, forwards), "r": probe_views(True, refuses)}
    q = proxy_campaign.learn(views)
    assert q["w"]["dropped"] == ["HTTP_AUTHORIZATION"]
    assert all(q[n]["dropped"] == [] for n in "abr")
    assert q["r"]["unknown_method"] == REFUSES and q["a"]["unknown_method"] == "forwarded"
    # A name only a minority shows is not what the others drop: compared.
    views = {"a": probe_views(True, forwards), **{n: probe_views(False, forwards)
                                                  for n in "bcd"}}
    assert all(v["dropped"] == [] for v in proxy_campaign.learn(views).values())


def test_a_withheld_authorization_is_no_difference_for_the_proxy_that_withholds_it():
    sent = PLAIN + [("HTTP_AUTHORIZATION", "Bearer t")]
    views = {"a": pview(sent), "b": pview(sent), "w": pview(PLAIN)}
    assert proxy_campaign.classify(views, {}).keys == {"w": ["proxy/w/param-set"]}
    got = proxy_campaign.classify(views, {"w": {"dropped": ["HTTP_AUTHORIZATION"]}})
    assert got.keys == {} and len(got.groups) == 1
    # Another name it did not drop is still a difference.
    views["w"] = pview(PLAIN + [("HTTP_AUTHORIZATION", "Bearer t"), ("HTTP_X", "1")])
    got = proxy_campaign.classify(views, {"w": {"dropped": ["HTTP_AUTHORIZATION"]}})
    assert got.keys == {"w": ["proxy/w/param-set"]}
