#include "recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"

#define BACKLOG 128
#define READ_CHUNK 65536
/* Requests open at once on one connection: more than any proxy multiplexes
 * (each takes a slot of max_params_bytes in the assembler). */
#define MAX_ACTIVE 16

/* What GET_VALUES is answered with. */
static const struct {
  const char *name, *value;
} known_values[] = {
    {FCS_MAX_CONNS, "100"}, {FCS_MAX_REQS, "100"}, {FCS_MPXS_CONNS, "1"}};
#define NKNOWN (sizeof known_values / sizeof known_values[0])

/* A request active on a connection: where it is kept, and what finding its
 * PARAMS records and counting its stream records takes. */
typedef struct active_req {
  uint16_t id;
  size_t req;            /* index in rec_state.reqs */
  uint64_t begin_record; /* index of its BEGIN_REQUEST in the record log */
  uint64_t last_record;  /* the last record that gave it stream bytes */
} active_req;

/* An open connection: the socket and the readers beside its rec_conn. */
typedef struct live {
  int fd;
  size_t conn; /* index in rec_state.conns */
  size_t records_cap;
  fcs_decoder dec; /* the record log's reader */
  fcs_assembler as;
  void *as_mem;
  int failed;  /* the framing broke: nothing more is read */
  fcs_buf out; /* replies not written yet, from out_at */
  size_t out_at;
  int closing; /* close once out is written, reading nothing more */
  active_req act[MAX_ACTIVE];
  size_t nact;
} live;

struct fcs_recorder {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t thread;
  int running; /* the thread was started */
  int listen_fd;
  int wake[2]; /* a byte on wake[1] stops the thread */
  char unix_path[sizeof(((fcs_target *)0)->path)]; /* created by us, or "" */
  rec_state st;
  size_t conns_cap, reqs_cap;
  live **live;
  size_t nlive;
  struct pollfd *pfd;
  uint8_t rbuf[READ_CHUNK];
};

/* ---- state --------------------------------------------------------------- */

static void changed(fcs_recorder *r) {
  r->st.events++;
  pthread_cond_broadcast(&r->cv);
}

/* Room for one more element of an array that doubles. */
static void *grow(void *p, size_t n, size_t *cap, size_t size) {
  if (n < *cap)
    return p;
  *cap = *cap ? *cap * 2 : 16;
  return xrealloc(p, *cap * size);
}

static rec_conn *conn_of(fcs_recorder *r, const live *l) {
  return &r->st.conns[l->conn];
}

static void violation(rec_conn *c, const fcs_error *e) {
  buf_fmt(&c->violations, "%s at byte %" PRIu64 "\n", fcs_err_name(e->code),
          e->offset);
  c->nviolations++;
}

static active_req *find_active(live *l, uint16_t id) {
  for (size_t i = 0; i < l->nact; i++)
    if (l->act[i].id == id)
      return &l->act[i];
  return NULL;
}

static void drop_active(live *l, active_req *a) { *a = l->act[--l->nact]; }

/* ---- replies (every byte from the codec's encoder) ----------------------- */

/* Room for n more bytes at the end of the output. */
static uint8_t *room(live *l, size_t n) {
  buf_reserve(&l->out, n);
  return l->out.p + l->out.len;
}

static void put_record(live *l, uint8_t type, uint16_t id, const void *content,
                       size_t clen) {
  size_t n;
  fcs_encode_record(NULL, 0, type, id, content, clen, NULL, &n);
  fcs_encode_record(room(l, n), n, type, id, content, clen, NULL, &n);
  l->out.len += n;
}

/* STDOUT carrying text (none: only its empty record), then END_REQUEST. */
static void put_reply(live *l, uint16_t id, const char *text,
                      uint8_t protocol_status) {
  size_t n, len = text ? strlen(text) : 0;
  if (protocol_status == FCS_REQUEST_COMPLETE) {
    fcs_encode_stream(NULL, 0, FCS_STDOUT, id, (const uint8_t *)text, len, 1,
                      NULL, &n);
    fcs_encode_stream(room(l, n), n, FCS_STDOUT, id, (const uint8_t *)text, len,
                      1, NULL, &n);
    l->out.len += n;
  }
  fcs_encode_end_request(NULL, 0, id, 0, protocol_status, NULL, &n);
  fcs_encode_end_request(room(l, n), n, id, 0, protocol_status, NULL, &n);
  l->out.len += n;
}

