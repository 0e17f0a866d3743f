/* delete-folder: remove a folder and everything in it (~/.ssh), or every
 * folder a glob names (each user's .ssh).  Nothing is followed: a symlink
 * inside is removed itself, and so is a symlink at the path. */
#include <config.h>

#include "guest/private.h"
#include "guest/path.h"
#include "profiles/profile.h"
#include "util/status.h"
#include "guest/change.h"
#include "profiles/action.h"

static const char *const docs[] = {
  "path", "the folder to delete with everything in it (required); not the "
  "root folder nor a top folder; a symbolic link there is removed itself; "
  "a glob names every matching folder",
  NULL
};

static int
remove_tree (struct isc_guest *gu, const struct isc_action *a,
             const struct isc_file *f, void *opaque)
{
  return isc_guest_change (gu, a, &(struct isc_change) {
      .target = f->path, .deletes = 1, .type = ISC_ITEM_FILE, .note = 1, .subtree = 1,
      .fn = f->type == ISC_FT_DIR ? isc_guest_rm_rf : isc_guest_rm,
      .opaque = (char *) f->path });
}

const struct isc_action_kind isc_action_delete_folder = {
  .name = "delete-folder",
  .summary = "delete a folder with everything in it, following no symlink",
  .os = ISC_OS_ANY,
  .option_docs = docs,
  .example =
  "delete-folder \"ssh-userdir\" {\n"
  "  path = \"/home/*/.ssh\"\n"
  "}\n",
  .globs = ISC_GLOB_DIRS,
  .min_depth = 2,
  .on_file = remove_tree,
  .takes = ISC_TAKES_DIR | ISC_TAKES_SYMLINK,
};
