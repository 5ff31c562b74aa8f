#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build: every fuzz target compiled with $CC and
# $CFLAGS, linked with $LIB_FUZZING_ENGINE by $CXX (no main() of ours),
# copied to $OUT with <target>_seed_corpus.zip, <target>.dict and
# <target>.options. scripts/fuzz_oss_contract.py runs this outside Docker.
repo=$(cd "$(dirname "$0")/../.." && pwd)
build="$WORK/fcgispec-build"
# the first word of each line of fuzz/targets.txt that starts with a-z
targets=$(awk '/^[a-z]/ { print $1 }' "$repo/fuzz/targets.txt")

cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE= -DFCS_BUILD_TESTS=OFF \
  -DFCS_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" >/dev/null
# shellcheck disable=SC2086  # one --target per name
cmake --build "$build" -j"$(nproc)" $(printf -- '--target fuzz_%s ' $targets)

for t in $targets; do
  cp "$build/fuzz/fuzz_$t" "$OUT/$t"
  cp "$repo/fuzz/fastcgi.dict" "$OUT/$t.dict"
  cp "$repo/fuzz/options/$t.options" "$OUT/$t.options"
  rm -f "$OUT/${t}_seed_corpus.zip"
  # seeds and regression inputs; notes (names with a dot) stay out
  find "$repo/seeds/corpus/$t" "$repo/seeds/regression/$t" -type f \
    ! -name '*.*' 2>/dev/null | zip -q -j -@ "$OUT/${t}_seed_corpus.zip"
done
