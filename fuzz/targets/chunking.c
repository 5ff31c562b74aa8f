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
 * that the sum of the schedule bytes picks.
 *
 * Cost: every run costs about the stream's records plus its pieces. So a
 * stream the schedule would cut into more than MAX_PIECES pieces has every
 * piece scaled up by the same factor (fz_chunker_budget: the schedule's
 * pattern of cuts, fewer of them), and a stream past SINGLE_BYTE_LIMIT
 * gets a subset the sum also picks: the schedule fed to the decoder one
 * way (one event per call, or the other way), and the assembler run in one
 * of its two modes (whole and cut), instead of two and two; past
 * LARGE_LIMIT bytes, only the decoder's or only the assembler's runs. The
 * whole input is decoded with whole-record events through feed_many, the
 * cheapest way (the decode target holds all ways equal). */
#include <stdio.h>

#include "../support/target.h"
#include "../support/trace.h"

#define SINGLE_BYTE_LIMIT 128
#define MAX_PIECES 128
#define LARGE_LIMIT 1024

/* The assembler's two modes: the picked one and observe. */
#define ASM_RUNS 2

/* Feeds the input cut by pieces to the decoder in each of ways[0..nways)
 * and to the assembler in each of its modes whose bit is set in asm_runs,
 * and compares the traces with the whole input's. */
static void compare_schedule(const uint8_t *in, size_t len, fcs_mode mode,
                             const fz_asm_mode asm_modes[ASM_RUNS],
                             unsigned asm_runs, fcs_side side,
                             fz_chunker *pieces, const fk_way *ways,
                             size_t nways, const fz_dec_trace *whole_dec,
                             const fz_asm_trace whole_asm[ASM_RUNS],
                             const char *what) {
  fcs_limits limits;
  fz_small_limits(&limits);
  static fz_dec_trace dec; /* storage reused between runs */
  static fz_asm_trace as;
  for (size_t i = 0; i < nways; i++) {
    fz_chunker same = *pieces;
    fz_dec_trace_run(&dec, in, len, mode, ways[i], &same);
    fz_dec_trace_expect_equal(whole_dec, &dec, what);
  }
  static const char *const names[FZ_ASM_MODES] = {"strict", "lenient",
                                                  "observe"};
  for (size_t i = 0; i < ASM_RUNS; i++) {
    if (!(asm_runs >> i & 1))
      continue;
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

  /* The other way of feeding the schedule, taken from its bytes. */
  unsigned sum = 0;
  for (size_t i = 0; i < nsteps; i++)
    sum += steps[i];
  fk_way other = (fk_way)(FK_FEED_MANY + sum % (FK_WAYS - FK_FEED_MANY));
  /* Streams past SINGLE_BYTE_LIMIT: the schedule fed one way (one event
   * per call or the other way) and to the assembler in one of its two
   * modes, both picked by the sum, instead of all four runs. */
  int full = len <= SINGLE_BYTE_LIMIT;
  fk_way ways[2] = {FK_FEED, other};
  const fk_way *sched_ways = full || sum / 3 % 2 == 0 ? ways : ways + 1;
  size_t nways = full ? 2 : 1;
  unsigned asm_runs = full ? 3u : 1u << (sum / 6 % ASM_RUNS);
  /* Past LARGE_LIMIT, either the decoder or the assembler (sum again). */
  if (len > LARGE_LIMIT) {
    if (sum / 12 % 2)
      nways = 0;
    else
      asm_runs = 0;
  }

  /* The whole input's decoder trace the cheapest way: whole-record events
   * in batches, which the decode target holds equal to the others. */
  fz_chunker_whole(&pieces);
  if (nways)
    fz_dec_trace_run(&whole_dec, in, len, mode, FK_MANY_WHOLE, &pieces);
  for (size_t i = 0; i < ASM_RUNS; i++) {
    if (!(asm_runs >> i & 1))
      continue;
    fz_chunker_whole(&pieces);
    fz_asm_trace_run(&whole_asm[i], in, len, side, asm_modes[i], &limits,
                     &pieces);
  }

  fz_chunker_steps(&pieces, steps, nsteps);
  fz_chunker_budget(&pieces, len, MAX_PIECES);
  compare_schedule(in, len, mode, asm_modes, asm_runs, side, &pieces,
                   sched_ways, nways, &whole_dec, whole_asm,
                   "whole input against the input's chunk schedule");
  if (full) {
    fz_chunker_fixed(&pieces, 1);
    compare_schedule(in, len, mode, asm_modes, asm_runs, side, &pieces, ways, 1,
                     &whole_dec, whole_asm,
                     "whole input against one byte at a time");
  }
  return 0;
}