static void put_unknown_type(live *l, uint8_t type) {
  size_t n;
  fcs_encode_unknown_type(NULL, 0, type, NULL, &n);
  fcs_encode_unknown_type(room(l, n), n, type, NULL, &n);
  l->out.len += n;
}

/* Each known name asked for, once, in the order first asked. */
static void answer_get_values(live *l, const uint8_t *query, size_t len) {
  fcs_nv_pair answer[NKNOWN], q;
  size_t n = 0, pos = 0;
  unsigned asked = 0;
  while (fcs_nv_next(query, len, &pos, &q) == FCS_NV_OK)
    for (size_t k = 0; k < NKNOWN; k++) {
      if ((asked & (1u << k)) || !fcs_nv_name_is(&q, known_values[k].name))
        continue;
      asked |= 1u << k;
      answer[n++] = (fcs_nv_pair){(const uint8_t *)known_values[k].name,
                                  (uint32_t)strlen(known_values[k].name),
                                  (const uint8_t *)known_values[k].value,
                                  (uint32_t)strlen(known_values[k].value)};
    }
  uint8_t content[128];
  size_t clen;
  fcs_encode_pairs(content, sizeof content, answer, n, 0, &clen);
  put_record(l, FCS_GET_VALUES_RESULT, FCS_NULL_REQUEST_ID, content, clen);
}

/* The request has its END_REQUEST: it leaves the assembler and the active
 * list, and a request without KEEP_CONN takes the connection with it. */
static void finish(fcs_recorder *r, live *l, active_req *a,
                   uint8_t protocol_status, const char *text) {
  rec_request *q = &r->st.reqs[a->req];
  put_reply(l, a->id, text, protocol_status);
  fcs_assembler_end(&l->as, a->id);
  q->answered = 1;
  q->ended = now_ms();
  if (!(q->flags & FCS_KEEP_CONN))
    l->closing = 1;
  drop_active(l, a);
}

static int input_complete(const rec_request *q) {
  switch (q->role) {
  case FCS_AUTHORIZER:
    return q->params_done;
  case FCS_FILTER:
    return q->params_done && q->in_done && q->data_done;
  default:
    return q->params_done && q->in_done;
  }
}

static void answer_if_complete(fcs_recorder *r, live *l, active_req *a) {
  if (!input_complete(&r->st.reqs[a->req]))
    return;
  char text[160];
  snprintf(text, sizeof text,
           "Status: 200 OK\r\nContent-Type: text/plain\r\n" REC_REPLY_HEADER
           ": %zu\r\n\r\nrecorded request %zu\n",
           a->req, a->req);
  finish(r, l, a, FCS_REQUEST_COMPLETE, text);
}

/* ---- requests ------------------------------------------------------------ */

static void on_begin(fcs_recorder *r, live *l, const fcs_asm_event *ev) {
  rec_state *st = &r->st;
  st->reqs = grow(st->reqs, st->nreqs, &r->reqs_cap, sizeof *st->reqs);
  rec_request *q = &st->reqs[st->nreqs];
  memset(q, 0, sizeof *q);
  q->conn = l->conn;
  q->id = ev->request_id;
  q->role = ev->role;
  q->flags = ev->flags;
  q->others_active = (uint32_t)l->nact;
  q->begun = now_ms();
  conn_of(r, l)->requests++;
  active_req *a = &l->act[l->nact++];
  *a = (active_req){ev->request_id, st->nreqs++, ev->record, ev->record};
  if (ev->role != FCS_RESPONDER && ev->role != FCS_AUTHORIZER &&
      ev->role != FCS_FILTER)
    finish(r, l, a, FCS_UNKNOWN_ROLE, NULL);
}

/* Where this request's PARAMS records end in its PARAMS stream, up to the
 * record of ev (its empty one): one offset per record. */
