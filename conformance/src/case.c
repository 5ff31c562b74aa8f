#include "case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcs/proto.h"
#include "roles.h"
#include "tokens.h"
#include "verdict.h"
#include "xalloc.h"

typedef struct parser {
  const char *path;
  int line;
  char *err;
  size_t errlen;
  int role_given; /* the header named the role (any: 0) */
} parser;

#define FAIL(ps, ...)                                                          \
  do {                                                                         \
    int n_ =                                                                   \
        snprintf((ps)->err, (ps)->errlen, "%s:%d: ", (ps)->path, (ps)->line);  \
    if (n_ > 0 && (size_t)n_ < (ps)->errlen)                                   \
      snprintf((ps)->err + n_, (ps)->errlen - (size_t)n_, __VA_ARGS__);        \
    return -1;                                                                 \
  } while (0)

const char *level_name(fsp_level l) {
  static const char *names[] = {"MUST", "TRUST", "SHOULD", "MAY", "INFO"};
  return l < FSP_LVL_COUNT ? names[l] : "?";
}

int level_is_mandatory(fsp_level l) {
  return l == FSP_LVL_MUST || l == FSP_LVL_TRUST;
}

typedef struct named {
  const char *name;
  unsigned long value;
} named;

/* The case files' names for the protocol's numbers (docs/cases.md). */
static const named type_names[] = {{"begin", FCS_BEGIN_REQUEST},
                                   {"abort", FCS_ABORT_REQUEST},
                                   {"end", FCS_END_REQUEST},
                                   {"params", FCS_PARAMS},
                                   {"stdin", FCS_STDIN},
                                   {"stdout", FCS_STDOUT},
                                   {"stderr", FCS_STDERR},
                                   {"data", FCS_DATA},
                                   {"get-values", FCS_GET_VALUES},
                                   {"get-values-result", FCS_GET_VALUES_RESULT},
                                   {"unknown-type", FCS_UNKNOWN_TYPE},
                                   {NULL, 0}};
static const named status_names[] = {{"complete", FCS_REQUEST_COMPLETE},
                                     {"cant-mpx", FCS_CANT_MPX_CONN},
                                     {"overloaded", FCS_OVERLOADED},
                                     {"unknown-role", FCS_UNKNOWN_ROLE},
                                     {NULL, 0}};

/* A number, or one of the names in table. */
static int named_number(parser *ps, const fsp_tok *t, const named *table,
                        unsigned long max, const char *what,
                        unsigned long *out) {
  if (!t || t->quoted)
    FAIL(ps, "expected %s", what);
  for (const named *n = table; n && n->name; n++)
    if (strcmp(n->name, t->word) == 0) {
      *out = n->value;
      return 0;
    }
  if (parse_number(t->word, max, out))
    FAIL(ps, "column %d: '%s' is not a valid %s", t->col, t->word, what);
  return 0;
}

static int number(parser *ps, const fsp_tok *t, unsigned long max,
                  const char *what, unsigned long *out) {
  return named_number(ps, t, NULL, max, what, out);
}

/* A role: its name (roles.h) or a number. */
static int role_number(parser *ps, const fsp_tok *t, unsigned long *out) {
  uint16_t r = t && !t->quoted ? role_named(t->word) : 0;
  if (r) {
    *out = r;
    return 0;
  }
  return number(ps, t, 65535, "role", out);
}

static void add_item(bytebuf **items, size_t *n, bytebuf b) {
  *items = xrealloc(*items, (*n + 1) * sizeof(bytebuf));
  (*items)[(*n)++] = b;
}

static int take_item(parser *ps, const fsp_tok *t, bytebuf **items, size_t *n) {
  bytebuf b = {0};
  char msg[200];
  if (tok_bytes(t, &b, msg, sizeof(msg))) {
    bytebuf_free(&b); /* the pieces before the one that failed */
    FAIL(ps, "%s", msg);
  }
  add_item(items, n, b);
  return 0;
}

static const struct {
  const char *key;
  size_t off;
  long max;
  int hex;      /* two hex digits, like byte items (padbyte) */
  int not_zero; /* 0 is refused (split: records of 0 bytes never end) */
} opt_defs[] = {
    {"pad", offsetof(fsp_rec_opts, pad), 255, 0, 0},
    {"padbyte", offsetof(fsp_rec_opts, padbyte), 255, 1, 0},
    {"version", offsetof(fsp_rec_opts, version), 255, 0, 0},
    {"reserved", offsetof(fsp_rec_opts, reserved), 255, 0, 0},
    {"clen", offsetof(fsp_rec_opts, clen), 65535, 0, 0},
    {"split", offsetof(fsp_rec_opts, split), 65535, 0, 1},
    {"id", offsetof(fsp_rec_opts, id), 65535, 0, 0},
};

