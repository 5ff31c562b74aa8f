/* The response parser behind http_client.h: a byte-at-a-time state machine
 * (body bytes are taken in runs), so the answer never depends on how the
 * bytes were cut into reads. Status line, header lines and trailers are
 * checked as they arrive; the first byte that is not HTTP/1.1 stops
 * parsing with a reason naming its offset in the connection. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "http_client.h"

/* What the next byte is (http_conn.state). A zeroed http_conn waits for a
 * status line. */
enum {
  P_STATUS = 0,    /* "HTTP/1.x NNN", section bytes of it so far */
  P_AFTER_CODE,    /* the blank before the reason, or the line end */
  P_REASON,        /* the reason phrase */
  P_FIELD_START,   /* a header (or trailer) line, or the blank line */
  P_FIELD_NAME,    /* a field name, up to its colon */
  P_FIELD_VALUE,   /* a field value, up to the line end */
  P_LENGTH_BODY,   /* Content-Length body, left bytes due */
  P_CLOSE_BODY,    /* body until the connection closes */
  P_CHUNK_SIZE,    /* hex digits of a chunk size (left) */
  P_CHUNK_BLANK,   /* blanks after the chunk size */
  P_CHUNK_EXT,     /* chunk extensions */
  P_CHUNK_DATA,    /* chunk bytes, left due */
  P_CHUNK_DATA_END /* the line end after chunk data */
};
/* Parsing has ended for good: an error, or a 101 switched protocols. */
#define P_STOPPED (-1)

/* A trailer line is parsed like a header line; this flag in state tells
 * them apart (trailers are checked and counted, not kept). */
#define P_TRAILER 0x100

