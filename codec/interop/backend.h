/* The applications the cross-check runs against: how to start each on a
 * Unix socket, what each needs in every request, and the deviations from
 * strict FastCGI 1.0 it is known to have. A known deviation is still
 * printed on every run; the check fails if it disappears or changes, so
 * the list stays true. */
#ifndef FCS_INTEROP_BACKEND_H
#define FCS_INTEROP_BACKEND_H

#include <stddef.h>

#include "fcs/error.h"
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
  /* Known deviations from strict FastCGI 1.0. */
  /* GET_VALUES is answered only once the next record arrives. */
  int get_values_deferred;
  /* The strict verdict every responder reply gets (FCS_E_OK: clean). */
  fcs_err reply_deviation;
  const char *reply_note; /* what that deviation looks like on the wire */
} interop_backend;

/* The backend called name, or NULL. */
const interop_backend *backend_find(const char *name);

/* All backends, for the usage message. */
const interop_backend *backend_list(size_t *count);

#endif
