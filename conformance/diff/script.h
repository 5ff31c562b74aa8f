/* The SCRIPT_FILENAME placeholder rule (docs/differential.md): each
 * target's script path, padded to the placeholder's 255 bytes with extra
 * '/' after its first '/', replaces every contiguous placeholder in a
 * stream, so no record or name-value length changes. */
#ifndef FSP_DIFF_SCRIPT_H
#define FSP_DIFF_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "gen.h"

/* The padded form of path; -1 when path holds no '/' or is longer than
 * the placeholder. */
int script_pad(const char *path, uint8_t out[GEN_PLACEHOLDER_LEN]);

/* Replaces each placeholder in the len bytes at p by with; returns how
 * many it replaced. */
size_t script_substitute(uint8_t *p, size_t len,
                         const uint8_t with[GEN_PLACEHOLDER_LEN]);

#endif
