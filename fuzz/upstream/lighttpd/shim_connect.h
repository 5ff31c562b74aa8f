/* The FastCGI application's socket (shim_connect.c). */
#ifndef LTS_SHIM_CONNECT_H
#define LTS_SHIM_CONNECT_H

/* The unix socket fastcgi.server names. Nothing is created there: a
 * connect() to it is answered by shim_connect.c. */
#define LTS_APP_SOCKET "/fcgispec/lighttpd-app.sock"

/* The application's end of the connection lighttpd made last, handed
 * over once (-1 when there is none). */
int lts_app_accept(void);

#endif
