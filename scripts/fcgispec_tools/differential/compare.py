"""Comparing what several implementations made of one input.

    classify(views, quirks, side="backend", sent=None, prefer="reference")
        -> Comparison(groups, consensus, keys, classes, normalised)

views: {implementation: view}, a view as in the results JSON: `outcome`
(answered, rejected, refused, closed, hung, crashed) and either `replies`, a
list of {id, protocol_status, params: [[name, value]], stdin, role,
shown_id}, or those fields at the top level (`id` for the request id), read
as one reply. Names, values and bodies are the escaped strings of the
results JSON; a field that is missing or null was not shown.

quirks: {implementation: quirk}, the `implementations` of a quirks file
(probe.py learns them): `added` names the implementation shows that were
never sent, `dropped` names it never shows, `rewritten` names whose value it
changes, `duplicates` how it shows a name sent twice (`first`, `last`,
`both` or `joined:SEP`), `roles` the roles it serves (1 responder,
2 authorizer, 3 filter), and `stdin_shown`, `id_shown`, `role_shown`.

sent: optional {request id: {"role": r, "params": [[name, value]]}}, what
the input asked for (stream.sent_requests reads it from a FastCGI stream);
without it the rules that need it (added names sent on purpose, duplicates,
roles) are not applied.

Normalising ignores exactly what the quirks list, nothing else:
- what an implementation adds (an `added` name the request did not send) is
  removed from its own view;
- what an implementation loses cannot be put back, so when two views are
  compared it is taken out of both: its `dropped` names, its `rewritten`
  values, STDIN / the request id / the role when it does not show them,
  requests of a role it does not serve, and a name sent more than once when
  the two show duplicates differently (each view's pairs of that name
  become one `<duplicate>` pair if they follow its own rule).
A reply whose page fcgi-diff could not decode (`decoded` false: a HEAD
request, an error page, an aborted request) shows `<page not decoded>` for
its params and STDIN; it says nothing of them, so a reply undecoded on
either side is compared on its outcome and protocol status only.

Implementations are grouped by equal normalised view (equal: differing
in no class, so an undecoded reply equals one of the same status): in
order of how little their quirks take out (`prefer` first among equals),
each joins the group whose first member equals it under the rules of the
two (the largest such group), else starts one. The consensus is the largest group; ties go
to the group holding `prefer` (`reference` on the backend side; None: no
preference), else to the group whose sorted first name is smallest.
With majority=True (the proxy side) a consensus that holds no strict
majority of the implementations that gave a view to compare (not crashed,
not hung) is weak: the input is a split (`split` true), and only `crash`
and `hang` keys, which need no consensus, are given.
Every implementation outside the consensus gets one cluster key
`SIDE/IMPL/CLASS` per class in which its view differs from that of the
consensus's first member (under the rules of the two), in the order of
CLASSES: a crashed or hung implementation gets only `crash` or
`hang`; another outcome than the consensus's, a request answered by one and
not the other, or another protocol status is `accept-reject`; other param
names (as a multiset) `param-set`; the same names with other values
`value-bytes`; another STDIN `body-bytes`; another shown request id or
role, or a pair or body the consensus shows for another request of the
input, `request-mixing`.
"""
import collections
import dataclasses

CLASSES = ("accept-reject", "param-set", "value-bytes", "body-bytes", "request-mixing",
           "crash", "hang")
# Outcomes without replies worth comparing.
SILENT = ("refused", "hung", "crashed")
DUPLICATE = "<duplicate>"
REWRITTEN = "<rewritten>"
UNSERVED = "unserved"  # the outcome of a view whose every request was taken out
UNDECODED = "<page not decoded>"
UNDECODED_PAIRS = ((UNDECODED, ""),)


@dataclasses.dataclass
class Comparison:
    groups: list        # lists of names, consensus first, then by size and name
    consensus: list     # the names in the consensus group
    keys: dict          # {name: [cluster keys]} for each name outside it
    classes: dict       # {name: [classes]}, the same without the prefix
    normalised: dict    # {name: its view under its own rules, a hashable tuple}
    split: bool = False  # a weak consensus (majority=True): only crash and hang keys


def replies_of(view):
    """The view's replies as a list of dicts (a flat view is one reply)."""
    if view.get("replies") is not None:
        return list(view["replies"])
    if view.get("outcome") in SILENT or ("params" not in view and "stdin" not in view):
        return []
    return [{"id": view.get("id"), "protocol_status": view.get("protocol_status", 0),
             "params": view.get("params") or [], "stdin": view.get("stdin"),
             "role": view.get("role"), "shown_id": view.get("shown_id", view.get("id"))}]