/* Options, flags and byte items after a producer's positional arguments. */
static int producer_rest(parser *ps, fsp_toks *tk, size_t i, fsp_step *s) {
  for (; i < tk->n; i++) {
    const fsp_tok *t = &tk->v[i];
    const char *val;
    int matched = 0;
    for (size_t k = 0; k < sizeof(opt_defs) / sizeof(opt_defs[0]); k++) {
      if (!tok_option(t, opt_defs[k].key, &val))
        continue;
      unsigned long v;
      char hex[8];
      if (opt_defs[k].hex)
        snprintf(hex, sizeof(hex), "0x%.4s", val);
      if (parse_number(opt_defs[k].hex ? hex : val,
                       (unsigned long)opt_defs[k].max, &v) ||
          (opt_defs[k].not_zero && v == 0))
        FAIL(ps, "column %d: bad value for %s= (0..%ld)", t->col,
             opt_defs[k].key, opt_defs[k].max);
      *(long *)(void *)((char *)&s->o + opt_defs[k].off) = (long)v;
      matched = 1;
    }
    if (!matched && s->kind == S_REQUEST && tok_option(t, "role", &val)) {
      fsp_tok rt = *t;
      rt.word = (char *)val;
      if (role_number(ps, &rt, &s->role))
        return -1;
      matched = 1;
    }
    if (matched)
      continue;
    if (!t->quoted && strcmp(t->word, "std") == 0 &&
        (s->kind == S_PARAMS || s->kind == S_REQUEST)) {
      s->std = 1;
    } else if (!t->quoted && strcmp(t->word, "long") == 0 &&
               (s->kind == S_PARAMS || s->kind == S_REQUEST)) {
      s->lng = 1;
    } else if (!t->quoted && strcmp(t->word, "keep") == 0 &&
               (s->kind == S_REQUEST || s->kind == S_BEGIN)) {
      s->keep = 1;
    } else if (tok_is_bytes(t) && s->kind != S_BEGIN && s->kind != S_ABORT) {
      if (take_item(ps, t, &s->items, &s->nitems))
        return -1;
    } else {
      FAIL(ps, "column %d: unexpected '%s'", t->col,
           t->quoted ? "\"...\"" : t->word);
    }
  }
  if (s->kind == S_GET_VALUES && s->nitems > 0 && s->o.split >= 0)
    FAIL(ps, "get-values is one record: split= does not apply");
  if ((s->kind == S_PARAMS || s->kind == S_REQUEST) && s->nitems % 2)
    FAIL(ps, "name without a value: pairs come as NAME VALUE");
  return 0;
}

static const struct {
  const char *name;
  fsp_cond_kind kind;
  int want_id; /* 1: request id, 2: record type, 0: none */
} cond_defs[] = {
    {"response", C_RESPONSE, 1},
    {"echo", C_ECHO, 1},
    {"end", C_END, 1},
    {"stdout-end", C_STDOUT_END, 1},
    {"stderr-ok", C_STDERR_OK, 1},
    {"single-end", C_SINGLE_END, 1},
    {"nothing-after-end", C_NOTHING_AFTER_END, 1},
    {"unknown-type", C_UNKNOWN_TYPE, 2},
    {"values-result", C_VALUES_RESULT, 0},
    {"values-has", C_VALUES_HAS, 0},
    {"values-lacks", C_VALUES_LACKS, 0},
    {"values-only", C_VALUES_ONLY, 0},
    {"values-valid", C_VALUES_VALID, 0},
    {"close", C_CLOSE, 0},
    {"open", C_OPEN, 0},
    {"quiet", C_QUIET, 1},
    {"version-1", C_VERSION_1, 0},
    {"ids-valid", C_IDS_VALID, 0},
    {"types-valid", C_TYPES_VALID, 0},
    {"end-body", C_END_BODY, 0},
    {"aligned", C_ALIGNED, 0},
    {"reserved-zero", C_RESERVED_ZERO, 0},
};

static int is_or(const fsp_tok *t) {
  return !t->quoted && strcmp(t->word, "or") == 0;
}

/* Conditions of proxy cases and their arguments, in order: K the case's
 * request number, S an HTTP status (200) or class (4xx), N a param name
 * (a word taken as it is, or a quoted string), B a byte item, C a count. */
