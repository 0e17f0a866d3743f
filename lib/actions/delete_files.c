/* delete-files: delete every file whose name matches, anywhere on the
 * disk or under a folder (KB Q257808 steps 4 and 7: every copy of
 * Smsuid.dat and Sms1x.ini).  Names match without letter case on Windows
 * guests.  The walk is one guestfs_find0 into a host file; each match is
 * checked again before it is deleted.  find(1) does not follow symlinks
 * and no action creates one, so a listed path reaches the file itself
 * and in its true letter case: it needs no resolving. */
#include <config.h>

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <guestfs.h>

#include "util/cleanups.h"
#include "guest/private.h"
#include "guest/path.h"
#include "profiles/profile.h"
#include "windows/winpath.h"
#include "util/path.h"
#include "util/status.h"
#include "util/error.h"
#include "util/oom.h"
#include "guest/change.h"
#include "guest/targets.h"
#include "profiles/action.h"

/* Most files one action deletes. */
#define MAX_MATCHES 100000
/* Most matches too long to reach that one walk records one by one. */
#define MAX_LONG_REPORTED 100
#define STR_(x) #x
#define STR(x) STR_ (x)

struct data {
  char **names;                     /* NULL-terminated */
  char *under;
};

static cfg_opt_t opts[] = {
  CFG_STR_LIST ("name", NULL, CFGF_NODEFAULT),
  CFG_STR ("under", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static const char *const docs[] = {
  "name", "file name or fnmatch(3) glob, or a list of them (required), "
  "e.g. \"Smsuid.dat\" or {\"ssh_host_*_key\", \"ssh_host_*_key.pub\"}; "
  "matched against the last path component, without letter case on "
  "Windows; a pattern of only wildcards is refused",
  "under", "folder searched, with all its sub-folders (default \"/\": "
  "every mounted filesystem of the guest)",
  NULL
};

static void
free_data (void *opaque)
{
  struct data *d = opaque;

  if (!d)
    return;
  isc_free_string_list (d->names);
  free (d->under);
  free (d);
}

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  unsigned n = cfg_size (sec, "name"), i;
  struct data *d;
  size_t len = 0;
  char *p;

  if (n == 0)
    return isc_error (err, NULL, "missing required option 'name'");
  d = calloc (1, sizeof *d);
  if (!d)
    return isc_error_oom (err, NULL);
  a->data = d;
  d->names = calloc (n + 1, sizeof *d->names);
  if (!d->names)
    return isc_error_oom (err, NULL);
  for (i = 0; i < n; ++i) {
    const char *name = cfg_getnstr (sec, "name", i);

    if (isc_name_pattern_check (err, name) == -1)
      return -1;
    d->names[i] = strdup (name);
    if (!d->names[i])
      return isc_error_oom (err, NULL);
    len += strlen (name) + 2;
  }
  if (isc_action_opt_path (err, sec, "under", 0, a, &d->under) == -1)
    return -1;
  if (d->under && strpbrk (d->under, "*?["))
    return isc_error_text (err, d->under, "'under' takes no glob");
  if (!d->under && !(d->under = strdup ("/")))
    return isc_error_oom (err, NULL);
  a->target = malloc (len + strlen (d->under) + 8);
  if (!a->target)
    return isc_error_oom (err, NULL);
  p = a->target;
  for (i = 0; i < n; ++i)
    p += sprintf (p, "%s%s", i ? ", " : "", d->names[i]);
  sprintf (p, " under %s", d->under);
  return 0;
}

static int
matches (char *const *names, const char *base, int flags)
{
  size_t i;

  for (i = 0; names[i]; ++i)
    if (fnmatch (names[i], base, flags) == 0)
      return 1;
  return 0;
}

static int
compare_paths (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Delete one match, REL (relative to DIR). */
static int
delete_match (struct isc_guest *gu, const struct isc_action *a,
              const char *dir, const char *rel, size_t *found)
{
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE char *resolved = isc_path_join (dir, rel);
  enum isc_ftype type = ISC_FT_ABSENT;

  if (!resolved)
    isc_oom ();
  if (isc_action_excluded (a, resolved, gu->os == ISC_OS_WINDOWS))
    return 0;
  if (isc_guest_ftype (gu, &reason, resolved, &type, NULL) == -1) {
    isc_guest_report_failed (gu, a, resolved, &reason);
    isc_err_clear (&reason);
    (*found)++;
    return 0;
  }
  /* Gone since the listing (an earlier action), or a folder. */
  if (type == ISC_FT_ABSENT || type == ISC_FT_DIR)
    return 0;
  (*found)++;
  return isc_guest_change (gu, a, &(struct isc_change) {
      .target = resolved, .deletes = 1, .type = ISC_ITEM_FILE, .note = 1,
      .fn = isc_guest_rm, .opaque = resolved });
}

static int
on_path (struct isc_guest *gu, const struct isc_action *a, const char *path,
         void *opaque)
{
  const struct data *d = a->data;
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE char *dir = NULL, *line = NULL;
  CLEANUP_FCLOSE FILE *fp = NULL;
  const char *listing, *base, *prefix, *rel;
  int flags = gu->os == ISC_OS_WINDOWS ? FNM_CASEFOLD : 0;
  CLEANUP_FREE_STRING_LIST char **matched = NULL;
  size_t size = 0, entries = 0, found = 0, n_matched = 0, i, prefix_len;
  size_t n_long = 0;
  enum isc_ftype type;
  int r;

  /* The folder is looked into, not acted on: resolve it whole, inside
   * the guest, through the links only root can have made
   * (isc_guest_real_folder). */
  if (gu->os == ISC_OS_WINDOWS) {
    CLEANUP_FREE char *cased = NULL;

    if (isc_guest_case_path (gu, &reason, path, &cased) == -1 ||
        (cased && isc_guest_real_folder (gu, &reason, cased, &dir) == -1))
      goto failed;
  }
  else if (isc_guest_real_folder (gu, &reason, path, &dir) == -1)
    goto failed;
  if (!dir || dir[0] != '/') {
    isc_guest_report (gu, a, path, ISC_RESULT_ABSENT,
                      dir ? NULL : isc_guest_unfollowed (gu));
    return 0;
  }
  if (isc_guest_ftype (gu, &reason, dir, &type, NULL) == -1)
    goto failed;
  if (type != ISC_FT_DIR) {
    isc_guest_report (gu, a, dir, ISC_RESULT_ABSENT, NULL);
    return 0;
  }
  if (isc_guest_walk (gu, &reason, dir, &listing, &prefix) == -1)
    goto failed;
  prefix_len = strlen (prefix);
  fp = fopen (listing, "re");
  if (!fp) {
    isc_error_errno (&reason, NULL, "cannot read the listing of '%s'", dir);
    goto failed;
  }
  while ((r = isc_read_entry (fp, &reason, &line, &size)) >= 1) {
    char **m;

    if (++entries > ISC_MAX_LISTING) {
      isc_error (&reason, NULL, "more than %d entries", ISC_MAX_LISTING);
      goto failed;
    }
    /* A walk of a folder above DIR: only what lies inside DIR
     * ("PREFIX/..."), made relative to DIR.  Entries read "/sub/name",
     * or "sub/name" in a walk of "/". */
    rel = line;
    if (prefix_len) {
      const char *entry = line + (line[0] == '/');

      if (strncmp (entry, prefix, prefix_len) != 0 ||
          entry[prefix_len] != '/')
        continue;
      rel = entry + prefix_len;
    }
    base = strrchr (rel, '/');
    base = base ? base + 1 : rel;
    if (!matches (d->names, base, flags))
      continue;
    if (r == 2) {
      /* Too long for any guest call: recorded, left alone. */
      CLEANUP_FREE char *full = isc_path_join (dir, rel);

      found++;
      if (n_long++ < MAX_LONG_REPORTED)
        isc_guest_report (gu, a, full ? full : dir, ISC_RESULT_SKIPPED,
                          "path longer than " STR (ISC_MAX_GUEST_PATH)
                          " bytes: left alone");
      continue;
    }
    if (n_matched >= MAX_MATCHES) {
      isc_error (&reason, NULL, "more than %d matching files", MAX_MATCHES);
      goto failed;
    }
    m = realloc (matched, (n_matched + 2) * sizeof *m);
    if (!m)
      isc_oom ();
    matched = m;
    matched[n_matched] = strdup (rel);
    if (!matched[n_matched])
      isc_oom ();
    matched[++n_matched] = NULL;
  }
  if (r == -1)
    goto failed;
  /* In path order, whatever order the guest's directories list in: the
   * same image gives the same manifest. */
  if (matched)
    qsort (matched, n_matched, sizeof *matched, compare_paths);
  for (i = 0, r = 0; i < n_matched && r == 0; ++i)
    r = delete_match (gu, a, dir, matched[i], &found);
  if (r == -1)
    return -1;
  if (n_long > MAX_LONG_REPORTED) {
    CLEANUP_FREE char *msg = NULL;

    if (asprintf (&msg, "%zu more paths longer than %d bytes: left alone",
                  n_long - MAX_LONG_REPORTED, ISC_MAX_GUEST_PATH) == -1)
      isc_oom ();
    isc_guest_report (gu, a, dir, ISC_RESULT_SKIPPED, msg);
  }
  if (found == 0)
    isc_guest_report (gu, a, a->target, ISC_RESULT_ABSENT, NULL);
  return 0;

 failed:
  isc_guest_report_failed (gu, a, dir ? dir : path, &reason);
  isc_err_clear (&reason);
  return 0;
}

static int
apply (struct isc_guest *gu, const struct isc_action *a)
{
  const struct data *d = a->data;

  return isc_guest_foreach_path (gu, a, d->under, on_path, NULL);
}

const struct isc_action_kind isc_action_delete_files = {
  .name = "delete-files",
  .summary = "delete every file whose name matches, anywhere or under a "
  "folder",
  .os = ISC_OS_ANY,
  .opts = opts,
  .option_docs = docs,
  .example =
  "delete-files \"smsuid\" {\n"
  "  name = \"Smsuid.dat\"\n"
  "  under = \"/\"\n"
  "}\n",
  .globs = ISC_GLOB_FILES,         /* its names match many: takes exclude */
  .parse = parse,
  .apply = apply,
  .free_data = free_data,
};
