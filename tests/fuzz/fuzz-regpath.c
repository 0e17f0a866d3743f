/* libFuzzer target: registry paths and value names as profiles write
 * them (lib/windows/regpath.c).  The input, cut at its first NUL, is parsed as
 * a path and checked as a value name.  A parsed path has non-empty key
 * names without backslashes, within Windows' length limit, and its
 * display form parses back to the same path; a refusal is one printable
 * message. */
#include <config.h>

#include <strings.h>

#include "util/error.h"
#include "windows/regpath.h"

#include "fuzz.h"

static size_t
utf8_chars (const char *s)
{
  size_t n = 0;

  for (; *s; ++s)
    if (((unsigned char) *s & 0xc0) != 0x80)
      n++;
  return n;
}

static void
check_round_trip (const struct isc_regpath *rp)
{
  struct isc_err err = ISC_ERR_INIT;
  struct isc_regpath again = { 0 };
  char *shown = isc_regpath_display (isc_hive_name (rp->hive), rp, NULL);
  size_t i;

  FUZZ_ASSERT (shown);
  FUZZ_ASSERT (isc_regpath_parse (&err, shown, &again) == 0);
  FUZZ_ASSERT (again.hive == rp->hive);
  FUZZ_ASSERT (again.n_keys == rp->n_keys);
  FUZZ_ASSERT (again.current_control_set == rp->current_control_set);
  for (i = 0; i < rp->n_keys; ++i)
    FUZZ_ASSERT (strcmp (again.keys[i], rp->keys[i]) == 0);
  isc_regpath_clear (&again);
  isc_err_clear (&err);
  free (shown);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = fuzz_string (data, size);
  struct isc_err err = ISC_ERR_INIT;
  struct isc_regpath rp = { 0 };
  size_t i;

  if (isc_regpath_parse (&err, text, &rp) == 0) {
    FUZZ_ASSERT (rp.keys && !rp.keys[rp.n_keys]);
    FUZZ_ASSERT (isc_hive_file (rp.hive) || rp.hive == ISC_HIVE_USER);
    for (i = 0; i < rp.n_keys; ++i) {
      FUZZ_ASSERT (rp.keys[i][0] && !strchr (rp.keys[i], '\\'));
      FUZZ_ASSERT (utf8_chars (rp.keys[i]) <= ISC_REG_MAX_KEY_NAME);
    }
    FUZZ_ASSERT (!rp.current_control_set ||
                 (rp.hive == ISC_HIVE_SYSTEM &&
                  strcasecmp (rp.keys[0], "CurrentControlSet") == 0));
    check_round_trip (&rp);
    isc_regpath_clear (&rp);
  }
  else {
    fuzz_check_message (err.msg);
    FUZZ_ASSERT (!rp.keys);
  }
  isc_err_clear (&err);

  if (isc_regvalue_check (&err, text) == 0)
    FUZZ_ASSERT (utf8_chars (text) <= ISC_REG_MAX_VALUE_NAME);
  else
    fuzz_check_message (err.msg);
  isc_err_clear (&err);
  free (text);
  return 0;
}
