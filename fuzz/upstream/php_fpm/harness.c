/* php_fpm: PHP's FastCGI layer (main/fastcgi.c of php8.2, built as php-fpm
 * builds it) reading what a web server sends, against libfcs's
 * application-side assembler reading the same bytes.
 *
 * The input is the byte stream of one connection. It is written to a Unix
 * socket connected to a listening socket of the harness's own (an
 * abstract address the kernel picks, so no file), and half-closed; the
 * php-fpm worker of shim_fpm_main.c then runs fcgi_accept_request on that
 * listening socket, serves each request it gets (environment, body up to
 * CONTENT_LENGTH, a reply echoing the body) and goes on while the
 * connection is kept, until it is closed. At each read of a request the
 * harness notes how far php has read (FIONREAD on php's end) and collects
 * what php wrote; php's output never waits for a reader.
 *
 * The oracle, where both sides accept a request, that is where php-fpm
 * returns a request read from the BEGIN_REQUEST record at which libfcs's
 * assembler (lenient) began one and gave its params:
 * - php's environment is libfcs's pairs under php's documented rules
 *   (expected_env);
 * - php read the params up to the record libfcs ended them with;
 * - the body php read agrees with libfcs's STDIN (compare_body);
 * - php goes on reading the connection only after a request that asked
 *   for FCGI_KEEP_CONN;
 * - each reply is STDOUT records holding the head and the body, then
 *   END_REQUEST (complete, status 0) on the request's id;
 * - each GET_VALUES php answers was read to the end of the record libfcs
 *   reads, and is answered with FCGI_MPXS_CONNS=0 exactly when libfcs
 *   finds that name in it;
 * and a connection's first request that libfcs accepts and that avoids
 * php-fpm's documented refusals is served (check_first_served).
 * php-fpm does not keep requests apart by id and stops at records it does
 * not expect; those documented deviations are where comparisons are left
 * out (params_in_one_run, body_in_one_run; docs/fuzzing.md lists them with
 * their findings). */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../support/oracle.h"
#include "../../support/hash.h"
#include "../../support/target.h"
#include "../../support/trace.h"
#include "bytebuf.h"
#include "fpm_worker.h"

/* Well inside what one write to a Unix socket takes. */
#define INPUT_LIMIT (128u * 1024u)

/* ---- small containers ---- */

/* Grows an array of n elements of size each to hold one more. */
static void *grow(void *v, size_t n, size_t *cap, size_t size) {
  if (n < *cap)
    return v;
  *cap = *cap ? *cap * 2 : 8;
  v = realloc(v, *cap * size);
  FZ_CHECK(v != NULL, "out of memory for %zu elements", *cap);
  return v;
}

/* Name-value pairs, their bytes in one blob. */
typedef struct nv {
  size_t name, name_len, value, value_len; /* offsets into the blob */
  uint64_t hash;                           /* of the name */
} nv;

typedef struct nvlist {
  bytebuf blob;
  nv *v;
  size_t n, cap;
} nvlist;

static void nv_add(nvlist *l, const void *name, size_t name_len,
                   const void *value, size_t value_len) {
  l->v = grow(l->v, l->n, &l->cap, sizeof *l->v);
  nv *e = &l->v[l->n++];
  e->name = l->blob.len;
  e->name_len = name_len;
  bytebuf_add(&l->blob, name, name_len);
  e->value = l->blob.len;
  e->value_len = value_len;
  bytebuf_add(&l->blob, value, value_len);
  e->hash = fz_hash(FZ_HASH_INIT, name, name_len);
}

static void nv_free(nvlist *l) {
  bytebuf_free(&l->blob);
  free(l->v);
}

static const uint8_t *nv_name(const nvlist *l, size_t i) {
  return l->blob.p + l->v[i].name;
}

static const uint8_t *nv_value(const nvlist *l, size_t i) {
  return l->blob.p + l->v[i].value;
}

/* Bytes for a message: printable ASCII as is, the rest as \xNN, cut at 48
 * bytes. */
static const char *show(const uint8_t *p, size_t n, char out[256]) {
  size_t o = 0;
  for (size_t i = 0; i < n && i < 48; i++) {
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
      out[o++] = (char)p[i];
    else
      o += (size_t)snprintf(out + o, 256 - o, "\\x%02x", p[i]);
  }
  snprintf(out + o, 256 - o, "%s", n > 48 ? "..." : "");
  return out;
}

/* ---- libfcs's framing of the input ---- */

