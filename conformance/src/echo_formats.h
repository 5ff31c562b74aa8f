/* The format readers behind echo_view.h, and the helpers they share.
 * Every reader takes the whole page (out, len) and the offset where the
 * CGI body starts, so the offsets in its errors are offsets in the page. */
#ifndef FSP_ECHO_FORMATS_H
#define FSP_ECHO_FORMATS_H

#include "echo_view.h"

typedef struct echo_reader {
  echo_format format;
  /* Fills the layout part of h (where the params, body and data are) from
   * a probe's page. 0 when the page reads as this format. */
  int (*learn)(const uint8_t *out, size_t len, size_t pos,
               const echo_probe *probe, echo_hint *h, bytebuf *why);
  /* Decodes a page laid out as h says; 0 ok, -1 with why. */
  int (*decode)(const echo_hint *h, const uint8_t *out, size_t len, size_t pos,
                echo_view *v, bytebuf *why);
} echo_reader;

extern const echo_reader echo_lines_reader, echo_json_reader,
    echo_printenv_reader, echo_var_dump_reader, echo_print_r_reader;

/* Adds a pair with raw bytes and returns it (valid until the next add). */
echo_pair *echo_view_add(echo_view *v, const void *name, size_t name_len,
                         const void *value, size_t value_len);
/* Adds a pair taking over name and value (they are zeroed). */
void echo_view_take(echo_view *v, echo_str *name, echo_str *value);
/* Shows a stream holding the n bytes at p, whole. */
void echo_stream_set(echo_stream *s, const void *p, size_t n);
/* FCS_RESPONDER, FCS_AUTHORIZER or FCS_FILTER for the role's name (in any
 * letter case: RESPONDER); 0 for anything else. */
uint16_t echo_role_of(const uint8_t *word, size_t n);

/* The bytes from *pos up to the next LF (not included), and *pos after
 * that LF; 0 when no bytes are left. *terminated says whether a LF ended
 * the line. */
int echo_next_line(const uint8_t *out, size_t len, size_t *pos,
                   const uint8_t **line, size_t *n, int *terminated);

#endif
