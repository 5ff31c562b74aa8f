/* Tokens of one case-file line.
 *
 * A line is split on blanks into words and quoted strings. A quoted string
 * ("GET", with \\ \" \n \r \t \0 and \xHH escapes) may contain blanks.
 * Either kind may end in *N, which repeats it N times: "a"*70000, 00*255.
 * A byte item is a quoted string or a run of hex digit pairs (0a0b or 0a);
 * pieces joined by '+' without blanks form one item: "b"*126+"E"+0a. */
#ifndef FSP_TOKENS_H
#define FSP_TOKENS_H

#include <stddef.h>

#include "bytebuf.h"

typedef struct fsp_tok {
  int quoted;
  char *word;   /* the word without its *N suffix (NULL when quoted) */
  bytebuf text; /* quoted: the unescaped bytes */
  unsigned long repeat;
  int col;              /* 1-based column, for error messages */
  struct fsp_tok *next; /* the piece joined after this one by '+' */
} fsp_tok;

typedef struct fsp_toks {
  fsp_tok *v;
  size_t n;
} fsp_toks;

/* 0 on success; on error writes a message (with the column) into err. */
int toks_split(const char *line, fsp_toks *out, char *err, size_t errlen);
void toks_free(fsp_toks *t);

/* Appends the bytes of one byte item; 0 on success. */
int tok_bytes(const fsp_tok *t, bytebuf *out, char *err, size_t errlen);
/* 1 when the token is a byte item (quoted, or hex pairs). */
int tok_is_bytes(const fsp_tok *t);
/* "key=value" word: returns 1 and points *value after '='. */
int tok_option(const fsp_tok *t, const char *key, const char **value);
/* Unsigned number in decimal or 0x hex, at most max; 0 on success. */
int parse_number(const char *s, unsigned long max, unsigned long *out);

#endif
