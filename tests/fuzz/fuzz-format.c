/* libFuzzer target: isc_format_detect on arbitrary bytes, with and
 * without a footer, must never crash or read outside its buffers.
 *
 * Not built by `make`.  From the top of a configured tree:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Ilib \
 *     tests/fuzz/fuzz-format.c lib/format.c lib/qemu.c lib/error.c \
 *     lib/escape.c lib/cleanups.c \
 *     $(pkg-config --cflags --libs libguestfs hivex libconfuse jansson) \
 *     -o fuzz-format
 *   ./fuzz-format -max_len=70000 corpus/
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* Whole input as the head of a file of its own size. */
  isc_format_detect (data, size, NULL, size);

  /* Its last 512 bytes as the footer, copied so that the sanitizer
   * sees a read past them. */
  if (size >= 512) {
    unsigned char *tail = malloc (512);

    if (!tail)
      return 0;
    memcpy (tail, data + size - 512, 512);
    isc_format_detect (data, size, tail, size);
    isc_format_detect (data, size - 512, tail, size);
    free (tail);
  }
  return 0;
}
