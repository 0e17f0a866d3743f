#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "action.h"
#include "cleanups.h"
#include "escape.h"
#include "guest-private.h"
#include "guestpath.h"
#include "manifest.h"
#include "profile.h"
#include "registry.h"

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
    abort ();
  priv = gu->priv;
  if (result == ISC_RESULT_FAILED) {
    priv->action_failed = 1;
    if (!priv->first_failure &&
        asprintf (&priv->first_failure, "%s:%d: %s%s%s%s: %s", a->file,
                  a->line, a->kind->name, a->title ? " '" : "",
                  a->title ? a->title : "", a->title ? "'" : "",
                  reason ? reason : "unknown error") == -1)
      priv->first_failure = NULL;
  }
  if (gu->actions)
    json_array_append_new (gu->actions,
                           isc_manifest_action (a, target, result, reason));
}

void
isc_guest_report_failed (struct isc_guest *gu, const struct isc_action *a,
                         const char *target, const struct isc_err *reason)
{
  isc_guest_report (gu, a, target, ISC_RESULT_FAILED, isc_err_msg (reason));
}

int
isc_guest_fatal (struct isc_guest *gu)
{
  gu->priv->fatal = 1;
  return -1;
}

void
isc_guest_note_removed (struct isc_guest *gu, const struct isc_action *a,
                        char type, const char *what, int subtree)
{
  struct isc_guest_private *priv = gu->priv;
  struct isc_removed *r;

  r = realloc (priv->removed, (priv->n_removed + 1) * sizeof *r);
  if (!r)
    abort ();
  priv->removed = r;
  r[priv->n_removed].type = type;
  r[priv->n_removed].what = strdup (what);
  if (!r[priv->n_removed].what)
    abort ();
  r[priv->n_removed].subtree = subtree;
  r[priv->n_removed].by = a;
  priv->n_removed++;
}

const struct isc_action *
isc_guest_removed_by (struct isc_guest *gu, char type, const char *what)
{
  struct isc_guest_private *priv = gu->priv;
  /* The registry ignores letter case, and so does Windows for files. */
  int nocase = type == 'r' || gu->os == ISC_OS_WINDOWS;
  const char *seps = type == 'r' ? "\\|" : "/";
  size_t i, len;

  for (i = 0; i < priv->n_removed; ++i) {
    const struct isc_removed *r = &priv->removed[i];

    if (r->type != type)
      continue;
    len = strlen (r->what);
    if ((nocase ? strncasecmp (r->what, what, len)
         : strncmp (r->what, what, len)) != 0)
      continue;
    if (what[len] == '\0')
      return r->by;
    /* Something under a removed key or folder. */
    if (r->subtree &&
        (strchr (seps, what[len]) || (len > 0 && strchr (seps, r->what[len - 1]))))
      return r->by;
  }
  return NULL;
}

static int
apply_one (const struct isc_profile *owner, const struct isc_action *a,
           void *opaque)
{
  struct isc_guest *gu = opaque;
  struct isc_guest_private *priv = gu->priv;
  int r;

  priv->action_failed = 0;
  if (!(a->os & gu->os)) {
    isc_guest_report (gu, a, a->target, ISC_RESULT_SKIPPED, NULL);
    return 0;
  }
  r = a->kind->apply (gu, a);
  if (priv->action_failed)
    priv->n_failed++;
  if (r == -1 || priv->fatal) {
    priv->fatal = 1;
    return -1;
  }
  return 0;
}

int
isc_guest_apply (struct isc_guest *gu, struct isc_profile *const *profiles,
                 size_t n_profiles)
{
  struct isc_guest_private *priv;
  size_t i;

  if (isc_guest_private_init (gu) == -1)
    return isc_error_errno (gu->err, NULL, "calloc");
  priv = gu->priv;
  for (i = 0; i < n_profiles && !priv->fatal; ++i)
    isc_profile_foreach_action (profiles[i], apply_one, gu);
  if (priv->fatal) {
    if (!gu->err->msg)
      isc_error (gu->err, NULL, "an action failed");
    return -1;
  }
  if (isc_reg_commit (gu) == -1)
    return -1;
  if (priv->n_failed)
    return isc_error (gu->err, NULL, "%zu action%s failed; first %s",
                      priv->n_failed, priv->n_failed == 1 ? "" : "s",
                      priv->first_failure ? priv->first_failure : "");
  return 0;
}

int
isc_guest_windows_facts (struct isc_guest *gu, json_t *facts)
{
  return isc_reg_windows_facts (gu, facts);
}

void
isc_guest_clear (struct isc_guest *gu)
{
  struct isc_guest_private *priv = gu->priv;
  size_t i;

  if (!priv)
    return;
  isc_guest_walk_forget (gu);
  isc_reg_close_all (gu);
  for (i = 0; i < priv->n_users; ++i) {
    free (priv->users[i].sid);
    free (priv->users[i].dir);
    free (priv->users[i].ntuser);
  }
  free (priv->users);
  for (i = 0; i < ISC_VAR_COUNT; ++i)
    free (priv->vars[i]);
  free (priv->ccs);
  for (i = 0; i < priv->n_removed; ++i)
    free (priv->removed[i].what);
  free (priv->removed);
  free (priv->first_failure);
  free (priv);
  gu->priv = NULL;
}
