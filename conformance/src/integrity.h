/* Did the request arrive intact? Compares the request as sent with what
 * the application showed of it (echo_view.h) and names each difference in
 * one line: a body lost, cut or changed, params lost, values cut or
 * changed, params injected, params of another request, a wrong request id.
 *
 * Applications differ in what they show: some add params of their own,
 * leave some out or rewrite some values. Those habits (echo_quirks) are
 * learnt from one probe request and are not findings. */
#ifndef FSP_INTEGRITY_H
#define FSP_INTEGRITY_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"
#include "echo_view.h"
#include "fcs/nv.h"

typedef struct sent_request {
  uint16_t id;
  uint16_t role;            /* FCS_RESPONDER, FCS_AUTHORIZER, FCS_FILTER */
  const fcs_nv_pair *pairs; /* in the order sent, duplicates kept */
  size_t npairs;
  const uint8_t *in; /* STDIN */
  size_t in_len;
  const uint8_t *data; /* DATA */
  size_t data_len;
} sent_request;

/* A set of names: bytebuf items, one per name. */
typedef struct echo_names {
  bytebuf items;
} echo_names;

size_t echo_names_count(const echo_names *l);
const bytebuf *echo_names_at(const echo_names *l, size_t i);
int echo_names_has(const echo_names *l, const uint8_t *name, size_t n);

typedef struct echo_quirks {
  echo_names added;     /* shown but not sent: the application's own */
  echo_names hidden;    /* sent but not shown */
  echo_names rewritten; /* shown with none of the values sent */
  uint8_t body_shown, data_shown; /* the page shows STDIN / DATA */
} echo_quirks;

/* The habits one probe shows: what the page of the sent probe request
 * added, left out and rewrote. */
void echo_quirks_learn(const sent_request *probe, const echo_view *v,
                       echo_quirks *q);
void echo_quirks_free(echo_quirks *q);

typedef enum integrity_kind {
  INTEGRITY_BODY_LOST,     /* "body lost" */
  INTEGRITY_BODY_CUT,      /* "body cut at byte N (sent M bytes)" */
  INTEGRITY_BODY_CHANGED,  /* "body changed at byte N" */
  INTEGRITY_DATA_LOST,     /* "data lost" */
  INTEGRITY_DATA_CUT,      /* "data cut at byte N (sent M bytes)" */
  INTEGRITY_DATA_CHANGED,  /* "data changed at byte N" */
  INTEGRITY_PARAMS_LOST,   /* "params lost: A, B" */
  INTEGRITY_VALUE_CUT,     /* "value of X cut at byte N" */
  INTEGRITY_VALUE_CHANGED, /* "value of X changed at byte N" */
  INTEGRITY_INJECTED,      /* "param X injected" */
  INTEGRITY_CROSSED,       /* "params of request K seen in request J: X" */
  INTEGRITY_WRONG_ID       /* "answered as request id K" */
} integrity_kind;

typedef struct integrity_finding {
  integrity_kind kind;
  bytebuf text; /* one line, no LF */
} integrity_finding;

typedef struct integrity_report {
  bytebuf findings;      /* integrity_finding items */
  size_t checked;        /* checks made */
  size_t unchecked;      /* checks that could not be made */
  size_t not_comparable; /* of those: values the page could not show
                            exactly */
  size_t unshown;        /* of those: non-empty streams (STDIN, DATA) the
                            page does not show at all */
} integrity_report;

/* 1 when rq's last param called name (CONTENT_LENGTH, FCGI_DATA_LENGTH)
 * announces n bytes; an absent one announces 0. */
int integrity_announces(const sent_request *rq, const char *name, size_t n);

/* Compares rq with the page's view v, given the application's quirks q.
 * others are the other requests sent on the same connection or case: a
 * value of theirs showing up in rq's page is reported as such. Names are
 * compared byte for byte; a name sent more than once accepts any of its
 * values and may show once. STDIN is checked only when rq's last
 * CONTENT_LENGTH (0 when absent) equals its length, DATA likewise with
 * FCGI_DATA_LENGTH: otherwise the application may rightly read less. A
 * view in format ECHO_NONE shows nothing: no check is made. */
void integrity_check(const sent_request *rq, const echo_view *v,
                     const echo_quirks *q, const sent_request *others,
                     size_t nothers, integrity_report *r);

size_t integrity_count(const integrity_report *r);
const integrity_finding *integrity_at(const integrity_report *r, size_t i);
/* "N checks, M not made" and, when there are some, "(K values not
 * comparable)". */
void integrity_summary(const integrity_report *r, bytebuf *out);
void integrity_report_free(integrity_report *r);

#endif
