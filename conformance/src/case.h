/* One conformance case, as read from a .case file (format: docs/cases.md).
 *
 * A case has header fields (id, section, level, role, requirement, ...) and
 * a list of steps: producers append bytes to the pending write, flow steps
 * write, wait, half-close or reconnect, and checks (expect, allow, observe)
 * read the backend's replies and decide the verdict. */
#ifndef FSP_CASE_H
#define FSP_CASE_H

#include <stddef.h>
#include <stdio.h>

#include "bytebuf.h"

typedef enum fsp_level {
  FSP_LVL_MUST = 0,
  /* Proxy cases: a rule that comes from a security advisory rather than a
   * specification sentence; judged as MUST (docs/proxies.md). */
  FSP_LVL_TRUST,
  FSP_LVL_SHOULD,
  FSP_LVL_MAY,
  FSP_LVL_INFO,
  FSP_LVL_COUNT
} fsp_level;

const char *level_name(fsp_level l);
/* A failed check at this level fails the case (MUST, TRUST). */
int level_is_mandatory(fsp_level l);

/* Backend features a case needs; probed once per run. */
enum {
  REQ_MPXS = 1 << 0,       /* GET_VALUES said FCGI_MPXS_CONNS=1 */
  REQ_NO_MPXS = 1 << 1,    /* ... said 0 */
  REQ_AUTHORIZER = 1 << 2, /* serves the Authorizer role */
  REQ_FILTER = 1 << 3,     /* serves the Filter role */
  REQ_ECHO = 1 << 4        /* prints its params and stdin (integrity) */
};

typedef enum fsp_step_kind {
  /* producers */
  S_RAW,
  S_RECORD,
  S_BEGIN,
  S_PARAMS,
  S_STDIN,
  S_DATA,
  S_ABORT,
  S_GET_VALUES,
  S_REQUEST,
  /* producers of proxy cases (HTTP bytes to the proxy) */
  S_HTTP,
  S_GET,
  S_POST,
  /* flow */
  S_CHUNK,
  S_FLUSH,
  S_WAIT,
  S_SHUTDOWN,
  S_RECONNECT,
  S_CLIENT, /* proxy cases: switch to client connection N */
  S_CLOSE,  /* proxy cases: close the client connection abruptly */
  S_REPLY,  /* proxy cases: what the recording backend answers (fsp_reply_kind)
             */
  /* checks */
  S_EXPECT,
  S_ALLOW,
  S_OBSERVE
} fsp_step_kind;

typedef enum fsp_cond_kind {
  C_RESPONSE,
  C_ECHO,
  C_END,
  C_STDOUT_END,
  C_STDERR_OK,
  C_SINGLE_END,
  C_NOTHING_AFTER_END,
  C_UNKNOWN_TYPE,
  C_VALUES_RESULT,
  C_VALUES_HAS,
  C_VALUES_LACKS,
  C_VALUES_ONLY,
  C_VALUES_VALID,
  C_CLOSE,
  C_OPEN,
  C_QUIET,
  C_VERSION_1,
  C_IDS_VALID,
  C_TYPES_VALID,
  C_END_BODY,
  C_ALIGNED,
  C_RESERVED_ZERO,
  /* Proxy cases (docs/proxies.md): id is the case's request number K. */
  C_STATUS,
  C_ANSWERED,
  C_FORWARDED,
  C_NOT_FORWARDED,
  C_PARAM,
  C_PARAM_ABSENT,
  C_PARAM_COUNT,
  C_PARAM_UNDER,
  C_PARAM_HAS,
  C_PARAM_LACKS,
  C_ONLY_IN_HTTP,
  C_NO_BYTE,
  C_STDIN_IS,
  C_BODY_FRAMED,
  C_STREAMS_ENDED,
  C_ISOLATED,
  C_NO_SHORT_BODY,
  C_NO_SMUGGLING,
  C_RECORDS_VALID,
  C_KEEP_CONN_HONEST,
  C_SAME_PARAM,
  C_ABORTED,
  /* Proxy cases, the response side: what the client got for request K. */
  C_BODY,
  C_BODY_HAS,
  C_BODY_LACKS,
  C_HEADER,
  C_NO_HEADER,
  C_HEADER_COUNT,
  C_OWN_REPLY
} fsp_cond_kind;

/* What a reply step of a proxy case does (fsp_step.reply of S_REPLY). */
typedef enum fsp_reply_kind {
  R_RECORD, /* one record (fsp_step.type), as the record producer */
  R_RAW,    /* the items as they are */
  R_CLOSE,  /* close the connection once what came before is written */
  R_WAIT    /* wait fsp_step.ms before the next reply step */
} fsp_reply_kind;

typedef struct fsp_cond {
  fsp_cond_kind kind;
  unsigned long id;  /* request id, or record type for unknown-type */
  unsigned long num; /* protocol status for end; HTTP status (or its class
                        1..5) for status; count for param-count */
  long ms;           /* close, open, quiet: -1 = not given */
  bytebuf *items;    /* echo bytes or GET_VALUES names */
  size_t nitems;
} fsp_cond;

/* Record options common to producers. -1 means "not given". */
typedef struct fsp_rec_opts {
  long pad, padbyte, version, reserved, clen, split, id;
} fsp_rec_opts;

typedef struct fsp_step {
  fsp_step_kind kind;
  int line;
  char *text;           /* the source line, for reports */
  unsigned long id;     /* request id; observe: request number */
  unsigned long type;   /* record, reply (R_RECORD): record type */
  unsigned long role;   /* begin, request (role=) */
  unsigned long flags;  /* begin: the flags byte */
  unsigned long chunk;  /* chunk: bytes per write */
  unsigned long ms;     /* wait, reply (R_WAIT): milliseconds */
  unsigned long client; /* client: connection number 1..8 */
  fsp_reply_kind reply; /* reply: what it does */
  int std, lng, keep;   /* params/request: std params, 4-byte lengths */
  fsp_rec_opts o;
  bytebuf *items; /* byte items (params: name, value, name, value, ...) */
  size_t nitems;
  fsp_cond *alts; /* expect/allow: alternatives joined by "or" */
  size_t nalts;
  int verdict; /* allow: FSP_V_NONSTRICT or FSP_V_INFO (verdict.h) */
} fsp_step;

typedef struct fsp_case {
  char *id, *section, *requirement, *path;
  uint16_t role;  /* its role: FCS_RESPONDER, ... (fcs/proto.h); 0: any */
  char *advisory; /* TRUST cases: the attack prevented and the advisory */
  int proxy;      /* its producers write HTTP to a proxy (docs/proxies.md) */
  int replies;    /* a proxy case with reply lines: the response side */
  fsp_level level;
  long deadline_ms; /* 0: the runner's --timeout */
  unsigned requires;
  fsp_step *steps;
  size_t nsteps;
} fsp_case;

/* 0 on success; otherwise err holds "path:line: message". */
int case_parse_file(const char *path, fsp_case *c, char *err, size_t errlen);
/* The same from an open stream; path only names it in c->path and errors. */
int case_parse_stream(FILE *f, const char *path, fsp_case *c, char *err,
                      size_t errlen);
void case_free(fsp_case *c);
/* c's role as its role line names it: any when it has none (proxy cases:
 * proxy). */
const char *case_role_name(const fsp_case *c);
/* The REQ_* features c needs of the backend: its requires line and its
 * role. */
unsigned case_needs(const fsp_case *c);

/* Proxy cases: get and post are requests, and an http step that carries
 * {marker}; each gets a request number and may be answered by a reply. */
int step_is_request(const fsp_step *s);

#endif
