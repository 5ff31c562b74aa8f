# php-fpm's FastCGI layer, main/fastcgi.c, compiled (through
# shim_fpm_main.c, which #includes it) with the preprocessor flags and
# include directories the Makefile PHP's configure generated (prepare.sh)
# gives main/fastcgi.lo. They are private to the upstream units, so the
# harness sees none of PHP's headers.
fcs_upstream_library(php_fpm
  SOURCES ${HARNESS_DIR}/shim_fpm_main.c ${HARNESS_DIR}/shim_php.c
  OPTIONS -I${UPSTREAM_SRC} -I${UPSTREAM_SRC}/main -I${UPSTREAM_SRC}/Zend
          -I${UPSTREAM_SRC}/TSRM -D_GNU_SOURCE -DZEND_SIGNALS
          -DZEND_ENABLE_STATIC_TSRMLS_CACHE=1 -fno-common)
fcs_fuzz_target(php_fpm SOURCE ${HARNESS_DIR}/harness.c LIBS fcs_upstream_php_fpm)
# The differential, shown to fail: libfcs's pairs array gives each name one
# byte short, so its pairs are not php-fpm's.
fcs_planted_bug(pair_name_short php_fpm codec/src/assembler.c
  "pair->name_len = nlen;"
  "pair->name_len = nlen ? nlen - 1 : 0;"
  "FUZZ ORACLE FAILED: request at byte [0-9]+: (php-fpm has [0-9]+ params, libfcs's pairs make [0-9]+|param [0-9]+ is '.*' in php-fpm, '.*' from libfcs's pairs)")