static size_t params_bounds(const rec_conn *c, const active_req *a,
                            uint64_t last, uint64_t **bounds) {
  size_t n = 0;
  uint64_t at = 0;
  *bounds = xmalloc((size_t)(last - a->begin_record) * sizeof **bounds);
  for (uint64_t i = a->begin_record + 1; i <= last && i < c->nrecords; i++) {
    const rec_record *h = &c->records[i];
    if (h->type != FCS_PARAMS || h->id != a->id)
      continue;
    at += h->clen;
    (*bounds)[n++] = at;
  }
  return n;
}

static void on_params(fcs_recorder *r, live *l, active_req *a,
                      const fcs_asm_event *ev) {
  rec_request *q = &r->st.reqs[a->req];
  uint64_t *bounds;
  size_t nb = params_bounds(conn_of(r, l), a, ev->record, &bounds), b = 0;
  q->params_records = nb;
  q->params_done = 1;
  size_t pos = 0, start = 0, cap = 0;
  fcs_nv_pair pair;
  while (fcs_nv_next(ev->data, ev->len, &pos, &pair) == FCS_NV_OK) {
    q->params = grow(q->params, q->nparams, &cap, sizeof *q->params);
    rec_param *p = &q->params[q->nparams++];
    memset(p, 0, sizeof *p);
    buf_add(&p->name, pair.name, pair.name_len);
    buf_add(&p->value, pair.value, pair.value_len);
    /* The pair's head is its two lengths, before the name; the name's
     * length took 4 bytes when its first byte has the high bit set (spec
     * 3.4), the value's takes the rest of the head. */
    size_t head = (size_t)(pair.name - (ev->data + start));
    p->name_long = (ev->data[start] & 0x80) != 0;
    p->value_long = head - (p->name_long ? 4u : 1u) == 4;
    while (b < nb && bounds[b] <= start)
      b++;
    p->straddles = b < nb && bounds[b] < pos;
    start = pos;
  }
  free(bounds);
}

static void on_stream_data(fcs_recorder *r, active_req *a,
                           const fcs_asm_event *ev) {
  rec_request *q = &r->st.reqs[a->req];
  int data = ev->record_type == FCS_DATA;
  fcs_buf *keep = data ? &q->data : &q->in;
  size_t left = keep->len < REC_STREAM_KEEP ? REC_STREAM_KEEP - keep->len : 0;
  buf_add(keep, ev->data, ev->len < left ? ev->len : left);
  *(data ? &q->data_total : &q->in_total) += ev->len;
  if (ev->record != a->last_record)
    (*(data ? &q->data_records : &q->in_records))++;
  a->last_record = ev->record;
}

static void on_event(fcs_recorder *r, live *l, const fcs_asm_event *ev) {
  rec_conn *c = conn_of(r, l);
  if (ev->error.code != FCS_E_OK)
    violation(c, &ev->error);
  active_req *a = ev->request_id ? find_active(l, ev->request_id) : NULL;
  switch (ev->type) {
  case FCS_AE_GET_VALUES:
    c->get_values++;
    answer_get_values(l, ev->data, ev->len);
    break;
  case FCS_AE_UNKNOWN_RECORD:
    put_unknown_type(l, ev->record_type);
    break;
  case FCS_AE_BEGIN:
    on_begin(r, l, ev);
    break;
  case FCS_AE_REFUSED:
    /* No slot left: the id stays inactive. A second BEGIN for an active id
     * is a broken rule (recorded above); that request goes on. */
    if (ev->reason == FCS_E_LIMIT_REQUESTS) {
      put_reply(l, ev->request_id, NULL, FCS_OVERLOADED);
      if (!(ev->flags & FCS_KEEP_CONN))
        l->closing = 1;
    }
    break;
  case FCS_AE_PARAMS:
    if (a) {
      on_params(r, l, a, ev);
      answer_if_complete(r, l, a);
    }
    break;
  case FCS_AE_STREAM_DATA:
    if (a)
      on_stream_data(r, a, ev);
    break;
  case FCS_AE_STREAM_END:
    if (a) {
      *(ev->record_type == FCS_DATA ? &r->st.reqs[a->req].data_done
                                    : &r->st.reqs[a->req].in_done) = 1;
      answer_if_complete(r, l, a);
    }
    break;
  case FCS_AE_ABORT: /* spec 5.4: the application answers END_REQUEST */
    if (a) {
      r->st.reqs[a->req].aborted = 1;
      finish(r, l, a, FCS_REQUEST_COMPLETE, NULL);
    }
    break;
  case FCS_AE_ERROR:
    l->failed = 1;
    l->closing = 1;
    break;
  default: /* IGNORED, VIOLATION: their rule, if any, is recorded above */
    break;
  }
}

