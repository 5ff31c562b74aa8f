/* Drives HAProxy's FastCGI mux over one backend connection the way HAProxy
 * does, and reports what it made of the application's bytes.
 *
 * src/mux_fcgi.c is #included unchanged: its functions are static (HAProxy
 * reaches them through its ops table), and the oracles read its connection
 * and stream state. The driver
 * plays the parts of HAProxy around the mux:
 * - the backend: a proxy with one fcgi-app (no "timeout server", options
 *   from the setup), a session and a stream whose backend stream connector
 *   the connection is made for;
 * - connect_server: a connection on the socket shim (shim_xprt.c), the mux
 *   installed with the connector as its context and started with
 *   fcgi_ops.init, as conn_install_mux_be does;
 * - the stream layer: it sends a GET (or HEAD) request as HTX through
 *   snd_buf, receives the response through rcv_buf into the response
 *   channel's buffer, with the room channel_htx_recv_max gives (the
 *   maxrewrite reserve until the headers are through, as while the
 *   response analysers run), forwards every HTX block at once, subscribes
 *   when it needs to wait, and detaches (fcgi_ops.detach) once the
 *   response is complete, ended or failed, as sc_conn_io_cb,
 *   sc_conn_recv/sc_conn_send and sc_detach_endp do;
 * - the poller: each round runs the queued tasklets (fcgi_io_cb is what
 *   HAProxy runs when the backend's bytes arrive) and then lets the next
 *   piece of the application's bytes arrive, or the application close.
 * What the demux moves into the stream's rx buffer is copied out between
 * the calls that can change it (only the demux appends to it; only rcv_buf
 * takes from its head), giving the mux's own view of the STDOUT stream. */
/* version.h wants these from the Makefile (they name the pinned source). */
#define CONFIG_HAPROXY_VERSION "2.6.12-1+deb12u3"
#define CONFIG_HAPROXY_DATE "2023/03/10"
#include "mux_fcgi.c"

#include <haproxy/channel.h>
#include <haproxy/http.h>

#include "hap.h"
#include "shim.h"

/* mux_fcgi_ops without its "show fd" (CLI) and takeover (idle connections
 * moving between threads) entries, which a backend's bytes cannot reach
 * and which would bring the CLI and fd layers into the link. */
static const struct mux_ops fcgi_ops = {
    .init = fcgi_init,
    .wake = fcgi_wake,
    .attach = fcgi_attach,
    .get_first_sc = fcgi_get_first_sc,
    .detach = fcgi_detach,
    .destroy = fcgi_destroy,
    .avail_streams = fcgi_avail_streams,
    .used_streams = fcgi_used_streams,
    .rcv_buf = fcgi_rcv_buf,
    .snd_buf = fcgi_snd_buf,
    .subscribe = fcgi_subscribe,
    .unsubscribe = fcgi_unsubscribe,
    .shutr = fcgi_shutr,
    .shutw = fcgi_shutw,
    .ctl = fcgi_ctl,
    .flags = MX_FL_HTX | MX_FL_HOL_RISK | MX_FL_NO_UPG,
    .name = "FCGI",
};

/* Tasklet runs in one round before calling it a livelock. */
#define TASKLET_BUDGET 100000u

static struct {
  const hap_setup *setup;
  hap_outcome *out;
  struct proxy px;
  struct fcgi_app app;
  struct session sess;
  struct stream strm;
  struct stconn scf, scb;
  struct sockaddr_storage client, frontend;
  struct connection *conn;
  struct buffer req; /* the request channel's HTX, until sent */
  size_t rx_seen;    /* bytes of the stream's rx buffer already copied */
  int detach_wanted;
} d;

/* handle_stderr logs each piece of STDERR content with a '\n' added. */
static void log_to_outcome(void *ctx, const char *msg) {
  hap_outcome *out = ctx;
  size_t n = strlen(msg);
  if (n && msg[n - 1] == '\n')
    n--;
  else
    out->stderr_unterminated++;
  bytebuf_add(&out->stderr_text, msg, n);
  out->stderr_logs++;
}

static struct fcgi_strm *mux_stream(void) {
  return d.scb.sedesc ? d.scb.sedesc->se : NULL;
}

/* Copies what the demux appended to the stream's rx buffer since the last
 * look. */
