/* Workload d's transport: the feeder thread and the socket-only consumer. */
#define _GNU_SOURCE /* sendmmsg, recvmmsg */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fcs/encoder.h"
#include "peer.h"

#define BATCH 64
#define REPLY_SLOT 512 /* larger than any reply, so none is cut */

void peer_die(const char *who, const char *what) {
  fprintf(stderr, "fcs-bench: workload d, %s: %s\n", who, what);
  exit(1);
}

/* Sends messages in batches and drains replies in batches, both without
 * blocking. When neither moves it sleeps in poll() for room to send (the
 * kernel wakes it when half the send buffer is free) or for peer_disconnect,
 * never for a reply: a reply that wakes the feeder costs the consumer a
 * cross-CPU wake-up per request. Replies wait in the consumer's large send
 * buffer and are drained at least every millisecond. */
static void *feed(void *arg) {
  peer_feeder *f = arg;
  const peer_input *in = f->in;
  struct mmsghdr out[BATCH], back[BATCH];
  struct iovec out_iov[BATCH], back_iov[BATCH];
  static _Thread_local uint8_t slots[BATCH][REPLY_SLOT];
  size_t next = 0;
  int ending = 0;
  memset(out, 0, sizeof(out));
  memset(back, 0, sizeof(back));
  for (int j = 0; j < BATCH; j++) {
    out[j].msg_hdr.msg_iov = &out_iov[j];
    out[j].msg_hdr.msg_iovlen = 1;
    back_iov[j].iov_base = slots[j];
    back_iov[j].iov_len = REPLY_SLOT;
    back[j].msg_hdr.msg_iov = &back_iov[j];
    back[j].msg_hdr.msg_iovlen = 1;
  }
  for (;;) {
    int moved = 0;
    if (next < in->nmsgs) {
      unsigned n =
          in->nmsgs - next < BATCH ? (unsigned)(in->nmsgs - next) : BATCH;
      for (unsigned j = 0; j < n; j++) {
        size_t start = next + j ? in->msg_end[next + j - 1] : 0;
        out_iov[j].iov_base = in->in.bytes + start;
        out_iov[j].iov_len = in->msg_end[next + j] - start;
      }
      int sent = sendmmsg(f->fd, out, n, MSG_DONTWAIT);
      if (sent > 0) {
        next += (size_t)sent;
        moved = 1;
      } else if (errno != EAGAIN) {
        f->error = errno;
        return NULL;
      }
    }
    int got = recvmmsg(f->fd, back, BATCH, MSG_DONTWAIT, NULL);
    if (got < 0 && errno != EAGAIN) {
      f->error = errno;
      return NULL;
    }
    for (int j = 0; j < got; j++) {
      if (back[j].msg_len == 0) /* the consumer shut down its side */
        return NULL;
      if (back[j].msg_hdr.msg_flags & MSG_TRUNC) {
        f->error = EMSGSIZE;
        return NULL;
      }
      f->reply_bytes += back[j].msg_len;
      moved = 1;
    }
    if (got == 0)
      return NULL;
    if (!moved && !ending) {
      struct pollfd p[2] = {{f->fd, 0, 0}, {f->wake, POLLIN, 0}};
      if (next < in->nmsgs)
        p[0].events = POLLOUT;
      if (poll(p, 2, 1) < 0 && errno != EINTR) {
        f->error = errno;
        return NULL;
      }
      ending = p[1].revents != 0;
    }
  }
}

/* A send buffer far larger than the default (about 200 KiB), so the feeder
 * stays ahead of the consumer and the consumer's replies never fill it;
 * SO_SNDBUFFORCE passes the system's limit where the caller may (root). */
static void grow_send_buffer(int fd) {
  int size = 32 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) != 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

double peer_thread_cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void peer_note_cpu(peer_job *job, double start) {
  job->cpu_s = peer_thread_cpu_s() - start;
}

void peer_connect(int sv[2], peer_feeder *f, const peer_input *in) {
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    peer_die("socketpair", strerror(errno));
  grow_send_buffer(sv[0]);
  grow_send_buffer(sv[1]);
  memset(f, 0, sizeof(*f));
  f->fd = sv[1];
  f->in = in;
  f->wake = eventfd(0, EFD_CLOEXEC);
  if (f->wake < 0)
    peer_die("eventfd", strerror(errno));
  int rc = pthread_create(&f->thread, NULL, feed, f);
  if (rc != 0)
    peer_die("pthread_create", strerror(rc));
}

uint64_t peer_disconnect(int sv[2], peer_feeder *f) {
  uint64_t one = 1;
  if (shutdown(sv[0], SHUT_WR) != 0 ||
      write(f->wake, &one, sizeof(one)) != sizeof(one))
    peer_die("shutdown", strerror(errno));
  pthread_join(f->thread, NULL);
  close(sv[0]);
  close(sv[1]);
  close(f->wake);
  if (f->error)
    peer_die("feeder", strerror(f->error));
  return f->reply_bytes;
}

size_t peer_encode_reply(uint8_t *out, size_t cap, uint16_t id) {
  size_t a, b;
  fcs_encode_stream(out, cap, FCS_STDOUT, id, NULL, 0, 1, NULL, &a);
  fcs_encode_end_request(out + a, cap - a, id, 0, FCS_REQUEST_COMPLETE, NULL,
                         &b);
  return a + b;
}

uint64_t peer_run_socket(void *arg) {
  peer_job *job = arg;
  double cpu = peer_thread_cpu_s();
  static uint8_t buf[PEER_MESSAGE_MAX];
  uint8_t reply[32], stdin_end[FCS_HEADER_LEN];
  size_t reply_len = peer_encode_reply(reply, sizeof(reply), 1), end_len;
  fcs_encode_stream(stdin_end, sizeof(stdin_end), FCS_STDIN, 1, NULL, 0, 1,
                    NULL, &end_len);
  int sv[2];
  peer_feeder f;
  peer_connect(sv, &f, job->in);
  memset(&job->counts, 0, sizeof(job->counts));
  while (job->counts.requests < job->in->in.requests) {
    ssize_t n = read(sv[0], buf, sizeof(buf));
    if (n <= 0)
      peer_die("socket only", n ? strerror(errno) : "early end of input");
    /* A request's last message ends with its empty STDIN record. */
    if ((size_t)n >= end_len &&
        memcmp(buf + n - end_len, stdin_end, end_len) == 0) {
      if (write(sv[0], reply, reply_len) != (ssize_t)reply_len)
        peer_die("socket only", "short write");
      job->counts.requests++;
    }
  }
  job->counts.reply_bytes = peer_disconnect(sv, &f);
  peer_note_cpu(job, cpu);
  return job->counts.requests;
}
