/* imgscrub: a mounted guest's filesystems as an archive (--export-tree).
 *
 * libguestfs's tar-out and copy-out run tar in the appliance without a
 * chroot, so a guest symlink can make them archive the appliance's own
 * files.  This walk lists each directory and lstat()s its entries, and
 * descends only into entries that are real directories: no symlink in
 * the guest is ever followed, and every path it reads resolves inside
 * the guest.  Symlinks are stored as symlinks; owners, modes and times
 * are kept; extended attributes are not copied. */
#ifndef ISC_TREE_H
#define ISC_TREE_H

#include <stddef.h>
#include <stdint.h>

#include <guestfs.h>
#include <jansson.h>

#include "error.h"

struct isc_tree_stats {
  size_t entries;                   /* entries written */
  int64_t bytes;                    /* file content written */
  json_t *skipped;                  /* [{"name","reason"}]: not stored */
};

/* Write everything under the guest's "/" (as mounted) into a pax tar
 * at PATH (host), entry names relative to "/".  STATS->skipped must be
 * a JSON array; the rest is filled in. */
int isc_tree_write (struct isc_err *err, guestfs_h *g, const char *path,
                    struct isc_tree_stats *stats);

#endif
