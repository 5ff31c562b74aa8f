/* The CGI header block at the start of a Responder's STDOUT (RFC 3875
 * section 6): header lines up to an empty line, then the body. fcgi-curl
 * reads it to know the status (-w, --fail, --json) and to split the
 * header block from the body (-i, -I, -o). */
#ifndef FCURL_CGI_HEAD_H
#define FCURL_CGI_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"

/* A web server would refuse a longer header block too (nginx: 4-8 KiB). */
#define CGI_HEAD_MAX 65536

typedef enum cgi_head_state {
  CGI_HEAD_NONE,    /* no STDOUT byte yet */
  CGI_HEAD_READING, /* inside the header block */
  CGI_HEAD_DONE,    /* the empty line arrived: what follows is the body */
  CGI_HEAD_INVALID  /* not a CGI header block: all of STDOUT is the body */
} cgi_head_state;

typedef struct cgi_field {
  size_t name, name_len, value, value_len; /* offsets into the block */
} cgi_field;

typedef struct cgi_head {
  cgi_head_state state;
  bytebuf block;  /* the bytes read into the block, as received */
  bytebuf fields; /* cgi_field items */
  size_t line;    /* where the line being read starts in block */
  int status;     /* DONE: Status, or 302 for a client redirect (a Location
                     with a scheme), else 200; INVALID: 502, as a gateway
                     answers an invalid upstream reply */
  char why[160];  /* INVALID: what is wrong with the block */
} cgi_head;

/* Takes STDOUT bytes while the block is read (NONE or READING); returns how
 * many of p went into the block. Once DONE or INVALID the state is final
 * and the rest of p (and of STDOUT) is body; when INVALID the block's bytes
 * are body too. */
size_t cgi_head_feed(cgi_head *h, const uint8_t *p, size_t n);
/* STDOUT ended. A block still being read is INVALID; so is an empty
 * STDOUT when the request completed (completed != 0). */
void cgi_head_finish(cgi_head *h, int completed);

size_t cgi_head_count(const cgi_head *h);
const cgi_field *cgi_head_field(const cgi_head *h, size_t i);
void cgi_head_free(cgi_head *h);

#endif
