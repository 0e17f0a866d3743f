/* libFuzzer target: the escaping functions (lib/util/escape.c, and
 * isc_msg_text).  isc_escape_n's output is valid UTF-8
 * without control characters and decodes back to exactly its input;
 * isc_escape stops at the first NUL; isc_json_string keeps valid UTF-8
 * as it is and escapes the rest; isc_msg_text is printable too. */
#include <config.h>

#include <jansson.h>

#include "util/escape.h"
#include "windows/winpath.h"

#include "fuzz.h"

/* Length of the well-formed UTF-8 sequence at S, or 0. */
static size_t
utf8_len (const unsigned char *s)
{
  size_t len, i;
  uint32_t cp;

  if (s[0] < 0x80)
    return 1;
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    len = 2, cp = s[0] & 0x1f;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    len = 3, cp = s[0] & 0x0f;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    len = 4, cp = s[0] & 0x07;
  else
    return 0;
  for (i = 1; i < len; ++i) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (s[i] & 0x3f);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

static int
is_utf8 (const char *s)
{
  const unsigned char *p = (const unsigned char *) s;
  size_t n;

  while (*p) {
    if (!(n = utf8_len (p)))
      return 0;
    p += n;
  }
  return 1;
}

/* S holds a C1 control (U+0080 to U+009F), which terminals obey too. */
static int
has_c1 (const char *s)
{
  for (; *s; ++s)
    if ((unsigned char) s[0] == 0xc2 && (unsigned char) s[1] >= 0x80 &&
        (unsigned char) s[1] <= 0x9f)
      return 1;
  return 0;
}

static int
hex (int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* Undo isc_escape_n into OUT (room for strlen (E) bytes); the length,
 * or -1 when E holds anything but the escapes the header lists. */
static ssize_t
unescape (const char *e, char *out)
{
  size_t n = 0;

  while (*e) {
    if (*e != '\\') {
      out[n++] = *e++;
      continue;
    }
    switch (e[1]) {
    case '\\': out[n++] = '\\'; break;
    case '\'': out[n++] = '\''; break;
    case 'n': out[n++] = '\n'; break;
    case 't': out[n++] = '\t'; break;
    case 'r': out[n++] = '\r'; break;
    case 'x':
      if (hex (e[2]) < 0 || hex (e[3]) < 0)
        return -1;
      out[n++] = (char) (hex (e[2]) << 4 | hex (e[3]));
      e += 2;
      break;
    default:
      return -1;
    }
    e += 2;
  }
  return (ssize_t) n;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *e = isc_escape_n ((const char *) data, size);
  char *text = fuzz_string (data, size);
  char *decoded = malloc (strlen (e) + 1);
  char *e2, *m;
  json_t *j;

  FUZZ_ASSERT (decoded);
  FUZZ_ASSERT (fuzz_is_printable (e) && is_utf8 (e));
  FUZZ_ASSERT (unescape (e, decoded) == (ssize_t) size);
  FUZZ_ASSERT (memcmp (decoded, data, size) == 0);
  FUZZ_ASSERT (!has_c1 (e));

  e2 = isc_escape (text);
  FUZZ_ASSERT (strlen (e2) <= strlen (e));
  FUZZ_ASSERT (strncmp (e, e2, strlen (e2)) == 0);

  j = isc_json_string (text);
  FUZZ_ASSERT (json_is_string (j));
  FUZZ_ASSERT (strcmp (json_string_value (j),
                       is_utf8 (text) ? text : e2) == 0);
  json_decref (j);
  FUZZ_ASSERT (json_is_null (j = isc_json_string (NULL)));
  json_decref (j);

  m = isc_msg_text (text);
  FUZZ_ASSERT (fuzz_is_printable (m) && is_utf8 (m));
  FUZZ_ASSERT (strlen (m) <= strlen (e2));

  free (m);
  free (e2);
  free (decoded);
  free (text);
  free (e);
  return 0;
}