static void note_stdout(void) {
  struct fcgi_strm *fs = mux_stream();
  if (!fs)
    return;
  size_t have = b_data(&fs->rxbuf);
  if (have <= d.rx_seen)
    return;
  size_t n = have - d.rx_seen;
  uint8_t *tmp = malloc(n);
  if (!tmp)
    abort();
  b_getblk(&fs->rxbuf, (char *)tmp, n, d.rx_seen);
  bytebuf_add(&d.out->stdout_raw, tmp, n);
  free(tmp);
  d.rx_seen = have;
}

/* The client side takes every block of the response channel at once; a
 * response the mux marked failed is dropped instead, and the stream ends
 * (http_wait_for_response and http_response_forward_body answer 502 or
 * abort on these flags). */
static void forward_response(void) {
  struct buffer *buf = &d.strm.res.buf;
  struct htx *htx = htxbuf(buf);
  hap_outcome *out = d.out;

  if (htx->flags & (HTX_FL_PARSING_ERROR | HTX_FL_PROCESSING_ERROR)) {
    out->htx_error = 1;
    d.detach_wanted = 1;
    htx_reset(htx);
    htx_to_buf(htx, buf);
    return;
  }
  for (struct htx_blk *blk = htx_get_head_blk(htx); blk;
       blk = htx_get_next_blk(htx, blk)) {
    switch (htx_get_blk_type(blk)) {
    case HTX_BLK_RES_SL:
      out->status =
          ((struct htx_sl *)htx_get_blk_ptr(htx, blk))->info.res.status;
      break;
    case HTX_BLK_EOH:
      out->headers_done = 1;
      d.strm.res.to_forward = CHN_INFINITE_FORWARD; /* body: no reserve */
      break;
    case HTX_BLK_DATA: {
      struct ist v = htx_get_blk_value(htx, blk);
      bytebuf_add(&out->body, v.ptr, v.len);
      break;
    }
    default:
      break;
    }
  }
  if ((htx->flags & HTX_FL_EOM) && !out->eom) {
    out->eom = 1;
    out->raw_at_eom = out->stdout_raw.len;
  }
  htx_reset(htx);
  htx_to_buf(htx, buf);
}

static int stream_ended(void) {
  return se_fl_test(d.scb.sedesc, SE_FL_EOI | SE_FL_EOS | SE_FL_ERROR);
}

static void stream_send(void) {
  if (!b_size(&d.req))
    return;
  struct fcgi_strm *fs = mux_stream();
  int had_id = fs->id != 0;
  fcgi_ops.snd_buf(&d.scb, &d.req, htxbuf(&d.req)->data, 0);
  /* Records are dispatched by id when the demux processes them: from the
   * record whose header it has read but not yet its content, if any. */
  if (!had_id && fs->id) {
    struct fcgi_conn *fconn = fs->fconn;
    d.out->id_from =
        shim_socket_read() - b_data(&fconn->dbuf) -
        (fconn->state == FCGI_CS_RECORD_D ? FCGI_RECORD_HEADER_SZ : 0);
    /* A record of an unknown stream is skipped in state RECORD_P; the
     * demux looks its id up again for the rest of it. */
    d.out->resumed_skip = fconn->state == FCGI_CS_RECORD_P &&
                          fconn->dsi == fs->id && fconn->drl > 0;
  }
  if (!b_data(&d.req))
    b_free(&d.req);
  else if (!(d.scb.wait_event.events & SUB_RETRY_SEND))
    fcgi_ops.subscribe(&d.scb, SUB_RETRY_SEND, &d.scb.wait_event);
}

static void stream_recv(void) {
  struct channel *res = &d.strm.res;
  for (;;) {
    size_t max = channel_htx_recv_max(res, htxbuf(&res->buf));
    note_stdout();
    size_t got = fcgi_ops.rcv_buf(&d.scb, &res->buf, max, 0);
    d.rx_seen = b_data(&mux_stream()->rxbuf);
    forward_response();
    if (d.detach_wanted || stream_ended()) {
      d.detach_wanted = 1;
      return;
    }
    if (!got)
      break;
  }
  if (!(d.scb.wait_event.events & SUB_RETRY_RECV))
    fcgi_ops.subscribe(&d.scb, SUB_RETRY_RECV, &d.scb.wait_event);
}

