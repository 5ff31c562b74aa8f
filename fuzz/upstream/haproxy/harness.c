/* haproxy: HAProxy 2.6's FastCGI backend side (src/mux_fcgi.c and
 * src/fcgi.c), in-process.
 *
 * The input is what a FastCGI application sends back on one connection.
 * drive_mux.c (through hap.h) builds the connection the way HAProxy does,
 * sends one request and plays the input into the mux in pieces, taking
 * the response as the stream layer does; which pieces, tune.bufsize (16384,
 * or for a quarter of the inputs 1024-4096 so the demux ring wraps on
 * small inputs), the fcgi-app options and the request method and version
 * come from a hash of the input, never from rand(). "option get-values" is
 * on whenever the input starts with an id-0 GET_VALUES_RESULT or
 * UNKNOWN_TYPE header, the answers to the GET_VALUES it makes HAProxy send.
 *
 * libfcs's decoder (lenient) reads the same bytes. Oracles, for the
 * request's stream and the records the demux dispatches to it (those from
 * the moment it had an id):
 * - the bytes the demux moved into the stream's rx buffer are a prefix of
 *   the STDOUT content libfcs finds up to the stream's end (empty STDOUT or
 *   END_REQUEST); once HAProxy read everything without closing or failing,
 *   they are all of it, and HAProxy saw that end exactly when libfcs did;
 * - a complete, unchunked HTX response's DATA is the end of those bytes,
 *   right after the header block, as long as its Content-Length;
 * - what the mux logs of STDERR (id 0 and the stream's) is a prefix of the
 *   STDERR content libfcs finds, all of it when nothing failed;
 * - on every GET_VALUES_RESULT record, fcgi_aligned_decode_param (as the
 *   mux calls it) and fcgi_decode_param (on the content wrapped around a
 *   ring buffer) find the pairs fcs_nv_next finds, and no pair fcs_nv_next
 *   says runs past the record.
 * Where libfcs stops on an error (a version-0 record, a fixed-size body
 * shorter than 8 bytes), only the bytes before it are compared. Two checks
 * need no reference: the mux's tasklets do not wake each other up forever,
 * and the process's trash buffer is still its own after the connection
 * (HAProxy 2.6 swaps it away on STDERR, spoiling every later log). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcs/decoder.h"
#include "fcs/nv.h"

#include "hap.h"
#include "support/oracle.h"
#include "support/target.h"

#define MAX_PIECES 256
#define DEFAULT_BUFSIZE 16384
#define RING_START_MAX 64

static uint64_t fnv1a(const uint8_t *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 0x100000001b3u;
  return h;
}

static uint64_t next_rand(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

/* The arrival sizes: all at once, or pieces of at most 16, 512 or twice
 * the buffer size bytes. */
static size_t plan_pieces(size_t len, uint64_t h, unsigned bufsize,
                          size_t *pieces) {
  static const size_t most[] = {0, 16, 512, 0};
  uint64_t s = h | 1;
  size_t mode = (h >> 40) % 4, cap = mode == 3 ? 2 * bufsize : most[mode];
  size_t n = 0;
  for (size_t left = len; left; n++) {
    size_t piece = cap ? 1 + next_rand(&s) % cap : left;
    if (piece > left || n == MAX_PIECES - 1)
      piece = left;
    pieces[n] = piece;
    left -= piece;
  }
  return n;
}

static int starts_with_settings_answer(const uint8_t *in, size_t len) {
  return len >= 8 && in[2] == 0 && in[3] == 0 &&
         (in[1] == FCS_GET_VALUES_RESULT || in[1] == FCS_UNKNOWN_TYPE);
}

typedef struct reference {
  bytebuf out, err;  /* STDOUT of the stream; STDERR it and id 0 log */
  size_t err_whole;  /* err.len at the end of the last whole record */
  int ended, closed; /* the stream's end; its END_REQUEST */
  int error;         /* libfcs stopped on an error */
  uint64_t hash;
} reference;

/* Pairs as fcs_nv_next finds them against one HAProxy decoder's. */
static void compare_pair(const char *decoder, const uint8_t *c, size_t len,
                         size_t at, fcs_nv_result r, const fcs_nv_pair *pair,
                         size_t end, const hap_param *p) {
  if (r == FCS_NV_TRUNCATED) {
    FZ_CHECK(!p->consumed,
             "%s accepted a %zu-byte pair at offset %zu of a %zu-byte "
             "GET_VALUES_RESULT (name %zu, value %zu bytes) that libfcs "
             "finds runs past the record",
             decoder, p->consumed, at, len, p->name_len, p->value_len);
    return;
  }
  FZ_CHECK(p->consumed == end - at && p->name_at == (size_t)(pair->name - c) &&
               p->name_len == pair->name_len &&
               p->value_at == (size_t)(pair->value - c) &&
               p->value_len == pair->value_len,
           "%s at offset %zu of a %zu-byte GET_VALUES_RESULT: %zu bytes, "
           "name %zu+%zu, value %zu+%zu; libfcs: %zu bytes, name %zu+%u, "
           "value %zu+%u",
           decoder, at, len, p->consumed, p->name_at, p->name_len, p->value_at,
           p->value_len, end - at, (size_t)(pair->name - c), pair->name_len,
           (size_t)(pair->value - c), pair->value_len);
}

