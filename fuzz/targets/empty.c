/* empty: does nothing. The benchmark divides each target's exec/s by this
 * one's, measured on the same corpus, to factor out the engine's own cost. */
#include "../support/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  (void)data;
  (void)size;
  return 0;
}
