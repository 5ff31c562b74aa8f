#include "fixture.h"

#include <stdlib.h>

void fx_init(fixture *f, fcs_side side, fcs_mode mode,
             const fcs_limits *limits) {
  size_t n = fcs_assembler_memory_size(limits);
  f->mem = malloc(n);
  if (!f->mem ||
      fcs_assembler_init(&f->a, side, mode, limits, f->mem, n) != FCS_E_OK)
    abort();
}

void fx_free(fixture *f) { free(f->mem); }

size_t fx_feed(fixture *f, const uint8_t *in, size_t len, fcs_asm_event *evs,
               size_t max) {
  size_t off = 0, count = 0;
  for (;;) {
    fcs_asm_event ev;
    off += fcs_assembler_feed(&f->a, in + off, len - off, &ev);
    if (ev.type == FCS_AE_NONE)
      return count;
    if (count < max)
      evs[count] = ev;
    count++;
    if (ev.type == FCS_AE_ERROR)
      return count;
  }
}
