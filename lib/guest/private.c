/* imgscrub: the private state of one pass over a guest, and the records
 * every guest file keeps in it: results, failures, scratch names. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest/private.h"
#include "util/cleanups.h"
#include "profiles/action.h"
#include "util/error.h"
#include "util/oom.h"

int
isc_guest_private_init (struct isc_guest *gu)
{
  if (!gu->priv)
    gu->priv = calloc (1, sizeof *gu->priv);
  return gu->priv ? 0 : -1;
}

char *
isc_guest_tmpname (struct isc_guest *gu, const char *prefix)
{
  char *s;

  if (asprintf (&s, "%s/%s-%u", gu->tmpdir ? gu->tmpdir : "/tmp", prefix,
                ++gu->priv->serial) == -1)
    return NULL;
  return s;
}

void
isc_guest_report (struct isc_guest *gu, const struct isc_action *a,
                  const char *target, enum isc_result result,
                  const char *reason)
{
  struct isc_guest_private *priv;

  if (isc_guest_private_init (gu) == -1)
    isc_oom ();
  priv = gu->priv;
  if (result == ISC_RESULT_FAILED) {
    priv->action_failed = 1;
    if (!priv->first_failure &&
        asprintf (&priv->first_failure, "%s:%d: %s%s%s%s: %s", a->file,
                  a->line, a->kind ? a->kind->name : "read", a->title ? " '" : "",
                  a->title ? a->title : "", a->title ? "'" : "",
                  reason ? reason : "unknown error") == -1)
      priv->first_failure = NULL;
  }
  if (gu->on_result)
    gu->on_result (gu->on_result_opaque, a, target, result, reason);
}

void
isc_guest_report_failed (struct isc_guest *gu, const struct isc_action *a,
                         const char *target, const struct isc_err *reason)
{
  isc_guest_report (gu, a, target, ISC_RESULT_FAILED, isc_err_msg (reason));
}

void
isc_guest_fail (struct isc_guest *gu, const struct isc_action *a,
                const char *target, const char *fmt, ...)
{
  CLEANUP_FREE char *msg = NULL;
  va_list args;

  va_start (args, fmt);
  if (vasprintf (&msg, fmt, args) == -1)
    msg = NULL;
  va_end (args);
  isc_guest_report (gu, a, target, ISC_RESULT_FAILED, msg);
}

int
isc_guest_fatal (struct isc_guest *gu)
{
  gu->priv->fatal = 1;
  return -1;
}