@dataclasses.dataclass(frozen=True)
class Rules:
    """What the quirks of the compared implementations take out of every
    view (the losses), and each one's own additions."""
    added: dict          # {name: set of added param names}
    dropped: frozenset   # param names taken out of every view
    rewritten: frozenset  # param names whose value is taken out
    duplicates: dict     # {name: its duplicate rule}, when the rules differ
    unserved: frozenset  # roles taken out
    hide_stdin: bool
    hide_id: bool
    hide_role: bool


def rules_for(names, quirks):
    q = {n: quirks.get(n, {}) for n in names}
    dups = {n: q[n].get("duplicates", "both") for n in names}
    all_roles = {1, 2, 3}
    unserved = set()
    for n in names:
        unserved |= all_roles - set(q[n].get("roles", all_roles))
    return Rules(
        added={n: set(q[n].get("added", ())) for n in names},
        dropped=frozenset(x for n in names for x in q[n].get("dropped", ())),
        rewritten=frozenset(x for n in names for x in q[n].get("rewritten", ())),
        duplicates=dups if len(set(dups.values())) > 1 else {},
        unserved=frozenset(unserved),
        hide_stdin=any(not q[n].get("stdin_shown", True) for n in names),
        hide_id=any(not q[n].get("id_shown", True) for n in names),
        hide_role=any(not q[n].get("role_shown", True) for n in names))


def _shows_duplicate(rule, values, sent_values):
    """Whether values (what a view shows for a name sent as sent_values)
    follow the duplicate rule."""
    if rule == "first":
        return values == sent_values[:1]
    if rule == "last":
        return values == sent_values[-1:]
    if rule == "both":
        return values == sent_values
    if rule.startswith("joined:"):
        return values == [rule[len("joined:"):].join(sent_values)]
    return False


def _normal_pairs(name, reply, sent_req, rules):
    sent_pairs = [tuple(p) for p in (sent_req or {}).get("params", ())]
    sent_names = {n for n, _ in sent_pairs}
    pairs = []
    for n, v in reply.get("params") or ():
        if n in rules.dropped:
            continue
        if n in rules.added[name] and (sent_req is None or n not in sent_names):
            continue
        pairs.append((n, REWRITTEN if n in rules.rewritten else v))
    if rules.duplicates and sent_req is not None:
        counts = collections.Counter(n for n, _ in sent_pairs)
        for dup in (n for n, c in counts.items() if c > 1 and n not in rules.dropped):
            shown = [v for n, v in pairs if n == dup]
            sent_values = [REWRITTEN if dup in rules.rewritten else v
                           for n, v in sent_pairs if n == dup]
            if _shows_duplicate(rules.duplicates[name], shown, sent_values):
                pairs = [p for p in pairs if p[0] != dup] + [(dup, DUPLICATE)]
    return tuple(sorted(pairs))


def normalise(name, view, rules, sent=None):
    """The hashable form of one view under the rules: (outcome, replies),
    each reply (id, protocol status, sorted pairs, stdin, role, shown id)."""
    outcome = view.get("outcome", "answered")
    if outcome in SILENT:
        return (outcome, ())
    replies, taken_out = [], 0
    for r in replies_of(view):
        rid = r.get("id")
        sent_req = None if sent is None else sent.get(rid, sent.get(str(rid)))
        if sent_req is not None and sent_req.get("role") in rules.unserved:
            taken_out += 1
            continue
        decoded = r.get("decoded", True)
        replies.append((rid if rid is not None else -1, r.get("protocol_status") or 0,
                        _normal_pairs(name, r, sent_req, rules) if decoded else UNDECODED_PAIRS,
                        None if rules.hide_stdin else r.get("stdin") if decoded else UNDECODED,
                        None if rules.hide_role else r.get("role"),
                        None if rules.hide_id else r.get("shown_id")))
    if sent is not None and rules.unserved:
        roles = {req.get("role") for req in sent.values()}
        if roles and roles <= rules.unserved:
            return (UNSERVED, ())
    return (outcome, tuple(sorted(replies, key=repr)))


def _by_id(replies):
    out = collections.defaultdict(list)
    for r in replies:
        out[r[0]].append(r)
    return {(rid, i): r for rid, rs in out.items() for i, r in enumerate(rs)}