/* The header of the record at off; 0 when no whole header is there. */
static int header_at(const uint8_t *in, size_t len, uint64_t off,
                     fcs_header *h) {
  if (off > len || len - off < FCS_HEADER_LEN)
    return 0;
  fcs_header_decode(in + off, h);
  return 1;
}

static uint64_t record_end(uint64_t off, const fcs_header *h) {
  return off + FCS_HEADER_LEN + h->content_length + h->padding_length;
}

/* 1 when the records from..to (to's record included) are, after skip
 * records of any kind, all of this type and id. */
static int one_run(const uint8_t *in, size_t len, uint64_t from, uint64_t to,
                   int skip, uint8_t type, uint16_t id) {
  fcs_header h;
  for (uint64_t at = from; header_at(in, len, at, &h);
       at = record_end(at, &h)) {
    if (skip)
      skip--;
    else if (h.type != type || h.request_id != id)
      return 0;
    if (at == to)
      return 1;
    if (at > to)
      return 0;
  }
  return 0;
}

/* ---- what libfcs's assembler reads ---- */

typedef struct codec_request {
  uint64_t begin; /* offset of its BEGIN_REQUEST */
  uint16_t id, role;
  uint8_t flags;
  int open; /* not ended by the harness's application yet */
  int params_done;
  uint64_t params_end; /* offset of the empty PARAMS record */
  nvlist params;
  bytebuf in;
  int in_done;
  uint64_t in_end; /* offset of the empty STDIN record */
} codec_request;

typedef struct codec_query {
  uint64_t offset; /* of the GET_VALUES record */
  int names_mpxs;  /* a pair named FCGI_MPXS_CONNS */
} codec_query;

typedef struct codec_view {
  codec_request *req;
  size_t nreq, capreq;
  codec_query *q;
  size_t nq, capq;
} codec_view;

static codec_request *codec_open(codec_view *c, uint16_t id) {
  for (size_t i = c->nreq; i-- > 0;)
    if (c->req[i].open && c->req[i].id == id)
      return &c->req[i];
  return NULL;
}

static void codec_end(fcs_assembler *a, codec_request *r) {
  FZ_CHECK(fcs_assembler_end(a, r->id) == FCS_E_OK,
           "libfcs will not end request %u", r->id);
  r->open = 0;
}

/* The application ends a request, so that its id may begin again, once it
 * has the whole body or the request is aborted. */
static void codec_read(const uint8_t *in, size_t len, codec_view *c) {
  fcs_limits limits = {INPUT_LIMIT, INPUT_LIMIT, 8, 0};
  size_t memlen;
  void *mem = fz_asm_memory(&limits, &memlen);
  fcs_assembler a;
  FZ_CHECK(fcs_assembler_init(&a, FCS_SIDE_APP, FCS_LENIENT, &limits, mem,
                              memlen) == FCS_E_OK,
           "assembler init failed");
  fcs_asm_event ev;
  size_t pos = 0;
  do {
    pos += fcs_assembler_feed(&a, in + pos, len - pos, &ev);
    codec_request *r = codec_open(c, ev.request_id);
    if (ev.type == FCS_AE_BEGIN) {
      c->req = grow(c->req, c->nreq, &c->capreq, sizeof *c->req);
      r = &c->req[c->nreq++];
      memset(r, 0, sizeof *r);
      r->begin = ev.offset;
      r->id = ev.request_id;
      r->role = ev.role;
      r->flags = ev.flags;
      r->open = 1;
    } else if (ev.type == FCS_AE_PARAMS && r) {
      for (uint32_t i = 0; i < ev.npairs; i++) {
        const fcs_nv_pair *p = &ev.pairs[i];
        nv_add(&r->params, p->name, p->name_len, p->value, p->value_len);
      }
      r->params_done = 1;
      r->params_end = ev.offset;
    } else if (ev.type == FCS_AE_STREAM_DATA && r &&
               ev.record_type == FCS_STDIN) {
      bytebuf_add(&r->in, ev.data, ev.len);
    } else if (ev.type == FCS_AE_STREAM_END && r &&
               ev.record_type == FCS_STDIN) {
      r->in_done = 1;
      r->in_end = ev.offset;
      codec_end(&a, r);
    } else if (ev.type == FCS_AE_ABORT && r) {
      codec_end(&a, r);
    } else if (ev.type == FCS_AE_GET_VALUES) {
      c->q = grow(c->q, c->nq, &c->capq, sizeof *c->q);
      codec_query *q = &c->q[c->nq++];
      q->offset = ev.offset;
      q->names_mpxs = 0;
      size_t at = 0;
      fcs_nv_pair p;
      while (fcs_nv_next(ev.data, ev.len, &at, &p) == FCS_NV_OK)
        q->names_mpxs |= fcs_nv_name_is(&p, "FCGI_MPXS_CONNS");
    }
  } while (ev.type != FCS_AE_NONE && ev.type != FCS_AE_ERROR);
}

