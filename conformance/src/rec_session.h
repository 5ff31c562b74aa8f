/* One connection of the recording backend (recorder.h): what its bytes add
 * to the recorder's state (the record log, requests, params, broken rules)
 * and the replies they call for, written by the codec's encoder into an
 * output buffer. No sockets and no threads: recorder.c owns those, and
 * calls these with its lock held. */
#ifndef FCS_REC_SESSION_H
#define FCS_REC_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "recorder.h"

/* Requests open at once on one connection: more than any proxy multiplexes
 * (each takes a slot of max_params_bytes in the assembler). */
#define REC_MAX_ACTIVE 16

/* The recorder's state and the room its arrays have. */
typedef struct rec_store {
  rec_state st;
  size_t conns_cap, reqs_cap;
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
  fcs_buf out; /* replies not written yet, from out_at */
  size_t out_at;
  int closing; /* close once out is written, reading nothing more */
  rec_active act[REC_MAX_ACTIVE];
  size_t nact;
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

/* Frees everything the store holds. */
void rec_store_free(rec_store *store);

#endif
