/* --json: the whole reply as one JSON object (docs/client.md lists its
 * members). */
#ifndef FCURL_JSON_OUT_H
#define FCURL_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bytebuf.h"
#include "outcome.h"

/* Writes bytes as a JSON string: valid UTF-8 as it is, every byte that is
 * not part of valid UTF-8 as \u00XX (its value as a code point). Returns 1
 * when every byte was valid UTF-8. */
int json_string(FILE *f, const uint8_t *p, size_t n);

/* The reply's parts fcgi-curl keeps for the object. */
typedef struct json_parts {
  bytebuf body, err_text;
  bytebuf warnings; /* fcs_error items */
} json_parts;

void json_out_print(FILE *f, const outcome *r, const json_parts *j);
void json_parts_free(json_parts *j);

#endif