/* The mux decodes pair after pair from offset 0 until the record's end or
 * a pair it cannot decode. */
static void check_params(const uint8_t *c, size_t len, uint64_t h) {
  size_t avail = 2 * len + 16; /* the rest of a demux buffer */
  uint8_t *area = calloc(avail, 1);
  size_t size = len + 1 + h % 16; /* a ring the content wraps around */
  size_t head = len ? size - 1 - (h >> 4) % len : 0;
  uint8_t *ring = calloc(size, 1);
  FZ_CHECK(area && ring, "out of memory for %zu bytes", avail + size);
  memcpy(area, c, len);
  for (size_t i = 0; i < len; i++)
    ring[(head + i) % size] = c[i];

  for (size_t pos = 0; pos < len;) {
    size_t at = pos;
    fcs_nv_pair pair;
    fcs_nv_result r = fcs_nv_next(c, len, &pos, &pair);
    hap_param aligned, wrapped;
    hap_aligned_decode_param(area, avail, len, at, &aligned);
    hap_decode_param(ring, size, head, len, at, &wrapped);
    compare_pair("fcgi_aligned_decode_param", c, len, at, r, &pair, pos,
                 &aligned);
    compare_pair("fcgi_decode_param (wrapped)", c, len, at, r, &pair, pos,
                 &wrapped);
    if (r != FCS_NV_OK)
      break;
  }
  free(area);
  free(ring);
}

/* What libfcs finds for the stream and for the log, record by record. */
static void on_content(reference *ref, const hap_outcome *o, fcs_header h,
                       uint64_t rec_off, const uint8_t *data, size_t len) {
  int mine = o->stream_id && h.request_id == o->stream_id &&
             rec_off >= o->id_from && !ref->closed;
  if (h.type == FCS_STDOUT && mine && !ref->ended)
    bytebuf_add(&ref->out, data, len);
  if (h.type == FCS_STDERR && (mine || h.request_id == 0))
    bytebuf_add(&ref->err, data, len);
}

static void on_record_end(reference *ref, const hap_outcome *o, fcs_header h,
                          uint64_t rec_off) {
  ref->err_whole = ref->err.len;
  if (!o->stream_id || h.request_id != o->stream_id || rec_off < o->id_from ||
      ref->closed)
    return;
  if ((h.type == FCS_STDOUT && !h.content_length) || h.type == FCS_END_REQUEST)
    ref->ended = 1;
  if (h.type == FCS_END_REQUEST)
    ref->closed = 1;
}

static void decode_reference(const uint8_t *in, size_t len,
                             const hap_outcome *o, reference *ref) {
  fcs_decoder dec;
  fcs_decoder_init(&dec, FCS_LENIENT);
  fcs_decoder_whole_records(&dec, 1);
  fcs_header cur = {0};
  uint64_t cur_off = 0;
  for (size_t pos = 0;;) {
    fcs_event ev;
    pos += fcs_decoder_feed(&dec, in + pos, len - pos, &ev);
    if (ev.type == FCS_EV_NONE)
      return;
    if (ev.type == FCS_EV_ERROR) {
      ref->error = 1;
      return;
    }
    if (ev.type == FCS_EV_HEADER || ev.type == FCS_EV_RECORD) {
      cur = ev.header;
      cur_off = ev.offset;
    }
    if (ev.type == FCS_EV_CONTENT || ev.type == FCS_EV_RECORD)
      on_content(ref, o, cur, cur_off, ev.data, ev.len);
    if (ev.type == FCS_EV_RECORD && cur.type == FCS_GET_VALUES_RESULT)
      check_params(ev.data, ev.len, ref->hash);
    if (ev.type == FCS_EV_RECORD || ev.type == FCS_EV_RECORD_END)
      on_record_end(ref, o, cur, cur_off);
  }
}

static size_t first_difference(const bytebuf *a, const bytebuf *b) {
  size_t n = a->len < b->len ? a->len : b->len, i = 0;
  while (i < n && a->p[i] == b->p[i])
    i++;
  return i;
}