static void fail(http_conn *c, uint64_t at, const char *what, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(http_conn *c, uint64_t at, const char *what, ...) {
  char reason[96];
  va_list ap;
  va_start(ap, what);
  vsnprintf(reason, sizeof(reason), what, ap);
  va_end(ap);
  snprintf(c->error, sizeof(c->error), "%s at byte %" PRIu64, reason, at);
  c->state = P_STOPPED;
}

static http_response *current(http_conn *c) {
  return c->cur_interim ? &c->interim[c->ninterim - 1] : &c->resp[c->nresp - 1];
}

static uint8_t ascii_lower(uint8_t b) {
  return b >= 'A' && b <= 'Z' ? (uint8_t)(b + 32) : b;
}

/* Field-name characters (RFC 9110 token). */
static int is_tchar(uint8_t b) {
  return (b >= '0' && b <= '9') ||
         (ascii_lower(b) >= 'a' && ascii_lower(b) <= 'z') ||
         (b && strchr("!#$%&'*+-.^_`|~", b));
}

/* Characters of a reason phrase, field value or chunk extension: visible
 * ASCII, blanks and obs-text. */
static int is_text(uint8_t b) { return b == '\t' || (b >= 0x20 && b != 0x7f); }

/* Whether b may be byte k of "HTTP/1.x NNN" (a status of 100..999). */
static int status_byte_ok(size_t k, uint8_t b) {
  if (k < 7)
    return b == (uint8_t) "HTTP/1."[k];
  if (k == 8)
    return b == ' ';
  if (k == 9)
    return b >= '1' && b <= '9';
  return b >= '0' && b <= '9';
}

static int hex_value(uint8_t b) {
  if (b >= '0' && b <= '9')
    return b - '0';
  b = ascii_lower(b);
  return b >= 'a' && b <= 'f' ? b - 'a' + 10 : -1;
}

static void response_done(http_conn *c) {
  current(c)->complete = 1;
  c->state = P_STATUS;
  c->section = 0;
}

/* The 12th byte of "HTTP/1.x NNN" arrived at `at`: the response gets its
 * slot. */
static void response_start(http_conn *c, uint64_t at) {
  int status = (c->start[9] - '0') * 100 + (c->start[10] - '0') * 10 +
               (c->start[11] - '0');
  int interim = status < 200;
  size_t *n = interim ? &c->ninterim : &c->nresp;
  if (*n == HTTP_MAX_RESPONSES) {
    fail(c, at - 11, "more than %d %sresponses", HTTP_MAX_RESPONSES,
         interim ? "interim " : "");
    return;
  }
  c->cur_interim = interim;
  (*n)++;
  http_response *r = current(c);
  r->status = status;
  r->t = now_ms();
  bytebuf_add(&r->head, c->start, sizeof(c->start));
  c->state = P_AFTER_CODE;
}

/* One field line of a head: name and value (blanks around it trimmed),
 * where the value starts in the head. */
typedef struct field {
  const uint8_t *name, *value;
  size_t nlen, vlen, value_at;
} field;

/* The field line at *at (after the status line), moving *at past it; 0 at
 * the blank line or at a line that has not ended. */
static int next_field(const bytebuf *h, size_t *at, field *f) {
  const uint8_t *p = h->p + *at, *end = h->p + h->len;
  const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
  const uint8_t *colon = nl ? memchr(p, ':', (size_t)(nl - p)) : NULL;
  if (!colon)
    return 0;
  *at = (size_t)(nl + 1 - h->p);
  const uint8_t *v = colon + 1, *vend = nl;
  while (v < vend && (*v == ' ' || *v == '\t'))
    v++;
  while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t' || vend[-1] == '\r'))
    vend--;
  *f = (field){p, v, (size_t)(colon - p), (size_t)(vend - v),
               (size_t)(v - h->p)};
  return 1;
}

/* Where the field lines of a head start: after the status line. */
static size_t fields_start(const bytebuf *h) {
  const uint8_t *nl = h->len ? memchr(h->p, '\n', h->len) : NULL;
  return nl ? (size_t)(nl + 1 - h->p) : h->len;
}

/* p (n bytes) is word, letters in any case. */
static int same_word(const uint8_t *p, size_t n, const char *word) {
  if (n != strlen(word))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (ascii_lower(p[i]) != ascii_lower((uint8_t)word[i]))
      return 0;
  return 1;
}

int http_header(const http_response *r, const char *name, const uint8_t **value,
                size_t *len) {
  field f;
  for (size_t at = fields_start(&r->head); next_field(&r->head, &at, &f);)
    if (same_word(f.name, f.nlen, name)) {
      *value = f.value;
      *len = f.vlen;
      return 1;
    }
  return 0;
}

size_t http_header_count(const http_response *r, const char *name) {
  field f;
  size_t n = 0;
  for (size_t at = fields_start(&r->head); next_field(&r->head, &at, &f);)
    n += (size_t)same_word(f.name, f.nlen, name);
  return n;
}

/* A Content-Length value: one or more equal decimal numbers separated by
 * commas (RFC 9110 8.6 lets a recipient take "5, 5" as 5). 1 with *v, 0
 * when it is not that. */
static int parse_length(const uint8_t *p, size_t n, uint64_t *v) {
  int seen = 0;
  for (size_t i = 0; i <= n;) {
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
      i++;
    uint64_t x = 0;
    size_t digits = 0;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, digits++) {
      if (x > (UINT64_MAX - 9) / 10)
        return 0;
      x = x * 10 + (uint64_t)(p[i] - '0');
    }
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
      i++;
    if (!digits || (seen && x != *v) || (i < n && p[i] != ','))
      return 0;
    *v = x;
    seen = 1;
    i++;
  }
  return 1;
}

/* Sets *chunked to whether the last coding a Transfer-Encoding value lists
 * is chunked; a value that lists none leaves it (the codings of several
 * Transfer-Encoding lines form one list). */
static void last_coding(const field *f, int *chunked) {
  for (size_t i = 0; i < f->vlen; i++) {
    size_t b = i;
    while (i < f->vlen && f->value[i] != ',')
      i++;
    size_t e = i;
    while (b < e && (f->value[b] == ' ' || f->value[b] == '\t'))
      b++;
    while (e > b && (f->value[e - 1] == ' ' || f->value[e - 1] == '\t'))
      e--;
    if (e > b)
      *chunked = same_word(f->value + b, e - b, "chunked");
  }
}

/* The head of the current response ended with the byte at `at`: how its
 * body is framed (RFC 9112 6.3). */
