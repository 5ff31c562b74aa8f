/* What the echo applications of the cross-check (echo_libfcgi.c, echo.php)
 * write to STDOUT for every request, after the CGI response headers and the
 * blank line that ends them:
 *
 *   params <n>\n
 *   <name>=<value>\n          n lines, one per parameter the app received
 *   stdin <len>\n
 *   <len bytes: the request body exactly as received>
 *
 * and one line to STDERR, so that stream is used (and must be ended) too. */
#ifndef FCS_INTEROP_ECHO_FORMAT_H
#define FCS_INTEROP_ECHO_FORMAT_H

#define ECHO_PARAMS_TAG "params "
#define ECHO_STDIN_TAG "stdin "

#endif