static void check_stdout(const hap_outcome *o, const reference *ref,
                         int complete) {
  const bytebuf *raw = &o->stdout_raw, *exp = &ref->out;
  size_t same = first_difference(raw, exp);
  FZ_CHECK(o->stream_id || !raw->len,
           "the mux moved %zu STDOUT bytes into a stream without an id",
           raw->len);
  FZ_CHECK(same == raw->len || (ref->error && same == exp->len),
           "the mux moved %zu STDOUT bytes of stream %u into it, libfcs "
           "finds %zu, and they differ at byte %zu",
           raw->len, o->stream_id, exp->len, same);
  FZ_CHECK(!o->end_seen || ref->ended || ref->error,
           "the mux saw the end of stream %u where libfcs finds none",
           o->stream_id);
  if (complete && ref->ended)
    FZ_CHECK(o->end_seen && raw->len == exp->len,
             "HAProxy read the whole reply: the stream got %zu of the %zu "
             "STDOUT bytes libfcs finds, %s its end",
             raw->len, exp->len, o->end_seen ? "and" : "but not");
}

static void check_body(const hap_outcome *o, const hap_setup *s) {
  if (!o->eom || o->stream_error || o->htx_error || o->chunked ||
      s->head_request)
    return;
  const uint8_t *raw = o->stdout_raw.p;
  size_t had = o->raw_at_eom, n = o->body.len;
  FZ_CHECK(n <= had && (!n || !memcmp(raw + had - n, o->body.p, n)),
           "the complete HTX response has %zu body bytes that are not the "
           "end of the %zu STDOUT bytes the stream had then",
           n, had);
  FZ_CHECK(n == had || raw[had - n - 1] == '\n',
           "the HTX body (%zu bytes) does not start right after the header "
           "block (byte %zu of %zu STDOUT bytes is 0x%02x)",
           n, had - n - 1, had, raw[had - n - 1]);
  FZ_CHECK(!o->has_clen || n == o->clen,
           "the complete HTX body has %zu bytes, Content-Length said %llu", n,
           (unsigned long long)o->clen);
}

static void check_stderr(const hap_outcome *o, const reference *ref,
                         int complete) {
  const bytebuf *got = &o->stderr_text, *exp = &ref->err;
  if (memchr(exp->p ? (const void *)exp->p : "", 0, exp->len))
    return; /* the log's "%s" cuts a message at a NUL */
  FZ_CHECK(ref->error || !o->stderr_unterminated,
           "%u of %u STDERR log messages lack the '\\n' the mux adds",
           o->stderr_unterminated, o->stderr_logs);
  size_t same = first_difference(got, exp);
  FZ_CHECK(same == got->len || (ref->error && same == exp->len),
           "the mux logged %zu bytes of STDERR in %u messages; libfcs finds "
           "%zu, and they differ at byte %zu",
           got->len, o->stderr_logs, exp->len, same);
  /* A record cut short by the close is logged only if it is larger than
   * the buffer (the mux waits for whole records that fit). */
  if (complete)
    FZ_CHECK(got->len >= ref->err_whole,
             "HAProxy read all of the reply and logged %zu of the %zu "
             "STDERR bytes of whole records libfcs finds",
             got->len, ref->err_whole);
}

/* Known upstream bugs (docs/fuzzing.md, "Known upstream bugs"): each of
 * these record shapes, where HAProxy 2.6.12 reaches it, hits a registered
 * bug, so the harness plays only the bytes before the first such record
 * (and fuzzing goes on past it), unless FCS_UPSTREAM_STRICT is set:
 * fuzz_upstream_bug_haproxy_Fnnn replays each reproducer that way to show
 * the pinned source still has the bug. Records are walked as every FastCGI
 * reader frames them. */
static int pairs_overrun(const uint8_t *c, size_t len) {
  fcs_nv_pair pair;
  size_t pos = 0;
  fcs_nv_result r;
  while ((r = fcs_nv_next(c, len, &pos, &pair)) == FCS_NV_OK)
    ;
  return r == FCS_NV_TRUNCATED;
}

