#include "backend.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* libfcgi: the echo application of this directory, linked against it. */
static int start_libfcgi(const interop_backend *b, char *const args[],
                         const interop_tempdir *dir, const char *socket_path,
                         interop_server *s) {
  char log[256];
  char *argv[] = {args[0], (char *)socket_path, NULL};
  if (tempdir_file(dir, "echo.log", log, sizeof(log)))
    return -1;
  return server_start(s, b->name, argv, log);
}

/* php-fpm: one static worker, no php.ini, configuration in dir, its log on
 * stderr (so in the server log). As root it needs --allow-to-run-as-root and
 * an explicit pool user. */
static int start_php_fpm(const interop_backend *b, char *const args[],
                         const interop_tempdir *dir, const char *socket_path,
                         interop_server *s) {
  char conf[256], log[256];
  if (tempdir_file(dir, "php-fpm.conf", conf, sizeof(conf)) ||
      tempdir_file(dir, "php-fpm.log", log, sizeof(log)))
    return -1;
  FILE *f = fopen(conf, "w");
  if (!f) {
    perror(conf);
    return -1;
  }
  int root = geteuid() == 0;
  fprintf(f,
          "[global]\nerror_log = /proc/self/fd/2\ndaemonize = no\n\n"
          "[echo]\nlisten = %s\npm = static\npm.max_children = 1\n"
          "clear_env = yes\n%s",
          socket_path, root ? "user = root\n" : "");
  fclose(f);
  char *argv[] = {args[0],
                  "--nodaemonize",
                  "--no-php-ini",
                  "--fpm-config",
                  conf,
                  root ? "--allow-to-run-as-root" : NULL,
                  NULL};
  return server_start(s, b->name, argv, log);
}

static const interop_backend backends[] = {
    /* libfcgi reads the GET_VALUES pairs through its stream reader, which
     * looks for the next record header before it answers (fcgiapp.c,
     * ProcessManagementRecord). */
    {"libfcgi", start_libfcgi, 1, "ECHO-APP", 1, 1},
    {"php-fpm", start_php_fpm, 2, "PHP-FPM ECHO-SCRIPT", 0, 0},
};

const interop_backend *backend_find(const char *name) {
  for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
    if (strcmp(backends[i].name, name) == 0)
      return &backends[i];
  return NULL;
}

const interop_backend *backend_list(size_t *count) {
  *count = sizeof(backends) / sizeof(backends[0]);
  return backends;
}
