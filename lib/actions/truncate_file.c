/* truncate-file: empty a file, keeping it (/etc/machine-id: systemd
 * regenerates an empty one at boot, while some systems break when it is
 * missing).  A symlink is refused, never followed. */
#include <config.h>

#include <stdlib.h>

#include <guestfs.h>

#include "actions/common.h"
#include "cleanups.h"
#include "guest-private.h"
#include "guestpath.h"
#include "profile.h"

static const char *const docs[] = {
  "path", "the file to truncate to zero bytes (required); an empty file "
  "is left alone (\"absent\")",
  NULL
};

static int
on_path (struct isc_guest *gu, const struct isc_action *a, const char *path,
         void *opaque)
{
  CLEANUP_FREE char *resolved = NULL;
  enum isc_ftype type;
  int64_t size = 0;

  if (isc_guest_lookup (gu, a, path, 1, &resolved, &type, &size))
    return 0;
  if (type == ISC_FT_FILE && size == 0) {
    isc_guest_report (gu, a, resolved, ISC_RESULT_ABSENT, NULL);
    return 0;
  }
  if (type != ISC_FT_FILE) {
    isc_guest_fail (gu, a, resolved, "%s", type == ISC_FT_SYMLINK ?
                    "is a symbolic link (not followed)" : "not a regular file");
    return 0;
  }
  return isc_guest_change (gu, a, &(struct isc_change) {
      .target = resolved, .type = 'f', .note = 1,
      .fn = isc_guest_truncate, .opaque = resolved });
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
  .has_path = 1,
  .on_path = on_path,
};