static void codec_free(codec_view *c) {
  for (size_t i = 0; i < c->nreq; i++) {
    nv_free(&c->req[i].params);
    bytebuf_free(&c->req[i].in);
  }
  free(c->req);
  free(c->q);
}

/* ---- what php-fpm reads ---- */

typedef struct php_request {
  size_t start;      /* bytes php had read when fcgi_read_request began */
  size_t params_end; /* ... when fcgi_accept_request returned the request */
  nvlist env;        /* in fcgi_loadenv's order */
  long content_length;
  bytebuf body;
  bytebuf out; /* what php wrote for it */
  int read_on; /* php read the connection again after it */
} php_request;

typedef struct php_answer { /* a GET_VALUES php answered */
  size_t start, end;        /* bytes read before and after */
  bytebuf out;
} php_answer;

typedef struct php_view {
  size_t len;
  int client;        /* the web server's end of the connection */
  size_t read_start; /* bytes read when the latest read began */
  int finished;      /* the latest request is finished */
  php_request *req;
  size_t nreq, capreq;
  php_answer *ans;
  size_t nans, capans;
} php_view;

/* Bytes php has read from the connection fd. */
static size_t php_consumed(const php_view *v, int fd) {
  int unread = 0;
  FZ_CHECK(ioctl(fd, FIONREAD, &unread) == 0 && unread >= 0 &&
               (size_t)unread <= v->len,
           "FIONREAD on php-fpm's connection failed");
  return v->len - (size_t)unread;
}

/* What php wrote since the last drain. A reset comes after the data that
 * came before it: php closing its end with input unread (fcgi_close with
 * force) resets the connection. */
static void drain(const php_view *v, bytebuf *out) {
  uint8_t buf[4096];
  ssize_t n;
  while ((n = read(v->client, buf, sizeof buf)) > 0)
    bytebuf_add(out, buf, (size_t)n);
  FZ_CHECK(n == 0 || errno == EAGAIN || errno == ECONNRESET,
           "reading php-fpm's output: %s", strerror(errno));
}

static void on_reading(void *arg, int fd) {
  php_view *v = arg;
  bytebuf out = {0};
  drain(v, &out);
  size_t now = php_consumed(v, fd);
  if (out.len) { /* the GET_VALUES the read before answered */
    v->ans = grow(v->ans, v->nans, &v->capans, sizeof *v->ans);
    v->ans[v->nans++] = (php_answer){v->read_start, now, out};
  } else {
    bytebuf_free(&out);
  }
  if (v->finished)
    v->req[v->nreq - 1].read_on = 1;
  v->finished = 0;
  v->read_start = now;
}

static void on_accepted(void *arg, int fd) {
  php_view *v = arg;
  v->req = grow(v->req, v->nreq, &v->capreq, sizeof *v->req);
  php_request *p = &v->req[v->nreq++];
  memset(p, 0, sizeof *p);
  p->start = v->read_start;
  p->params_end = php_consumed(v, fd);
}

static void on_param(void *arg, const char *name, unsigned name_len,
                     const char *value, unsigned value_len) {
  php_view *v = arg;
  nv_add(&v->req[v->nreq - 1].env, name, name_len, value, value_len);
}

static void on_body_wanted(void *arg, long content_length) {
  php_view *v = arg;
  v->req[v->nreq - 1].content_length = content_length;
}

static void on_body(void *arg, const char *bytes_read, size_t len) {
  php_view *v = arg;
  bytebuf_add(&v->req[v->nreq - 1].body, bytes_read, len);
}

static void on_finished(void *arg) {
  php_view *v = arg;
  drain(v, &v->req[v->nreq - 1].out);
  v->finished = 1;
}

static void php_free(php_view *v) {
  for (size_t i = 0; i < v->nreq; i++) {
    nv_free(&v->req[i].env);
    bytebuf_free(&v->req[i].body);
    bytebuf_free(&v->req[i].out);
  }
  for (size_t i = 0; i < v->nans; i++)
    bytebuf_free(&v->ans[i].out);
  free(v->req);
  free(v->ans);
}

