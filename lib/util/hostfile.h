/* imgscrub: reading a file of the host (a hive log, a shard manifest)
 * whole, with a size cap. */
#ifndef ISC_HOSTFILE_H
#define ISC_HOSTFILE_H

#include <stddef.h>

#include "util/error.h"

/* Read the whole host file PATH, at most MAX bytes (larger: an error),
 * into a new buffer *RET of *RET_LEN bytes (caller frees; a 0-byte file
 * gives a 1-byte buffer). */
int isc_read_host_file (struct isc_err *err, const char *path, size_t max,
                        unsigned char **ret, size_t *ret_len);

#endif
