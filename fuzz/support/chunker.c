#include "chunker.h"

void fz_chunker_whole(fz_chunker *c) { fz_chunker_steps(c, NULL, 0); }

void fz_chunker_fixed(fz_chunker *c, size_t size) {
  fz_chunker_steps(c, NULL, 0);
  c->fixed = size;
}

void fz_chunker_steps(fz_chunker *c, const uint8_t *steps, size_t nsteps) {
  c->steps = steps;
  c->nsteps = nsteps;
  c->next = 0;
  c->fixed = 0;
  c->scale = 1;
}

void fz_chunker_budget(fz_chunker *c, size_t len, size_t max_pieces) {
  size_t cycle = 0; /* bytes one pass through the steps takes */
  for (size_t i = 0; i < c->nsteps; i++)
    cycle += (size_t)c->steps[i] + 1;
  if (!c->nsteps || !max_pieces)
    return;
  /* Pieces the steps cut len into, rounded up. */
  size_t pieces = len / cycle * c->nsteps + c->nsteps;
  c->scale = pieces > max_pieces ? (pieces + max_pieces - 1) / max_pieces : 1;
}

size_t fz_chunk_next(fz_chunker *c, size_t left) {
  size_t want = left;
  if (c->fixed)
    want = c->fixed;
  else if (c->nsteps) {
    want = ((size_t)c->steps[c->next] + 1) * c->scale;
    c->next = c->next + 1 == c->nsteps ? 0 : c->next + 1;
  }
  return want < left ? want : left;
}
