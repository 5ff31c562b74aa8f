/* chunking: the same bytes decoded whole and cut into pieces must give the
 * same events, from the decoder and from the assembler (whose name-value
 * parser then sees pairs and 4-byte lengths cut anywhere), the assembler
 * both in the picked mode and in observe mode (whose VIOLATIONs and the
 * events due after them must not depend on the cuts either).
 *
 * Input: byte 0 bit 0 picks the mode, bit 1 the assembler side, bits 2-7
 * the number n of schedule bytes that follow; schedule byte b cuts a piece
 * of b + 1 bytes (cycling); the rest is the stream. Besides that schedule,
 * streams up to SINGLE_BYTE_LIMIT bytes are also fed one byte at a time,
 * which splits every header, every name-value length and every
 * content/padding boundary. The schedule is fed to the decoder one event
 * per call and in one more way (feed_many, whole-record events, or both)
 * that the sum of the schedule bytes picks. */
#include <stdio.h>

#include "../support/target.h"
#include "../support/trace.h"

#define SINGLE_BYTE_LIMIT 128

/* The assembler's two modes: the picked one and observe. */
#define ASM_RUNS 2

/* Feeds the input cut by pieces to the decoder in each of ways (and
 * always one event per call) and to the assembler in each of its modes,
 * and compares the traces with the whole input's. */
static void compare_schedule(const uint8_t *in, size_t len, fcs_mode mode,
                             const fz_asm_mode asm_modes[ASM_RUNS],
                             fcs_side side, fz_chunker *pieces, fz_way way,
                             const fz_dec_trace *whole_dec,
                             const fz_asm_trace whole_asm[ASM_RUNS],
                             const char *what) {
  fcs_limits limits;
  fz_small_limits(&limits);
  static fz_dec_trace dec; /* storage reused between runs */
  static fz_asm_trace as;
  fz_way ways[2] = {FZ_FEED, way};
  for (size_t i = 0; i < (way == FZ_FEED ? 1u : 2u); i++) {
    fz_chunker same = *pieces;
    fz_dec_trace_run(&dec, in, len, mode, ways[i], &same);
    fz_dec_trace_expect_equal(whole_dec, &dec, what);
  }
  static const char *const names[FZ_ASM_MODES] = {"strict", "lenient",
                                                  "observe"};
  for (size_t i = 0; i < ASM_RUNS; i++) {
    char label[128];
    snprintf(label, sizeof label, "%s (assembler, %s mode)", what,
             names[asm_modes[i]]);
    fz_chunker same = *pieces;
    fz_asm_trace_run(&as, in, len, side, asm_modes[i], &limits, &same);
    fz_asm_trace_expect_equal(&whole_asm[i], &as, label);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  fcs_mode mode = data[0] & 1 ? FCS_LENIENT : FCS_STRICT;
  fcs_side side = data[0] & 2 ? FCS_SIDE_CLIENT : FCS_SIDE_APP;
  size_t nsteps = data[0] >> 2;
  if (size < 1 + nsteps)
    return 0;
  const uint8_t *steps = data + 1;
  const uint8_t *in = steps + nsteps;
  size_t len = size - 1 - nsteps;
  fcs_limits limits;
  fz_small_limits(&limits);
  fz_chunker pieces;
  static fz_dec_trace whole_dec; /* storage reused between runs */
  static fz_asm_trace whole_asm[ASM_RUNS];
  const fz_asm_mode asm_modes[ASM_RUNS] = {
      mode == FCS_STRICT ? FZ_ASM_STRICT : FZ_ASM_LENIENT, FZ_ASM_OBSERVE};

  fz_chunker_whole(&pieces);
  fz_dec_trace_run(&whole_dec, in, len, mode, FZ_FEED, &pieces);
  for (size_t i = 0; i < ASM_RUNS; i++) {
    fz_chunker_whole(&pieces);
    fz_asm_trace_run(&whole_asm[i], in, len, side, asm_modes[i], &limits,
                     &pieces);
  }

  /* The other way of feeding the schedule, taken from its bytes. */
  unsigned sum = 0;
  for (size_t i = 0; i < nsteps; i++)
    sum += steps[i];
  fz_way other = (fz_way)(FZ_FEED_MANY + sum % (FZ_WAYS - FZ_FEED_MANY));
  fz_chunker_steps(&pieces, steps, nsteps);
  compare_schedule(in, len, mode, asm_modes, side, &pieces, other, &whole_dec,
                   whole_asm, "whole input against the input's chunk schedule");
  if (len <= SINGLE_BYTE_LIMIT) {
    fz_chunker_fixed(&pieces, 1);
    compare_schedule(in, len, mode, asm_modes, side, &pieces, FZ_FEED,
                     &whole_dec, whole_asm,
                     "whole input against one byte at a time");
  }
  return 0;
}