def differences(view, consensus):
    """The classes in which a normalised view differs from the consensus's,
    in the order of CLASSES."""
    (outcome, replies), (c_outcome, c_replies) = view, consensus
    if outcome != c_outcome and outcome == "crashed":
        return ["crash"]
    if outcome != c_outcome and outcome == "hung":
        return ["hang"]
    found = set()
    if outcome != c_outcome:
        found.add("accept-reject")
    mine, theirs = _by_id(replies), _by_id(c_replies)
    if set(mine) != set(theirs):
        found.add("accept-reject")
    for key in set(mine) & set(theirs):
        _, status, pairs, stdin, role, shown = mine[key]
        _, c_status, c_pairs, c_stdin, c_role, c_shown = theirs[key]
        if status != c_status:
            found.add("accept-reject")
        if UNDECODED_PAIRS in (pairs, c_pairs):
            continue
        names = collections.Counter(n for n, _ in pairs)
        if names != collections.Counter(n for n, _ in c_pairs):
            found.add("param-set")
        elif pairs != c_pairs:
            found.add("value-bytes")
        if stdin != c_stdin:
            found.add("body-bytes")
        if role != c_role or shown != c_shown:
            found.add("request-mixing")
        others = [r for k, r in theirs.items() if k[0] != key[0]]
        foreign = set(pairs) - set(c_pairs)
        if any(foreign & set(o[2]) for o in others) or (
                stdin and stdin != c_stdin and any(stdin == o[3] for o in others)):
            found.add("request-mixing")
    return [c for c in CLASSES if c in found]


def consensus_of(groups, prefer=None):
    """The consensus among groups (lists of sorted names): the largest;
    ties to the one holding prefer, else to the smallest first name."""
    return min(groups, key=lambda g: (-len(g), prefer not in g, sorted(g)[0]))


def _losses(name, quirks):
    """How much an implementation's quirks take out (for the order in which
    implementations join groups: the most faithful first)."""
    r = rules_for([name], quirks)
    return (len(r.dropped) + len(r.rewritten) + len(r.unserved) + r.hide_stdin + r.hide_id
            + r.hide_role + (quirks.get(name, {}).get("duplicates", "both") != "both"))


class _Pairs:
    """Normalised views under the rules of a pair, computed once each."""

    def __init__(self, views, quirks, sent):
        self.views, self.quirks, self.sent, self.done = views, quirks, sent, {}

    def views_of(self, a, b):
        key = tuple(sorted((a, b)))
        if key not in self.done:
            rules = rules_for(list(key), self.quirks)
            self.done[key] = {n: normalise(n, self.views[n], rules, self.sent) for n in key}
        got = self.done[key]
        return got[a], got[b]


# Classes that need no consensus: the implementation itself died or went silent.
ABSOLUTE = ("crash", "hang")


def weak(consensus, views):
    """Whether a consensus is too weak to give keys: it holds no strict
    majority of the implementations that gave a view to compare (not
    crashed, not hung)."""
    voters = {n for n, v in views.items() if v.get("outcome") not in ("crashed", "hung")}
    return 2 * len(voters & set(consensus)) <= len(voters)


def classify(views, quirks, side="backend", sent=None, prefer="reference", majority=False):
    names = sorted(views)
    pairs = _Pairs(views, quirks, sent)
    # Each implementation joins the first group whose first member (the most
    # faithful) it differs from in no class under the rules of the two; the
    # largest such group when several do.
    order = sorted(names, key=lambda n: (_losses(n, quirks), n != prefer, n))
    joined = []
    for n in order:
        fits = [g for g in joined if not differences(*pairs.views_of(n, g[0]))]
        if fits:
            consensus_of(fits, prefer).append(n)
        else:
            joined.append([n])
    consensus = consensus_of(joined, prefer)
    first = consensus[0]
    groups = sorted((sorted(g) for g in joined),
                    key=lambda g: (g != sorted(consensus), -len(g), g[0]))
    split = majority and weak(consensus, views)
    classes, keys = {}, {}
    for n in names:
        if n in consensus:
            continue
        mine, theirs = pairs.views_of(n, first)
        found = [c for c in differences(mine, theirs) if not split or c in ABSOLUTE]
        if found or not split:
            classes[n] = found
            keys[n] = [f"{side}/{n}/{c}" for c in found]
    own = {n: normalise(n, views[n], rules_for([n], quirks), sent) for n in names}
    return Comparison(groups=groups, consensus=sorted(consensus), keys=keys, classes=classes,
                      normalised=own, split=split)