/* The listening socket php-fpm accepts from: non-blocking, so that
 * fcgi_accept_request returns once the input's connection is done, and
 * bound to an abstract address the kernel picks (no file, no name that
 * other processes could hold). */
static int listener = -1;
static struct sockaddr_un listen_addr;
static socklen_t listen_addr_len;

static void listen_once(void) {
  if (listener >= 0)
    return;
  listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  listen_addr_len = sizeof listen_addr;
  FZ_CHECK(listener >= 0 &&
               bind(listener, (struct sockaddr *)&sa, sizeof(sa_family_t)) ==
                   0 &&
               listen(listener, 1) == 0 &&
               getsockname(listener, (struct sockaddr *)&listen_addr,
                           &listen_addr_len) == 0,
           "cannot set up php-fpm's listening socket: %s", strerror(errno));
}

/* The web server's end: connected, the input written, half-closed. */
static int connect_client(const uint8_t *in, size_t len) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int room = 4 * INPUT_LIMIT;
  FZ_CHECK(fd >= 0 &&
               setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &room, sizeof room) == 0 &&
               connect(fd, (struct sockaddr *)&listen_addr, listen_addr_len) ==
                   0,
           "cannot connect to php-fpm's listening socket: %s", strerror(errno));
  FZ_CHECK(len == 0 || write(fd, in, len) == (ssize_t)len,
           "could not hand %zu bytes to php-fpm in one write", len);
  shutdown(fd, SHUT_WR);
  return fd;
}

static void php_read(const uint8_t *in, size_t len, php_view *v) {
  static const fpm_worker_hooks hooks = {
      NULL,           on_reading, on_accepted, on_param,
      on_body_wanted, on_body,    on_finished};
  fpm_worker_hooks h = hooks;
  h.arg = v;
  listen_once();
  v->len = len;
  v->client = connect_client(in, len);
  fpm_worker_serve(listener, &h);
  bytebuf rest = {0};
  drain(v, &rest);
  FZ_CHECK(rest.len == 0,
           "php-fpm wrote %zu bytes that answer no request or GET_VALUES",
           rest.len);
  close(v->client);
}

/* ---- the oracle ---- */

/* Where fcgi_read_request, starting at start, reads the record it takes as
 * the request (or GET_VALUES): it first passes over empty STDIN records,
 * the end of the body before, reading their headers only (fastcgi.c
 * fcgi_read_request, the loop after the first header; the padding of such
 * a record is not skipped, F040). */
static size_t php_record_at(const uint8_t *in, size_t len, size_t start) {
  fcs_header h;
  while (header_at(in, len, start, &h) && h.version >= 1 &&
         h.type == FCS_STDIN && h.content_length == 0)
    start += FCS_HEADER_LEN;
  return start;
}

static const codec_request *codec_begun_at(const codec_view *c,
                                           uint64_t offset) {
  for (size_t i = 0; i < c->nreq; i++)
    if (c->req[i].begin == offset)
      return &c->req[i];
  return NULL;
}

static const char *role_name(uint16_t role) {
  switch (role) { /* the FCGI_ROLE values fcgi_read_request sets */
  case FCS_RESPONDER:
    return "RESPONDER";
  case FCS_AUTHORIZER:
    return "AUTHORIZER";
  case FCS_FILTER:
    return "FILTER";
  }
  return NULL; /* fcgi_read_request refuses other roles */
}

/* Index of the entry named like pairs[i] among want's first n, or n. A
 * table keyed by the name's hash keeps this linear on many pairs. */
typedef struct name_index {
  size_t *slot; /* entry + 1; 0 free */
  size_t mask;
} name_index;

static size_t index_find(const name_index *x, const nvlist *l,
                         const uint8_t *name, size_t name_len, uint64_t hash,
                         size_t **at) {
  for (size_t s = hash & x->mask;; s = (s + 1) & x->mask) {
    size_t e = x->slot[s];
    if (!e || (l->v[e - 1].hash == hash && l->v[e - 1].name_len == name_len &&
               !memcmp(nv_name(l, e - 1), name, name_len))) {
      *at = &x->slot[s];
      return e;
    }
  }
}

/* The environment php-fpm should end up with, from libfcs's pairs:
 * fcgi_read_request enters FCGI_ROLE, named after the BEGIN_REQUEST's role,
 * before any pair; fcgi_get_params enters each pair with fcgi_hash_set,
 * which gives a name already there the new value and keeps its entry
 * (so the last value wins, in the place of the first); an empty name or
 * value is an entry like any other, and fastcgi.c has no limit on their
 * number or size. Entries are in the order they were made. */
