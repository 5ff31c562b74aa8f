#include "id0_backend.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "child.h"
#include "fcs/fcs.h"

static int read_all(int fd, uint8_t *p, size_t n) {
  while (n) {
    ssize_t got = read(fd, p, n);
    if (got <= 0)
      return -1;
    p += got;
    n -= (size_t)got;
  }
  return 0;
}

/* One connection, record by record, until a record it closes on. */
static void serve(int fd, int as_end) {
  uint8_t h[FCS_HEADER_LEN], skip[65535 + 255], out[64];
  while (!read_all(fd, h, sizeof(h))) {
    uint16_t id = (uint16_t)(h[2] << 8 | h[3]);
    size_t body = (size_t)(h[4] << 8 | h[5]) + h[6];
    if (read_all(fd, skip, body) || id || h[1] == FCS_GET_VALUES)
      return;
    if (h[1] != FCS_BEGIN_REQUEST)
      continue;
    size_t n = 0;
    fcs_err e = as_end ? fcs_encode_end_request(out, sizeof(out), 0, 0,
                                                FCS_REQUEST_COMPLETE, NULL, &n)
                       : fcs_encode_unknown_type(out, sizeof(out),
                                                 FCS_BEGIN_REQUEST, NULL, &n);
    if (e != FCS_E_OK || write(fd, out, n) != (ssize_t)n)
      return;
  }
}

pid_t id0_backend_start(const char *path, int as_end) {
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof(a.sun_path))
    return -1;
  strcpy(a.sun_path, path);
  int ls = socket(AF_UNIX, SOCK_STREAM, 0);
  if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 16)) {
    perror(path);
    if (ls >= 0)
      close(ls);
    return -1;
  }
  pid_t pid = child_fork(&(child_opts){{-1, -1, -1}, 1});
  if (pid) {
    close(ls);
    return pid;
  }
  for (;;) {
    int fd = accept(ls, NULL, NULL);
    if (fd < 0)
      _exit(1);
    serve(fd, as_end);
    close(fd);
  }
}

void id0_backend_stop(pid_t pid, const char *path) {
  child_stop(pid, 10000);
  unlink(path);
}
