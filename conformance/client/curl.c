/* fcgi-curl: sends one FastCGI request to a backend and prints the reply,
 * the way curl does for HTTP. docs/client.md describes it. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "fcs/fcs.h"
#include "produce.h"
#include "target.h"

enum {
  EXIT_USAGE = 2,
  EXIT_UNREACHABLE = 3,
  EXIT_PROTOCOL = 4, /* no END_REQUEST, a timeout or unframeable bytes */
  EXIT_REJECTED = 5  /* 5 + protocolStatus: 6 CANT_MPX_CONN, 7 OVERLOADED,
                        8 UNKNOWN_ROLE */
};

typedef struct client {
  const char *method, *path, *body_arg, *data_arg, *script;
  uint16_t role, id;
  int keep, trace, head_only;
  long max_time_ms;
  fcs_params params;
  fcs_buf body, data;
} client;

static void usage(FILE *out) {
  fputs("usage: fcgi-curl [options] TARGET [PATH]\n"
        "Sends one FastCGI request to TARGET (tcp:HOST:PORT or unix:PATH) and\n"
        "prints the response (CGI headers and body) on stdout, FCGI_STDERR on\n"
        "stderr, with a warning on stderr for each FastCGI rule the backend\n"
        "breaks. PATH (default /) may carry a ?query.\n\n"
        "  -X, --request METHOD   REQUEST_METHOD (default GET, POST with -d)\n"
        "  -p, --param NAME=VALUE add or override a param (repeatable)\n"
        "  -s, --script FILE      SCRIPT_FILENAME (php-fpm, fcgiwrap need it)\n"
        "  -d, --data DATA        request body: text, @FILE, or - for stdin\n"
        "      --filter-data DATA FCGI_DATA stream for --role filter (same "
        "forms)\n"
        "      --role ROLE        responder (default), authorizer, filter or a "
        "number\n"
        "      --id N             request id (default 1)\n"
        "  -k, --keep-conn        set FCGI_KEEP_CONN\n"
        "  -v, --trace            print every record sent and received on "
        "stderr\n"
        "  -I, --head             print only the CGI header block\n"
        "  -m, --max-time SECS    give up after SECS (default 30)\n"
        "  -h, --help\n\n"
        "exit status: the END_REQUEST appStatus (low 8 bits) when the request\n"
        "completed; 2 usage, 3 unreachable, 4 no END_REQUEST or bad bytes,\n"
        "5+protocolStatus when refused (6 CANT_MPX_CONN, 7 OVERLOADED,\n"
        "8 UNKNOWN_ROLE)\n",
        out);
}

/* DATA is text, @FILE, or - (standard input). */
static int load(const char *arg, fcs_buf *out) {
  FILE *f = NULL;
  if (strcmp(arg, "-") == 0)
    f = stdin;
  else if (arg[0] == '@' && !(f = fopen(arg + 1, "rb"))) {
    fprintf(stderr, "fcgi-curl: cannot read %s: %s\n", arg + 1,
            strerror(errno));
    return -1;
  }
  if (!f) {
    buf_str(out, arg);
    return 0;
  }
  uint8_t tmp[65536];
  size_t n;
  while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
    buf_add(out, tmp, n);
  if (f != stdin)
    fclose(f);
  return 0;
}

static int parse_role(const char *s, uint16_t *role) {
  static const char *names[] = {"responder", "authorizer", "filter"};
  for (int i = 0; i < 3; i++)
    if (strcmp(s, names[i]) == 0) {
      *role = (uint16_t)(i + 1);
      return 0;
    }
  char *end;
  long v = strtol(s, &end, 10);
  if (*s && !*end && v >= 0 && v <= 65535) {
    *role = (uint16_t)v;
    return 0;
  }
  return -1;
}

