/* CRC-32 as zlib and Ethernet compute it (reflected polynomial 0xEDB88320,
 * initial value and final xor 0xFFFFFFFF), fed in pieces: the checksum of
 * the echo format's stdin and data lines, public so that readers of the
 * echo (the conformance runner) check it with the same code. */
#ifndef FCS_CRC32_H
#define FCS_CRC32_H

#include <stddef.h>
#include <stdint.h>

#define FCSR_CRC32_INIT 0u

/* crc is the value returned for the bytes so far (FCSR_CRC32_INIT for
 * none); the result is the CRC-32 of everything fed. */
uint32_t fcsr_crc32_update(uint32_t crc, const uint8_t *p, size_t n);

#endif
