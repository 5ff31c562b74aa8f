#include "outcome.h"

int outcome_completed(const outcome *r) {
  return r->ended && r->end.protocol_status == FCS_REQUEST_COMPLETE;
}

int outcome_status(const outcome *r) {
  cgi_head_state s = r->head.state;
  return s == CGI_HEAD_DONE || s == CGI_HEAD_INVALID ? r->head.status : 0;
}

int outcome_exit_status(const outcome *r, int fail, int write_failed) {
  if (r->failure)
    return r->failure;
  if (!r->ended) /* every path without END_REQUEST sets a failure */
    return EXIT_PROTOCOL;
  if (!outcome_completed(r)) {
    uint8_t ps = r->end.protocol_status;
    return ps <= FCS_UNKNOWN_ROLE ? EXIT_REFUSED + ps : EXIT_REFUSED_OTHER;
  }
  if (write_failed)
    return EXIT_WRITE;
  if (fail && outcome_status(r) >= 400)
    return EXIT_HTTP_ERROR;
  return r->end.app_status > 255 ? 255 : (int)r->end.app_status;
}

void outcome_free(outcome *r) { cgi_head_free(&r->head); }
