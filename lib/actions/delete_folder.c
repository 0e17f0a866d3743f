/* delete-folder: remove a folder and everything in it (~/.ssh), or every
 * folder a glob names (each user's .ssh).  Nothing is followed: a symlink
 * inside is removed itself, and so is a symlink at the path. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <guestfs.h>

#include "actions/common.h"
#include "cleanups.h"
#include "guest-private.h"
#include "guestpath.h"
#include "profile.h"
#include "winpath.h"

static cfg_opt_t opts[] = {
  CFG_STR ("path", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static const char *const docs[] = {
  "path", "the folder to delete with everything in it (required); not the "
  "root folder nor a top folder; a symbolic link there is removed itself; "
  "a glob names every matching folder",
  NULL
};

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  CLEANUP_FREE char *norm = NULL;

  if (a->path[0] == '%')
    return 0;
  if (isc_winpath_normalise (err, a->path, a->os == ISC_OS_WINDOWS,
                             &norm) == -1)
    return -1;
  /* "/", "/etc": a whole top folder is never one identity. */
  if (strchr (norm + 1, '/') == NULL)
    return isc_error_text (err, a->path, "refusing to delete a top folder");
  return 0;
}

static int
on_path (struct isc_guest *gu, const struct isc_action *a, const char *path,
         void *opaque)
{
  CLEANUP_FREE char *resolved = NULL;
  enum isc_ftype type;

  if (isc_guest_lookup (gu, a, path, 1, &resolved, &type, NULL))
    return 0;
  if (type != ISC_FT_DIR && type != ISC_FT_SYMLINK) {
    isc_guest_fail (gu, a, resolved, "not a folder (delete-file removes a "
                    "file)");
    return 0;
  }
  if (strchr (resolved + 1, '/') == NULL) {
    isc_guest_fail (gu, a, resolved, "refusing to delete a top folder");
    return 0;
  }
  return isc_guest_change (gu, a, &(struct isc_change) {
      .target = resolved, .deletes = 1, .type = 'f', .note = 1, .subtree = 1,
      .fn = type == ISC_FT_DIR ? isc_guest_rm_rf : isc_guest_rm,
      .opaque = resolved });
}

const struct isc_action_kind isc_action_delete_folder = {
  .name = "delete-folder",
  .summary = "delete a folder with everything in it, following no symlink",
  .os = ISC_OS_ANY,
  .opts = opts,
  .option_docs = docs,
  .example =
  "delete-folder \"ssh-userdir\" {\n"
  "  path = \"/home/*/.ssh\"\n"
  "}\n",
  .path_opt = "path",
  .globs = ISC_GLOB_DIRS,
  .parse = parse,
  .on_path = on_path,
};
