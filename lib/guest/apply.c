/* imgscrub: the pass over one guest: each action of each profile, with
 * its guards and --skip, then the hive commit. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profiles/action.h"
#include "util/cleanups.h"
#include "util/escape.h"
#include "guest/apply.h"
#include "guest/private.h"
#include "guest/path.h"
#include "profiles/profile.h"
#include "guest/reg.h"
#include "util/steps.h"
#include "util/time.h"
#include "util/status.h"
#include "util/error.h"
#include "util/oom.h"
#include "guest/targets.h"

/* What packages the guest has: "rpm", "deb" or "" (looked at once). */
static const char *
package_format (struct isc_guest *gu)
{
  static const struct { const char *path, *format; } marks[] = {
    { "/var/lib/dpkg/status", "deb" },
    { "/var/lib/rpm", "rpm" },
    { "/usr/lib/sysimage/rpm", "rpm" },
  };
  struct isc_guest_private *priv = gu->priv;
  size_t i;

  for (i = 0; !priv->pkgfmt && i < sizeof marks / sizeof marks[0]; ++i) {
    struct isc_err reason = ISC_ERR_INIT;
    CLEANUP_FREE char *resolved = NULL;
    enum isc_ftype type = ISC_FT_ABSENT;

    if (isc_guest_resolve (gu, &reason, marks[i].path, &resolved) == 0 &&
        resolved && isc_guest_ftype (gu, &reason, resolved, &type, NULL) == 0 &&
        type != ISC_FT_ABSENT && type != ISC_FT_SYMLINK)
      priv->pkgfmt = marks[i].format;
    isc_err_clear (&reason);
  }
  if (!priv->pkgfmt)
    priv->pkgfmt = "";
  return priv->pkgfmt;
}

/* Why A's guards leave this guest out (*WHY, caller frees), or 0 when
 * they match. */
static int
guarded_out (struct isc_guest *gu, const struct isc_action *a, char **why)
{
  const char *pf;
  size_t i;

  *why = NULL;
  if (a->distros) {
    for (i = 0; a->distros[i]; ++i)
      if (gu->distro && strcmp (a->distros[i], gu->distro) == 0)
        break;
    if (!a->distros[i]) {
      if (asprintf (why, "guard: the distro is %s", gu->distro ? gu->distro
                    : "unknown") == -1)
        isc_oom ();
      return 1;
    }
  }
  if (a->package_format &&
      strcmp (a->package_format, (pf = package_format (gu))) != 0) {
    if (asprintf (why, "guard: the package format is %s", *pf ? pf
                  : "unknown") == -1)
      isc_oom ();
    return 1;
  }
  if (a->machine_ids) {
    const char *mode = gu->machine_id ? gu->machine_id
      : isc_machine_id_modes[0];

    for (i = 0; a->machine_ids[i]; ++i)
      if (strcmp (a->machine_ids[i], mode) == 0)
        break;
    if (!a->machine_ids[i]) {
      if (asprintf (why, "guard: the machine-id mode is %s", mode) == -1)
        isc_oom ();
      return 1;
    }
  }
  return 0;
}

/* The --skip entry naming A, or NULL. */
static const char *
skipped_by (const struct isc_guest *gu, const struct isc_action *a)
{
  size_t i, len = strlen (a->profile);

  for (i = 0; a->title && gu->skips && gu->skips[i]; ++i)
    if (strncmp (gu->skips[i], a->profile, len) == 0 &&
        gu->skips[i][len] == ':' && strcmp (gu->skips[i] + len + 1, a->title) == 0)
      return gu->skips[i];
  return NULL;
}

/* Why the core refuses TYPE for a kind that does not take it. */
static const char *
refusal (enum isc_ftype type)
{
  switch (type) {
  case ISC_FT_FILE: return "is a file";
  case ISC_FT_DIR: return "is a folder";
  case ISC_FT_SYMLINK: return "is a symbolic link (not followed)";
  default: return "not a regular file";
  }
}

static unsigned
takes_bit (enum isc_ftype type)
{
  switch (type) {
  case ISC_FT_ABSENT: return ISC_TAKES_ABSENT;
  case ISC_FT_FILE: return ISC_TAKES_FILE;
  case ISC_FT_DIR: return ISC_TAKES_DIR;
  case ISC_FT_SYMLINK: return ISC_TAKES_SYMLINK;
  default: return ISC_TAKES_OTHER;
  }
}

/* The on_file kinds: look PATH up, refuse what the kind does not take,
 * then hand it over. */
static int
lookup_for_kind (struct isc_guest *gu, const struct isc_action *a,
                 const char *path, void *opaque)
{
  const struct isc_action_kind *k = a->kind;
  CLEANUP_FREE char *resolved = NULL;
  struct isc_file f = { 0 };

  if (isc_guest_lookup (gu, a, path, !(k->takes & ISC_TAKES_ABSENT),
                        &resolved, &f.type,
                        k->takes & ISC_TAKES_SIZE ? &f.size : NULL))
    return 0;
  if (!(k->takes & takes_bit (f.type))) {
    isc_guest_fail (gu, a, resolved, "%s, which %s does not act on",
                    refusal (f.type), k->name);
    return 0;
  }
  f.path = resolved;
  return k->on_file (gu, a, &f, opaque);
}

static int
apply_one (const struct isc_profile *owner, const struct isc_action *a,
           void *opaque)
{
  struct isc_guest *gu = opaque;
  struct isc_guest_private *priv = gu->priv;
  const struct isc_action_kind *k = a->kind;
  const char *skip = skipped_by (gu, a);
  CLEANUP_FREE char *why = NULL;
  double began = isc_now (), nested = priv->nested_seconds;
  int r;

  priv->action_failed = 0;
  if (skip && asprintf (&why, "left out with --skip %s", skip) == -1)
    isc_oom ();
  if (skip || !(a->os & gu->os) || guarded_out (gu, a, &why)) {
    isc_guest_report (gu, a, a->target, ISC_RESULT_SKIPPED, why);
    return 0;
  }
  if (k->apply)
    r = k->apply (gu, a);
  else if (k->on_file)
    r = isc_guest_foreach_path (gu, a, a->path, lookup_for_kind, a->data);
  else
    r = isc_reg_foreach (gu, a, a->key, k->on_key, a->data);
  isc_step_add (gu->steps, k->name,
                began + (priv->nested_seconds - nested));
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
  double began;
  size_t i;
  int r;

  if (isc_guest_private_init (gu) == -1)
    return isc_error_oom (gu->err, NULL);
  priv = gu->priv;
  for (i = 0; i < n_profiles && !priv->fatal; ++i)
    isc_profile_foreach_action (profiles[i], apply_one, gu);
  if (priv->fatal) {
    if (!gu->err->msg)
      isc_error (gu->err, NULL, "an action failed");
    return -1;
  }
  began = isc_now ();
  r = isc_reg_commit (gu);
  isc_step_add (gu->steps, "hive-commit", began);
  if (r == -1)
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
  isc_guest_dirs_forget (gu);
  isc_guest_folders_forget (gu, NULL);
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
