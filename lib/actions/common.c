#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions/common.h"
#include "guest-private.h"
#include "profile.h"
#include "winpath.h"

int
isc_opt_string (struct isc_err *err, cfg_t *sec, const char *name,
                int required, const char **ret)
{
  *ret = cfg_size (sec, name) > 0 ? cfg_getstr (sec, name) : NULL;
  if (!*ret && required)
    return isc_error (err, NULL, "missing required option '%s'", name);
  return 0;
}

int
isc_opt_regpath (struct isc_err *err, cfg_t *sec, const char *name,
                 struct isc_regpath *ret)
{
  const char *text;

  if (isc_opt_string (err, sec, name, 1, &text) == -1)
    return -1;
  return isc_regpath_parse (err, text, ret);
}

int
isc_opt_path (struct isc_err *err, cfg_t *sec, const char *name,
              int required, struct isc_action *a, char **ret)
{
  const char *text;
  unsigned os, vars;

  *ret = NULL;
  if (isc_opt_string (err, sec, name, required, &text) == -1)
    return -1;
  if (!text)
    return 0;
  if (isc_winpath_check (err, text, &os, &vars) == -1)
    return -1;
  a->os &= os;
  *ret = strdup (text);
  return *ret ? 0 : isc_error_errno (err, NULL, "strdup");
}

char *
isc_reg_value_display (const char *key, const char *value)
{
  char *s;

  if (asprintf (&s, "%s\\%s", key, *value ? value : "(Default)") == -1)
    return NULL;
  return s;
}

int
isc_refuse_recreate (struct isc_guest *gu, const struct isc_action *a,
                     char type, const char *what, const char *target)
{
  const struct isc_action *by = isc_guest_removed_by (gu, type, what);
  char *reason;

  if (!by)
    return 0;
  if (asprintf (&reason, "would re-create what %s:%d removed earlier in "
                "this pass", by->file, by->line) == -1)
    abort ();
  isc_guest_report (gu, a, target, ISC_RESULT_FAILED, reason);
  free (reason);
  return 1;
}
