/* imgscrub: btrfs subvolumes and snapper snapshots that hold a root
 * tree of their own (/.snapshots/N/snapshot on SUSE): each keeps its own
 * /etc/machine-id and SSH host keys, which a rollback would bring back.
 * Finding them, flipping their read-only flag and removing them; the
 * appliance worker (lib/run/appliance.c) mounts each one and scrubs it.
 *
 * Every function here needs the filesystem's top level (subvolid=5)
 * mounted at "/", so that subvolume paths are the ones btrfs lists. */
#ifndef ISC_SNAPSHOT_H
#define ISC_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include <guestfs.h>

#include "util/error.h"

/* What to do with the snapshots of a Linux guest (scrub --snapshots). */
enum isc_snapshot_mode {
  ISC_SNAPSHOTS_SCRUB,              /* apply the profiles inside each (default) */
  ISC_SNAPSHOTS_REMOVE,             /* delete them */
  ISC_SNAPSHOTS_KEEP,               /* leave them alone */
};

/* "scrub", "remove", "keep" into *RET; -1 for anything else. */
int isc_snapshot_mode_parse (const char *s, enum isc_snapshot_mode *ret);

struct isc_snapshot {
  char *path;                       /* from the top level, no leading '/':
                                       ".snapshots/1/snapshot" */
  int64_t id;                       /* btrfs subvolume ID */
  int readonly;                     /* the btrfs "ro" property */
};

/* The btrfs device under "btrfsvol:DEVICE/SUBVOL" or DEV itself (caller
 * frees), and in *RET_SUBVOL the subvolume path it names (borrowed from
 * DEV, NULL for a plain device).  NULL when DEV is not on btrfs. */
char *isc_snapshot_device (guestfs_h *g, const char *dev,
                           const char **ret_subvol);

/* Every subvolume but the root's (ROOT_SUBVOL, as isc_snapshot_device
 * gives it; NULL: the default subvolume) whose tree has an etc/ folder
 * with os-release in it (a file or a link), sorted by path, in *RET (*RET_N
 * entries; free with isc_snapshots_free).  A subvolume path that is not
 * made of plain names ([A-Za-z0-9._@+-], no "..") is refused: -1. */
int isc_snapshots_find (guestfs_h *g, struct isc_err *err,
                        const char *root_subvol, struct isc_snapshot **ret,
                        size_t *ret_n);

void isc_snapshots_free (struct isc_snapshot *s, size_t n);

/* Set S's read-only property to RO. */
int isc_snapshot_set_ro (guestfs_h *g, struct isc_err *err,
                         const struct isc_snapshot *s, int ro);

/* Delete S, and its snapper folder (.snapshots/N with info.xml) when S
 * is a snapper snapshot. */
int isc_snapshot_remove (guestfs_h *g, struct isc_err *err,
                         const struct isc_snapshot *s);

#endif
