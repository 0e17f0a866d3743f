/* imgscrub: an appliance of imgscrub's own, which boots faster.
 *
 * Under TCG most of a launch is udev settling the disks, about 0.4 s a
 * drive.  A good part of that is Debian's 60-persistent-storage.rules
 * running the scsi_id and ata_id programs on every disk, for the
 * /dev/disk/by-id names and libguestfs's drive labels, neither of which
 * imgscrub uses.  So imgscrub boots libguestfs's stock supermin input
 * (symlinks to each of its files) plus one tarball holding
 * /etc/udev/rules.d/60-persistent-storage.rules: the host's rules without
 * those programs (a rules file in /etc masks /lib's of the same name).
 * libguestfs builds and caches that appliance as it does the stock one,
 * once, below our own cache folder (guestfs_set_path and
 * guestfs_set_cachedir on the folder returned here).
 *
 * The folder's name is a digest of everything it is made of, so a
 * libguestfs or udev upgrade makes a new one, and concurrent runs share
 * it: each builds it under a temporary name, and the first rename wins.
 */
#ifndef ISC_APPLIANCE_PATH_H
#define ISC_APPLIANCE_PATH_H

#include <stddef.h>

#include "util/error.h"

/* The host's rules, which the supermin appliance copies. */
#define ISC_STORAGE_RULES "/lib/udev/rules.d/60-persistent-storage.rules"

/* The folder for this host's libguestfs, made below libguestfs's cache
 * folder (LIBGUESTFS_CACHEDIR, TMPDIR or /var/tmp) if need be.  Returns
 * 0 with *DIR a new string; 0 with *DIR NULL when the stock appliance is
 * wanted (IMGSCRUB_APPLIANCE=stock, or LIBGUESTFS_PATH names another
 * appliance); -1 with ERR set when no such folder can be made, in which
 * case the stock appliance still works. */
int isc_appliance_path_default (struct isc_err *err, char **dir);

/* The same from its parts: STOCK_SUPERMIN_D, libguestfs's supermin.d
 * folder; RULES, the host's storage rules file; CACHE, the folder to
 * make ours in (CACHE/.imgscrub-appliance-UID/DIGEST). */
int isc_appliance_path_prepare (struct isc_err *err,
                                const char *stock_supermin_d,
                                const char *rules, const char *cache,
                                char **dir);

/* The LEN bytes of udev rules at TEXT without the rules that run scsi_id
 * or ata_id (a rule continued over lines with '\' is one rule).  Sets
 * *OUT (owned by the caller) and *OUT_LEN; returns how many rules were
 * left out, or -1 when out of memory. */
int isc_storage_rules_trim (const char *text, size_t len, char **out,
                            size_t *out_len);

#endif