static const struct {
  const char *name;
  fsp_cond_kind kind;
  const char *shape;
} proxy_cond_defs[] = {
    {"status", C_STATUS, "KS"},
    {"answered", C_ANSWERED, "K"},
    {"forwarded", C_FORWARDED, "K"},
    {"not-forwarded", C_NOT_FORWARDED, "K"},
    {"param", C_PARAM, "KNB"},
    {"param-absent", C_PARAM_ABSENT, "KN"},
    {"param-count", C_PARAM_COUNT, "KNC"},
    {"param-under", C_PARAM_UNDER, "KNB"},
    {"param-has", C_PARAM_HAS, "KNB"},
    {"param-lacks", C_PARAM_LACKS, "KNB"},
    {"only-in-http", C_ONLY_IN_HTTP, "KB"},
    {"no-byte", C_NO_BYTE, "KB"},
    {"stdin", C_STDIN_IS, "KB"},
    {"body-framed", C_BODY_FRAMED, "K"},
    {"streams-ended", C_STREAMS_ENDED, "K"},
    {"isolated", C_ISOLATED, "K"},
    {"no-short-body", C_NO_SHORT_BODY, ""},
    {"no-smuggling", C_NO_SMUGGLING, ""},
    {"records-valid", C_RECORDS_VALID, ""},
    {"keep-conn-honest", C_KEEP_CONN_HONEST, ""},
    {"same-param", C_SAME_PARAM, "N"},
    {"aborted", C_ABORTED, "K"},
    {"body", C_BODY, "KB"},
    {"body-has", C_BODY_HAS, "KB"},
    {"body-lacks", C_BODY_LACKS, "KB"},
    {"header", C_HEADER, "KNB"},
    {"no-header", C_NO_HEADER, "KN"},
    {"header-count", C_HEADER_COUNT, "KNC"},
    {"own-reply", C_OWN_REPLY, "K"},
};

/* HTTP status: three digits, or a class such as 4xx (stored as 4). */
static int http_status(parser *ps, const fsp_tok *t, unsigned long *out) {
  if (!t || t->quoted)
    FAIL(ps, "expected an HTTP status (200) or class (4xx)");
  const char *w = t->word;
  if (strlen(w) == 3 && w[0] >= '1' && w[0] <= '5' && !strcmp(w + 1, "xx")) {
    *out = (unsigned long)(w[0] - '0');
    return 0;
  }
  if (parse_number(w, 999, out) || *out < 100)
    FAIL(ps, "column %d: '%s' is not an HTTP status (100..999 or 1xx..5xx)",
         t->col, w);
  return 0;
}

/* A proxy condition's arguments, by its shape. */
static int proxy_cond_args(parser *ps, fsp_toks *tk, size_t *i, fsp_cond *c,
                           const char *name, const char *shape) {
  for (const char *a = shape; *a; a++, (*i)++) {
    const fsp_tok *t = *i < tk->n && !is_or(&tk->v[*i]) ? &tk->v[*i] : NULL;
    if (!t)
      FAIL(ps, "'%s' needs %zu argument%s", name, strlen(shape),
           strlen(shape) > 1 ? "s" : "");
    bytebuf b = {0};
    switch (*a) {
    case 'K':
      if (number(ps, t, 64, "request number (1..64)", &c->id))
        return -1;
      if (c->id == 0)
        FAIL(ps, "column %d: requests are numbered from 1", t->col);
      break;
    case 'S':
      if (http_status(ps, t, &c->num))
        return -1;
      break;
    case 'C':
      if (number(ps, t, 1000000, "count", &c->num))
        return -1;
      break;
    case 'N': /* a word is the name itself, never hex */
      if (t->quoted || t->next || t->repeat != 1) {
        if (take_item(ps, t, &c->items, &c->nitems))
          return -1;
      } else {
        bytebuf_str(&b, t->word);
        add_item(&c->items, &c->nitems, b);
      }
      break;
    case 'B':
      if (take_item(ps, t, &c->items, &c->nitems))
        return -1;
      break;
    }
  }
  return 0;
}

