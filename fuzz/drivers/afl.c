/* AFL++ persistent-mode driver (built only with afl-clang-fast or
 * afl-clang-lto): the test case arrives in shared memory and one process
 * runs many of them. */
#include <unistd.h>

#include "../support/target.h"

__AFL_FUZZ_INIT();

int main(void) {
  __AFL_INIT();
  const unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
  while (__AFL_LOOP(100000)) {
    size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
    LLVMFuzzerTestOneInput(buf, len);
  }
  return 0;
}
