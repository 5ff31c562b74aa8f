/* Workload d: libfcs next to libfcgi (Debian's libfcgi-dev, the FastCGI
 * application library C programs use), parsing the same requests from the
 * same socket in the same run.
 *
 * The input is a stream of responder requests on one keep-alive connection
 * with the parameters nginx sends (fastcgi_params plus HTTP_* headers) and
 * a STDIN body, cut into messages of at most PEER_MESSAGE_MAX bytes that
 * never span two requests. A feeder thread sends the messages over a
 * SOCK_SEQPACKET socketpair, so every read() returns at most one message:
 * libfcgi frees its read buffer when a request ends and would drop the
 * bytes of the next request that one read() of a byte stream took along
 * (a web server never sends the next request before END_REQUEST; this
 * lets the feeder send ahead without that loss). Each consumer, per
 * request: looks up the PEER_LOOKUPS names, copies the body into its own
 * buffer (or, peer_run_libfcs_in_place, takes it where it lies) and writes the
 * empty STDOUT record and END_REQUEST (the 24 bytes libfcgi's FCGX_Finish_r
 * writes) in one write(); the feeder drains them. */
#ifndef FCS_BENCH_PEER_H
#define FCS_BENCH_PEER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "inputs.h"

/* libfcgi reads into a buffer of 8192 bytes (fcgiapp.c, NewReader); a
 * longer SEQPACKET message would be cut at that size. */
#define PEER_MESSAGE_MAX 8192

/* The names the application looks up in every request, the last one absent
 * from the input (an application asks for headers the client did not
 * send). */
#define PEER_LOOKUPS 12
extern const char *const peer_lookups[PEER_LOOKUPS];

typedef struct peer_input {
  bench_input in;  /* the stream; in.requests requests */
  size_t *msg_end; /* message i: bytes [msg_end[i-1] or 0, msg_end[i]) */
  size_t nmsgs;
  uint32_t body_len; /* STDIN bytes of every request */
  uint32_t pairs;    /* PARAMS pairs of every request */
  /* Per request: lookups that find their name, and their value bytes. */
  uint32_t found;
  uint64_t found_bytes;
} peer_input;

/* Requests with a body_len-byte STDIN, as many as fit in about size bytes
 * (at least one). */
int peer_make_input(peer_input *p, size_t size, uint32_t body_len);
void peer_input_free(peer_input *p);

/* What a consumer counted in its last run. */
typedef struct peer_counts {
  uint64_t requests;
  uint64_t found;       /* lookups that found their name */
  uint64_t found_bytes; /* bytes of the values found */
  uint64_t body_bytes;  /* STDIN bytes the application read */
  uint64_t reply_bytes; /* bytes the feeder drained */
} peer_counts;

typedef struct peer_job {
  const peer_input *in;
  uint8_t *body; /* the application's body buffer, body_len bytes */
  peer_counts counts;
  /* The consumer thread's CPU time (user and system) in the last run: what
   * it spent, without the time it waited for the feeder or for a CPU. */
  double cpu_s;
} peer_job;

/* The consumers, bench_fn style: each opens a socketpair, starts the
 * feeder, serves every request of job->in, fills job->counts and returns
 * the requests served. */
uint64_t peer_run_libfcgi(void *job);
uint64_t peer_run_libfcs(void *job);
/* The same, but the application takes the body slices where they lie
 * (STREAM_DATA points into the read buffer), as a consumer that streams
 * the body on (to a file, a hash, an incremental parser) can: libfcgi
 * copies every body byte into the caller's buffer (FCGX_GetStr), libfcs
 * needs no copy. body_bytes counts the slices. */
uint64_t peer_run_libfcs_in_place(void *job);
/* The transport alone: reads the messages and answers each one that ends a
 * request with the same 24 bytes, parsing nothing (found, body_bytes 0). */
uint64_t peer_run_socket(void *job);

/* The feeder: a thread that sends in's messages on fd and drains what comes
 * back until the other end shuts down its writing side. */
typedef struct peer_feeder {
  int fd;
  int wake; /* eventfd: peer_disconnect's signal */
  const peer_input *in;
  uint64_t reply_bytes;
  int error; /* errno of a failed call, 0 if none */
  pthread_t thread;
} peer_feeder;

/* A SOCK_SEQPACKET socketpair: sv[0] for the consumer, sv[1] for the
 * feeder started on it. Exits on failure. */
void peer_connect(int sv[2], peer_feeder *f, const peer_input *in);
/* Shuts down the consumer's writing side, waits for the feeder, closes both
 * ends; returns the reply bytes drained. Exits if the feeder failed. */
uint64_t peer_disconnect(int sv[2], peer_feeder *f);

/* The reply: the empty STDOUT record and END_REQUEST (complete, status 0),
 * the 24 bytes libfcgi's FCGX_Finish_r writes, with the codec's encoder.
 * Returns the length. */
size_t peer_encode_reply(uint8_t *out, size_t cap, uint16_t id);

/* CPU seconds the calling thread has used. */
double peer_thread_cpu_s(void);
/* Sets job->cpu_s; start is peer_thread_cpu_s() at the run's start. */
void peer_note_cpu(peer_job *job, double start);

/* Stops the benchmark: a consumer hit something the input does not hold. */
void peer_die(const char *who, const char *what);

#endif
