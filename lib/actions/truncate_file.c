/* truncate-file: empty a file, keeping it (/etc/machine-id: systemd
 * regenerates an empty one at boot, while some systems break when it is
 * missing).  A symlink is refused, never followed. */
#include <config.h>

#include "guest/private.h"
#include "guest/path.h"
#include "profiles/profile.h"
#include "util/status.h"
#include "guest/change.h"
#include "profiles/action.h"

static const char *const docs[] = {
  "path", "the file to truncate to zero bytes (required); an empty file "
  "is left alone (\"absent\"); a glob names every matching file "
  "(each ostree deployment's /etc/machine-id)",
  NULL
};

static int
empty_it (struct isc_guest *gu, const struct isc_action *a,
          const struct isc_file *f, void *opaque)
{
  if (f->size == 0) {
    isc_guest_report (gu, a, f->path, ISC_RESULT_ABSENT, NULL);
    return 0;
  }
  return isc_guest_change (gu, a, &(struct isc_change) {
      .target = f->path, .type = ISC_ITEM_FILE, .note = 1,
      .fn = isc_guest_truncate, .opaque = (char *) f->path });
}

const struct isc_action_kind isc_action_truncate_file = {
  .name = "truncate-file",
  .summary = "empty a file, keeping it",
  .os = ISC_OS_ANY,
  .option_docs = docs,
  .example =
  "truncate-file \"machine-id\" {\n"
  "  path = \"/etc/machine-id\"\n"
  "}\n",
  .globs = ISC_GLOB_FILES,
  .on_file = empty_it,
  .takes = ISC_TAKES_FILE | ISC_TAKES_SIZE,
};
