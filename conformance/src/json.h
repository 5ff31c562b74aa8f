/* A strict JSON (RFC 8259) parser into a tree, for echo pages written in
 * JSON. Strings come out with both readings of echo_str: UTF-8, and one
 * byte per code point when every code point is below 256. */
#ifndef FSP_JSON_H
#define FSP_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"
#include "echo_view.h"

typedef enum json_type {
  JSON_NULL,
  JSON_BOOL,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT
} json_type;

typedef struct json_value {
  json_type type;
  size_t offset;   /* where the value starts in the text */
  echo_str text;   /* STRING: its characters; NUMBER and BOOL: the token */
  bytebuf members; /* ARRAY and OBJECT: json_member items, in text order */
} json_value;

typedef struct json_member {
  echo_str key; /* OBJECT members only */
  json_value value;
} json_member;

/* Nesting deeper than this is refused rather than risking the stack. */
#define JSON_MAX_DEPTH 64

/* Parses one value starting at text[*pos] (after optional white space);
 * *pos ends just after it. 0 when parsed; -1 with why naming the problem
 * and its byte offset in text. v must be freed with json_free either way. */
int json_parse(const uint8_t *text, size_t len, size_t *pos, json_value *v,
               bytebuf *why);
void json_free(json_value *v);

size_t json_count(const json_value *v);
const json_member *json_member_at(const json_value *v, size_t i);
/* The first member of an object whose key reads as the NUL-terminated
 * UTF-8 key, or NULL. */
const json_value *json_get(const json_value *obj, const char *key);

#endif
