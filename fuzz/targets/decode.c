/* decode: arbitrary bytes through the push decoder and the assembler, fed
 * whole.
 *
 * Input: byte 0 bit 0 picks the decoder's mode, strict (0) or lenient (1),
 * bit 1 the application (0) or client (1) side of the assembler; the rest
 * is the byte stream. Oracles: the invariants trace.h checks while
 * collecting (bounded consumption, slices inside the input, content adding
 * up to the header's length, error offsets inside the input, legal event
 * order, broken rules naming their own record), and determinism: a fresh
 * decoder on the same bytes gives the same trace, fed one event per call,
 * through fcs_decoder_feed_many, or with whole-record events (expanded).
 * The assembler reads the bytes in strict, lenient and observe mode (the
 * client side with the codec's default limits), and observe mode must
 * agree with the other two: strict mode stops at the first broken rule it
 * reports, lenient mode gives its events without the VIOLATIONs. */
#include "../support/target.h"
#include "../support/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  fcs_mode mode = data[0] & 1 ? FCS_LENIENT : FCS_STRICT;
  fcs_side side = data[0] & 2 ? FCS_SIDE_CLIENT : FCS_SIDE_APP;
  const uint8_t *in = data + 1;
  size_t len = size - 1;
  fcs_limits limits;
  fz_small_limits(&limits);
  fz_chunker whole;
  /* Kept between runs so their storage is reused. */
  static fz_dec_trace first, again;
  static fz_asm_trace assembled[FZ_ASM_MODES];

  fz_chunker_whole(&whole);
  fz_dec_trace_run(&first, in, len, mode, FZ_FEED, &whole);
  for (fz_way way = FZ_FEED_MANY; way < FZ_WAYS; way++) {
    fz_chunker_whole(&whole);
    fz_dec_trace_run(&again, in, len, mode, way, &whole);
    fz_dec_trace_expect_equal(&first, &again,
                              "feed against feed_many or whole records");
  }

  /* The client side runs with the codec's default limits. */
  const fcs_limits *lim = side == FCS_SIDE_APP ? &limits : NULL;
  for (fz_asm_mode m = FZ_ASM_STRICT; m < FZ_ASM_MODES; m++) {
    fz_chunker_whole(&whole);
    fz_asm_trace_run(&assembled[m], in, len, side, m, lim, &whole);
  }
  fz_asm_trace_expect_observed(&assembled[FZ_ASM_STRICT],
                               &assembled[FZ_ASM_LENIENT],
                               &assembled[FZ_ASM_OBSERVE]);
  return 0;
}
