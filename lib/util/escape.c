/* imgscrub: escaping guest-controlled text for terminals, logs and JSON. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/oom.h"

/* Length of the valid, printable UTF-8 sequence at S (at most AVAIL
 * bytes), or 0 when S does not start one.  Overlong forms, surrogates
 * and C1 controls are rejected.
 */
static size_t
utf8_printable_len (const unsigned char *s, size_t avail)
{
  uint32_t cp;
  size_t len, i;

  if (s[0] >= 0x20 && s[0] < 0x7f)
    return 1;
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    len = 2, cp = s[0] & 0x1f;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    len = 3, cp = s[0] & 0x0f;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    len = 4, cp = s[0] & 0x07;
  else
    return 0;
  if (len > avail)
    return 0;
  for (i = 1; i < len; ++i) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
      (cp >= 0x80 && cp < 0xa0))
    return 0;
  return len;
}

char *
isc_escape_n (const char *str, size_t n)
{
  const unsigned char *s = (const unsigned char *) str;
  char *out, *p;
  size_t i = 0, len;

  /* Worst case every byte becomes \xNN. */
  out = malloc (4 * n + 1);
  if (!out)
    isc_oom ();
  p = out;
  while (i < n) {
    switch (s[i]) {
    case '\\': *p++ = '\\'; *p++ = '\\'; i++; continue;
    case '\'': *p++ = '\\'; *p++ = '\''; i++; continue;
    case '\n': *p++ = '\\'; *p++ = 'n'; i++; continue;
    case '\t': *p++ = '\\'; *p++ = 't'; i++; continue;
    case '\r': *p++ = '\\'; *p++ = 'r'; i++; continue;
    }
    len = utf8_printable_len (s + i, n - i);
    if (len == 0) {
      p += sprintf (p, "\\x%02x", s[i]);
      i++;
    }
    else {
      memcpy (p, s + i, len);
      p += len;
      i += len;
    }
  }
  *p = '\0';
  return out;
}

char *
isc_escape_line (const char *str)
{
  const unsigned char *s = (const unsigned char *) str;
  size_t n = strlen (str), i = 0, len;
  char *out = malloc (4 * n + 1), *p = out;

  if (!out)
    isc_oom ();
  while (i < n) {
    len = utf8_printable_len (s + i, n - i);
    if (len > 0) {
      memcpy (p, s + i, len);
      p += len;
      i += len;
    }
    else if (s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
      *p++ = '\\';
      *p++ = s[i] == '\n' ? 'n' : s[i] == '\t' ? 't' : 'r';
      i++;
    }
    else {
      p += sprintf (p, "\\x%02x", s[i]);
      i++;
    }
  }
  *p = '\0';
  return out;
}

char *
isc_escape (const char *s)
{
  return isc_escape_n (s, strlen (s));
}

json_t *
isc_json_string (const char *s)
{
  json_t *j;

  if (!s)
    return json_null ();
  j = json_string (s);
  if (!j) {
    char *escaped = isc_escape (s);

    j = json_string (escaped);
    free (escaped);
  }
  if (!j)
    isc_oom ();
  return j;
}

char *
isc_msg_text (const char *s)
{
  char *e = isc_escape (s), *r = e, *w = e;

  /* Undo the escaping of '\\' and '\'' only. */
  while (*r) {
    if (r[0] == '\\' && (r[1] == '\\' || r[1] == '\'')) {
      *w++ = r[1];
      r += 2;
    }
    else if (r[0] == '\\' && r[1]) {
      *w++ = *r++;
      *w++ = *r++;
    }
    else
      *w++ = *r++;
  }
  *w = '\0';
  return e;
}
