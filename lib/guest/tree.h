/* imgscrub: a mounted guest's filesystems as an archive (--export-tree).
 *
 * One guestfs tar-out of the guest's "/" streams the whole tree: GNU
 * tar in the appliance starts in the appliance's /sysroot (never a guest
 * path, so no guest symlink can lead it into the appliance's own files)
 * and follows no symlink below it (no -h): symlinks are stored as
 * symlinks and hard links as hard links; numeric owners, modes and times
 * are kept; extended attributes are not copied.  A file tar cannot read
 * whole fails the call, and so the export.  One find0 lists the tree
 * again: what tar left out (sockets) is reported as skipped.  Member
 * names are read back and checked (nothing absolute, no "..") before
 * the tar is handed on; isc_archiver_add_archive drops their "./". */
#ifndef ISC_TREE_H
#define ISC_TREE_H

#include <stddef.h>
#include <stdint.h>

#include <guestfs.h>
#include <jansson.h>

#include "util/error.h"

struct isc_tree_stats {
  size_t entries;                   /* entries written */
  int64_t bytes;                    /* file content written */
  json_t *skipped;                  /* [{"name","reason"}]: not stored */
};

/* Write everything under the guest's "/" (as mounted) into a tar at
 * PATH (host), member names "./" and relative to "/".  STATS->skipped must be
 * a JSON array; the rest is filled in. */
int isc_tree_write (struct isc_err *err, guestfs_h *g, const char *path,
                    struct isc_tree_stats *stats);

#endif
