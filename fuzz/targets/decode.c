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
 * reports, lenient mode gives its events without the VIOLATIONs.
 *
 * Streams up to FULL_LIMIT bytes get all of that. A longer stream costs
 * about its records in every pass, so it gets a subset that byte 0 bits
 * 2-7 (unused otherwise) plus the stream's length pick: the decoder fed
 * with whole-record events through feed_many (the cheapest way) against
 * one of the three other ways, and one of strict and lenient mode against
 * observe mode; past LARGE_LIMIT bytes, only the decoder's pair or only the
 * assembler's. Every oracle still runs, each on its share of the long
 * inputs. */
#include "../support/target.h"
#include "../support/trace.h"

#define FULL_LIMIT 256
#define LARGE_LIMIT 1024

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

  /* Long streams: the other way of feeding, and the codec mode observe
   * mode is held against. */
  int full = len <= FULL_LIMIT;
  size_t pick = (size_t)(data[0] >> 2) + len;
  fk_way only_way = (fk_way)(pick % FK_MANY_WHOLE); /* not FK_MANY_WHOLE */
  fz_asm_mode only_mode =
      pick / FK_MANY_WHOLE % 2 ? FZ_ASM_LENIENT : FZ_ASM_STRICT;

  /* Past LARGE_LIMIT: the decoder's runs or the assembler's. */
  int decoder = len <= LARGE_LIMIT || pick / FK_MANY_WHOLE / 2 % 2 == 0;
  int assembler = len <= LARGE_LIMIT || !decoder;

  fk_way ref = full ? FK_FEED : FK_MANY_WHOLE;
  fz_chunker_whole(&whole);
  if (decoder)
    fz_dec_trace_run(&first, in, len, mode, ref, &whole);
  for (fk_way way = FK_FEED; decoder && way < FK_WAYS; way++) {
    if (way == ref || (!full && way != only_way))
      continue;
    fz_chunker_whole(&whole);
    fz_dec_trace_run(&again, in, len, mode, way, &whole);
    fz_dec_trace_expect_equal(&first, &again,
                              "feed against feed_many or whole records");
  }

  /* The client side runs with the codec's default limits. */
  const fcs_limits *lim = side == FCS_SIDE_APP ? &limits : NULL;
  if (!assembler)
    return 0;
  for (fz_asm_mode m = FZ_ASM_STRICT; m < FZ_ASM_MODES; m++) {
    if (!full && m != FZ_ASM_OBSERVE && m != only_mode)
      continue;
    fz_chunker_whole(&whole);
    fz_asm_trace_run(&assembled[m], in, len, side, m, lim, &whole);
  }
  fz_asm_trace_expect_observed(
      full || only_mode == FZ_ASM_STRICT ? &assembled[FZ_ASM_STRICT] : NULL,
      full || only_mode == FZ_ASM_LENIENT ? &assembled[FZ_ASM_LENIENT] : NULL,
      &assembled[FZ_ASM_OBSERVE]);
  return 0;
}