/* ---- connections --------------------------------------------------------- */

/* The record log: one rec_record per header. */
static void log_records(fcs_recorder *r, live *l, const uint8_t *p,
                        size_t len) {
  rec_conn *c = conn_of(r, l);
  int64_t t = now_ms();
  for (;;) {
    fcs_event ev;
    size_t used = fcs_decoder_feed(&l->dec, p, len, &ev);
    p += used;
    len -= used;
    if (ev.type == FCS_EV_NONE || ev.type == FCS_EV_ERROR)
      return;
    if (ev.type != FCS_EV_HEADER)
      continue;
    c->records =
        grow(c->records, c->nrecords, &l->records_cap, sizeof *c->records);
    const fcs_header *h = &ev.header;
    c->records[c->nrecords++] = (rec_record){.version = h->version,
                                             .type = h->type,
                                             .padding = h->padding_length,
                                             .reserved = h->reserved,
                                             .id = h->request_id,
                                             .clen = h->content_length,
                                             .offset = ev.offset,
                                             .t = t};
  }
}

/* The record log first, so a request's PARAMS records are all in it when
 * the assembler reports the stream complete. */
static void ingest(fcs_recorder *r, live *l, const uint8_t *p, size_t len) {
  log_records(r, l, p, len);
  conn_of(r, l)->bytes += len;
  while (!l->failed) {
    fcs_asm_event ev;
    size_t used = fcs_assembler_feed(&l->as, p, len, &ev);
    p += used;
    len -= used;
    if (ev.type == FCS_AE_NONE)
      break;
    on_event(r, l, &ev);
  }
  changed(r);
}

static void open_conn(fcs_recorder *r, int fd) {
  rec_state *st = &r->st;
  st->conns = grow(st->conns, st->nconns, &r->conns_cap, sizeof *st->conns);
  rec_conn *c = &st->conns[st->nconns];
  memset(c, 0, sizeof *c);
  c->opened = now_ms();
  live *l = xcalloc(1, sizeof *l);
  l->fd = fd;
  l->conn = st->nconns++;
  fcs_decoder_init(&l->dec, FCS_LENIENT);
  fcs_limits lim = {.max_params_bytes = 1u << 20,
                    .max_pairs = 8192,
                    .max_requests = MAX_ACTIVE,
                    .max_stream_bytes = 0};
  size_t size = fcs_assembler_memory_size(&lim);
  l->as_mem = xmalloc(size);
  fcs_assembler_init(&l->as, FCS_SIDE_APP, FCS_LENIENT, &lim, l->as_mem, size);
  fcs_assembler_observe(&l->as, 1);
  r->live = xrealloc(r->live, (r->nlive + 1) * sizeof *r->live);
  r->live[r->nlive++] = l;
  changed(r);
}

static void free_live(live *l) {
  if (l->fd >= 0)
    close(l->fd);
  buf_free(&l->out);
  free(l->as_mem);
  free(l);
}

/* Closes the socket; requests that had not ended are cut. */
static void close_conn(fcs_recorder *r, live *l, int by_us) {
  rec_conn *c = conn_of(r, l);
  int64_t t = now_ms();
  c->closed = t;
  c->closed_by_us = by_us;
  for (size_t i = 0; i < l->nact; i++) {
    rec_request *q = &r->st.reqs[l->act[i].req];
    q->cut = 1;
    q->ended = t;
  }
  l->nact = 0;
  close(l->fd);
  l->fd = -1;
  changed(r);
}