/* One condition starting at tk->v[*i]; stops before "or" or the end. */
static int parse_cond(parser *ps, fsp_toks *tk, size_t *i, fsp_cond *c) {
  memset(c, 0, sizeof(*c));
  c->ms = -1;
  const fsp_tok *t = &tk->v[*i];
  size_t k, ndefs = sizeof(cond_defs) / sizeof(cond_defs[0]);
  for (k = 0; k < ndefs; k++)
    if (!t->quoted && strcmp(t->word, cond_defs[k].name) == 0)
      break;
  if (k == ndefs) {
    size_t np = sizeof(proxy_cond_defs) / sizeof(proxy_cond_defs[0]);
    for (size_t j = 0; j < np && !t->quoted; j++)
      if (strcmp(t->word, proxy_cond_defs[j].name) == 0) {
        c->kind = proxy_cond_defs[j].kind;
        (*i)++;
        if (proxy_cond_args(ps, tk, i, c, proxy_cond_defs[j].name,
                            proxy_cond_defs[j].shape))
          return -1;
        if (*i < tk->n && !is_or(&tk->v[*i]))
          FAIL(ps, "column %d: condition '%s' takes no further argument",
               tk->v[*i].col, proxy_cond_defs[j].name);
        return 0;
      }
    FAIL(ps, "column %d: unknown condition '%s'", t->col,
         t->quoted ? "\"...\"" : t->word);
  }
  c->kind = cond_defs[k].kind;
  (*i)++;
  const fsp_tok *arg = *i < tk->n && !is_or(&tk->v[*i]) ? &tk->v[*i] : NULL;
  if (cond_defs[k].want_id) {
    if (cond_defs[k].want_id == 1
            ? number(ps, arg, 65535, "request id", &c->id)
            : named_number(ps, arg, type_names, 255, "record type", &c->id))
      return -1;
    (*i)++;
  }
  if (c->kind == C_END) {
    arg = *i < tk->n ? &tk->v[*i] : NULL;
    if (named_number(ps, arg, status_names, 255, "protocol status", &c->num))
      return -1;
    (*i)++;
  }
  for (; *i < tk->n && !is_or(&tk->v[*i]); (*i)++) {
    t = &tk->v[*i];
    unsigned long ms;
    if ((c->kind == C_CLOSE || c->kind == C_OPEN || c->kind == C_QUIET) &&
        c->ms < 0 && !t->quoted) {
      if (number(ps, t, 600000, "milliseconds", &ms))
        return -1;
      c->ms = (long)ms;
    } else if (c->kind == C_ECHO) {
      FAIL(ps,
           "column %d: 'echo' takes no bytes: the app's whole view (every "
           "param and the body) is compared with what was sent",
           t->col);
    } else if (c->kind == C_VALUES_HAS || c->kind == C_VALUES_LACKS ||
               c->kind == C_VALUES_ONLY) {
      if (take_item(ps, t, &c->items, &c->nitems))
        return -1;
    } else {
      FAIL(ps, "column %d: condition '%s' takes no further argument", t->col,
           cond_defs[k].name);
    }
  }
  if (c->kind == C_OPEN && c->ms < 0)
    FAIL(ps, "'open' needs a duration in milliseconds");
  return 0;
}

static int parse_conds(parser *ps, fsp_toks *tk, size_t i, fsp_step *s) {
  if (i >= tk->n)
    FAIL(ps, "missing condition");
  for (;;) {
    s->alts = xrealloc(s->alts, (s->nalts + 1) * sizeof(fsp_cond));
    /* Counted even when it fails, so case_free frees the items it took. */
    int rc = parse_cond(ps, tk, &i, &s->alts[s->nalts++]);
    if (rc)
      return -1;
    if (i >= tk->n)
      return 0;
    i++; /* "or" */
    if (i >= tk->n)
      FAIL(ps, "'or' at the end of the line");
  }
}

static const struct {
  const char *verb;
  fsp_step_kind kind;
} verbs[] = {
    {"raw", S_RAW},           {"record", S_RECORD},
    {"begin", S_BEGIN},       {"params", S_PARAMS},
    {"stdin", S_STDIN},       {"data", S_DATA},
    {"abort", S_ABORT},       {"get-values", S_GET_VALUES},
    {"request", S_REQUEST},   {"chunk", S_CHUNK},
    {"flush", S_FLUSH},       {"wait", S_WAIT},
    {"shutdown", S_SHUTDOWN}, {"reconnect", S_RECONNECT},
    {"expect", S_EXPECT},     {"allow", S_ALLOW},
    {"observe", S_OBSERVE},   {"http", S_HTTP},
    {"get", S_GET},           {"post", S_POST},
    {"client", S_CLIENT},     {"close", S_CLOSE},
    {"reply", S_REPLY},
};

/* http ITEM..., get TARGET [HEADER...], post TARGET BODY [HEADER...]:
 * byte items only (placeholders such as {marker} are expanded when the
 * case runs). */
