/* libFuzzer target: isc_hivelog_recover on arbitrary hive and log bytes
 * must never crash, leak or read outside its buffers.
 *
 * The input is split as: 4 bytes (little-endian) the hive's length,
 * 4 bytes the first log's length (both cut to what is left), the hive,
 * the first log, and the rest as the second log.  Each part is copied to
 * a buffer of its own so that the sanitizer sees a read past it.
 *
 * Not built by `make`.  From the top of a configured tree:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Ilib \
 *     tests/fuzz/fuzz-hivelog.c lib/windows/hivelog.c lib/util/error.c \
 *     lib/util/escape.c lib/util/cleanups.c lib/util/oom.c \
 *     $(pkg-config --cflags --libs jansson) -o fuzz-hivelog
 *   ./fuzz-hivelog -max_len=65536 corpus/
 *
 * No seed corpus is shipped: the smallest real dirty hive with its logs
 * (tests/data/regipy/transactions_NTUSER.DAT and its logs) is 2 MiB.
 * A seed must carry valid Marvin32 hashes for the fuzzer to get past
 * the entry checks; tests/unit/test-hivelog.c shows how to build one.
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "windows/hivelog.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static size_t
le32 (const uint8_t *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (size_t) p[3] << 24;
}

static unsigned char *
take (const uint8_t **data, size_t *size, size_t n)
{
  unsigned char *p = malloc (n ? n : 1);

  if (p)
    memcpy (p, *data, n);
  *data += n;
  *size -= n;
  return p;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct isc_hivelog_file logs[2] = { { "H.LOG1", NULL, 0 },
                                      { "H.LOG2", NULL, 0 } };
  struct isc_hivelog_summary summary;
  struct isc_err err = ISC_ERR_INIT;
  unsigned char *hive, *log1, *log2, *out = NULL;
  size_t hive_len, out_len = 0;

  if (size < 8)
    return 0;
  hive_len = le32 (data);
  logs[0].len = le32 (data + 4);
  data += 8;
  size -= 8;
  if (hive_len > size)
    hive_len = size;
  if (logs[0].len > size - hive_len)
    logs[0].len = size - hive_len;
  hive = take (&data, &size, hive_len);
  log1 = take (&data, &size, logs[0].len);
  logs[1].len = size;
  log2 = take (&data, &size, size);
  if (hive && log1 && log2) {
    logs[0].data = log1;
    logs[1].data = log2;
    isc_hivelog_recover (&err, "H", hive, hive_len, logs, 2, &out, &out_len,
                         &summary);
    free (out);
  }
  isc_err_clear (&err);
  free (hive);
  free (log1);
  free (log2);
  return 0;
}
