/* Echo handler on libfcgi (FCGX_Accept_r loop): prints every param, the
 * body and, for a Filter, its FCGI_DATA stream in the reference responder's
 * line format. Built and started by scripts/backends/libfcgi.sh. */
#include <fastcgi.h>
#include <fcgiapp.h>
#include <stdio.h>
#include <string.h>

static void esc(FCGX_Stream *out, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x21 || c > 0x7e || c == '%' || c == '=')
      FCGX_FPrintF(out, "%%%02X", c);
    else
      FCGX_PutChar(c, out);
  }
}

int main(void) {
  FCGX_Request rq;
  FCGX_Init();
  FCGX_InitRequest(&rq, 0, 0);
  static char body[1 << 20], data[1 << 20];
  while (FCGX_Accept_r(&rq) == 0) {
    int n = FCGX_GetStr(body, sizeof(body), rq.in);
    FCGX_FPrintF(rq.out, "Content-Type: text/plain\r\n\r\nrole LIBFCGI\n");
    for (char **e = rq.envp; *e; e++) {
      const char *eq = strchr(*e, '=');
      size_t nl = eq ? (size_t)(eq - *e) : strlen(*e);
      FCGX_PutS("param ", rq.out);
      esc(rq.out, *e, nl);
      FCGX_PutChar('=', rq.out);
      if (eq)
        esc(rq.out, eq + 1, strlen(eq + 1));
      FCGX_PutChar('\n', rq.out);
    }
    FCGX_FPrintF(rq.out, "stdin %d\n", n);
    FCGX_PutStr(body, n, rq.out);
    /* A Filter's file follows STDIN: libfcgi switches its input stream to
     * FCGI_DATA once STDIN is read to its end. */
    if (rq.role == FCGI_FILTER && FCGX_StartFilterData(rq.in) == 0) {
      int d = FCGX_GetStr(data, sizeof(data), rq.in);
      FCGX_FPrintF(rq.out, "\ndata %d\n", d);
      FCGX_PutStr(data, d, rq.out);
    }
    FCGX_PutS("\nend\n", rq.out);
    FCGX_Finish_r(&rq);
  }
  return 0;
}
