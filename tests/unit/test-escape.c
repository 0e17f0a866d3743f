/* Guest-controlled strings must come out printable, valid UTF-8 and
 * unambiguous. */
#include <config.h>

#include <stdlib.h>

#include "util/escape.h"
#include "unit.h"

static void
check_escape (const char *in, size_t len, const char *expected)
{
  char *out = isc_escape_n (in, len);

  CHECK_STREQ (out, expected);
  free (out);
}

static void
check_line (const char *in, const char *expected)
{
  char *out = isc_escape_line (in);

  CHECK_STREQ (out, expected);
  free (out);
}

int
main (void)
{
  check_escape ("plain.txt", 9, "plain.txt");
  check_escape ("a\nb\tc", 5, "a\\nb\\tc");
  check_escape ("\x1b[31mred", 8, "\\x1b[31mred");
  check_escape ("back\\slash", 10, "back\\\\slash");
  check_escape ("it's", 4, "it\\'s");
  /* Valid UTF-8 is kept, invalid bytes and C1 controls are escaped. */
  check_escape ("caf\xc3\xa9", 5, "caf\xc3\xa9");
  check_escape ("bad\xff\xfe", 5, "bad\\xff\\xfe");
  check_escape ("\xc2\x9b", 2, "\\xc2\\x9b");
  check_escape ("over\xc0\xaf", 6, "over\\xc0\\xaf");
  check_escape ("trunc\xe2\x82", 7, "trunc\\xe2\\x82");
  check_escape ("nul\0x", 5, "nul\\x00x");
  /* A whole line: controls escaped, the rest (quotes, backslashes,
   * what isc_escape wrote already) kept as it is. */
  check_line ("mount: /\x1b]0;pwned\x07: no such file\n",
              "mount: /\\x1b]0;pwned\\x07: no such file\\n");
  check_line ("'it\\'s' caf\xc3\xa9 \\x1b", "'it\\'s' caf\xc3\xa9 \\x1b");
  check_line ("c1 \xc2\x9b bad \xff", "c1 \\xc2\\x9b bad \\xff");
  return unit_finish ("test-escape");
}
