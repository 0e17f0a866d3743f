/* write-file: give a file new content.  Written beside it under a
 * temporary name and renamed over it, so the guest never holds a half
 * written file; an existing file's owner and mode are kept on Linux.  A
 * symlink at the path is replaced, never followed.  Folders are not
 * created: a missing folder is "absent". */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <guestfs.h>

#include "actions/common.h"
#include "cleanups.h"
#include "guest-private.h"
#include "guestpath.h"
#include "profile.h"

struct data {
  char *path;
  char *content;
  long mode;                        /* -1: keep, or 0644 for a new file */
};

static cfg_opt_t opts[] = {
  CFG_STR ("path", NULL, CFGF_NODEFAULT),
  CFG_STR ("content", NULL, CFGF_NODEFAULT),
  CFG_INT ("mode", -1, CFGF_NONE),
  CFG_END ()
};

static const char *const docs[] = {
  "path", "the file to write (required); its folder must exist",
  "content", "the new content, a string (required; \"\" for none; C escapes "
  "such as \\n in double quotes)",
  "mode", "Linux permissions, e.g. 0644 (default: keep an existing file's, "
  "0644 for a new one); ignored on Windows",
  NULL
};

static void
free_data (void *opaque)
{
  struct data *d = opaque;

  if (!d)
    return;
  free (d->path);
  free (d->content);
  free (d);
}

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  struct data *d;
  const char *content;

  d = calloc (1, sizeof *d);
  if (!d)
    return isc_error_errno (err, NULL, "calloc");
  a->data = d;
  if (isc_opt_path (err, sec, "path", 1, a, &d->path) == -1 ||
      isc_opt_string (err, sec, "content", 1, &content) == -1)
    return -1;
  d->mode = cfg_getint (sec, "mode");
  if (d->mode < -1 || d->mode > 07777)
    return isc_error (err, NULL, "mode %ld is not between 0 and 07777",
                      d->mode);
  d->content = strdup (content);
  a->target = strdup (d->path);
  if (!d->content || !a->target)
    return isc_error_errno (err, NULL, "strdup");
  return 0;
}

static int
on_path (struct isc_guest *gu, const struct isc_action *a, const char *path,
         void *opaque)
{
  const struct data *d = a->data;
  guestfs_h *g = gu->g;
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE char *resolved = NULL, *tmp = NULL;
  struct guestfs_statns *st = NULL;
  enum isc_ftype type = ISC_FT_ABSENT, tmp_type;
  long mode = d->mode;
  const char *slash;

  if (isc_guest_resolve (gu, &reason, path, &resolved) == -1 ||
      (resolved && isc_guest_ftype (gu, &reason, resolved, &type, NULL) == -1))
    goto failed;
  if (!resolved) {
    isc_guest_report (gu, a, path, ISC_RESULT_ABSENT, NULL);
    return 0;
  }
  if (type == ISC_FT_DIR || type == ISC_FT_OTHER) {
    isc_error (&reason, NULL, "not a regular file");
    goto failed;
  }
  if (isc_refuse_recreate (gu, a, 'f', resolved, resolved))
    return 0;
  if (gu->dry_run) {
    isc_guest_report (gu, a, resolved, ISC_RESULT_WOULD_CHANGE, NULL);
    return 0;
  }
  slash = strrchr (resolved, '/');
  if (asprintf (&tmp, "%.*s/.%s.imgscrub-new", (int) (slash - resolved),
                resolved, slash + 1) == -1)
    abort ();
  if (isc_guest_ftype (gu, &reason, tmp, &tmp_type, NULL) == -1)
    goto failed;
  if (tmp_type != ISC_FT_ABSENT) {
    isc_error (&reason, tmp, "exists already");
    goto failed;
  }
  if (type == ISC_FT_FILE) {
    st = guestfs_lstatns (g, resolved);
    if (!st) {
      isc_error (&reason, NULL, "%s", guestfs_last_error (g));
      goto failed;
    }
    if (mode == -1)
      mode = st->st_mode & 07777;
  }
  if (mode == -1)
    mode = 0644;
  isc_guest_walk_forget (gu);
  if (guestfs_write (g, tmp, d->content, strlen (d->content)) == -1 ||
      (gu->os == ISC_OS_LINUX &&
       ((st && guestfs_lchown (g, st->st_uid, st->st_gid, tmp) == -1) ||
        guestfs_chmod (g, mode, tmp) == -1)) ||
      guestfs_rename (g, tmp, resolved) == -1) {
    isc_error (&reason, NULL, "%s", guestfs_last_error (g));
    guestfs_push_error_handler (g, NULL, NULL);
    guestfs_rm_f (g, tmp);
    guestfs_pop_error_handler (g);
    goto failed;
  }
  guestfs_free_statns (st);
  isc_guest_report (gu, a, resolved, ISC_RESULT_CHANGED, NULL);
  return 0;

 failed:
  guestfs_free_statns (st);
  isc_guest_report_failed (gu, a, resolved ? resolved : path, &reason);
  isc_err_clear (&reason);
  return 0;
}

static int
apply (struct isc_guest *gu, const struct isc_action *a)
{
  const struct data *d = a->data;

  return isc_guest_foreach_path (gu, a, d->path, on_path, NULL);
}

const struct isc_action_kind isc_action_write_file = {
  .name = "write-file",
  .summary = "replace a file's content (written aside, then renamed over it)",
  .os = ISC_OS_ANY,
  .opts = opts,
  .option_docs = docs,
  .example =
  "write-file \"hostname\" {\n"
  "  path = \"/etc/hostname\"\n"
  "  content = \"localhost\\n\"\n"
  "  mode = 0644\n"
  "}\n",
  .parse = parse,
  .apply = apply,
  .free_data = free_data,
};
