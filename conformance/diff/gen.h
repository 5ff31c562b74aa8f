/* fcgi-diff's stream generator: seeded, structure-aware FastCGI request
 * streams for differential testing (docs/differential.md). Stream INDEX of
 * seed SEED is always the same bytes (rng.h). Each stream is one request
 * (two with `interleave`) as a web server would send it, with nginx's
 * params, then zero or more named mutations. Streams 0, 1 and 2 of every
 * seed are unmutated: a GET, a POST with a body, a GET with KEEP_CONN.
 * Every byte comes from produce.c, the runner's one encoder. */
#ifndef FSP_DIFF_GEN_H
#define FSP_DIFF_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "bytebuf.h"
#include "fcs/proto.h"

/* Every request's SCRIPT_FILENAME value: GEN_PLACEHOLDER_PREFIX then '@'
 * up to 255 bytes, kept whole in one PARAMS record so `view` can replace
 * it by each target's script path (script.h). */
#define GEN_PLACEHOLDER_LEN 255
#define GEN_PLACEHOLDER_PREFIX "@fcgi-diff-script-filename@"
void gen_placeholder(uint8_t out[GEN_PLACEHOLDER_LEN]);

#define GEN_MUTATIONS(X)                                                       \
  X(SPLIT_PARAMS, "split-params")                                              \
  X(SPLIT_STDIN, "split-stdin")                                                \
  X(EMPTY_MID_PARAMS, "empty-mid-params")                                      \
  X(EMPTY_MID_STDIN, "empty-mid-stdin")                                        \
  X(PADDING, "padding")                                                        \
  X(UNKNOWN_TYPE, "unknown-type")                                              \
  X(GET_VALUES, "get-values")                                                  \
  X(WRONG_DIRECTION, "wrong-direction")                                        \
  X(OTHER_ID, "other-id")                                                      \
  X(LONG_LENGTH, "long-length")                                                \
  X(DUP_SAME, "dup-same")                                                      \
  X(DUP_DIFF, "dup-diff")                                                      \
  X(CLEN_MORE, "clen-more")                                                    \
  X(CLEN_FEWER, "clen-fewer")                                                  \
  X(CLEN_TEXT, "clen-text")                                                    \
  X(CLEN_NEGATIVE, "clen-negative")                                            \
  X(CLEN_ZEROS, "clen-zeros")                                                  \
  X(CLEN_SPACES, "clen-spaces")                                                \
  X(NUL_BYTE, "nul-byte")                                                      \
  X(CRLF, "crlf")                                                              \
  X(HIGH_BYTES, "high-bytes")                                                  \
  X(EMPTY_NAME, "empty-name")                                                  \
  X(EMPTY_VALUE, "empty-value")                                                \
  X(LONG_VALUE, "long-value")                                                  \
  X(ROLE_AUTHORIZER, "role-authorizer")                                        \
  X(ROLE_FILTER, "role-filter")                                                \
  X(UNKNOWN_ROLE, "unknown-role")                                              \
  X(ZERO_ID, "zero-id")                                                        \
  X(FLAGS_UNKNOWN, "flags-unknown")                                            \
  X(RESERVED_BODY, "reserved-body")                                            \
  X(RESERVED_HEADER, "reserved-header")                                        \
  X(VERSION_0, "version-0")                                                    \
  X(VERSION_2, "version-2")                                                    \
  X(VERSION_255, "version-255")                                                \
  X(INTERLEAVE, "interleave")                                                  \
  X(ABORT, "abort")

typedef enum gen_mutation {
#define GEN_MUT_ENUM(id, name) GM_##id,
  GEN_MUTATIONS(GEN_MUT_ENUM)
#undef GEN_MUT_ENUM
      GM_COUNT
} gen_mutation;

const char *gen_mutation_name(gen_mutation m);

typedef struct gen_stream {
  bytebuf bytes;
  uint64_t mutations; /* bit m set: mutation m was applied */
  /* The records as the generator laid them out, in order (fcs_header
   * items): what a decoder must find in bytes. */
  bytebuf headers;
  /* A mutation wrote bytes that stop even a lenient decoder (version 0):
   * decoding may fail from the record that carries it on. */
  int framing_broken;
} gen_stream;

/* Stream index of seed (s zeroed or freed before). */
void gen_make(uint64_t seed, uint64_t index, gen_stream *s);
void gen_stream_free(gen_stream *s);

#endif
