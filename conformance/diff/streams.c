/* fcgi-diff streams: generated streams to files, one JSON line each. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "gen.h"
#include "jsonl.h"

static int write_file(const char *path, const bytebuf *b) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  size_t n = b->len ? fwrite(b->p, 1, b->len, f) : 0;
  return fclose(f) == 0 && n == b->len ? 0 : -1;
}

static void print_line(uint64_t index, const char *file, const gen_stream *s) {
  bytebuf line = {0};
  bytebuf_fmt(&line, "{\"id\": %llu, \"file\": ", (unsigned long long)index);
  jsonl_str(&line, file);
  bytebuf_fmt(&line, ", \"size\": %zu, \"mutations\": [", s->bytes.len);
  for (int m = 0, n = 0; m < GM_COUNT; m++)
    if ((s->mutations >> m) & 1) {
      bytebuf_str(&line, n++ ? ", " : "");
      jsonl_str(&line, gen_mutation_name((gen_mutation)m));
    }
  bytebuf_str(&line, "]}\n");
  fwrite(line.p, 1, line.len, stdout);
  bytebuf_free(&line);
}

int cmd_streams(int argc, char **argv) {
  uint64_t seed = 0, count = 0, first = 0;
  int have_seed = 0, have_count = 0;
  const char *dir = NULL;
  for (int i = 0; i < argc; i++) {
    const char *o = argv[i], *v = i + 1 < argc ? argv[++i] : NULL;
    if (strcmp(o, "--seed") && strcmp(o, "--count") && strcmp(o, "--first") &&
        strcmp(o, "--out"))
      return usage_error("streams: unknown argument '%s'", o);
    if (!v)
      return usage_error("streams: %s needs a value", o);
    if (!strcmp(o, "--out"))
      dir = v;
    else if (!strcmp(o, "--seed")    ? parse_number(o, v, UINT64_MAX, &seed)
             : !strcmp(o, "--count") ? parse_number(o, v, 1000000, &count)
                                     : parse_number(o, v, 999999, &first))
      return EXIT_USAGE;
    have_seed |= !strcmp(o, "--seed");
    have_count |= !strcmp(o, "--count");
  }
  if (!have_seed || !have_count || !dir)
    return usage_error("streams needs --seed, --count and --out");
  if (first + count > 1000000)
    return usage_error("streams: --first + --count is past 999999, the last "
                       "6-digit file name");
  if (mkdir(dir, 0777) && errno != EEXIST)
    return usage_error("--out %s: %s", dir, strerror(errno));
  for (uint64_t i = first; i < first + count; i++) {
    gen_stream s;
    gen_make(seed, i, &s);
    char file[32], path[4096];
    snprintf(file, sizeof(file), "%06llu.bin", (unsigned long long)i);
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if (write_file(path, &s.bytes)) {
      fprintf(stderr, "fcgi-diff: cannot write %s: %s\n", path,
              strerror(errno));
      gen_stream_free(&s);
      return 1;
    }
    print_line(i, file, &s);
    gen_stream_free(&s);
  }
  return EXIT_DONE;
}
