/* The applications the cross-check runs against: how to start each on a
 * Unix socket, what each needs in every request, and the deviations from
 * strict FastCGI 1.0 it is known to have. A known deviation is still
 * printed on every run; the check fails if it disappears or changes, so
 * the list stays true. */
#ifndef FCS_INTEROP_BACKEND_H
#define FCS_INTEROP_BACKEND_H

#include <stddef.h>

#include "server.h"
#include "tempdir.h"

typedef struct interop_backend {
  const char *name;
  /* argv[1..]: the program and its files, from the command line. */
  int (*start)(const struct interop_backend *b, char *const args[],
               const interop_tempdir *dir, const char *socket_path,
               interop_server *s);
  int nargs;
  const char *args_usage; /* "ECHO-APP" */
  /* Known deviations from strict FastCGI 1.0: */
  /* GET_VALUES is answered only once the next record arrives. */
  int get_values_deferred;
  /* 1: STDOUT, and STDERR when used, end with their empty records. 0:
   * neither does, END_REQUEST follows the data directly, and the strict
   * verdict on every reply must be MISSING_STREAM_END. */
  int ends_streams;
} interop_backend;

/* The backend called name, or NULL. */
const interop_backend *backend_find(const char *name);

/* All backends, for the usage message. */
const interop_backend *backend_list(size_t *count);

#endif
