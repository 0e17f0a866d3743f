/* imgscrub: copy whole files between the host and the appliance.
 * guestfs_download and guestfs_upload stream any size, but each costs
 * about 0.2-0.4 s of fixed overhead under TCG; a small file goes in
 * 1 MiB guestfs_pread / guestfs_write messages instead, a few ms each. */
#ifndef ISC_TRANSFER_H
#define ISC_TRANSFER_H

#include <stdint.h>

#include <guestfs.h>

#include "util/error.h"

/* Files up to this size are copied in messages. */
#define ISC_SMALL_TRANSFER (4LL << 20)

/* Copy guest file PATH, SIZE bytes as the guest last reported, into the
 * new host file HOST (created, mode 0600). */
int isc_copy_out (struct isc_err *reason, guestfs_h *g, const char *path,
                  int64_t size, const char *host);

/* Create or replace guest file PATH with the content of host file HOST. */
int isc_copy_in (struct isc_err *reason, guestfs_h *g, const char *host,
                 const char *path);

/* Read the whole guest file PATH, at most MAX bytes (larger: an
 * error), into a new NUL-terminated buffer *RET of *RET_LEN bytes
 * (caller frees).  In guestfs_pread messages: guestfs_read_file costs
 * some 170 ms under TCG, a small pread half a millisecond. */
int isc_read_guest_file (struct isc_err *reason, guestfs_h *g,
                         const char *path, size_t max, char **ret,
                         size_t *ret_len);

#endif
