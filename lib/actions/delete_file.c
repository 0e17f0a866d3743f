/* delete-file: remove one file (KB Q257808 step 5: %SystemRoot%\Smscfg.ini),
 * or every file a glob names (each user's .bash_history).  A symlink is
 * removed itself, never followed. */
#include <config.h>

#include "guest/private.h"
#include "guest/path.h"
#include "profiles/profile.h"
#include "util/status.h"
#include "guest/change.h"
#include "profiles/action.h"

static const char *const docs[] = {
  "path", "the file (required): a guest path, Windows paths may use "
  "variables, backslashes and C:; globs in any component name every "
  "matching file (folders are left to delete-folder)",
  NULL
};

static int
remove_it (struct isc_guest *gu, const struct isc_action *a,
           const struct isc_file *f, void *opaque)
{
  return isc_guest_change (gu, a, &(struct isc_change) {
      .target = f->path, .deletes = 1, .type = ISC_ITEM_FILE, .note = 1,
      .fn = isc_guest_rm, .opaque = (char *) f->path });
}

const struct isc_action_kind isc_action_delete_file = {
  .name = "delete-file",
  .summary = "delete one file, or every file a glob names",
  .os = ISC_OS_ANY,
  .option_docs = docs,
  .example =
  "delete-file \"smscfg\" {\n"
  "  path = '%SystemRoot%\\Smscfg.ini'\n"
  "}\n",
  .globs = ISC_GLOB_FILES,
  .on_file = remove_it,
  .takes = ISC_TAKES_FILE | ISC_TAKES_SYMLINK | ISC_TAKES_OTHER,
};
