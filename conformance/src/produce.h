/* Turns producer steps (raw, record, begin, params, stdin, data, abort,
 * get-values, request) into the bytes they put on the wire. */
#ifndef FSP_PRODUCE_H
#define FSP_PRODUCE_H

#include "bytebuf.h"
#include "case.h"
#include "fcs/proto.h"

/* Name-value pairs the runner sends as "std" params (a CGI environment
 * that any responder can serve; the user can add or override pairs). */
typedef struct fsp_params {
  char **names, **values;
  size_t n;
} fsp_params;

void params_defaults(fsp_params *p);
/* Sets name to value, replacing an existing pair of that name. */
void params_set(fsp_params *p, const char *name, const char *value);
void params_free(fsp_params *p);

/* The param every std param set carries, with a value unique to the
 * request (the case id and the line that sends it), so a request's params
 * can be told from any other's. */
#define FSP_MARKER_PARAM "FCGISPEC_REQUEST"

/* Appends the bytes step s of case c puts on the wire to out (c may be
 * NULL outside a case); 0 on success, -1 with err filled when a record
 * would exceed the format's limits. */
int step_produce(const fsp_case *c, const fsp_step *s, const fsp_params *std,
                 bytebuf *out, char *err, size_t errlen);

/* The pieces step_produce is made of, for callers that build streams
 * record by record (fcgi-diff's generator). One record: header (with o's
 * version, reserved byte, padding length and byte, and a content length
 * that lies when o->clen is given), content, padding. */
void produce_record(bytebuf *out, const fsp_rec_opts *o, uint8_t type,
                    uint16_t id, const uint8_t *content, size_t clen);
/* A BEGIN_REQUEST record with this body (reserved bytes as given). */
void produce_begin(bytebuf *out, const fsp_rec_opts *o, uint16_t id,
                   const fcs_begin_body *body);
/* One name-value pair, lengths in the four-byte form when lng. */
void produce_pair(bytebuf *b, const uint8_t *n, size_t nl, const uint8_t *v,
                  size_t vl, int lng);

#endif
