/* The generator's PRNG: splitmix64 (Steele, Lea and Flood, "Fast
 * splittable pseudorandom number generators", 2014). Stream INDEX of seed
 * SEED starts from state mix(SEED) ^ mix(INDEX + 0x9e3779b97f4a7c15), so
 * every stream is drawn on its own and any one can be made alone. */
#ifndef FSP_DIFF_RNG_H
#define FSP_DIFF_RNG_H

#include <stdint.h>

typedef struct rng {
  uint64_t s;
} rng;

static inline uint64_t rng_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static inline rng rng_for(uint64_t seed, uint64_t index) {
  rng r = {rng_mix(seed) ^ rng_mix(index + 0x9e3779b97f4a7c15ull)};
  return r;
}

static inline uint64_t rng_next(rng *r) {
  r->s += 0x9e3779b97f4a7c15ull;
  return rng_mix(r->s);
}

/* Uniform enough in [0, n) for the small n the generator draws (n > 0). */
static inline uint64_t rng_below(rng *r, uint64_t n) { return rng_next(r) % n; }

/* 1 with probability 1/n. */
static inline int rng_one_in(rng *r, uint64_t n) {
  return rng_below(r, n) == 0;
}

#endif