/* The backend stream connector's tasklet (sc_conn_io_cb's part). */
static struct task *stream_io_cb(struct task *t, void *ctx,
                                 unsigned int state) {
  (void)ctx;
  (void)state;
  if (!d.detach_wanted) {
    stream_send();
    stream_recv();
  }
  return t;
}

/* Wakes the stream when the mux alerts it without a subscription
 * (sc_conn_process's role). */
static int stream_wake(struct stconn *sc) {
  tasklet_wakeup(sc->wait_event.tasklet);
  return 0;
}

static const struct sc_app_ops stream_ops = {
    .wake = stream_wake,
    .name = "STRM",
};

static void set_addr(struct sockaddr_storage *ss, uint32_t ip, uint16_t port) {
  struct sockaddr_in *in = (struct sockaddr_in *)ss;
  memset(ss, 0, sizeof(*ss));
  in->sin_family = AF_INET;
  in->sin_addr.s_addr = htonl(ip);
  in->sin_port = htons(port);
}

static void set_up_backend(const hap_setup *s) {
  memset(&d, 0, sizeof(d));
  d.setup = s;

  d.app.name = "fcgi-app";
  d.app.docroot = ist("/var/www/html");
  d.app.index = ist("index.php");
  d.app.maxreqs = 1;
  d.app.flags = (s->get_values ? FCGI_APP_FL_GET_VALUES : 0) |
                (s->keep_conn ? FCGI_APP_FL_KEEP_CONN : 0) |
                (s->mpxs_conns ? FCGI_APP_FL_MPXS_CONNS : 0);
  LIST_INIT(&d.app.logsrvs);
  LIST_INIT(&d.app.acls);
  LIST_INIT(&d.app.conf.rules);
  shim_layers_set_app(&d.app);

  d.px.id = "be";
  d.px.timeout.server = TICK_ETERNITY;
  d.px.timeout.serverfin = TICK_ETERNITY;

  set_addr(&d.client, 0xc0000201, 50000); /* 192.0.2.1 */
  set_addr(&d.frontend, 0xc0000202, 80);  /* 192.0.2.2 */
  d.sess.fe = &d.px;
  d.sess.src = &d.client;
  d.sess.dst = &d.frontend;
  LIST_INIT(&d.sess.srv_list);

  d.strm.obj_type = OBJ_TYPE_STREAM;
  d.strm.sess = &d.sess;
  d.strm.be = &d.px;
  d.strm.scf = &d.scf;
  d.strm.scb = &d.scb;
  d.strm.res.flags = CF_ISRESP;
  d.scf.obj_type = OBJ_TYPE_SC;
  d.scf.state = SC_ST_EST;
  d.scf.app = &d.strm.obj_type;
  d.scb.obj_type = OBJ_TYPE_SC;
  d.scb.state = SC_ST_EST;
  d.scb.flags = SC_FL_ISBACK;
  d.scb.app = &d.strm.obj_type;
  d.scb.sedesc = calloc(1, sizeof(*d.scb.sedesc));
  if (!d.scb.sedesc)
    abort();
  d.scb.sedesc->sc = &d.scb;
  d.scb.sedesc->flags = SE_FL_DETACHED;
  shim_layers_set_stream(&stream_ops, stream_io_cb);
}

static void build_request(const hap_setup *s) {
  if (!b_alloc(&d.req))
    abort();
  struct htx *htx = htx_from_buf(&d.req);
  unsigned int flags =
      HTX_SL_F_XFER_LEN | HTX_SL_F_BODYLESS | (s->http10 ? 0 : HTX_SL_F_VER_11);
  struct htx_sl *sl = htx_add_stline(
      htx, HTX_BLK_REQ_SL, flags, ist(s->head_request ? "HEAD" : "GET"),
      ist("/app/index.php?q=1"), ist(s->http10 ? "HTTP/1.0" : "HTTP/1.1"));
  if (!sl || !htx_add_header(htx, ist("host"), ist("example.test")) ||
      !htx_add_endof(htx, HTX_BLK_EOH))
    abort();
  sl->info.req.meth = s->head_request ? HTTP_METH_HEAD : HTTP_METH_GET;
  htx->flags |= HTX_FL_EOM;
  htx_to_buf(htx, &d.req);
}

