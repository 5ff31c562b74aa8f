/* decode: arbitrary bytes through the push decoder and the assembler, fed
 * whole.
 *
 * Input: byte 0 bit 0 picks strict (0) or lenient (1) mode, bit 1 the
 * application (0) or client (1) side of the assembler; the rest is the byte
 * stream. Oracles: the invariants trace.h checks while collecting (bounded
 * consumption, slices inside the input, content adding up to the header's
 * length, error offsets inside the input, legal event order), and
 * determinism: a fresh decoder on the same bytes gives the same trace, fed
 * one event per call, through fcs_decoder_feed_many, or with whole-record
 * events (expanded). */
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
  fz_dec_trace first = {0}, again = {0};
  fz_asm_trace as_first = {0}, as_again = {0};

  fz_chunker_whole(&whole);
  fz_dec_trace_run(&first, in, len, mode, FZ_FEED, &whole);
  fz_chunker_whole(&whole);
  fz_dec_trace_run(&again, in, len, mode, FZ_FEED, &whole);
  fz_dec_trace_expect_equal(&first, &again, "decoding the same bytes twice");
  fz_chunker_whole(&whole);
  fz_dec_trace_run(&again, in, len, mode, FZ_FEED_MANY, &whole);
  fz_dec_trace_expect_equal(&first, &again, "feed against feed_many");
  fz_chunker_whole(&whole);
  fz_dec_trace_run(&again, in, len, mode, FZ_WHOLE_RECORDS, &whole);
  fz_dec_trace_expect_equal(&first, &again, "feed against whole-record events");

  fz_chunker_whole(&whole);
  fz_asm_trace_run(&as_first, in, len, side, mode, &limits, &whole);
  fz_chunker_whole(&whole);
  fz_asm_trace_run(&as_again, in, len, side, mode, &limits, &whole);
  fz_asm_trace_expect_equal(&as_first, &as_again,
                            "assembling the same bytes twice");

  fz_dec_trace_free(&first);
  fz_dec_trace_free(&again);
  fz_asm_trace_free(&as_first);
  fz_asm_trace_free(&as_again);
  return 0;
}
