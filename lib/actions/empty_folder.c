/* empty-folder: delete everything inside a folder, keeping the folder
 * (its permissions and, on Windows, its ACL).  Each entry is one target;
 * a symlink is removed itself.  A glob names several folders
 * (each user's Temp). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <guestfs.h>

#include "util/cleanups.h"
#include "guest/private.h"
#include "guest/path.h"
#include "profiles/profile.h"
#include "util/path.h"
#include "util/status.h"
#include "util/error.h"
#include "util/oom.h"
#include "guest/change.h"
#include "profiles/action.h"

static const char *const docs[] = {
  "path", "the folder to empty (required); not the root folder; a "
  "symbolic link is refused; a glob names every matching folder",
  NULL
};

static int
empty_it (struct isc_guest *gu, const struct isc_action *a,
          const struct isc_file *f, void *opaque)
{
  struct isc_err reason = ISC_ERR_INIT;
  const char *resolved = f->path;
  const struct isc_dirlist *l;
  size_t i, n = 0;
  int r = 0;

  if (isc_guest_list_dir (gu, &reason, resolved, &l) == -1) {
    isc_guest_report_failed (gu, a, resolved, &reason);
    isc_err_clear (&reason);
    return 0;
  }
  /* In name order (the listing is sorted): the same image gives the
   * same manifest. */
  for (i = 0; i < l->n && r == 0; ++i) {
    CLEANUP_FREE char *entry = NULL;

    if (l->types[i] == ISC_FT_ABSENT)
      continue;
    entry = isc_path_join (resolved, l->names[i]);
    if (!entry)
      isc_oom ();
    n++;
    /* guestfs_rm_rf runs rm(1) in the appliance, some 55 ms under
     * TCG: a file or symlink takes guestfs_rm, under 1 ms. */
    r = isc_guest_change (gu, a, &(struct isc_change) {
        .target = entry, .deletes = 1, .type = ISC_ITEM_FILE, .note = 1,
        .subtree = l->types[i] == ISC_FT_DIR,
        .fn = l->types[i] == ISC_FT_DIR ? isc_guest_rm_rf : isc_guest_rm,
        .opaque = entry });
  }
  if (n == 0)
    isc_guest_report (gu, a, resolved, ISC_RESULT_ABSENT, NULL);
  return r;
}

const struct isc_action_kind isc_action_empty_folder = {
  .name = "empty-folder",
  .summary = "delete everything inside a folder, keeping the folder",
  .os = ISC_OS_ANY,
  .option_docs = docs,
  .example =
  "empty-folder \"sms-temp\" {\n"
  "  path = '%SystemRoot%\\MS\\SMS\\Temp'\n"
  "}\n",
  .globs = ISC_GLOB_DIRS,
  .min_depth = 1,
  .on_file = empty_it,
  .takes = ISC_TAKES_DIR,
};