static int http_producer(parser *ps, fsp_toks *tk, fsp_step *s) {
  size_t need = s->kind == S_POST ? 2 : 1;
  if (tk->n < need + 1)
    FAIL(ps, "'%s' needs %s", tk->v[0].word,
         s->kind == S_HTTP   ? "the bytes to send"
         : s->kind == S_POST ? "a target and a body"
                             : "a target");
  for (size_t i = 1; i < tk->n; i++) {
    if (!tok_is_bytes(&tk->v[i]))
      FAIL(ps, "column %d: expected a byte item (\"...\" or hex), not '%s'",
           tk->v[i].col, tk->v[i].word);
    if (take_item(ps, &tk->v[i], &s->items, &s->nitems))
      return -1;
  }
  return 0;
}

/* reply close | reply wait MS | reply raw ITEM... | reply TYPE [opts]
 * ITEM...: a record for the request the reply answers (id=N: another id);
 * "reply end" without items carries a complete request's body. */
static int reply_step(parser *ps, fsp_toks *tk, fsp_step *s) {
  const fsp_tok *a1 = tk->n > 1 ? &tk->v[1] : NULL;
  if (a1 && !a1->quoted && strcmp(a1->word, "close") == 0) {
    s->reply = R_CLOSE;
    if (tk->n > 2)
      FAIL(ps, "'reply close' takes no argument");
    return 0;
  }
  if (a1 && !a1->quoted && strcmp(a1->word, "wait") == 0) {
    s->reply = R_WAIT;
    if (number(ps, tk->n > 2 ? &tk->v[2] : NULL, 600000, "milliseconds",
               &s->ms))
      return -1;
    if (tk->n > 3)
      FAIL(ps, "'reply wait' takes one argument");
    return 0;
  }
  if (a1 && !a1->quoted && strcmp(a1->word, "raw") == 0) {
    s->reply = R_RAW;
    for (size_t i = 2; i < tk->n; i++) {
      if (!tok_is_bytes(&tk->v[i]))
        FAIL(ps, "column %d: 'reply raw' takes byte items", tk->v[i].col);
      if (take_item(ps, &tk->v[i], &s->items, &s->nitems))
        return -1;
    }
    if (!s->nitems)
      FAIL(ps, "'reply raw' needs the bytes to send");
    return 0;
  }
  s->reply = R_RECORD;
  if (named_number(ps, a1, type_names, 255,
                   "reply: close, wait MS, raw or a record type", &s->type) ||
      producer_rest(ps, tk, 2, s))
    return -1;
  size_t len = 0;
  for (size_t i = 0; i < s->nitems; i++)
    len += s->items[i].len;
  if (len > 65535 && s->o.split < 0)
    FAIL(ps, "record content is %zu bytes (at most 65535; use split=N)", len);
  if (s->type == FCS_END_REQUEST &&
      !s->nitems) { /* END_REQUEST: complete, appStatus 0 */
    static const uint8_t complete[8] = {0};
    bytebuf body = {0};
    bytebuf_add(&body, complete, sizeof(complete));
    add_item(&s->items, &s->nitems, body);
  }
  return 0;
}

/* observe K NAME...: what request K carried in those params. */
static int observe_params(parser *ps, fsp_toks *tk, fsp_step *s) {
  if (number(ps, &tk->v[1], 64, "request number (1..64)", &s->id) || s->id == 0)
    FAIL(ps, "'observe' takes a request number 1..64, then param names");
  for (size_t i = 2; i < tk->n; i++) {
    bytebuf b = {0};
    if (tk->v[i].quoted) {
      if (take_item(ps, &tk->v[i], &s->items, &s->nitems))
        return -1;
      continue;
    }
    bytebuf_str(&b, tk->v[i].word);
    add_item(&s->items, &s->nitems, b);
  }
  return 0;
}

