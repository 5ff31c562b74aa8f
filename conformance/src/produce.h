/* Turns producer steps (raw, record, begin, params, stdin, data, abort,
 * get-values, request) into the bytes they put on the wire. */
#ifndef FCS_PRODUCE_H
#define FCS_PRODUCE_H

#include "buf.h"
#include "case.h"
#include "fcs/proto.h"

/* Name-value pairs the runner sends as "std" params (a CGI environment
 * that any responder can serve; the user can add or override pairs). */
typedef struct fcs_params {
  char **names, **values;
  size_t n;
} fcs_params;

void params_defaults(fcs_params *p);
/* Sets name to value, replacing an existing pair of that name. */
void params_set(fcs_params *p, const char *name, const char *value);
void params_free(fcs_params *p);

/* The param every std param set carries, with a value unique to the
 * request (the case id and the line that sends it), so a request's params
 * can be told from any other's. */
#define FCS_MARKER_PARAM "FCGISPEC_REQUEST"

/* Appends the bytes step s of case c puts on the wire to out (c may be
 * NULL outside a case); 0 on success, -1 with err filled when a record
 * would exceed the format's limits. */
int step_produce(const fcs_case *c, const fcs_step *s, const fcs_params *std,
                 fcs_buf *out, char *err, size_t errlen);

/* The pieces step_produce is made of, for callers that build streams
 * record by record (fcgi-diff's generator). One record: header (with o's
 * version, reserved byte, padding length and byte, and a content length
 * that lies when o->clen is given), content, padding. */
void produce_record(fcs_buf *out, const fcs_rec_opts *o, uint8_t type,
                    uint16_t id, const uint8_t *content, size_t clen);
/* A BEGIN_REQUEST record with this body (reserved bytes as given). */
void produce_begin(fcs_buf *out, const fcs_rec_opts *o, uint16_t id,
                   const fcs_begin_body *body);
/* One name-value pair, lengths in the four-byte form when lng. */
void produce_pair(fcs_buf *b, const uint8_t *n, size_t nl, const uint8_t *v,
                  size_t vl, int lng);

#endif