static void head_done(http_conn *c, uint64_t at) {
  http_response *r = current(c);
  uint64_t head_at = at + 1 - r->head.len;
  if (c->cur_interim) {
    r->complete = 1;
    c->state = r->status == 101 ? P_STOPPED : P_STATUS;
    c->section = 0;
    return;
  }
  size_t index = c->nresp - 1;
  int head_request =
      index < sizeof(c->head_mask) * 8 && (c->head_mask >> index & 1);
  if (head_request || r->status == 204 || r->status == 304) {
    response_done(c);
    return;
  }
  int te = 0, chunked = 0, has_length = 0;
  uint64_t length = 0, length_at = 0;
  field f;
  for (size_t i = fields_start(&r->head); next_field(&r->head, &i, &f);) {
    if (same_word(f.name, f.nlen, "transfer-encoding")) {
      te = 1;
      last_coding(&f, &chunked);
    } else if (same_word(f.name, f.nlen, "content-length")) {
      uint64_t v = 0;
      length_at = head_at + f.value_at;
      if (!parse_length(f.value, f.vlen, &v)) {
        fail(c, length_at, "bad Content-Length");
        return;
      }
      if (has_length && v != length) {
        fail(c, length_at, "conflicting Content-Length");
        return;
      }
      has_length = 1;
      length = v;
    }
  }
  if (te && has_length) {
    fail(c, length_at, "both Transfer-Encoding and Content-Length");
    return;
  }
  c->left = 0;
  c->section = 0;
  if (te) {
    r->framing = chunked ? HTTP_FRAME_CHUNKED : HTTP_FRAME_CLOSE;
    c->state = chunked ? P_CHUNK_SIZE : P_CLOSE_BODY;
  } else if (has_length) {
    r->framing = HTTP_FRAME_LENGTH;
    c->left = length;
    c->state = P_LENGTH_BODY;
    if (!length)
      response_done(c);
  } else {
    r->framing = HTTP_FRAME_CLOSE;
    c->state = P_CLOSE_BODY;
  }
}

/* A byte of a status line, header line or trailer line; 1 when it is to
 * be kept in the head. */
static int head_byte(http_conn *c, int state, uint8_t b, uint64_t at) {
  int trailer = state & P_TRAILER;
  switch (state & ~P_TRAILER) {
  case P_STATUS:
    if (!status_byte_ok(c->section, b)) {
      fail(c, at, "bad status line");
      return 0;
    }
    c->start[c->section++] = b;
    if (c->section == sizeof(c->start))
      response_start(c, at);
    return 0;
  case P_AFTER_CODE:
  case P_REASON:
    if (b == '\n')
      c->state = P_FIELD_START;
    else if (b == ' ' && state == P_AFTER_CODE)
      c->state = P_REASON;
    else if (b != '\r' && (state == P_AFTER_CODE || !is_text(b))) {
      fail(c, at, "bad status line");
      return 0;
    }
    return 1;
  case P_FIELD_START:
    if (b == '\n') {
      if (trailer) {
        response_done(c);
        return 0;
      }
      return 1;
    }
    if (b == ' ' || b == '\t') {
      fail(c, at, "folded %s line (obs-fold)", trailer ? "trailer" : "header");
      return 0;
    }
    if (b != '\r' && !is_tchar(b)) {
      fail(c, at, "bad %s line", trailer ? "trailer" : "header");
      return 0;
    }
    if (b != '\r')
      c->state = P_FIELD_NAME | trailer;
    return 1;
  case P_FIELD_NAME:
    if (b == ':')
      c->state = P_FIELD_VALUE | trailer;
    else if (!is_tchar(b)) {
      fail(c, at, "bad %s line", trailer ? "trailer" : "header");
      return 0;
    }
    return 1;
  default: /* P_FIELD_VALUE */
    if (b == '\n')
      c->state = P_FIELD_START | trailer;
    else if (b != '\r' && !is_text(b)) {
      fail(c, at, "bad character in a %s value",
           trailer ? "trailer" : "header");
      return 0;
    }
    return 1;
  }
}