static int parse_args(int argc, char **argv, client *c, fcs_target *t) {
  static const struct option longs[] = {
      {"request", required_argument, 0, 'X'},
      {"param", required_argument, 0, 'p'},
      {"script", required_argument, 0, 's'},
      {"data", required_argument, 0, 'd'},
      {"filter-data", required_argument, 0, 'D'},
      {"role", required_argument, 0, 'r'},
      {"id", required_argument, 0, 'n'},
      {"keep-conn", no_argument, 0, 'k'},
      {"trace", no_argument, 0, 'v'},
      {"head", no_argument, 0, 'I'},
      {"max-time", required_argument, 0, 'm'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  fcs_params extra = {0};
  int ch;
  char *end;
  while ((ch = getopt_long(argc, argv, "X:p:s:d:kvIm:h", longs, NULL)) != -1) {
    switch (ch) {
    case 'X':
      c->method = optarg;
      break;
    case 'p': {
      const char *eq = strchr(optarg, '=');
      if (!eq || eq == optarg) {
        fprintf(stderr, "fcgi-curl: -p wants NAME=VALUE, got '%s'\n", optarg);
        return -1;
      }
      char *name = xstrdup(optarg);
      name[eq - optarg] = 0;
      params_set(&extra, name, eq + 1);
      free(name);
      break;
    }
    case 's':
      c->script = optarg;
      break;
    case 'd':
      c->body_arg = optarg;
      break;
    case 'D':
      c->data_arg = optarg;
      break;
    case 'r':
      if (parse_role(optarg, &c->role)) {
        fprintf(stderr,
                "fcgi-curl: --role: '%s' is not responder, "
                "authorizer, filter or 0..65535\n",
                optarg);
        return -1;
      }
      break;
    case 'n': {
      long v = strtol(optarg, &end, 10);
      if (*end || v < 1 || v > 65535) {
        fprintf(stderr, "fcgi-curl: --id must be 1..65535\n");
        return -1;
      }
      c->id = (uint16_t)v;
      break;
    }
    case 'k':
      c->keep = 1;
      break;
    case 'v':
      c->trace = 1;
      break;
    case 'I':
      c->head_only = 1;
      break;
    case 'm': {
      double v = strtod(optarg, &end);
      if (*end || v <= 0 || v > 86400) {
        fprintf(stderr, "fcgi-curl: --max-time must be seconds (0..86400]\n");
        return -1;
      }
      c->max_time_ms = (long)(v * 1000);
      break;
    }
    case 'h':
      usage(stdout);
      exit(0);
    default:
      usage(stderr);
      return -1;
    }
  }
  if (optind >= argc || argc - optind > 2) {
    usage(stderr);
    return -1;
  }
  char err[256];
  if (target_parse(argv[optind], t, err, sizeof(err))) {
    fprintf(stderr, "fcgi-curl: %s\n", err);
    return -1;
  }
  c->path = optind + 1 < argc ? argv[optind + 1] : "/";
  if ((c->body_arg && load(c->body_arg, &c->body)) ||
      (c->data_arg && load(c->data_arg, &c->data)))
    return -1;
  /* The CGI environment of the request, then the user's additions. */
  const char *q = strchr(c->path, '?');
  char *script_name = xstrdup(c->path);
  if (q)
    script_name[q - c->path] = 0;
  char len[32];
  params_defaults(&c->params);
  params_set(&c->params, "REQUEST_METHOD",
             c->method     ? c->method
             : c->body_arg ? "POST"
                           : "GET");
  params_set(&c->params, "REQUEST_URI", c->path);
  params_set(&c->params, "SCRIPT_NAME", script_name);
  params_set(&c->params, "SCRIPT_FILENAME",
             c->script ? c->script : script_name);
  params_set(&c->params, "QUERY_STRING", q ? q + 1 : "");
  if (c->body_arg) {
    snprintf(len, sizeof(len), "%zu", c->body.len);
    params_set(&c->params, "CONTENT_LENGTH", len);
  }
  if (c->data_arg) {
    snprintf(len, sizeof(len), "%zu", c->data.len);
    params_set(&c->params, "FCGI_DATA_LENGTH", len);
  }
  for (size_t i = 0; i < extra.n; i++)
    params_set(&c->params, extra.names[i], extra.values[i]);
  params_free(&extra);
  free(script_name);
  return 0;
}

/* -v: lists the records in p as dir ("<<" or ">>"); d keeps the place
 * between calls. */
static void trace_records(fcs_decoder *d, const char *dir, const uint8_t *p,
                          size_t len) {
  for (;;) {
    fcs_event ev;
    size_t u = fcs_decoder_feed(d, p, len, &ev);
    p += u, len -= u;
    if (ev.type == FCS_EV_HEADER)
      fprintf(stderr, "%s %s id=%u clen=%u pad=%u\n", dir,
              fcs_type_name(ev.header.type), ev.header.request_id,
              ev.header.content_length, ev.header.padding_length);
    if (ev.type == FCS_EV_NONE || ev.type == FCS_EV_ERROR)
      return;
  }
}

/* The request's records, in order. */
static void build(const client *c, fcs_buf *out) {
  fcs_record_opts o = {.padding = {.mode = FCS_PAD_ALIGN8}};
  size_t need;
  fcs_buf pairs = {0};
  for (size_t i = 0; i < c->params.n; i++) {
    size_t nl = strlen(c->params.names[i]), vl = strlen(c->params.values[i]);
    size_t sz = fcs_nv_pair_size((uint32_t)nl, (uint32_t)vl, 0), w;
    buf_reserve(&pairs, sz);
    fcs_nv_encode(pairs.p + pairs.len, sz, (const uint8_t *)c->params.names[i],
                  (uint32_t)nl, (const uint8_t *)c->params.values[i],
                  (uint32_t)vl, 0, &w);
    pairs.len += w;
  }
  struct {
    uint8_t type;
    const fcs_buf *b;
  } streams[] = {
      {FCS_PARAMS, &pairs}, {FCS_STDIN, &c->body}, {FCS_DATA, &c->data}};
  fcs_encode_begin_request(NULL, 0, c->id, c->role, c->keep, &o, &need);
  buf_reserve(out, need);
  fcs_encode_begin_request(out->p + out->len, need, c->id, c->role, c->keep, &o,
                           &need);
  out->len += need;
  for (int i = 0; i < 3; i++) {
    if (streams[i].type == FCS_DATA && c->role != FCS_FILTER)
      break;
    fcs_encode_stream(NULL, 0, streams[i].type, c->id, streams[i].b->p,
                      streams[i].b->len, 1, &o, &need);
    buf_reserve(out, need);
    fcs_encode_stream(out->p + out->len, need, streams[i].type, c->id,
                      streams[i].b->p, streams[i].b->len, 1, &o, &need);
    out->len += need;
  }
  buf_free(&pairs);
}

/* Writes STDOUT; with --head stops after the blank line of the headers. */
typedef struct sink {
  int head_only, headers_done;
  uint32_t tail; /* last bytes seen, to spot \r\n\r\n or \n\n */
} sink;

static void put_stdout(sink *s, const uint8_t *p, size_t n) {
  if (!s->head_only) {
    fwrite(p, 1, n, stdout);
    return;
  }
  for (size_t i = 0; i < n && !s->headers_done; i++) {
    fputc(p[i], stdout);
    s->tail = (s->tail << 8) | p[i];
    if (s->tail == 0x0d0a0d0a || (s->tail & 0xffff) == 0x0a0a)
      s->headers_done = 1;
  }
}

/* After END_REQUEST without KEEP_CONN the backend must close: reading on
 * this long shows what else it sends (a second END_REQUEST, ...). */
#define LINGER_MS 200

/* The reply to the one request sent, read by a client-side assembler in
 * observe mode: it hands up STDOUT, STDERR and END_REQUEST, and reports
 * every FastCGI rule the backend breaks. */
typedef struct reply {
  fcs_assembler as;
  void *mem;
  fcs_decoder trace; /* -v */
  sink out;
  int rc;      /* exit status once known, else -1 */
  int stopped; /* the bytes no longer frame as records */
} reply;

static void reply_open(reply *r, const client *c) {
  /* Nothing is kept: STDOUT and STDERR pass through as they arrive. */
  fcs_limits l = {.max_params_bytes = 1, .max_requests = 1};
  size_t n = fcs_assembler_memory_size(&l);
  memset(r, 0, sizeof(*r));
  r->mem = xmalloc(n);
  r->rc = -1;
  r->out.head_only = c->head_only;
  fcs_decoder_init(&r->trace, FCS_LENIENT);
  if (fcs_assembler_init(&r->as, FCS_SIDE_CLIENT, FCS_LENIENT, &l, r->mem, n) !=
          FCS_E_OK ||
      fcs_assembler_observe(&r->as, 1) != FCS_E_OK ||
      fcs_assembler_begin(&r->as, c->id, c->role,
                          c->keep ? FCS_KEEP_CONN : 0) != FCS_E_OK) {
    fprintf(stderr, "fcgi-curl: cannot set up the reply reader\n");
    exit(1);
  }
}

static void warn_rule(const fcs_error *e) {
  fprintf(stderr,
          "fcgi-curl: warning: the backend broke a FastCGI rule: %s at byte "
          "%llu (record %llu, id %u): %s\n",
          fcs_err_name(e->code), (unsigned long long)e->offset,
          (unsigned long long)e->record, e->request_id,
          fcs_err_message(e->code));
}

static void on_end_request(reply *r, const client *c, const fcs_end_body *e) {
  if (c->trace)
    fprintf(stderr, "<< appStatus %u, %s\n", e->app_status,
            fcs_protocol_status_name(e->protocol_status));
  if (e->protocol_status == FCS_REQUEST_COMPLETE) {
    r->rc = (int)(e->app_status & 0xff);
    return;
  }
  fprintf(stderr, "fcgi-curl: request refused: %s\n",
          fcs_protocol_status_name(e->protocol_status));
  r->rc = EXIT_REJECTED + e->protocol_status;
}

/* An input error: fatal before END_REQUEST, a broken rule after it. */
static void on_error(reply *r, const fcs_error *e) {
  r->stopped = 1;
  if (r->rc >= 0) {
    warn_rule(e);
    return;
  }
  fprintf(stderr, "fcgi-curl: bad bytes from the backend: %s at byte %llu\n",
          fcs_err_message(e->code), (unsigned long long)e->offset);
  r->rc = EXIT_PROTOCOL;
}

static void reply_feed(reply *r, const client *c, const uint8_t *p,
                       size_t len) {
  if (c->trace)
    trace_records(&r->trace, "<<", p, len);
  while (!r->stopped) {
    fcs_asm_event ev;
    size_t u = fcs_assembler_feed(&r->as, p, len, &ev);
    p += u, len -= u;
    if (ev.type != FCS_AE_ERROR && ev.error.code != FCS_E_OK)
      warn_rule(&ev.error);
    switch (ev.type) {
    case FCS_AE_NONE:
      return;
    case FCS_AE_STREAM_DATA:
      if (ev.record_type == FCS_STDOUT)
        put_stdout(&r->out, ev.data, ev.len);
      else
        fwrite(ev.data, 1, ev.len, stderr);
      break;
    case FCS_AE_END_REQUEST:
      on_end_request(r, c, &ev.end);
      break;
    case FCS_AE_ERROR:
      on_error(r, &ev.error);
      break;
    default:
      break;
    }
  }
}

/* The connection ended: a record cut short is one more broken rule. */
static void reply_eof(reply *r) {
  fcs_asm_event ev;
  if (r->rc < 0) {
    fprintf(stderr, "fcgi-curl: the backend closed the connection before "
                    "END_REQUEST\n");
    r->rc = EXIT_PROTOCOL;
  } else if (!r->stopped && fcs_assembler_finish(&r->as, &ev) != FCS_E_OK) {
    warn_rule(&ev.error);
  }
}

static int send_request(const client *c, int fd) {
  fcs_buf req = {0};
  build(c, &req);
  if (c->trace) {
    fcs_decoder d;
    fcs_decoder_init(&d, FCS_LENIENT);
    trace_records(&d, ">>", req.p, req.len);
  }
  size_t at = 0;
  while (at < req.len) {
    ssize_t w = write(fd, req.p + at, req.len - at);
    if (w <= 0) {
      fprintf(stderr, "fcgi-curl: write failed: %s\n", strerror(errno));
      buf_free(&req);
      return -1;
    }
    at += (size_t)w;
  }
  buf_free(&req);
  return 0;
}

/* Reads until END_REQUEST (then on until the backend closes, for at most
 * LINGER_MS, unless KEEP_CONN asked it to stay open), a framing error, EOF
 * or the deadline; returns the exit status. */
static int read_reply(const client *c, int fd, int64_t deadline) {
  reply r;
  reply_open(&r, c);
  uint8_t buf[65536];
  while (!r.stopped) {
    int64_t left = deadline - now_ms();
    if (left <= 0) {
      if (r.rc < 0) {
        fprintf(stderr, "fcgi-curl: no END_REQUEST within --max-time\n");
        r.rc = EXIT_PROTOCOL;
      }
      break;
    }
    struct timeval tv = {(time_t)(left / 1000),
                         (suseconds_t)(left % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue; /* EAGAIN: the timeout, checked above */
    if (n <= 0) {
      reply_eof(&r);
      break;
    }
    int ended = r.rc >= 0;
    reply_feed(&r, c, buf, (size_t)n);
    if (!ended && r.rc >= 0) {
      if (c->keep)
        break;
      if (deadline > now_ms() + LINGER_MS)
        deadline = now_ms() + LINGER_MS;
    }
  }
  free(r.mem);
  return r.rc;
}

static int exchange(const client *c, const fcs_target *t) {
  int64_t deadline = now_ms() + c->max_time_ms;
  char err[256], where[300];
  int fd = target_connect(t, deadline, err, sizeof(err));
  if (fd < 0) {
    target_format(t, where, sizeof(where));
    fprintf(stderr, "fcgi-curl: cannot connect to %s: %s\n", where, err);
    return EXIT_UNREACHABLE;
  }
  int rc = send_request(c, fd) ? EXIT_PROTOCOL : read_reply(c, fd, deadline);
  fflush(stdout);
  close(fd);
  return rc;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  client c = {.role = FCS_RESPONDER, .id = 1, .max_time_ms = 30000};
  fcs_target t;
  if (parse_args(argc, argv, &c, &t))
    return EXIT_USAGE;
  int rc = exchange(&c, &t);
  params_free(&c.params);
  buf_free(&c.body);
  buf_free(&c.data);
  return rc;
}
