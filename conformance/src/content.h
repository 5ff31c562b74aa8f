/* Content checks: does the app's view of a request, decoded from its
 * reply's STDOUT in the format the app was found to use, equal what the
 * runner sent? The format and the app's own quirks are learnt once per
 * run from a probe request (probe.c). */
#ifndef FSP_CONTENT_H
#define FSP_CONTENT_H

#include "bytebuf.h"
#include "echo_view.h"
#include "produce.h"
#include "replies.h"
#include "sent.h"

typedef struct fsp_content fsp_content;

typedef enum fsp_content_verdict {
  CONTENT_SAME,     /* every param and byte that could be compared matched */
  CONTENT_DIFFERS,  /* the request arrived changed: why names how */
  CONTENT_UNCHECKED /* nothing could be compared: why says why */
} fsp_content_verdict;

/* Learns from the probe's reply (out, len) to the probe request how the
 * app reveals what it received: the format of its output and its quirks
 * (params it adds, hides or rewrites). env is the environment every
 * request carries (the std params: a request without one of them is not
 * an ordinary one, see content.c). forced names a format to use (--echo),
 * NULL to try every format. Returns NULL when the app reveals nothing (or
 * forced is "none"); why says what was found or tried. */
fsp_content *content_learn(const uint8_t *out, size_t len,
                           const fsp_sent_req *probe, const fsp_params *env,
                           const char *forced, bytebuf *why);
/* Learns from the Filter probe's reply where the app shows a Filter's
 * DATA (a Responder probe has none to find). */
void content_learn_filter(fsp_content *ct, const uint8_t *out, size_t len,
                          const fsp_sent_req *probe);
/* Decodes a reply's STDOUT with what was learnt (echo_decode); 0 when
 * decoded. v must be freed with echo_view_free either way. */
int content_decode(const fsp_content *ct, const uint8_t *out, size_t len,
                   echo_view *v, bytebuf *why);
/* "lines", "json", ... for the report. */
const char *content_format(const fsp_content *ct);
void content_free(fsp_content *ct);

/* Compares rep (a complete reply) with req (the request it answers), in
 * the context of everything sent on the connection (to name params that
 * came from another request). ct NULL: the app reveals nothing. */
fsp_content_verdict content_compare(const fsp_content *ct, const fsp_reply *rep,
                                    const fsp_sent_req *req,
                                    const fsp_sent *sent, bytebuf *why);

#endif