static int parse_step(parser *ps, fsp_toks *tk, fsp_step *s) {
  const fsp_tok *v = &tk->v[0];
  size_t k, nverbs = sizeof(verbs) / sizeof(verbs[0]);
  for (k = 0; k < nverbs; k++)
    if (!v->quoted && strcmp(v->word, verbs[k].verb) == 0)
      break;
  if (k == nverbs)
    FAIL(ps, "unknown step '%s'", v->quoted ? "\"...\"" : v->word);
  s->kind = verbs[k].kind;
  s->o = (fsp_rec_opts){-1, -1, -1, -1, -1, -1, -1};
  const fsp_tok *a1 = tk->n > 1 ? &tk->v[1] : NULL;
  const fsp_tok *a2 = tk->n > 2 ? &tk->v[2] : NULL;
  switch (s->kind) {
  case S_RAW:
  case S_GET_VALUES:
    return producer_rest(ps, tk, 1, s);
  case S_RECORD:
    if (named_number(ps, a1, type_names, 255, "record type", &s->type) ||
        number(ps, a2, 65535, "request id", &s->id))
      return -1;
    return producer_rest(ps, tk, 3, s);
  case S_BEGIN:
    if (number(ps, a1, 65535, "request id", &s->id) ||
        role_number(ps, a2, &s->role))
      return -1;
    if (tk->n > 3 && !tk->v[3].quoted && strcmp(tk->v[3].word, "keep") &&
        !strchr(tk->v[3].word, '=')) {
      if (number(ps, &tk->v[3], 255, "flags", &s->flags))
        return -1;
      return producer_rest(ps, tk, 4, s);
    }
    return producer_rest(ps, tk, 3, s);
  case S_PARAMS:
  case S_STDIN:
  case S_DATA:
  case S_ABORT:
  case S_REQUEST:
    if (number(ps, a1, 65535, "request id", &s->id))
      return -1;
    s->role = FCS_RESPONDER; /* request: changed by role= */
    return producer_rest(ps, tk, 2, s);
  case S_CHUNK:
  case S_WAIT:
    if (number(ps, a1, s->kind == S_WAIT ? 600000 : 65535,
               s->kind == S_WAIT ? "milliseconds" : "chunk size",
               s->kind == S_WAIT ? &s->ms : &s->chunk))
      return -1;
    if (tk->n > 2)
      FAIL(ps, "'%s' takes one argument", v->word);
    return 0;
  case S_HTTP:
  case S_GET:
  case S_POST:
    return http_producer(ps, tk, s);
  case S_CLIENT:
    if (number(ps, a1, 8, "client number (1..8)", &s->client) || s->client == 0)
      FAIL(ps, "'client' takes a number 1..8");
    if (tk->n > 2)
      FAIL(ps, "'client' takes one argument");
    return 0;
  case S_OBSERVE:
    if (tk->n > 1) /* proxy cases: observe K NAME... */
      return observe_params(ps, tk, s);
    return 0;
  case S_REPLY:
    return reply_step(ps, tk, s);
  case S_FLUSH:
  case S_SHUTDOWN:
  case S_RECONNECT:
  case S_CLOSE:
    if (tk->n > 1)
      FAIL(ps, "'%s' takes no argument", v->word);
    return 0;
  case S_EXPECT:
    return parse_conds(ps, tk, 1, s);
  case S_ALLOW:
    if (!a1 || a1->quoted ||
        (strcmp(a1->word, "non-strict") && strcmp(a1->word, "info")))
      FAIL(ps, "'allow' needs a verdict: non-strict or info");
    s->verdict = strcmp(a1->word, "info") ? FSP_V_NONSTRICT : FSP_V_INFO;
    return parse_conds(ps, tk, 2, s);
  }
  return 0;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
               s[n - 1] == '\n'))
    s[--n] = 0;
  return s;
}

static int unknown_requirement(parser *ps, const char *word) {
  FAIL(ps,
       "unknown requirement '%s' (mpxs, no-mpxs, authorizer, filter, "
       "echo)",
       word);
}

