/* The recording backend of proxy mode: a FastCGI application that listens
 * where a reverse proxy forwards, keeps every connection, record and
 * request the proxy sends, byte for byte, and answers each complete
 * request with a small valid response (docs/proxies.md). It reads through
 * the codec's application-side assembler in observe mode, so the rules a
 * proxy breaks are the codec's own. It runs in a thread of its own; the
 * runner reads what it kept under recorder_lock. */
#ifndef FSP_RECORDER_H
#define FSP_RECORDER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"
#include "fcs/fcs.h"
#include "target.h"

/* A complete request is answered with "Status: 200 OK", a text/plain body
 * "recorded request N\n" and the header "REC_REPLY_HEADER: N", N being its
 * index in rec_state.reqs, an aborted one with an empty STDOUT, each then
 * with END_REQUEST (complete, appStatus 0). An unknown role gets
 * END_REQUEST (UNKNOWN_ROLE) alone, a request beyond 16 open on one
 * connection END_REQUEST (OVERLOADED). */
#define REC_REPLY_HEADER "X-Fcgispec-Recorder"

/* Bytes of STDIN or DATA kept per request; beyond it they are counted. */
#define REC_STREAM_KEEP (2u << 20)

/* One record header as it arrived. */
typedef struct rec_record {
  uint8_t version, type, padding, reserved;
  uint16_t id, clen;
  uint64_t offset; /* its first header byte in the connection's bytes */
  int64_t t;       /* ms (clock.h) when its header arrived */
} rec_record;

typedef struct rec_param {
  bytebuf name, value;
  uint8_t name_long, value_long; /* the length was written in 4 bytes */
  uint8_t straddles;             /* the pair spans two PARAMS records */
} rec_param;

typedef struct rec_request {
  size_t conn; /* index in the recorder's connections */
  uint16_t id, role;
  uint8_t flags;          /* BEGIN_REQUEST flags (KEEP_CONN) */
  uint32_t others_active; /* other requests active at BEGIN */
  rec_param *params;      /* in arrival order, duplicates kept */
  size_t nparams;
  size_t params_records;               /* PARAMS records, the empty one too */
  bytebuf in, data;                    /* STDIN, DATA (first REC_STREAM_KEEP) */
  uint64_t in_total, data_total;       /* bytes received, kept or not */
  size_t in_records, data_records;     /* records with content */
  int params_done, in_done, data_done; /* the stream's empty record came */
  int aborted;                         /* ABORT_REQUEST arrived */
  int answered;                        /* we sent END_REQUEST */
  int scripted;         /* answered by the case's reply lines instead */
  int cut;              /* the connection closed before it ended */
  int64_t begun, ended; /* ms; ended 0 while open */
} rec_request;

typedef struct rec_conn {
  int64_t opened, closed; /* ms; closed 0 while open */
  int closed_by_us;       /* we closed it: a request without KEEP_CONN
                             ended, or the framing broke */
  rec_record *records;
  size_t nrecords;
  uint64_t bytes;
  bytebuf violations; /* one line per broken rule: "NAME at byte N\n"
                         (fcs_err_name; TRUNCATED when the peer
                         closed inside a record) */
  size_t nviolations;
  size_t get_values; /* FCGI_GET_VALUES records */
  size_t requests;   /* BEGIN_REQUESTs accepted on it */
} rec_conn;

typedef struct fsp_recorder fsp_recorder;

/* Starts listening on addr and serving in a new thread. NULL with err set
 * ("cannot listen on unix:/x: Address in use") on failure. A unix path is
 * claimed as unix_path_claim does and removed by recorder_stop. */
fsp_recorder *recorder_start(const fsp_target *addr, char *err, size_t errlen);
/* Stops the thread, closes every socket, frees everything. */
void recorder_stop(fsp_recorder *r);

/* The recorder's state, readable between lock and unlock: arrays only grow
 * (their pointers change while unlocked). */
typedef struct rec_state {
  rec_conn *conns;
  size_t nconns;
  rec_request *reqs; /* in the order their BEGIN_REQUEST arrived */
  size_t nreqs;
  uint64_t events; /* bumped on every change: a cheap "anything new?" */
} rec_state;

const rec_state *recorder_lock(fsp_recorder *r);
void recorder_unlock(fsp_recorder *r);

/* Waits until the state's event count differs from since or until the
 * absolute time until (ms, clock.h); returns the current count. */
uint64_t recorder_wait(fsp_recorder *r, uint64_t since, int64_t until);

/* Answers the backend requests whose params carry marker (rec_marker_in)
 * with steps (S_REPLY, case.h) instead of the default reply, from when
 * their input is complete; the steps stay the caller's until
 * recorder_scripts_clear. */
struct fsp_step;
void recorder_script(fsp_recorder *r, const char *marker,
                     const struct fsp_step *steps, size_t n);
/* Forgets every script; a connection that played one is closed (a
 * script may leave it in any state: waiting, or with a request never
 * ended). */
void recorder_scripts_clear(fsp_recorder *r);

/* 1 when the value holds the marker whole (not as the start of a longer
 * one: fcgispec=c1r1 is not in fcgispec=c1r12). */
int rec_marker_in(const bytebuf *v, const char *marker);

/* The value of the first param called name, or NULL. */
const bytebuf *rec_param_value(const rec_request *q, const char *name);
/* How many params are called name. */
size_t rec_param_count(const rec_request *q, const char *name);

#endif
