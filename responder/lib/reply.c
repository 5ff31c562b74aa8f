#include "reply.h"

#include "fcs/proto.h"

enum phase {
  PH_IDLE = 0,
  PH_STDOUT,
  PH_STDOUT_END,
  PH_STDERR,
  PH_STDERR_END,
  PH_END
};

void fcsr_reply_start(fcsr_reply *rp) {
  rp->out_pos = rp->err_pos = 0;
  rp->phase = rp->with_stdout   ? PH_STDOUT
              : rp->with_stderr ? PH_STDERR
                                : PH_END;
}

int fcsr_reply_active(const fcsr_reply *rp) { return rp->phase != PH_IDLE; }

int fcsr_reply_write(fcsr_reply *rp, fcsr_outbuf *out) {
  for (;;) {
    switch (rp->phase) {
    case PH_IDLE:
      return 0;
    case PH_STDOUT:
      while (rp->out_pos < rp->out_len)
        if (!fcsr_outbuf_stream_chunk(out, FCS_STDOUT, rp->id, rp->out,
                                      rp->out_len, &rp->out_pos))
          return 0;
      rp->phase = PH_STDOUT_END;
      break;
    case PH_STDOUT_END:
      if (!fcsr_outbuf_record(out, FCS_STDOUT, rp->id, NULL, 0))
        return 0;
      rp->phase = rp->with_stderr ? PH_STDERR : PH_END;
      break;
    case PH_STDERR:
      while (rp->err_pos < rp->err_len)
        if (!fcsr_outbuf_stream_chunk(out, FCS_STDERR, rp->id, rp->err,
                                      rp->err_len, &rp->err_pos))
          return 0;
      rp->phase = PH_STDERR_END;
      break;
    case PH_STDERR_END:
      if (!fcsr_outbuf_record(out, FCS_STDERR, rp->id, NULL, 0))
        return 0;
      rp->phase = PH_END;
      break;
    case PH_END: {
      fcs_end_body body = {rp->app_status, rp->protocol_status, {0}};
      uint8_t content[FCS_BODY_LEN];
      fcs_end_body_encode(&body, content);
      if (!fcsr_outbuf_record(out, FCS_END_REQUEST, rp->id, content,
                              sizeof content))
        return 0;
      rp->phase = PH_IDLE;
      return 1;
    }
    }
  }
}
