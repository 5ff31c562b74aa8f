/* Chunk schedules: how one input is cut into the pieces fed to a decoder.
 * Schedules are data (never rand()), so every run is reproducible. */
#ifndef FZ_CHUNKER_H
#define FZ_CHUNKER_H

#include <stddef.h>
#include <stdint.h>

typedef struct fz_chunker {
  const uint8_t *steps; /* step byte b means a piece of b + 1 bytes */
  size_t nsteps, next;
  size_t fixed; /* every piece this long; 0: use steps, or all at once */
  size_t scale; /* pieces from steps are this many times longer */
} fz_chunker;

void fz_chunker_whole(fz_chunker *c);
void fz_chunker_fixed(fz_chunker *c, size_t size);
/* Cycles through steps; no steps means the whole input at once. */
void fz_chunker_steps(fz_chunker *c, const uint8_t *steps, size_t nsteps);
/* Scales the steps' pieces up so that an input of len bytes is cut into
 * at most about max_pieces pieces (every piece from the steps times the
 * same factor): the cuts stay where the input puts them, only fewer on a
 * long input, whose cost otherwise grows with its number of pieces. */
void fz_chunker_budget(fz_chunker *c, size_t len, size_t max_pieces);
/* Length of the next piece, given how much input is left (> 0). */
size_t fz_chunk_next(fz_chunker *c, size_t left);

#endif