static int parse_header(parser *ps, fsp_case *c, const char *key,
                        const char *val) {
  char **field = NULL;
  if (strcmp(key, "id") == 0)
    field = &c->id;
  else if (strcmp(key, "section") == 0)
    field = &c->section;
  else if (strcmp(key, "requirement") == 0)
    field = &c->requirement;
  else if (strcmp(key, "advisory") == 0)
    field = &c->advisory;
  else if (strcmp(key, "role") == 0) {
    if (ps->role_given)
      FAIL(ps, "'%s' given twice", key);
    ps->role_given = 1;
    c->role = role_named(val);
    if (!c->role && strcmp(val, "any"))
      FAIL(ps, "role must be any, responder, authorizer or filter");
    return 0;
  }
  if (field) {
    if (*field)
      FAIL(ps, "'%s' given twice", key);
    if (!*val)
      FAIL(ps, "'%s' is empty", key);
    *field = xstrdup(val);
    return 0;
  }
  if (strcmp(key, "level") == 0) {
    for (int l = 0; l < FSP_LVL_COUNT; l++)
      if (strcmp(val, level_name((fsp_level)l)) == 0) {
        c->level = (fsp_level)l;
        return 0;
      }
    FAIL(ps, "level must be MUST, TRUST, SHOULD, MAY or INFO");
  }
  if (strcmp(key, "deadline") == 0) {
    unsigned long ms;
    if (parse_number(val, 600000, &ms) || ms == 0)
      FAIL(ps, "deadline must be milliseconds (1..600000)");
    c->deadline_ms = (long)ms;
    return 0;
  }
  if (strcmp(key, "requires") == 0) {
    static const named reqs[] = {{"mpxs", REQ_MPXS},
                                 {"no-mpxs", REQ_NO_MPXS},
                                 {"authorizer", REQ_AUTHORIZER},
                                 {"filter", REQ_FILTER},
                                 {"echo", REQ_ECHO},
                                 {NULL, 0}};
    char *copy = xstrdup(val), *save = NULL;
    for (char *w = strtok_r(copy, " ,", &save); w;
         w = strtok_r(NULL, " ,", &save)) {
      const named *n;
      for (n = reqs; n->name && strcmp(n->name, w); n++)
        ;
      if (!n->name) {
        /* w points into copy: report before freeing it. */
        int rc = unknown_requirement(ps, w);
        free(copy);
        return rc;
      }
      c->requires |= (unsigned)n->value;
    }
    free(copy);
    return 0;
  }
  FAIL(ps, "unknown field '%s'", key);
}

/* A header line is "key: value" with a lower-case key. */
static char *header_key(char *line) {
  char *p = line;
  while ((*p >= 'a' && *p <= 'z') || *p == '-')
    p++;
  if (p == line || *p != ':')
    return NULL;
  *p = 0;
  return p + 1;
}

static int parse_line(parser *ps, fsp_case *c, char *raw) {
  char *line = trim(raw);
  if (!*line || *line == '#')
    return 0;
  char *copy = xstrdup(line);
  char *val = header_key(line);
  if (val) {
    free(copy);
    if (c->nsteps)
      FAIL(ps, "header field after the first step");
    return parse_header(ps, c, line, trim(val));
  }
  fsp_toks tk;
  char msg[200];
  if (toks_split(copy, &tk, msg, sizeof(msg))) {
    toks_free(&tk);
    free(copy);
    FAIL(ps, "%s", msg);
  }
  if (tk.n == 0) { /* only blanks trim() keeps, such as '\v' or '\f' */
    toks_free(&tk);
    free(copy);
    return 0;
  }
  c->steps = xrealloc(c->steps, (c->nsteps + 1) * sizeof(fsp_step));
  fsp_step *s = &c->steps[c->nsteps++];
  memset(s, 0, sizeof(*s));
  s->line = ps->line;
  s->text = copy;
  int rc = parse_step(ps, &tk, s);
  toks_free(&tk);
  if (rc == 0 && s->kind == S_ALLOW &&
      (c->nsteps < 2 || c->steps[c->nsteps - 2].kind != S_EXPECT))
    FAIL(ps, "'allow' must follow an 'expect' line");
  return rc;
}

static int is_http_producer(fsp_step_kind k) {
  return k == S_HTTP || k == S_GET || k == S_POST;
}

int step_is_request(const fsp_step *s) {
  int marked = s->kind == S_GET || s->kind == S_POST;
  for (size_t i = 0; s->kind == S_HTTP && i < s->nitems && !marked; i++)
    marked = bytebuf_contains(&s->items[i], (const uint8_t *)"{marker}", 8);
  return marked;
}

/* Reply lines answer the request that follows them; checks between them
 * and it would run before it is sent. */
static int replies_answer_requests(parser *ps, const fsp_case *c) {
  const fsp_step *open = NULL;
  for (size_t i = 0; i < c->nsteps; i++) {
    const fsp_step *s = &c->steps[i];
    if (s->kind == S_REPLY && !open)
      open = s;
    else if (open && step_is_request(s))
      open = NULL;
    else if (open && s->kind != S_REPLY && s->kind != S_HTTP &&
             s->kind != S_CLIENT) {
      ps->line = s->line;
      FAIL(ps,
           "reply lines (from line %d) answer the next request: put "
           "them just before a get, post or http with {marker}",
           open->line);
    }
  }
  if (open) {
    ps->line = open->line;
    FAIL(ps, "reply lines answer the next request (get, post, or http with "
             "{marker}); none follows");
  }
  return 0;
}