/* What the stream and its connection ended in, read before detaching. */
static void note_state(void) {
  struct fcgi_strm *fs = mux_stream();
  hap_outcome *out = d.out;
  note_stdout();
  out->stream_id = (unsigned)fs->id;
  out->end_seen = !!(fs->flags & FCGI_SF_ES_RCVD);
  out->stream_error = fs->state == FCGI_SS_ERROR ||
                      se_fl_test(fs->sd, SE_FL_ERROR | SE_FL_ERR_PENDING);
  out->chunked = !!(fs->h1m.flags & H1_MF_CHNK);
  out->has_clen = !!(fs->h1m.flags & H1_MF_CLEN);
  out->clen = fs->h1m.body_len;
  out->conn_closed = fs->fconn->state == FCGI_CS_CLOSED;
  out->demux_blocked = !!(fs->fconn->flags & FCGI_CF_DEM_BLOCK_ANY);
  out->all_read = shim_socket_read() == d.setup->len;
}

/* sc_detach_endp, then the end of the stream connector. */
static void stream_detach(void) {
  struct sedesc *sd = d.scb.sedesc;
  if (d.scb.wait_event.events)
    fcgi_ops.unsubscribe(&d.scb, d.scb.wait_event.events, &d.scb.wait_event);
  se_fl_set(sd, SE_FL_ORPHAN);
  sd->sc = NULL;
  d.scb.sedesc = NULL;
  fcgi_ops.detach(sd);
  tasklet_free(d.scb.wait_event.tasklet);
  d.scb.wait_event.tasklet = NULL;
}

/* The mux's DECLARE_STATIC_POOLs, made as their start-up registration
 * makes them (create_pool_callback at STG_POOL). */
static void create_mux_pools(void) {
  if (pool_head_fcgi_conn)
    return;
  create_pool_callback(&pool_head_fcgi_conn, "fcgi_conn",
                       sizeof(struct fcgi_conn));
  create_pool_callback(&pool_head_fcgi_strm, "fcgi_strm",
                       sizeof(struct fcgi_strm));
}

void hap_run(const hap_setup *s, hap_outcome *out) {
  shim_process_setup(s->bufsize);
  create_mux_pools();
  char *trash_area = trash.area;
  set_up_backend(s);
  d.out = out;
  shim_log_sink(log_to_outcome, out);
  if (!b_alloc(&d.strm.res.buf))
    abort();

  d.conn = calloc(1, sizeof(*d.conn));
  if (!d.conn)
    abort();
  d.conn->obj_type = OBJ_TYPE_CONN;
  d.conn->flags = CO_FL_XPRT_READY;
  d.conn->xprt = &shim_xprt;
  d.conn->owner = &d.sess;
  LIST_INIT(&d.conn->session_list);
  shim_socket_open(d.conn, s->in);
  d.conn->mux = &fcgi_ops;
  d.conn->ctx = &d.scb;
  if (fcgi_ops.init(d.conn, &d.px, &d.sess, &BUF_NULL) < 0)
    abort();

  build_request(s);
  stream_send();

  size_t next = 0;
  int closed = 0;
  for (;;) {
    if (shim_run_tasklets(TASKLET_BUDGET) < 0) {
      struct fcgi_conn *fconn = d.conn->ctx;
      out->livelock = 1;
      out->parked_on_whole_record = (fconn->state == FCGI_CS_RECORD_D ||
                                     fconn->state == FCGI_CS_RECORD_P) &&
                                    (fconn->drt == FCGI_END_REQUEST ||
                                     fconn->drt == FCGI_GET_VALUES_RESULT);
      break;
    }
    if (d.detach_wanted)
      break;
    if (next < s->npieces)
      shim_socket_arrive(s->pieces[next++]);
    else if (!closed) {
      shim_socket_close();
      closed = 1;
    } else
      break;
  }

  note_state();
  stream_detach();
  if (shim_socket_alive())
    fcgi_ops.destroy(d.conn->ctx);
  if (shim_run_tasklets(TASKLET_BUDGET) < 0)
    out->livelock = 1;
  b_free(&d.req);
  b_free(&d.strm.res.buf);
  shim_log_sink(NULL, NULL);
  out->trash_swapped = trash.area != trash_area;
}

void hap_outcome_free(hap_outcome *out) {
  bytebuf_free(&out->stdout_raw);
  bytebuf_free(&out->body);
  bytebuf_free(&out->stderr_text);
  memset(out, 0, sizeof(*out));
}

void hap_renew_trash(void) {
  if (!init_trash_buffers(0))
    abort();
}
