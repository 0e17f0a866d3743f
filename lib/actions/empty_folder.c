/* empty-folder: delete everything inside a folder, keeping the folder
 * (its permissions and, on Windows, its ACL).  Each entry is one target;
 * a symlink is removed itself. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <guestfs.h>

#include "actions/common.h"
#include "cleanups.h"
#include "guest-private.h"
#include "guestpath.h"
#include "profile.h"
#include "winpath.h"

/* Most entries of one folder. */
#define MAX_ENTRIES 1000000

static cfg_opt_t opts[] = {
  CFG_STR ("path", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static const char *const docs[] = {
  "path", "the folder to empty (required); not the root folder; a "
  "symbolic link is refused",
  NULL
};

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  char *path, *norm;

  if (isc_opt_path (err, sec, "path", 1, a, &path) == -1)
    return -1;
  a->data = path;
  if (path[0] != '%') {
    if (isc_winpath_normalise (err, path, a->os == ISC_OS_WINDOWS, &norm) == -1)
      return -1;
    if (strcmp (norm, "/") == 0) {
      free (norm);
      return isc_error_text (err, path, "refusing to empty the root folder");
    }
    free (norm);
  }
  a->target = strdup (path);
  return a->target ? 0 : isc_error_errno (err, NULL, "strdup");
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
on_path (struct isc_guest *gu, const struct isc_action *a, const char *path,
         void *opaque)
{
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE char *resolved = NULL, *listing = NULL, *line = NULL;
  CLEANUP_FCLOSE FILE *fp = NULL;
  enum isc_ftype type = ISC_FT_ABSENT;
  CLEANUP_FREE_STRING_LIST char **names = NULL;
  size_t size = 0, n = 0, i;
  int r;

  if (isc_guest_resolve (gu, &reason, path, &resolved) == -1 ||
      (resolved && isc_guest_ftype (gu, &reason, resolved, &type, NULL) == -1))
    goto failed;
  if (type == ISC_FT_ABSENT) {
    isc_guest_report (gu, a, resolved ? resolved : path, ISC_RESULT_ABSENT,
                      NULL);
    return 0;
  }
  if (strcmp (resolved, "/") == 0) {
    isc_error (&reason, NULL, "refusing to empty the root folder");
    goto failed;
  }
  if (type != ISC_FT_DIR) {
    isc_error (&reason, NULL, "%s", type == ISC_FT_SYMLINK ?
               "is a symbolic link (not followed)" : "not a folder");
    goto failed;
  }
  listing = isc_guest_tmpname (gu, "ls");
  if (!listing)
    abort ();
  if (guestfs_ls0 (gu->g, resolved, listing) == -1) {
    isc_error (&reason, NULL, "cannot list: %s", guestfs_last_error (gu->g));
    goto failed;
  }
  fp = fopen (listing, "re");
  if (!fp) {
    isc_error_errno (&reason, NULL, "cannot read the listing");
    goto failed;
  }
  while ((r = isc_read_entry (fp, &reason, &line, &size)) == 1) {
    char **e;

    if (line[0] == '\0' || strchr (line, '/'))
      continue;
    if (n >= MAX_ENTRIES) {
      isc_error (&reason, NULL, "more than %d entries", MAX_ENTRIES);
      goto failed;
    }
    e = realloc (names, (n + 2) * sizeof *e);
    if (!e)
      abort ();
    names = e;
    names[n] = strdup (line);
    if (!names[n])
      abort ();
    names[++n] = NULL;
  }
  if (r == -1)
    goto failed;
  /* In name order: the same image gives the same manifest. */
  if (names)
    qsort (names, n, sizeof *names, compare_names);
  for (i = 0; i < n; ++i) {
    CLEANUP_FREE char *entry = isc_path_join (resolved, names[i]);

    if (!entry)
      abort ();
    if (gu->dry_run)
      isc_guest_report (gu, a, entry, ISC_RESULT_WOULD_DELETE, NULL);
    else if (guestfs_rm_rf (gu->g, entry) == -1) {
      struct isc_err why = ISC_ERR_INIT;

      isc_error (&why, NULL, "%s", guestfs_last_error (gu->g));
      isc_guest_report_failed (gu, a, entry, &why);
      isc_err_clear (&why);
      continue;
    }
    else
      isc_guest_report (gu, a, entry, ISC_RESULT_DELETED, NULL);
    isc_guest_note_removed (gu, a, 'f', entry, 1);
  }
  if (n == 0)
    isc_guest_report (gu, a, resolved, ISC_RESULT_ABSENT, NULL);
  fclose (fp);
  fp = NULL;
  unlink (listing);
  return 0;

 failed:
  if (listing)
    unlink (listing);
  isc_guest_report_failed (gu, a, resolved ? resolved : path, &reason);
  isc_err_clear (&reason);
  return 0;
}

static int
apply (struct isc_guest *gu, const struct isc_action *a)
{
  return isc_guest_foreach_path (gu, a, a->data, on_path, NULL);
}

const struct isc_action_kind isc_action_empty_folder = {
  .name = "empty-folder",
  .summary = "delete everything inside a folder, keeping the folder",
  .os = ISC_OS_ANY,
  .opts = opts,
  .option_docs = docs,
  .example =
  "empty-folder \"sms-temp\" {\n"
  "  path = '%SystemRoot%\\MS\\SMS\\Temp'\n"
  "}\n",
  .parse = parse,
  .apply = apply,
  .free_data = free,
};
