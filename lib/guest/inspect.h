/* imgscrub: quick inspection of one drive inside the appliance.
 *
 * libguestfs's guestfs_inspect_os probes every filesystem of every drive
 * in depth: about 5 s per image under TCG, the main cost of a batch.
 * This looks only where imgscrub needs to: the drive's own filesystems
 * (partitions, and logical volumes when LVM is filtered to this drive),
 * a Windows system root with System32/config, or /etc/os-release with
 * the other filesystems its /etc/fstab mounts mapped onto the same
 * drive: clones share UUIDs, labels and volume group names, so nothing
 * is looked up across drives.  Guests it does not recognise are left to
 * guestfs_inspect_os. */
#ifndef ISC_INSPECT_H
#define ISC_INSPECT_H

#include <guestfs.h>
#include <jansson.h>

/* Is PART ("/dev/sdb2") a partition of DRIVE_DEV ("/dev/sdb")?  The
 * appliance names partitions after their disk, so no call is needed. */
int isc_partition_of (const char *part, const char *drive_dev);

/* Look for an operating system on DRIVE_DEV ("/dev/sdb"), whose
 * partitions are among PARTITIONS (guestfs_list_partitions, listed once
 * for all drives) and whose logical volumes are LVS (NULL when LVM is
 * not filtered to this drive).  TYPES, if not NULL, holds
 * guestfs_vfs_type of each partition, and swap, LVM physical volumes and
 * unknown types are skipped; without it each candidate is simply
 * mounted, which fails for those (blkid is slow under TCG).  Returns 1
 * and sets *RET_FACTS (new reference; keys as in appliance.c: "root",
 * "os", "distro", "product_name", "version", "arch", "hostname",
 * "windows_systemroot", "windows_current_control_set", "mountpoints"),
 * or 0 when the full inspection is needed.  With ISC_INSPECT_KEEP_MOUNTED
 * the root found may be left mounted at "/" (read-write when FLAGS has
 * ISC_INSPECT_WRITABLE), saving a second mount: *RET_MOUNTED says
 * whether it was.  Otherwise, or on failure, nothing is left mounted. */
#define ISC_INSPECT_KEEP_MOUNTED 1  /* leave the root mounted at "/" */
#define ISC_INSPECT_WRITABLE 2      /* ... read-write */
/* Windows: leave the facts kept in the registry (product name, version,
 * hostname, current control set) to the caller, and set
 * "registry_unread" in the facts: a caller that copies the hives out to
 * act on them anyway reads those facts there, natively, instead of
 * through some fifty calls to the appliance's hivex. */
#define ISC_INSPECT_HOST_REGISTRY 4
int isc_fast_inspect (guestfs_h *g, const char *drive_dev,
                      char *const *partitions, char *const *types,
                      char *const *lvs, unsigned flags, json_t **ret_facts,
                      int *ret_mounted);

#endif
