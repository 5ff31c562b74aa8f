/* What an application showed of the request it received: its echo page
 * (the STDOUT of a CGI response) decoded into name-value pairs and body
 * bytes, whatever common format the page is written in.
 *
 * A page's format, and where in it the params and the body sit, are
 * learnt once from a probe request whose marker param and body are known
 * (echo_learn); every later page of that application is then decoded with
 * what was learnt (echo_decode). The formats and their limits are in
 * docs/conformance.md, "Reading echo pages". */
#ifndef FSP_ECHO_VIEW_H
#define FSP_ECHO_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"

typedef enum echo_format {
  ECHO_UNKNOWN = 0,
  ECHO_NONE,         /* the page shows nothing of the request */
  ECHO_LINES,        /* this project's line format (docs/responder.md) */
  ECHO_JSON,         /* a JSON object holding the params and the body */
  ECHO_PRINTENV,     /* NAME=VALUE lines */
  ECHO_PHP_VAR_DUMP, /* PHP var_dump($_SERVER) */
  ECHO_PHP_PRINT_R   /* PHP print_r($_SERVER) */
} echo_format;

/* "none", "lines", "json", "printenv", "php-var-dump", "php-print-r";
 * "unknown" for ECHO_UNKNOWN. */
const char *echo_format_name(echo_format f);
/* The format with that name, or ECHO_UNKNOWN. */
echo_format echo_format_parse(const char *name);

/* A string as the page showed it. */
typedef struct echo_str {
  bytebuf bytes;      /* raw bytes; for a JSON string, its UTF-8 */
  bytebuf latin1;     /* a JSON string whose code points are all below 256:
                         one byte per code point */
  uint8_t has_latin1; /* latin1 holds that second reading */
  uint8_t inexact;    /* the page could not show it exactly (a replacement
                         character, a null for a string that failed to
                         encode, a nested array): not comparable */
} echo_str;

/* 1 when one of s's readings is exactly the n bytes at p. */
int echo_str_is(const echo_str *s, const void *p, size_t n);
/* The longest prefix one of s's readings shares with the n bytes at p;
 * *shown_len gets that reading's length. */
size_t echo_str_common(const echo_str *s, const uint8_t *p, size_t n,
                       size_t *shown_len);
void echo_str_free(echo_str *s);

typedef struct echo_pair {
  echo_str name, value;
} echo_pair;

/* STDIN or DATA as the page showed it. */
typedef struct echo_stream {
  uint8_t shown;   /* the page shows this stream */
  uint8_t partial; /* only its first bytes are shown; total and crc
                      describe all of it (lines format, KEPT < TOTAL) */
  echo_str bytes;
  uint64_t total;
  uint32_t crc;
} echo_stream;

typedef struct echo_view {
  echo_format format;
  bytebuf pairs; /* echo_pair items, in page order, duplicates kept */
  echo_stream in, data;
  uint8_t id_shown;
  uint16_t request_id;
  uint16_t role; /* FCS_RESPONDER, FCS_AUTHORIZER, FCS_FILTER; 0: not shown */
} echo_view;

size_t echo_view_count(const echo_view *v);
const echo_pair *echo_view_pair(const echo_view *v, size_t i);
/* Safe on a view echo_decode failed to fill, and twice. */
void echo_view_free(echo_view *v);

/* A JSON key path from the outermost object: depth keys, each a
 * NUL-terminated UTF-8 string. */
#define ECHO_PATH_DEPTH 6
#define ECHO_KEY_MAX 64
typedef struct echo_path {
  uint8_t depth;
  char keys[ECHO_PATH_DEPTH][ECHO_KEY_MAX];
} echo_path;

/* What echo_learn found out about an application's pages. */
typedef struct echo_hint {
  echo_format format;
  uint8_t body_shown, data_shown; /* the probe's page showed STDIN / DATA */
  echo_path params, body, data;   /* json: where each one is */
  uint8_t body_index, data_index; /* php-var-dump: which of the strings
                                     after the array is STDIN / DATA */
} echo_hint;

/* The probe request whose page echo_learn reads: one param it sent, and
 * its STDIN and DATA (data NULL when it sent none). Where the body and the
 * data are is learnt only from non-empty ones. */
typedef struct echo_probe {
  const char *marker_name, *marker_value;
  const uint8_t *body;
  size_t body_len;
  const uint8_t *data;
  size_t data_len;
} echo_probe;

/* Tries every format on a probe's page, in the order lines, json,
 * php-var-dump, php-print-r, printenv, and keeps the first whose decoded
 * pairs hold the marker exactly; learns where the body and data are.
 * Returns hint->format: ECHO_NONE when no format shows the marker. Appends
 * to why one "FORMAT: outcome" clause per format tried. */
echo_format echo_learn(const uint8_t *out, size_t len, const echo_probe *probe,
                       echo_hint *hint, bytebuf *why);

/* Decodes a page with what was learnt. 0 when decoded; -1 when the page
 * does not read as hint->format, with why naming the byte offset. v is
 * filled either way and must be freed with echo_view_free. */
int echo_decode(const echo_hint *hint, const uint8_t *out, size_t len,
                echo_view *v, bytebuf *why);

/* One line for reports, e.g. "json, params at .params, body at .stdin". */
void echo_hint_describe(const echo_hint *hint, bytebuf *out);

#endif
