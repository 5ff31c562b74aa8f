/* The records of fcgi-curl's one request: BEGIN_REQUEST, PARAMS, STDIN and,
 * for the Filter role, DATA, each stream ended by its empty record. */
#ifndef FCURL_REQUEST_H
#define FCURL_REQUEST_H

#include "bytebuf.h"
#include "options.h"

void request_build(const opts *o, bytebuf *out);

#endif
