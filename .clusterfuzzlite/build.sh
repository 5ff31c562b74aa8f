#!/bin/bash -eu
# Per-change fuzzing uses the OSS-Fuzz build unchanged.
exec "$SRC/fcgispec/fuzz/oss-fuzz/build.sh"
