/* libFuzzer target: guest paths as profiles write them (lib/windows/winpath.c):
 * isc_winpath_check, isc_winpath_expand with variable values taken from
 * the input (they come from the guest), isc_winpath_normalise and
 * isc_name_pattern_check.  The input is TEXT, then after a NUL an
 * optional VALUE for every variable.  A path that passes is absolute
 * and normalised ("/" or "/a/b": no empty, "." or ".." component, no
 * backslash when Windows syntax was used); a refusal is one printable
 * message. */
#include <config.h>

#include "util/error.h"
#include "profiles/profile.h"
#include "windows/winpath.h"

#include "fuzz.h"
#include "util/status.h"

/* PATH is what isc_winpath_normalise promises. */
static void
check_normal (const char *path, int windows)
{
  const char *p;

  FUZZ_ASSERT (path[0] == '/');
  FUZZ_ASSERT (strcmp (path, "/") == 0 || path[strlen (path) - 1] != '/');
  FUZZ_ASSERT (!strstr (path, "//"));
  FUZZ_ASSERT (!windows || !strchr (path, '\\'));
  for (p = path; (p = strchr (p, '/')); ++p) {
    FUZZ_ASSERT (strncmp (p, "/./", 3) != 0 && strcmp (p, "/.") != 0);
    FUZZ_ASSERT (strncmp (p, "/../", 4) != 0 && strcmp (p, "/..") != 0);
  }
}

static void
check_refusal (struct isc_err *err)
{
  fuzz_check_message (err->msg);
  isc_err_clear (err);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = fuzz_string (data, size);
  const size_t tlen = strlen (text);
  const char *value = tlen < size ? text + tlen + 1 : NULL;
  const char *values[ISC_VAR_COUNT];
  struct isc_err err = ISC_ERR_INIT;
  unsigned os = 0, vars = 0;
  char *out = NULL;
  int windows, i;

  /* VALUE: what follows the first NUL, up to the next. */
  for (i = 0; i < ISC_VAR_COUNT; ++i)
    values[i] = value;

  if (isc_winpath_check (&err, text, &os, &vars) == 0) {
    FUZZ_ASSERT (os == ISC_OS_WINDOWS || os == ISC_OS_ANY);
    FUZZ_ASSERT (vars < 1u << ISC_VAR_COUNT);
    /* At most one variable, and it begins the path. */
    FUZZ_ASSERT ((vars & (vars - 1)) == 0);
    FUZZ_ASSERT (!vars || text[0] == '%');
    windows = os == ISC_OS_WINDOWS;
    if (isc_winpath_expand (&err, text, windows, values, &out) == 0) {
      check_normal (out, windows);
      free (out);
    }
    else
      check_refusal (&err);
  }
  else
    check_refusal (&err);

  for (windows = 0; windows < 2; ++windows)
    if (isc_winpath_normalise (&err, text, windows, &out) == 0) {
      check_normal (out, windows);
      free (out);
    }
    else
      check_refusal (&err);

  if (isc_name_pattern_check (&err, text) == 0)
    FUZZ_ASSERT (text[0] && !strpbrk (text, "/\\") &&
                 strspn (text, "*?") < strlen (text));
  else
    check_refusal (&err);

  if (isc_winvar_lookup (text, tlen) != -1)
    FUZZ_ASSERT (tlen > 0);
  free (text);
  return 0;
}