static void expected_env(const codec_request *r, nvlist *want) {
  const char *role = role_name(r->role);
  FZ_CHECK(role != NULL, "request at byte %llu: php-fpm serves role %u",
           (unsigned long long)r->begin, r->role);
  nv_add(want, "FCGI_ROLE", 9, role, strlen(role));
  name_index x;
  size_t size = 16;
  while (size < 2 * (r->params.n + 1))
    size *= 2;
  x.slot = calloc(size, sizeof *x.slot);
  FZ_CHECK(x.slot != NULL, "out of memory for %zu names", size);
  x.mask = size - 1;
  size_t *at;
  index_find(&x, want, nv_name(want, 0), 9, want->v[0].hash, &at);
  *at = 1;
  for (size_t i = 0; i < r->params.n; i++) {
    const nv *p = &r->params.v[i];
    size_t e =
        index_find(&x, want, nv_name(&r->params, i), p->name_len, p->hash, &at);
    if (!e) {
      nv_add(want, nv_name(&r->params, i), p->name_len, nv_value(&r->params, i),
             p->value_len);
      *at = want->n;
    } else {
      want->v[e - 1].value = want->blob.len;
      want->v[e - 1].value_len = p->value_len;
      bytebuf_add(&want->blob, nv_value(&r->params, i), p->value_len);
    }
  }
  free(x.slot);
}

/* php-fpm's hash of a three-byte name takes in the byte after the name
 * (FCGI_HASH_FUNC in main/fastcgi.h reads var[3]; docs/findings F159), so
 * a name of three bytes given twice makes two entries when the bytes after
 * the two differ. Such params are left out of the check below, so that
 * fuzzing goes on past that bug, unless the environment sets
 * FCS_UPSTREAM_STRICT (ctest fuzz_upstream_bug_php_fpm_F159). */
static int repeats_a_three_byte_name(const codec_request *r) {
  if (fz_upstream_strict())
    return 0;
  for (size_t i = 0; i < r->params.n; i++)
    for (size_t j = i + 1; j < r->params.n && r->params.v[i].name_len == 3; j++)
      if (r->params.v[j].name_len == 3 &&
          !memcmp(nv_name(&r->params, i), nv_name(&r->params, j), 3))
        return 1;
  return 0;
}

/* fcgi_loadenv lists the newest entry first (fcgi_hash_apply walks the
 * list each new entry is put at the head of). */
static void compare_env(const php_request *p, const codec_request *r) {
  if (repeats_a_three_byte_name(r))
    return;
  nvlist want = {0};
  expected_env(r, &want);
  char a[256], b[256], c[256], d[256];
  FZ_CHECK(p->env.n == want.n,
           "request at byte %llu: php-fpm has %zu params, libfcs's pairs "
           "make %zu",
           (unsigned long long)r->begin, p->env.n, want.n);
  for (size_t i = 0; i < want.n; i++) {
    size_t j = p->env.n - 1 - i;
    const nv *x = &p->env.v[j], *y = &want.v[i];
    FZ_CHECK(
        x->name_len == y->name_len && x->value_len == y->value_len &&
            !memcmp(nv_name(&p->env, j), nv_name(&want, i), x->name_len) &&
            !memcmp(nv_value(&p->env, j), nv_value(&want, i), x->value_len),
        "request at byte %llu: param %zu is '%s'='%s' in php-fpm, "
        "'%s'='%s' from libfcs's pairs",
        (unsigned long long)r->begin, i,
        show(nv_name(&p->env, j), x->name_len, a),
        show(nv_value(&p->env, j), x->value_len, b),
        show(nv_name(&want, i), y->name_len, c),
        show(nv_value(&want, i), y->value_len, d));
  }
  nv_free(&want);
}

/* php-fpm reads the PARAMS records that follow the BEGIN_REQUEST whatever
 * their id, and ends the params at the first record that is not a PARAMS
 * record with content, whatever it is (fastcgi.c fcgi_read_request, the
 * PARAMS loop; F035). libfcs's params are php's when the request's
 * BEGIN_REQUEST and PARAMS records come in one run. */
static int params_in_one_run(const uint8_t *in, size_t len,
                             const codec_request *r) {
  return one_run(in, len, r->begin, r->params_end, 1, FCS_PARAMS, r->id);
}