/* Writes what the socket takes; a peer that is gone loses the rest. */
static void flush(live *l) {
  while (l->out_at < l->out.len) {
    ssize_t w = send(l->fd, l->out.p + l->out_at, l->out.len - l->out_at,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
      l->out_at = l->out.len;
    if (w <= 0)
      break;
    l->out_at += (size_t)w;
  }
  if (l->out_at == l->out.len)
    l->out.len = l->out_at = 0;
}

/* The peer closed: a record cut short is a broken rule too. */
static void peer_closed(fcs_recorder *r, live *l) {
  fcs_asm_event ev;
  if (!l->failed && fcs_assembler_finish(&l->as, &ev) != FCS_E_OK)
    violation(conn_of(r, l), &ev.error);
  flush(l);
  close_conn(r, l, 0);
}

static void read_conn(fcs_recorder *r, live *l) {
  ssize_t n = read(l->fd, r->rbuf, sizeof r->rbuf);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return;
  if (n <= 0)
    peer_closed(r, l);
  else
    ingest(r, l, r->rbuf, (size_t)n);
}

/* Non-blocking, and not inherited by programs the runner starts. */
static int own_fd(int fd) {
  if (fd < 0)
    return -1;
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 ||
      fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static void accept_all(fcs_recorder *r) {
  for (;;) {
    int fd = accept(r->listen_fd, NULL, NULL);
    if (fd < 0)
      return;
    if (own_fd(fd) >= 0)
      open_conn(r, fd);
  }
}

/* ---- the thread ---------------------------------------------------------- */

static size_t poll_set(fcs_recorder *r) {
  r->pfd = xrealloc(r->pfd, (r->nlive + 2) * sizeof *r->pfd);
  r->pfd[0] = (struct pollfd){r->wake[0], POLLIN, 0};
  r->pfd[1] = (struct pollfd){r->listen_fd, POLLIN, 0};
  for (size_t i = 0; i < r->nlive; i++) {
    const live *l = r->live[i];
    short want = (short)((l->closing ? 0 : POLLIN) |
                         (l->out_at < l->out.len ? POLLOUT : 0));
    r->pfd[i + 2] = (struct pollfd){l->fd, want, 0};
  }
  return r->nlive + 2;
}

static void serve(fcs_recorder *r, live *l, short revents) {
  if (revents & (POLLOUT | POLLERR | POLLHUP))
    flush(l);
  if (!l->closing && (revents & (POLLIN | POLLERR | POLLHUP)))
    read_conn(r, l);
  if (l->fd >= 0) {
    flush(l);
    if (l->closing && l->out.len == 0)
      close_conn(r, l, 1);
  }
}

static void *run(void *arg) {
  fcs_recorder *r = arg;
  for (;;) {
    size_t n = poll_set(r);
    if (poll(r->pfd, n, -1) < 0 && errno != EINTR)
      break;
    if (r->pfd[0].revents)
      break;
    pthread_mutex_lock(&r->mu);
    if (r->pfd[1].revents)
      accept_all(r);
    /* Connections accepted just now have no entry in pfd yet. */
    for (size_t i = 0; i + 2 < n; i++)
      if (r->pfd[i + 2].revents)
        serve(r, r->live[i], r->pfd[i + 2].revents);
    size_t kept = 0;
    for (size_t i = 0; i < r->nlive; i++) {
      if (r->live[i]->fd >= 0)
        r->live[kept++] = r->live[i];
      else
        free_live(r->live[i]);
    }
    r->nlive = kept;
    pthread_mutex_unlock(&r->mu);
  }
  return NULL;
}

/* ---- start and stop ------------------------------------------------------ */

static int listen_unix(fcs_recorder *r, const char *path, char *err,
                       size_t errlen) {
  if (unix_path_claim(path, err, errlen))
    return -1;
  int fd = own_fd(socket(AF_UNIX, SOCK_STREAM, 0));
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
    snprintf(err, errlen, "%s", strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  snprintf(r->unix_path, sizeof r->unix_path, "%s", path);
  if (listen(fd, BACKLOG) != 0) {
    snprintf(err, errlen, "%s", strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

static int listen_tcp(const fcs_target *t, char *err, size_t errlen) {
  struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
                           .ai_socktype = SOCK_STREAM},
                  *res = NULL;
  int rc = getaddrinfo(t->host, t->port, &hints, &res);
  if (rc) {
    snprintf(err, errlen, "%s", gai_strerror(rc));
    return -1;
  }
  int fd = -1, one = 1;
  for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
    fd = own_fd(socket(a->ai_family, SOCK_STREAM, 0));
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, BACKLOG) != 0) {
      snprintf(err, errlen, "%s", strerror(errno));
      if (fd >= 0)
        close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  return fd;
}

fcs_recorder *recorder_start(const fcs_target *addr, char *err, size_t errlen) {
  fcs_recorder *r = xcalloc(1, sizeof *r);
  r->wake[0] = r->wake[1] = -1;
  pthread_mutex_init(&r->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&r->cv, &ca);
  pthread_condattr_destroy(&ca);
  char where[400], why[256];
  target_format(addr, where, sizeof where);
  r->listen_fd = addr->is_unix ? listen_unix(r, addr->path, why, sizeof why)
                               : listen_tcp(addr, why, sizeof why);
  if (r->listen_fd < 0) {
    snprintf(err, errlen, "cannot listen on %s: %s", where, why);
    recorder_stop(r);
    return NULL;
  }
  int rc = pipe(r->wake) != 0 ? errno : 0;
  if (!rc) {
    fcntl(r->wake[0], F_SETFD, FD_CLOEXEC);
    fcntl(r->wake[1], F_SETFD, FD_CLOEXEC);
    rc = pthread_create(&r->thread, NULL, run, r);
  }
  if (rc) {
    snprintf(err, errlen, "cannot start the recorder on %s: %s", where,
             strerror(rc));
    recorder_stop(r);
    return NULL;
  }
  r->running = 1;
  return r;
}

static void free_state(rec_state *st) {
  for (size_t i = 0; i < st->nreqs; i++) {
    rec_request *q = &st->reqs[i];
    for (size_t k = 0; k < q->nparams; k++) {
      buf_free(&q->params[k].name);
      buf_free(&q->params[k].value);
    }
    free(q->params);
    buf_free(&q->in);
    buf_free(&q->data);
  }
  for (size_t i = 0; i < st->nconns; i++) {
    free(st->conns[i].records);
    buf_free(&st->conns[i].violations);
  }
  free(st->reqs);
  free(st->conns);
}

/* Also undoes a start that failed part way. */
void recorder_stop(fcs_recorder *r) {
  if (!r)
    return;
  if (r->running) {
    ssize_t w;
    do
      w = write(r->wake[1], "", 1);
    while (w < 0 && errno == EINTR);
    pthread_join(r->thread, NULL);
  }
  pthread_mutex_destroy(&r->mu);
  pthread_cond_destroy(&r->cv);
  for (int i = 0; i < 2; i++)
    if (r->wake[i] >= 0)
      close(r->wake[i]);
  for (size_t i = 0; i < r->nlive; i++)
    free_live(r->live[i]);
  free(r->live);
  free(r->pfd);
  if (r->listen_fd >= 0)
    close(r->listen_fd);
  if (r->unix_path[0])
    unlink(r->unix_path);
  free_state(&r->st);
  free(r);
}

/* ---- the runner's side --------------------------------------------------- */

const rec_state *recorder_lock(fcs_recorder *r) {
  pthread_mutex_lock(&r->mu);
  return &r->st;
}

void recorder_unlock(fcs_recorder *r) { pthread_mutex_unlock(&r->mu); }

uint64_t recorder_wait(fcs_recorder *r, uint64_t since, int64_t until) {
  struct timespec ts = {(time_t)(until / 1000),
                        (long)(until % 1000) * 1000000L};
  pthread_mutex_lock(&r->mu);
  while (r->st.events == since && now_ms() < until)
    pthread_cond_timedwait(&r->cv, &r->mu, &ts);
  uint64_t now = r->st.events;
  pthread_mutex_unlock(&r->mu);
  return now;
}

static fcs_nv_pair as_pair(const rec_param *p) {
  return (fcs_nv_pair){p->name.p, (uint32_t)p->name.len, p->value.p,
                       (uint32_t)p->value.len};
}

const fcs_buf *rec_param_value(const rec_request *q, const char *name) {
  for (size_t i = 0; i < q->nparams; i++) {
    fcs_nv_pair p = as_pair(&q->params[i]);
    if (fcs_nv_name_is(&p, name))
      return &q->params[i].value;
  }
  return NULL;
}

size_t rec_param_count(const rec_request *q, const char *name) {
  size_t n = 0;
  for (size_t i = 0; i < q->nparams; i++) {
    fcs_nv_pair p = as_pair(&q->params[i]);
    n += (size_t)fcs_nv_name_is(&p, name);
  }
  return n;
}