/* A byte of a chunk-size line or of the line end after chunk data. */
static void chunk_byte(http_conn *c, uint8_t b, uint64_t at) {
  int h = hex_value(b);
  switch (c->state) {
  case P_CHUNK_SIZE:
    if (h >= 0) {
      if (c->left > UINT64_MAX >> 4) {
        fail(c, at, "chunk size too large");
        return;
      }
      c->left = c->left << 4 | (uint64_t)h;
      return;
    }
    if (c->section == 1 ||
        (b != ' ' && b != '\t' && b != ';' && b != '\r' && b != '\n')) {
      fail(c, at, "bad chunk size");
      return;
    }
    c->state = b == ';' ? P_CHUNK_EXT : P_CHUNK_BLANK;
    break;
  case P_CHUNK_BLANK:
    if (b == ';')
      c->state = P_CHUNK_EXT;
    else if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
      fail(c, at, "bad chunk size");
      return;
    }
    break;
  case P_CHUNK_EXT:
    if (b != '\r' && b != '\n' && !is_text(b)) {
      fail(c, at, "bad chunk extension");
      return;
    }
    break;
  default: /* P_CHUNK_DATA_END */
    if (b != '\r' && b != '\n') {
      fail(c, at, "no line end after chunk data");
      return;
    }
    if (b == '\n') {
      c->state = P_CHUNK_SIZE;
      c->section = 0;
      c->left = 0;
    }
    return;
  }
  if (b != '\n')
    return;
  /* The chunk-size line ended. */
  c->section = 0;
  if (c->left)
    c->state = P_CHUNK_DATA;
  else
    c->state = P_FIELD_START | P_TRAILER; /* the last chunk: trailers */
}

static void parse_byte(http_conn *c, uint8_t b, uint64_t at) {
  /* A CR ends a line only with the LF right after it. */
  if (c->cr && b != '\n') {
    fail(c, at - 1, "CR without LF");
    return;
  }
  c->cr = b == '\r';
  int state = c->state;
  if (state >= P_CHUNK_SIZE && state <= P_CHUNK_DATA_END) {
    if (state != P_CHUNK_DATA_END && ++c->section > HTTP_HEAD_MAX) {
      fail(c, at, "chunk-size line longer than %u bytes", HTTP_HEAD_MAX);
      return;
    }
    chunk_byte(c, b, at);
    return;
  }
  if (state & P_TRAILER) {
    if (++c->section > HTTP_HEAD_MAX) {
      fail(c, at, "trailers longer than %u bytes", HTTP_HEAD_MAX);
      return;
    }
    head_byte(c, state, b, at);
    return;
  }
  if (!head_byte(c, state, b, at))
    return;
  http_response *r = current(c);
  if (r->head.len == HTTP_HEAD_MAX) {
    fail(c, at, "response head longer than %u bytes", HTTP_HEAD_MAX);
    return;
  }
  bytebuf_byte(&r->head, b);
  if (state == P_FIELD_START && b == '\n')
    head_done(c, at);
}

/* Body bytes from p (len > 0) in the current body state; how many it
 * took. */
static size_t body_bytes(http_conn *c, const uint8_t *p, size_t len) {
  http_response *r = current(c);
  size_t n = len;
  if (c->state != P_CLOSE_BODY && n > c->left)
    n = (size_t)c->left;
  size_t room = HTTP_BODY_KEEP - r->body.len;
  bytebuf_add(&r->body, p, n < room ? n : room);
  r->body_total += n;
  if (c->state == P_CLOSE_BODY)
    return n;
  c->left -= n;
  if (!c->left) {
    if (c->state == P_LENGTH_BODY)
      response_done(c);
    else
      c->state = P_CHUNK_DATA_END;
  }
  return n;
}

void http_ingest(http_conn *c, const uint8_t *p, size_t len) {
  size_t keep = HTTP_HEAD_MAX + HTTP_BODY_KEEP - c->raw.len;
  bytebuf_add(&c->raw, p, len < keep ? len : keep);
  c->raw_total += len;
  while (len && c->state != P_STOPPED) {
    size_t n = 1;
    if (c->state == P_LENGTH_BODY || c->state == P_CLOSE_BODY ||
        c->state == P_CHUNK_DATA)
      n = body_bytes(c, p, len);
    else
      parse_byte(c, *p, c->parse_off);
    p += n;
    len -= n;
    c->parse_off += n;
  }
}

void http_ingest_eof(http_conn *c) {
  c->eof = 1;
  if (c->state == P_CLOSE_BODY)
    current(c)->complete = 1;
  else if (c->state == P_STATUS && c->section)
    fail(c, c->parse_off, "connection closed inside a status line");
}