/* The body fcgi_read gives is the content of the STDIN records that follow
 * the params, whatever their id; any other record ends it (fastcgi.c
 * fcgi_read; F035). It passes over empty STDIN records, so with a
 * CONTENT_LENGTH above the STDIN stream's length it reads on into what
 * follows the stream (F144). It reads the padding of the empty PARAMS
 * record as the first STDIN header (F040). libfcs's STDIN is php's body
 * when the empty PARAMS record has no padding and the STDIN records follow
 * it in one run. */
static int body_in_one_run(const uint8_t *in, size_t len,
                           const codec_request *r) {
  fcs_header h;
  header_at(in, len, r->params_end, &h);
  if (h.padding_length)
    return 0;
  uint64_t from = r->params_end + FCS_HEADER_LEN;
  if (r->in_done)
    return one_run(in, len, from, r->in_end, 0, FCS_STDIN, r->id);
  /* The STDIN stream did not end: every record left must be STDIN. */
  for (uint64_t at = from; header_at(in, len, at, &h); at = record_end(at, &h))
    if (h.type != FCS_STDIN || h.request_id != r->id)
      return 0;
  return 1;
}

/* php read up to CONTENT_LENGTH bytes (a negative one: all); those libfcs
 * also has must be libfcs's STDIN, and when the STDIN stream ended php
 * must have read all of it that CONTENT_LENGTH asks for. */
static void compare_body(const php_request *p, const codec_request *r) {
  size_t limit = p->content_length < 0 ? SIZE_MAX : (size_t)p->content_length;
  FZ_CHECK(p->body.len <= limit,
           "request at byte %llu: the worker read %zu body bytes, "
           "CONTENT_LENGTH is %ld",
           (unsigned long long)r->begin, p->body.len, p->content_length);
  size_t common = p->body.len < r->in.len ? p->body.len : r->in.len;
  FZ_CHECK(common == 0 || !memcmp(p->body.p, r->in.p, common),
           "request at byte %llu: php-fpm's body differs from libfcs's "
           "STDIN within the first %zu bytes",
           (unsigned long long)r->begin, common);
  size_t want = limit < r->in.len ? limit : r->in.len;
  FZ_CHECK(!r->in_done || p->body.len >= want,
           "request at byte %llu: php-fpm read %zu body bytes, libfcs's "
           "STDIN has %zu and CONTENT_LENGTH is %ld",
           (unsigned long long)r->begin, p->body.len, r->in.len,
           p->content_length);
}

/* The records of php's output; those it wrote are read by libfcs's
 * decoder (lenient: php answers a request on id 0 on id 0). */
typedef struct out_record {
  fcs_header h;
  const uint8_t *content;
  fcs_end_body end;
} out_record;

static size_t out_records(const bytebuf *out, out_record *recs, size_t max,
                          const char *what, size_t at) {
  fcs_decoder d;
  fcs_decoder_init(&d, FCS_LENIENT);
  fcs_event ev;
  size_t pos = 0, n = 0;
  do {
    pos += fcs_decoder_feed(&d, out->p + pos, out->len - pos, &ev);
    FZ_CHECK(ev.type != FCS_EV_ERROR,
             "%s at byte %zu: php-fpm wrote %s at byte %llu of its output",
             what, at, fcs_err_name(ev.error.code),
             (unsigned long long)ev.error.offset);
    if (ev.type == FCS_EV_HEADER) {
      FZ_CHECK(n < max, "%s at byte %zu: php-fpm wrote more than %zu records",
               what, at, max);
      recs[n].h = ev.header;
      recs[n].content = out->p + pos;
      n++;
    } else if (ev.type == FCS_EV_RECORD_END &&
               ev.header.type == FCS_END_REQUEST) {
      recs[n - 1].end = ev.body.end;
    }
  } while (ev.type != FCS_EV_NONE);
  FZ_CHECK(fcs_decoder_finish(&d, &ev) == FCS_E_OK,
           "%s at byte %zu: php-fpm's output ends inside a record", what, at);
  return n;
}

/* A reply: STDOUT records holding the head and the body php read, then a
 * complete END_REQUEST, all on one id (the request's, when libfcs has it).
 * php-fpm does not end STDOUT with an empty record (F042). */
