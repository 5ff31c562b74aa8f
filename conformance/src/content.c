#include "content.h"

#include <stdlib.h>
#include <string.h>

#include "echo_view.h"
#include "integrity.h"
#include "produce.h"
#include "xalloc.h"

struct fsp_content {
  echo_hint hint;
  echo_quirks quirks;
  fsp_params env;    /* names (and values) every request carries */
  int filter_echoes; /* the Filter probe's reply read as an echo page */
};

/* A sent request in the form integrity.h compares; pairs point into
 * req->params and are held in *store. */
static sent_request as_sent(const fsp_sent_req *req, bytebuf *store) {
  size_t pos = 0;
  fcs_nv_pair p;
  store->len = 0;
  while (fcs_nv_next(req->params.p, req->params.len, &pos, &p) == FCS_NV_OK)
    bytebuf_add(store, &p, sizeof(p));
  sent_request s = {.id = req->id,
                    .role = req->role,
                    .pairs = (const fcs_nv_pair *)(void *)store->p,
                    .npairs = store->len / sizeof(fcs_nv_pair),
                    .in = req->in.p,
                    .in_len = req->in.len,
                    .data = req->data.p,
                    .data_len = req->data.len};
  return s;
}

/* The value of the first pair called name, or NULL. */
static const fcs_nv_pair *find(const sent_request *s, const char *name) {
  for (size_t i = 0; i < s->npairs; i++)
    if (fcs_nv_name_is(&s->pairs[i], name))
      return &s->pairs[i];
  return NULL;
}

/* What echo_learn looks for in a probe's page: its marker param (value
 * copied to value) and its streams. */
static echo_probe probe_of(const sent_request *s, char *value, size_t cap) {
  const fcs_nv_pair *marker = find(s, FSP_MARKER_PARAM);
  value[0] = 0;
  if (marker && marker->value_len < cap) {
    memcpy(value, marker->value, marker->value_len);
    value[marker->value_len] = 0;
  }
  echo_probe ep = {FSP_MARKER_PARAM, value,   s->in,
                   s->in_len,        s->data, s->data_len};
  return ep;
}

fsp_content *content_learn(const uint8_t *out, size_t len,
                           const fsp_sent_req *probe, const fsp_params *env,
                           const char *forced, bytebuf *why) {
  echo_format want = forced ? echo_format_parse(forced) : ECHO_UNKNOWN;
  if (want == ECHO_NONE) {
    bytebuf_str(why, "--echo none");
    return NULL;
  }
  bytebuf store = {0};
  sent_request s = as_sent(probe, &store);
  char value[128];
  echo_probe ep = probe_of(&s, value, sizeof(value));
  fsp_content *ct = xcalloc(1, sizeof(*ct));
  echo_format got = echo_learn(out, len, &ep, &ct->hint, why);
  if (want != ECHO_UNKNOWN && got != want) {
    /* The format the user named, even though the probe did not show the
     * marker in it: pages that do not decode stay unchecked. */
    memset(&ct->hint, 0, sizeof(ct->hint));
    ct->hint.format = want;
    bytebuf_fmt(why, "; --echo %s forced", forced);
  } else if (got == ECHO_NONE || got == ECHO_UNKNOWN) {
    free(ct);
    bytebuf_free(&store);
    return NULL;
  }
  for (size_t i = 0; i < env->n; i++)
    params_set(&ct->env, env->names[i], env->values[i]);
  echo_view v;
  bytebuf derr = {0};
  echo_decode(&ct->hint, out, len, &v, &derr);
  echo_quirks_learn(&s, &v, &ct->quirks);
  echo_view_free(&v);
  bytebuf_free(&derr);
  bytebuf_free(&store);
  return ct;
}

void content_learn_filter(fsp_content *ct, const uint8_t *out, size_t len,
                          const fsp_sent_req *probe) {
  if (!ct)
    return;
  bytebuf store = {0}, why = {0};
  sent_request s = as_sent(probe, &store);
  char value[128];
  echo_probe ep = probe_of(&s, value, sizeof(value));
  echo_hint h;
  ct->filter_echoes = echo_learn(out, len, &ep, &h, &why) == ct->hint.format;
  if (ct->filter_echoes && h.data_shown) {
    ct->hint.data_shown = 1;
    ct->hint.data = h.data;
    ct->hint.data_index = h.data_index;
    ct->quirks.data_shown = 1;
  }
  bytebuf_free(&why);
  bytebuf_free(&store);
}

int content_decode(const fsp_content *ct, const uint8_t *out, size_t len,
                   echo_view *v, bytebuf *why) {
  return echo_decode(&ct->hint, out, len, v, why);
}

const char *content_format(const fsp_content *ct) {
  return echo_format_name(ct ? ct->hint.format : ECHO_NONE);
}

void content_free(fsp_content *ct) {
  if (!ct)
    return;
  echo_quirks_free(&ct->quirks);
  params_free(&ct->env);
  free(ct);
}

/* Spec 6.1: textual values hold no NUL byte, and an environment cannot
 * hold an empty name or NUL or '=' in a name; what an app shows of such a
 * pair is not defined. */
static int representable(const sent_request *s) {
  for (size_t i = 0; i < s->npairs; i++) {
    const fcs_nv_pair *p = &s->pairs[i];
    if (!p->name_len || memchr(p->name, 0, p->name_len) ||
        memchr(p->name, '=', p->name_len) || memchr(p->value, 0, p->value_len))
      return 0;
  }
  return 1;
}

/* Why a request has no definite view to compare with, or NULL. */
static const char *undefined_view(const fsp_sent_req *req) {
  if (req->aborted)
    return "the request was aborted";
  if (!req->params_done)
    return "the request's PARAMS never ended";
  return NULL;
}