static int known_bug(const uint8_t *rec, size_t at, size_t len,
                     unsigned bufsize) {
  unsigned type = rec[1], id = (unsigned)rec[2] << 8 | rec[3];
  size_t clen = (size_t)rec[4] << 8 | rec[5], pad = rec[6];
  size_t body_end = at + FCS_HEADER_LEN + clen;
  /* F152: an ignored record's length plus its padding wraps the 16-bit
   * fconn->drl, and its content is read as records. */
  if (clen + pad > 0xffff)
    return 1;
  /* F153: STDOUT and END_REQUEST on id 0 write into the read-only
   * management stream. */
  if (id == 0 && (type == FCS_STDOUT || type == FCS_END_REQUEST))
    return 1;
  /* F155: an END_REQUEST that cannot be decoded (under 8 bytes) or does
   * not fit the room the buffer has from where fcgi_recv starts it (up to
   * RING_START_MAX in) stays unconsumed, and with the buffer full the
   * tasklet wakes itself forever. */
  if (type == FCS_END_REQUEST &&
      (clen < 8 || clen + pad + RING_START_MAX > bufsize))
    return 1;
  /* F156: an empty STDOUT's padding arriving after its header loses the
   * end of the stream; the harness's pieces can split any padding. */
  if (type == FCS_STDOUT && clen == 0 && pad)
    return 1;
  /* F157: an END_REQUEST or GET_VALUES_RESULT that wraps the demux ring is
   * read past the buffer. The ring holds an input byte no later than its
   * offset plus where fcgi_recv starts an empty buffer (sizeof(struct htx),
   * under RING_START_MAX), so only records ending past that can wrap. */
  if ((type == FCS_END_REQUEST || type == FCS_GET_VALUES_RESULT) &&
      body_end + RING_START_MAX > bufsize)
    return 1;
  /* F158: a GET_VALUES_RESULT pair that runs past the record is read past
   * it (the mux decodes only whole records). */
  return type == FCS_GET_VALUES_RESULT && body_end <= len &&
         pairs_overrun(rec + FCS_HEADER_LEN, clen);
}

static size_t before_known_bug(const uint8_t *in, size_t len,
                               unsigned bufsize) {
  if (fz_upstream_strict())
    return len;
  for (size_t at = 0; len - at >= FCS_HEADER_LEN;) {
    if (known_bug(in + at, at, len, bufsize))
      return at;
    at += FCS_HEADER_LEN + ((size_t)in[at + 4] << 8 | in[at + 5]) + in[at + 6];
    if (at > len)
      break;
  }
  return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint64_t h = fnv1a(data, size);
  size_t pieces[MAX_PIECES];
  hap_setup s = {0};
  s.bufsize = (h & 3) ? DEFAULT_BUFSIZE : 1024 + 16 * ((h >> 2) % 193);
  size = before_known_bug(data, size, s.bufsize);
  s.in = data;
  s.len = size;
  s.get_values = starts_with_settings_answer(data, size) || !((h >> 12) & 7);
  s.keep_conn = (h >> 16) & 1;
  s.mpxs_conns = (h >> 17) & 1;
  s.head_request = !((h >> 18) & 7);
  s.http10 = !((h >> 21) & 7);
  s.pieces = pieces;
  s.npieces = plan_pieces(size, h, s.bufsize, pieces);

  hap_outcome o = {0};
  /* Fresh trash buffers for each input: a swap (F154) whose buffers the
   * allocator hands back at the same addresses (no ASan quarantine, as in
   * the coverage build) would otherwise pass unseen and spoil the next
   * input's logs. */
  hap_renew_trash();
  hap_run(&s, &o);
  /* F155 however the demux came to a record it reads whole and cannot
   * (the input shapes cut above are the direct ones; a record left half
   * skipped is another, see resumed_skip, and a GET_VALUES_RESULT that
   * fits the buffer but not the room left is a third). */
  FZ_CHECK(!o.livelock || (o.parked_on_whole_record && !fz_upstream_strict()),
           "the mux's tasklets kept waking each other up");
  /* F154: a STDERR record that is all the demux buffer holds is moved by
   * swapping the buffer with the trash, then logged from the wrong bytes
   * (the next input gets fresh trash buffers, above). */
  int known_swap = o.trash_swapped && !fz_upstream_strict();
  FZ_CHECK(!o.trash_swapped || known_swap,
           "the mux swapped the process's trash buffer for its demux buffer");

  /* When the stream gets its id while the demux is skipping a record of
   * that id (sent before the request), fcgi_process_demux hands the rest
   * of that record, padding included, to the stream. Not a finding: the
   * installed HAProxy did not show it (docs/fuzzing.md, HAProxy). The
   * stream's bytes are then not libfcs's records from id_from on, so these
   * checks are left out unless FCS_UPSTREAM_STRICT. */
  int known_resume = o.resumed_skip && !fz_upstream_strict();
  reference ref = {.hash = h};
  decode_reference(data, size, &o, &ref);
  int complete = o.all_read && !ref.error && !o.conn_closed &&
                 !o.stream_error && !o.htx_error && !o.demux_blocked;
  if (!known_resume) {
    check_stdout(&o, &ref, complete);
    check_body(&o, &s);
  }
  if (!known_swap && !known_resume)
    check_stderr(&o, &ref, complete && o.stream_id);

  bytebuf_free(&ref.out);
  bytebuf_free(&ref.err);
  hap_outcome_free(&o);
  return 0;
}