static void check_reply(const php_request *p, const codec_request *r) {
  size_t max = p->out.len / FCS_HEADER_LEN + 1;
  out_record *recs = calloc(max, sizeof *recs);
  FZ_CHECK(recs != NULL, "out of memory for %zu records", max);
  size_t n = out_records(&p->out, recs, max, "request", p->start);
  FZ_CHECK(n > 0 && recs[n - 1].h.type == FCS_END_REQUEST &&
               recs[n - 1].end.protocol_status == FCS_REQUEST_COMPLETE &&
               recs[n - 1].end.app_status == 0,
           "request at byte %zu: php-fpm's reply does not end with a "
           "complete END_REQUEST",
           p->start);
  uint16_t id = recs[n - 1].h.request_id;
  FZ_CHECK(!r || id == r->id,
           "request at byte %zu: php-fpm answers on id %u, libfcs read id %u",
           p->start, id, r ? r->id : 0);
  bytebuf text = {0};
  for (size_t i = 0; i + 1 < n; i++) {
    FZ_CHECK(recs[i].h.type == FCS_STDOUT && recs[i].h.request_id == id,
             "request at byte %zu: php-fpm's reply has a record of type %u "
             "id %u before its END_REQUEST on id %u",
             p->start, recs[i].h.type, recs[i].h.request_id, id);
    bytebuf_add(&text, recs[i].content, recs[i].h.content_length);
  }
  size_t head = sizeof FPM_WORKER_HEAD - 1;
  FZ_CHECK(
      text.len == head + p->body.len &&
          !memcmp(text.p, FPM_WORKER_HEAD, head) &&
          (p->body.len == 0 || !memcmp(text.p + head, p->body.p, p->body.len)),
      "request at byte %zu: php-fpm's STDOUT holds %zu bytes, not the "
      "%zu-byte head and the %zu body bytes the script wrote",
      p->start, text.len, head, p->body.len);
  bytebuf_free(&text);
  free(recs);
}

/* php-fpm's one management variable, FCGI_MPXS_CONNS = "0" (fcgi_init). */
static void check_answer(const uint8_t *in, size_t len, const php_answer *ans,
                         const codec_view *c) {
  size_t at = php_record_at(in, len, ans->start);
  const codec_query *q = NULL;
  for (size_t i = 0; i < c->nq && !q; i++)
    if (c->q[i].offset == at)
      q = &c->q[i];
  out_record rec[2];
  size_t n = out_records(&ans->out, rec, 2, "GET_VALUES", at);
  FZ_CHECK(n == 1 && rec[0].h.type == FCS_GET_VALUES_RESULT &&
               rec[0].h.request_id == FCS_NULL_REQUEST_ID,
           "GET_VALUES at byte %zu: php-fpm's answer is not one "
           "GET_VALUES_RESULT on id 0",
           at);
  static const uint8_t mpxs[] = "\x0f\x01"
                                "FCGI_MPXS_CONNS0";
  size_t clen = rec[0].h.content_length;
  int names_mpxs =
      clen == sizeof mpxs - 1 && !memcmp(rec[0].content, mpxs, sizeof mpxs - 1);
  FZ_CHECK(clen == 0 || names_mpxs,
           "GET_VALUES at byte %zu: php-fpm answers with %zu bytes that are "
           "not FCGI_MPXS_CONNS=0",
           at, clen);
  if (!q)
    return; /* libfcs did not read a GET_VALUES there */
  fcs_header h;
  header_at(in, len, at, &h);
  FZ_CHECK(ans->end == record_end(at, &h),
           "GET_VALUES at byte %zu: php-fpm read to byte %zu, the record "
           "ends at byte %llu",
           at, ans->end, (unsigned long long)record_end(at, &h));
  FZ_CHECK(names_mpxs == q->names_mpxs,
           "GET_VALUES at byte %zu: php-fpm %s FCGI_MPXS_CONNS, which "
           "libfcs finds %s the query",
           at, names_mpxs ? "answers" : "does not answer",
           q->names_mpxs ? "in" : "not in");
}

/* 1 when every PARAMS record from the BEGIN_REQUEST's to the empty one
 * holds whole pairs: php-fpm decodes each record on its own and closes
 * the connection on a pair cut across records (fcgi_get_params; F041). */
static int pairs_whole_per_record(const uint8_t *in, size_t len,
                                  const codec_request *r) {
  fcs_header h;
  header_at(in, len, r->begin, &h);
  for (uint64_t at = record_end(r->begin, &h); at < r->params_end;
       at = record_end(at, &h)) {
    header_at(in, len, at, &h);
    const uint8_t *content = in + at + FCS_HEADER_LEN;
    size_t pos = 0;
    fcs_nv_pair p;
    fcs_nv_result res;
    while ((res = fcs_nv_next(content, h.content_length, &pos, &p)) ==
           FCS_NV_OK)
      ;
    if (res != FCS_NV_END)
      return 0;
  }
  return 1;
}