/* A case talks FastCGI to a backend or HTTP to a proxy, never both: each
 * step and condition must belong to its kind. */
static int check_kind(parser *ps, fsp_case *c) {
  for (size_t i = 0; i < c->nsteps; i++) {
    c->proxy |= is_http_producer(c->steps[i].kind);
    c->replies |= c->steps[i].kind == S_REPLY;
  }
  for (size_t i = 0; i < c->nsteps; i++) {
    const fsp_step *s = &c->steps[i];
    ps->line = s->line;
    int proxy_only = is_http_producer(s->kind) || s->kind == S_CLIENT ||
                     s->kind == S_CLOSE || s->kind == S_REPLY ||
                     (s->kind == S_OBSERVE && s->id > 0);
    int backend_only = s->kind <= S_REQUEST;
    if (c->proxy ? backend_only : proxy_only)
      FAIL(ps, "'%.*s' does not belong in a %s case (docs/%s.md)",
           (int)strcspn(s->text, " \t"), s->text,
           c->proxy ? "proxy" : "backend", c->proxy ? "proxies" : "cases");
    for (size_t j = 0; j < s->nalts; j++) {
      fsp_cond_kind k = s->alts[j].kind;
      int shared = k == C_CLOSE || k == C_OPEN;
      if (!shared && (k >= C_STATUS) != c->proxy)
        FAIL(ps,
             "a %s case cannot use condition %d of the other kind "
             "(docs/%s.md)",
             c->proxy ? "proxy" : "backend", (int)j + 1,
             c->proxy ? "proxies" : "cases");
    }
  }
  if (replies_answer_requests(ps, c))
    return -1;
  ps->line = 0;
  if (c->level == FSP_LVL_TRUST && !c->advisory)
    FAIL(ps, "a TRUST case names the attack and advisory it comes from "
             "('advisory:')");
  return 0;
}

int case_parse_file(const char *path, fsp_case *c, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) {
    memset(c, 0, sizeof(*c));
    c->path = xstrdup(path);
    snprintf(err, errlen, "%s: cannot open", path);
    return -1;
  }
  int rc = case_parse_stream(f, path, c, err, errlen);
  fclose(f);
  return rc;
}

int case_parse_stream(FILE *f, const char *path, fsp_case *c, char *err,
                      size_t errlen) {
  parser ps = {path, 0, err, errlen, 0};
  memset(c, 0, sizeof(*c));
  c->level = FSP_LVL_COUNT;
  c->path = xstrdup(path);
  char *line = NULL;
  size_t cap = 0;
  int rc = 0;
  while (rc == 0 && getline(&line, &cap, f) >= 0) {
    ps.line++;
    rc = parse_line(&ps, c, line);
  }
  free(line);
  if (rc)
    return rc;
  ps.line = 0;
  if (!c->id || !c->section || !c->requirement)
    FAIL(&ps, "missing field: every case needs id, section, requirement, "
              "level");
  if (c->level == FSP_LVL_COUNT)
    FAIL(&ps, "missing field 'level'");
  size_t sl = strlen(c->section);
  if (strncmp(c->id, c->section, sl) || c->id[sl] != '/')
    FAIL(&ps, "id '%s' must start with its section '%s/'", c->id, c->section);
  if (!c->nsteps)
    FAIL(&ps, "a case needs at least one step");
  if (check_kind(&ps, c))
    return -1;
  return 0;
}

static void free_items(bytebuf *items, size_t n) {
  for (size_t i = 0; i < n; i++)
    bytebuf_free(&items[i]);
  free(items);
}

const char *case_role_name(const fsp_case *c) {
  return c->role ? role_name(c->role) : c->proxy ? "proxy" : "any";
}

unsigned case_needs(const fsp_case *c) {
  unsigned r = c->requires;
  if (c->role == FCS_AUTHORIZER)
    r |= REQ_AUTHORIZER;
  if (c->role == FCS_FILTER)
    r |= REQ_FILTER;
  return r;
}

void case_free(fsp_case *c) {
  for (size_t i = 0; i < c->nsteps; i++) {
    fsp_step *s = &c->steps[i];
    free(s->text);
    free_items(s->items, s->nitems);
    for (size_t j = 0; j < s->nalts; j++)
      free_items(s->alts[j].items, s->alts[j].nitems);
    free(s->alts);
  }
  free(c->steps);
  free(c->id);
  free(c->section);
  free(c->requirement);
  free(c->advisory);
  free(c->path);
  memset(c, 0, sizeof(*c));
}
