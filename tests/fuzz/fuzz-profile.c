/* libFuzzer target: the profile loader (lib/profiles/'s scanner, the
 * libconfuse schema, every action kind's parse function, identities,
 * includes).  The input is written as "fuzz.conf" in a private folder,
 * which comes first on the profile search path: there "base.conf" is a
 * valid profile and "loop.conf" includes "fuzz", so an input can include
 * itself, another profile, or close a cycle.  A load either succeeds
 * with a well-formed profile or fails with one printable message naming
 * the file. */
#include <config.h>

#include "profiles/action.h"
#include "util/error.h"
#include "profiles/profile.h"

#include "fuzz.h"
#include "util/status.h"

static const char *const env_files[] = {
  "fuzz.conf", "base.conf", "loop.conf", NULL,
};

static char fuzz_conf[4096 + 64];

static const char base_conf[] =
  "name = \"base\"\n"
  "os = \"linux\"\n"
  "truncate-file \"machine-id\" {\n  path = \"/etc/machine-id\"\n}\n";
static const char loop_conf[] =
  "name = \"loop\"\ninclude = { \"fuzz\" }\n";

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *dir = fuzz_private_dir (env_files);
  const char *more = getenv ("IMGSCRUB_PROFILE_PATH");
  char path[4096 + 64], *search;

  (void) argc; (void) argv;
  snprintf (path, sizeof path, "%s/base.conf", dir);
  fuzz_write_file (path, base_conf, sizeof base_conf - 1);
  snprintf (path, sizeof path, "%s/loop.conf", dir);
  fuzz_write_file (path, loop_conf, sizeof loop_conf - 1);
  snprintf (fuzz_conf, sizeof fuzz_conf, "%s/fuzz.conf", dir);
  if (asprintf (&search, "%s:%s", dir, more ? more : "") == -1 ||
      setenv ("IMGSCRUB_PROFILE_PATH", search, 1) == -1)
    abort ();
  free (search);
  return 0;
}

static int
check_action (const struct isc_profile *owner, const struct isc_action *a,
              void *opaque)
{
  size_t *count = opaque;

  FUZZ_ASSERT (a->kind && isc_action_kind_lookup (a->kind->name) == a->kind);
  FUZZ_ASSERT (a->file && a->line > 0);
  FUZZ_ASSERT (a->os && (a->os & ~ISC_OS_ANY) == 0);
  FUZZ_ASSERT (owner->name);
  (*count)++;
  return 0;
}

static void
check_profile (const struct isc_profile *p)
{
  size_t i, count = 0;

  FUZZ_ASSERT (p->name && p->description && p->reference);
  FUZZ_ASSERT (p->path && p->file);
  FUZZ_ASSERT (strlen (p->sha256) == 64);
  FUZZ_ASSERT ((p->os & ~ISC_OS_ANY) == 0);
  for (i = 0; i < p->n_includes; ++i)
    check_profile (p->includes[i]);
  for (i = 0; i < p->n_identities; ++i) {
    const struct isc_identity *id = p->identities[i];

    FUZZ_ASSERT (id->title && id->file && id->line > 0);
    if (id->kind == ISC_IDENTITY_REGISTRY)
      FUZZ_ASSERT (id->key && id->value);
    else
      FUZZ_ASSERT (id->kind == ISC_IDENTITY_FILE && id->path);
  }
  FUZZ_ASSERT (isc_profile_foreach_action (p, check_action, &count) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct isc_err err = ISC_ERR_INIT;
  struct isc_profile *p = NULL;

  fuzz_write_file (fuzz_conf, data, size);
  if (isc_profile_load (&err, fuzz_conf, &p) == 0) {
    FUZZ_ASSERT (p);
    check_profile (p);
    isc_profile_free (p);
  }
  else {
    fuzz_check_message (err.msg);
  }
  isc_err_clear (&err);
  return 0;
}
