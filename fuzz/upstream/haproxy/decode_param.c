/* fcgi.c's name-value decoders, called with buffers laid out as HAProxy
 * lays them out, for harness.c (which cannot include HAProxy's headers).
 * fcgi_aligned_decode_param is what the mux decodes GET_VALUES_RESULT
 * with; fcgi_decode_param, its wrapping twin, has no caller in HAProxy
 * 2.6 and is reached only from here. */
#include <haproxy/buf.h>
#include <haproxy/fcgi.h>

#include "hap.h"

/* Where a decoded string starts, counted in the content from its head
 * (past the buffer's end too, should a decoder point there). */
static size_t content_offset(const struct buffer *b, const char *at) {
  size_t pos = (size_t)(at - b_orig(b));
  return pos >= b_head_ofs(b) ? pos - b_head_ofs(b)
                              : pos + b_size(b) - b_head_ofs(b);
}

static void give(const struct buffer *b, size_t ret,
                 const struct fcgi_param *fp, hap_param *p) {
  p->consumed = ret;
  if (!ret)
    return;
  p->name_at = content_offset(b, fp->n.ptr);
  p->name_len = fp->n.len;
  p->value_at = content_offset(b, fp->v.ptr);
  p->value_len = fp->v.len;
}

void hap_aligned_decode_param(const uint8_t *area, size_t avail, size_t len,
                              size_t off, hap_param *p) {
  /* fcgi_conn_handle_values_result: b_make(b_head(dbuf), b_data(dbuf), 0,
   * drl) */
  struct buffer in = b_make((char *)area, avail, 0, len);
  struct fcgi_param fp;
  give(&in, fcgi_aligned_decode_param(&in, off, &fp), &fp, p);
}

void hap_decode_param(const uint8_t *ring, size_t size, size_t head, size_t len,
                      size_t off, hap_param *p) {
  struct buffer in = b_make((char *)ring, size, head, len);
  struct fcgi_param fp;
  give(&in, fcgi_decode_param(&in, off, &fp), &fp, p);
}
