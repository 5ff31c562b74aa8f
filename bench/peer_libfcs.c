/* Workload d with libfcs: the application-side assembler, strict, on the
 * bytes read() returns, and the codec's encoder for the reply. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fcs/assembler.h"
#include "peer.h"

/* The names the application looks up, chained by length: a pair's name is
 * compared only with the names of its length. */
#define LOOKUP_MAX_LEN 64
typedef struct lookups {
  const char *name[PEER_LOOKUPS];
  uint32_t len[PEER_LOOKUPS];
  uint8_t first[LOOKUP_MAX_LEN + 1]; /* 1 + index of the first, 0 none */
  uint8_t next[PEER_LOOKUPS];        /* 1 + index of the next, 0 none */
} lookups;

static void lookups_init(lookups *t) {
  memset(t, 0, sizeof(*t));
  for (int l = PEER_LOOKUPS - 1; l >= 0; l--) {
    size_t len = strlen(peer_lookups[l]);
    if (len > LOOKUP_MAX_LEN)
      peer_die("libfcs", "a looked-up name is too long");
    t->name[l] = peer_lookups[l];
    t->len[l] = (uint32_t)len;
    t->next[l] = t->first[len];
    t->first[len] = (uint8_t)(l + 1);
  }
}

/* The one place that finds the application's names in a request's PARAMS:
 * one pass over the pairs the assembler parsed. found[l] gets the pair of
 * t->name[l] (name NULL if absent); returns how many were found. */
static uint32_t lookup_params(const fcs_asm_event *ev, const lookups *t,
                              fcs_nv_pair found[PEER_LOOKUPS]) {
  uint32_t nfound = 0;
  memset(found, 0, PEER_LOOKUPS * sizeof(found[0]));
  for (uint32_t i = 0; i < ev->npairs && nfound < PEER_LOOKUPS; i++) {
    const fcs_nv_pair *pair = &ev->pairs[i];
    if (pair->name_len > LOOKUP_MAX_LEN)
      continue;
    for (int l = t->first[pair->name_len]; l; l = t->next[l - 1])
      if (!found[l - 1].name &&
          memcmp(pair->name, t->name[l - 1], pair->name_len) == 0) {
        found[l - 1] = *pair;
        nfound++;
        break;
      }
  }
  return nfound;
}

/* One consumer's state over a run. */
typedef struct consumer {
  peer_job *job;
  int in_place, fd;
  lookups names;
  size_t have; /* body bytes of the current request */
  fcs_assembler a;
} consumer;

/* An assembler for one request at a time, its body passed through. */
static void *assembler_open(fcs_assembler *a) {
  fcs_limits limits;
  fcs_limits_default(&limits);
  limits.max_requests = 1;
  limits.max_pairs = 128;
  limits.max_params_bytes = 16384;
  limits.max_stream_bytes = 0; /* the body passes through to the app */
  size_t memlen = fcs_assembler_memory_size(&limits);
  void *mem = malloc(memlen);
  if (!mem || fcs_assembler_init(a, FCS_SIDE_APP, FCS_STRICT, &limits, mem,
                                 memlen) != FCS_E_OK)
    peer_die("libfcs", "assembler setup failed");
  return mem;
}

/* The work every consumer does per request: look the names up, take the
 * body, answer at its end. */
static void consume(consumer *k, const fcs_asm_event *ev) {
  const peer_input *in = k->job->in;
  peer_counts *c = &k->job->counts;
  if (ev->type == FCS_AE_PARAMS) {
    fcs_nv_pair found[PEER_LOOKUPS];
    c->found += lookup_params(ev, &k->names, found);
    for (int l = 0; l < PEER_LOOKUPS; l++)
      c->found_bytes += found[l].value_len;
  } else if (ev->type == FCS_AE_STREAM_DATA && ev->record_type == FCS_STDIN) {
    if (ev->len > in->body_len - k->have)
      peer_die("libfcs", "the body is longer than the input's");
    if (!k->in_place)
      memcpy(k->job->body + k->have, ev->data, ev->len);
    k->have += ev->len;
  } else if (ev->type == FCS_AE_STREAM_END && ev->record_type == FCS_STDIN) {
    if (k->have != in->body_len)
      peer_die("libfcs", "the body is shorter than the input's");
    c->body_bytes += k->have;
    k->have = 0;
    uint8_t reply[32];
    size_t len = peer_encode_reply(reply, sizeof(reply), ev->request_id);
    if (write(k->fd, reply, len) != (ssize_t)len)
      peer_die("libfcs", "short write");
    fcs_assembler_end(&k->a, ev->request_id);
    c->requests++;
  } else if (ev->type != FCS_AE_BEGIN) {
    peer_die("libfcs", ev->type == FCS_AE_ERROR
                           ? fcs_err_name(ev->error.code)
                           : "an event the input should not give");
  }
}

static uint64_t run(peer_job *job, int in_place) {
  double cpu = peer_thread_cpu_s();
  const peer_input *in = job->in;
  peer_counts *c = &job->counts;
  static uint8_t buf[PEER_MESSAGE_MAX];
  consumer k = {.job = job, .in_place = in_place};
  lookups_init(&k.names);
  void *mem = assembler_open(&k.a);
  int sv[2];
  peer_feeder f;
  peer_connect(sv, &f, in);
  k.fd = sv[0];
  memset(c, 0, sizeof(*c));
  while (c->requests < in->in.requests) {
    ssize_t n = read(sv[0], buf, sizeof(buf));
    if (n <= 0)
      peer_die("libfcs", n ? strerror(errno) : "early end of input");
    const uint8_t *p = buf;
    size_t left = (size_t)n;
    for (;;) {
      fcs_asm_event ev;
      size_t used = fcs_assembler_feed(&k.a, p, left, &ev);
      p += used;
      left -= used;
      if (ev.type != FCS_AE_NONE)
        consume(&k, &ev);
      else if (!left)
        break;
    }
  }
  c->reply_bytes = peer_disconnect(sv, &f);
  peer_note_cpu(job, cpu);
  free(mem);
  return c->requests;
}

uint64_t peer_run_libfcs(void *job) { return run(job, 0); }

uint64_t peer_run_libfcs_in_place(void *job) { return run(job, 1); }
