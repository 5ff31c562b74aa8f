#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build of one upstream FastCGI harness
# (fuzz/upstream/<harness>), for the upstream project's own fuzzing:
#   build.sh HARNESS
# Expects this repository in $SRC/fcgispec and the upstream tree, at the
# version the harness's Dockerfile pins, in $SRC/upstream-<harness>. The
# harness's prepare.sh runs there (the upstream's configure), the upstream
# units are compiled with $CC/$CFLAGS, the harness is linked with
# $LIB_FUZZING_ENGINE, and $OUT gets <harness>_fastcgi with its seed zip,
# dictionary and options. scripts/fuzz_oss_contract.py --upstream runs this
# outside Docker.
h=${1:?usage: build.sh HARNESS}
repo=$(cd "$(dirname "$0")/../../.." && pwd)
src="$SRC/upstream-$h"
[ -d "$src" ] || { echo "build.sh: no upstream tree $src" >&2; exit 2; }
[ -f "$repo/fuzz/upstream/$h/upstream.cmake" ] ||
  { echo "build.sh: no harness fuzz/upstream/$h" >&2; exit 2; }

# The layout fuzz/upstream/CMakeLists.txt reads: <dir>/<harness>, prepared
# and stamped (a tree scripts/fuzz_upstream.py fetched is both already).
upstream="$WORK/upstream"
mkdir -p "$upstream"
ln -sfn "$src" "$upstream/$h"
if [ ! -f "$src/.fcgispec-source" ]; then
  if [ -f "$repo/fuzz/upstream/$h/prepare.sh" ]; then
    (cd "$src" && bash "$repo/fuzz/upstream/$h/prepare.sh" "$src")
  fi
  echo "oss-fuzz checkout" >"$src/.fcgispec-source"
fi

build="$WORK/fcgispec-upstream-$h"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE= -DFCS_BUILD_TESTS=OFF \
  -DFCS_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" -DFCS_UPSTREAM_DIR="$upstream" \
  -DFCS_UPSTREAM_HARNESSES="$h" >/dev/null
cmake --build "$build" -j"$(nproc)" --target "fuzz_$h"

name="${h}_fastcgi"
cp "$build/fuzz/fuzz_$h" "$OUT/$name"
cp "$repo/fuzz/fastcgi.dict" "$OUT/$name.dict"
cp "$repo/fuzz/options/$h.options" "$OUT/$name.options"
rm -f "$OUT/${name}_seed_corpus.zip"
# seeds and regression inputs; notes (names with a dot) stay out
find "$repo/seeds/corpus/$h" "$repo/seeds/regression/$h" -type f \
  ! -name '*.*' 2>/dev/null | zip -q -j -@ "$OUT/${name}_seed_corpus.zip"