/* A request like the probe, but for what the case varies within the
 * rules: every param of the environment (SCRIPT_FILENAME among them), and
 * lengths that announce the body and the DATA sent. An app may answer
 * anything else otherwise, by design (no script, a short body). */
static int ordinary(const fsp_content *ct, const sent_request *rq) {
  for (size_t i = 0; i < ct->env.n; i++)
    if (!find(rq, ct->env.names[i]))
      return 0;
  return integrity_announces(rq, "CONTENT_LENGTH", rq->in_len) &&
         (rq->role != FCS_FILTER ||
          integrity_announces(rq, "FCGI_DATA_LENGTH", rq->data_len));
}

/* A reply that does not read as the probe's did. When the request is an
 * ordinary one of a role whose probe was echoed, the app answered it with
 * something else: it did not see the request as sent (a lost
 * SCRIPT_FILENAME gives a 404, a lost body an error page). An Authorizer
 * may deny by design, a request without the probe's params or with
 * lengths that do not match its streams may be refused, and a reply cut at
 * the runner's own budget proves nothing. */
static void not_an_echo(const fsp_content *ct, const fsp_reply *rep,
                        const sent_request *rq, const bytebuf *derr,
                        bytebuf *why, fsp_content_verdict *out) {
  int cut = rep->out.len < rep->out_total;
  int echoes = rq->role == FCS_RESPONDER ||
               (rq->role == FCS_FILTER && ct->filter_echoes);
  if (cut || !echoes || !ordinary(ct, rq)) {
    bytebuf_fmt(why,
                "content not checked: the reply does not read as %s (%.*s)",
                echo_format_name(ct->hint.format), (int)derr->len,
                (const char *)derr->p);
    return;
  }
  *out = CONTENT_DIFFERS;
  if (!rep->out.len) {
    bytebuf_fmt(
        why,
        "the reply has no STDOUT at all (appStatus %u), unlike the "
        "probe's echo page, so the app did not serve the request as sent",
        rep->end.app_status);
    return;
  }
  bytebuf_fmt(why,
              "the reply is not an echo page as the probe's was (%.*s), so the "
              "app did not see the request as sent; it begins \"",
              (int)derr->len, (const char *)derr->p);
  bytebuf_escape(why, rep->out.p, rep->out.len, 60);
  bytebuf_byte(why, '"');
}

static fsp_content_verdict compare(const fsp_content *ct, const fsp_reply *rep,
                                   const sent_request *rq,
                                   const sent_request *others, size_t nothers,
                                   bytebuf *why) {
  echo_view v;
  bytebuf derr = {0};
  fsp_content_verdict out = CONTENT_UNCHECKED;
  if (echo_decode(&ct->hint, rep->out.p, rep->out.len, &v, &derr)) {
    not_an_echo(ct, rep, rq, &derr, why, &out);
  } else {
    integrity_report r = {0};
    integrity_check(rq, &v, &ct->quirks, others, nothers, &r);
    if (integrity_count(&r)) {
      out = CONTENT_DIFFERS;
      for (size_t i = 0; i < integrity_count(&r); i++) {
        const bytebuf *t = &integrity_at(&r, i)->text;
        bytebuf_fmt(why, "%s%.*s", i ? "; " : "", (int)t->len,
                    (const char *)t->p);
      }
    } else if (r.unshown) {
      /* A request's body is what many cases are about: not seeing it is
       * not seeing the request. */
      bytebuf_str(why, "content not checked: the app does not show the body "
                       "(or the DATA) it received");
    } else if (r.checked) {
      out = CONTENT_SAME;
    } else {
      bytebuf_str(why, "content not checked: ");
      integrity_summary(&r, why);
    }
    integrity_report_free(&r);
  }
  echo_view_free(&v);
  bytebuf_free(&derr);
  return out;
}

fsp_content_verdict content_compare(const fsp_content *ct, const fsp_reply *rep,
                                    const fsp_sent_req *req,
                                    const fsp_sent *sent, bytebuf *why) {
  if (!ct) {
    bytebuf_str(why, "content not checked: the app does not reveal what it "
                     "received");
    return CONTENT_UNCHECKED;
  }
  if (req->unclean) {
    bytebuf_fmt(
        why,
        "content not checked: the request breaks %s on purpose, so what "
        "the app sees is not defined",
        fcs_err_name(req->unclean));
    return CONTENT_UNCHECKED;
  }
  const char *undefined = undefined_view(req);
  if (undefined) {
    bytebuf_fmt(why, "content not checked: %s", undefined);
    return CONTENT_UNCHECKED;
  }
  bytebuf store = {0};
  sent_request rq = as_sent(req, &store);
  if (!representable(&rq)) {
    bytebuf_free(&store);
    bytebuf_str(why,
                "content not checked: a param has an empty name, or NUL in "
                "it, or '=' in its name, which an application need not show");
    return CONTENT_UNCHECKED;
  }
  size_t nothers = 0;
  sent_request *others = xcalloc(sent->n + 1, sizeof(*others));
  bytebuf *stores = xcalloc(sent->n + 1, sizeof(*stores));
  for (size_t i = 0; i < sent->n; i++)
    if (&sent->v[i] != req && sent->v[i].params_done)
      others[nothers] = as_sent(&sent->v[i], &stores[nothers]), nothers++;
  fsp_content_verdict out = compare(ct, rep, &rq, others, nothers, why);
  for (size_t i = 0; i < nothers; i++)
    bytebuf_free(&stores[i]);
  free(stores);
  free(others);
  bytebuf_free(&store);
  return out;
}
