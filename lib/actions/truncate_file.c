/* truncate-file: empty a file, keeping it (/etc/machine-id: systemd
 * regenerates an empty one at boot, while some systems break when it is
 * missing).  A symlink is refused, never followed. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <guestfs.h>

#include "actions/common.h"
#include "cleanups.h"
#include "guest-private.h"
#include "guestpath.h"
#include "profile.h"

static cfg_opt_t opts[] = {
  CFG_STR ("path", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static const char *const docs[] = {
  "path", "the file to truncate to zero bytes (required); an empty file "
  "is left alone (\"absent\")",
  NULL
};

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  char *path;

  if (isc_opt_path (err, sec, "path", 1, a, &path) == -1)
    return -1;
  a->data = path;
  a->target = strdup (path);
  return a->target ? 0 : isc_error_errno (err, NULL, "strdup");
}

static int
on_path (struct isc_guest *gu, const struct isc_action *a, const char *path,
         void *opaque)
{
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE char *resolved = NULL;
  enum isc_ftype type = ISC_FT_ABSENT;
  int64_t size = 0;

  if (isc_guest_resolve (gu, &reason, path, &resolved) == -1 ||
      (resolved && isc_guest_ftype (gu, &reason, resolved, &type, &size) == -1))
    goto failed;
  if (type == ISC_FT_ABSENT || (type == ISC_FT_FILE && size == 0)) {
    isc_guest_report (gu, a, resolved ? resolved : path, ISC_RESULT_ABSENT,
                      NULL);
    return 0;
  }
  if (type != ISC_FT_FILE) {
    isc_error (&reason, NULL, "%s", type == ISC_FT_SYMLINK ?
               "is a symbolic link (not followed)" : "not a regular file");
    goto failed;
  }
  if (gu->dry_run)
    isc_guest_report (gu, a, resolved, ISC_RESULT_WOULD_CHANGE, NULL);
  else if (guestfs_truncate (gu->g, resolved) == -1) {
    isc_error (&reason, NULL, "%s", guestfs_last_error (gu->g));
    goto failed;
  }
  else
    isc_guest_report (gu, a, resolved, ISC_RESULT_CHANGED, NULL);
  isc_guest_note_removed (gu, a, 'f', resolved, 0);
  return 0;

 failed:
  isc_guest_report_failed (gu, a, resolved ? resolved : path, &reason);
  isc_err_clear (&reason);
  return 0;
}

static int
apply (struct isc_guest *gu, const struct isc_action *a)
{
  return isc_guest_foreach_path (gu, a, a->data, on_path, NULL);
}

const struct isc_action_kind isc_action_truncate_file = {
  .name = "truncate-file",
  .summary = "empty a file, keeping it",
  .os = ISC_OS_ANY,
  .opts = opts,
  .option_docs = docs,
  .example =
  "truncate-file \"machine-id\" {\n"
  "  path = \"/etc/machine-id\"\n"
  "}\n",
  .parse = parse,
  .apply = apply,
  .free_data = free,
};