/* php-fpm's two refusals of valid PARAMS this harness found (reproducers
 * in seeds/regression/php_fpm, docs/findings F145 and F146):
 * fcgi_read_request adds a record's padding to its content length and
 * refuses a sum past 65535 (F146), and fcgi_get_params refuses a
 * four-byte length whose last byte is the record's last (F145), which a
 * valid pair hits only as an empty name with an empty value. They are
 * left out of the check below, so that fuzzing goes on past them, unless
 * the environment sets FCS_UPSTREAM_STRICT: the ctests
 * fuzz_upstream_bug_php_fpm_* do, to show the pinned source still has
 * them. */
static int known_refusal(const uint8_t *in, size_t len,
                         const codec_request *r) {
  if (fz_upstream_strict())
    return 0;
  fcs_header h;
  header_at(in, len, r->begin, &h);
  for (uint64_t at = record_end(r->begin, &h); at < r->params_end;
       at = record_end(at, &h)) {
    header_at(in, len, at, &h);
    if ((unsigned)h.content_length + h.padding_length > 65535)
      return 1;
    const uint8_t *content = in + at + FCS_HEADER_LEN;
    size_t pos = 0, start = 0;
    fcs_nv_pair p;
    while (fcs_nv_next(content, h.content_length, &pos, &p) == FCS_NV_OK) {
      size_t value_length_at = start + (content[start] & 0x80 ? 4 : 1);
      if (pos == h.content_length && (content[value_length_at] & 0x80) &&
          p.name_len == 0 && p.value_len == 0)
        return 1;
      start = pos;
    }
  }
  return 0;
}

/* The request a connection starts with, when libfcs accepts it and it
 * avoids php-fpm's documented refusals, is one php-fpm serves. Those
 * refusals close the connection: a role other than the three
 * (fcgi_read_request; F043), a BEGIN_REQUEST body that is not 8 bytes
 * long (fcgi_read_request takes only that length), a pair cut across
 * PARAMS records (F041); records of other ids or types among the PARAMS
 * are php's F035. */
static void check_first_served(const uint8_t *in, size_t len, const php_view *v,
                               const codec_view *c) {
  size_t first = php_record_at(in, len, 0);
  const codec_request *r = codec_begun_at(c, first);
  fcs_header h;
  if (!r || !r->params_done || !params_in_one_run(in, len, r) ||
      !role_name(r->role) || !header_at(in, len, r->begin, &h) ||
      h.content_length != FCS_BODY_LEN || !pairs_whole_per_record(in, len, r) ||
      known_refusal(in, len, r))
    return;
  FZ_CHECK(v->nreq > 0 && php_record_at(in, len, v->req[0].start) == first,
           "request at byte %zu: libfcs reads a request php-fpm serves, "
           "php-fpm closes the connection instead",
           first);
}

static void compare(const uint8_t *in, size_t len, const php_view *v,
                    const codec_view *c) {
  for (size_t i = 0; i < v->nans; i++)
    check_answer(in, len, &v->ans[i], c);
  check_first_served(in, len, v, c);
  for (size_t k = 0; k < v->nreq; k++) {
    const php_request *p = &v->req[k];
    const codec_request *r =
        codec_begun_at(c, php_record_at(in, len, p->start));
    if (!r || !r->params_done || !params_in_one_run(in, len, r)) {
      check_reply(p, NULL);
      continue;
    }
    FZ_CHECK(p->params_end == r->params_end + FCS_HEADER_LEN,
             "request at byte %llu: php-fpm read the params to byte %zu, "
             "libfcs ends them with the record at byte %llu",
             (unsigned long long)r->begin, p->params_end,
             (unsigned long long)r->params_end);
    compare_env(p, r);
    FZ_CHECK(!p->read_on || (r->flags & FCS_KEEP_CONN),
             "request at byte %llu: php-fpm reads on after a request "
             "without FCGI_KEEP_CONN (flags %u)",
             (unsigned long long)r->begin, r->flags);
    if (body_in_one_run(in, len, r))
      compare_body(p, r);
    check_reply(p, r);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > INPUT_LIMIT)
    return 0;
  php_view php = {0};
  codec_view codec = {0};
  php_read(data, size, &php);
  codec_read(data, size, &codec);
  compare(data, size, &php, &codec);
  php_free(&php);
  codec_free(&codec);
  return 0;
}
