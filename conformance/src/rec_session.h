/* One connection of the recording backend (recorder.h): what its bytes add
 * to the recorder's state (the record log, requests, params, broken rules)
 * and the replies they call for, written by the codec's encoder into an
 * output buffer. No sockets and no threads: recorder.c owns those, and
 * calls these with its lock held. */
#ifndef FSP_REC_SESSION_H
#define FSP_REC_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "case.h"
#include "recorder.h"

/* Requests open at once on one connection: more than any proxy multiplexes
 * (each takes a slot of max_params_bytes in the assembler). */
#define REC_MAX_ACTIVE 16

/* A case's reply for the backend requests that carry marker
 * (recorder_script); the steps (S_REPLY) are the runner's. */
typedef struct rec_script {
  char marker[48];
  const fsp_step *steps;
  size_t n;
} rec_script;

/* A script being played on a connection for request id: the next step,
 * and when it may run (after a wait). */
typedef struct rec_play {
  const fsp_step *steps;
  size_t n, at;
  uint16_t id;
  int keep;       /* the request set KEEP_CONN: the connection stays open */
  int64_t resume; /* ms */
} rec_play;

/* The recorder's state, the room its arrays have, and the scripts. */
typedef struct rec_store {
  rec_state st;
  size_t conns_cap, reqs_cap;
  rec_script *scripts;
  size_t nscripts, scripts_cap;
} rec_store;

/* A request active on a connection: where it is kept, and what finding its
 * PARAMS records and counting its stream records takes. */
typedef struct rec_active {
  uint16_t id;
  size_t req;            /* index in rec_state.reqs */
  uint64_t begin_record; /* index of its BEGIN_REQUEST in the record log */
  uint64_t last_record;  /* the last record that gave it stream bytes */
} rec_active;

typedef struct rec_session {
  size_t conn; /* index in rec_state.conns */
  size_t records_cap;
  fcs_decoder dec; /* the record log's reader */
  fcs_assembler as;
  void *as_mem;
  int failed;  /* the framing broke: nothing more is read */
  bytebuf out; /* replies not written yet, from out_at */
  size_t out_at;
  int closing;   /* close once out is written, reading nothing more */
  int read_done; /* the peer half-closed while a script played: reading
                    nothing more, closing once the plays are done */
  rec_active act[REC_MAX_ACTIVE];
  size_t nact;
  rec_play plays[REC_MAX_ACTIVE]; /* played in order, one at a time */
  size_t nplays;
  int played; /* a script was played here: the connection ends with the
                 case, whatever state the script left it in */
} rec_session;

/* A new connection in the store, read by s. */
void rec_session_open(rec_store *store, rec_session *s);
/* Bytes received on it. */
void rec_session_feed(rec_store *store, rec_session *s, const uint8_t *p,
                      size_t len);
/* The peer closed: a record cut short is a broken rule too (TRUNCATED). */
void rec_session_eof(rec_store *store, rec_session *s);
/* The socket is closed (by_us: the recorder closed it); the requests that
 * had not ended are cut. */
void rec_session_closed(rec_store *store, rec_session *s, int by_us);
void rec_session_free(rec_session *s);

/* The script for request q, or NULL (rec_script.c). */
const rec_script *rec_script_for(const rec_store *store, const rec_request *q);
/* Queues sc's steps as the reply to request id on s. */
void rec_play_start(rec_session *s, const rec_script *sc, uint16_t id,
                    int keep);
/* Runs the steps that are due at now, writing their bytes to s->out with
 * the runner's encoder (produce.c): 1 when it did something. */
int rec_play_tick(rec_session *s, int64_t now);
/* Every byte a script writes for request id, waits left out, up to a
 * close (the fuzz seeds of upstream proxies' reply parsers). */
void rec_script_bytes(const fsp_step *steps, size_t n, uint16_t id,
                      bytebuf *out);
/* When the next step of s falls due (ms), or 0 when none waits. */
int64_t rec_play_due(const rec_session *s);

/* Adds a script to the store (recorder_script). */
void rec_store_add_script(rec_store *store, const char *marker,
                          const fsp_step *steps, size_t n);

/* Frees everything the store holds. */
void rec_store_free(rec_store *store);

#endif
