/* imgscrub: opening and reading a file of the host (a hive log, a shard
 * manifest, an identity table): regular files only, never through a
 * symbolic link, whole and with a size cap. */
#ifndef ISC_HOSTFILE_H
#define ISC_HOSTFILE_H

#include <stddef.h>

#include "util/error.h"

struct stat;

/* Open PATH, a file named on the command line or found beside one, for
 * reading: a regular file only.  A symbolic link is refused, not
 * followed ("is a symbolic link"), and a FIFO or device is refused at
 * once ("not a regular file") instead of blocking in open.  Returns the
 * descriptor (blocking, close-on-exec; caller closes) and its fstat in
 * *RET_ST (may be NULL), or -1 with the reason in ERR. */
int isc_host_file_open (struct isc_err *err, const char *path,
                        struct stat *ret_st);

/* Read the whole host file PATH, at most MAX bytes (larger: an error),
 * into a new buffer *RET of *RET_LEN bytes (caller frees; a 0-byte file
 * gives a 1-byte buffer). */
int isc_read_host_file (struct isc_err *err, const char *path, size_t max,
                        unsigned char **ret, size_t *ret_len);

#endif
