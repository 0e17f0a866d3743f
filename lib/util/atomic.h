/* imgscrub: outputs appear atomically: written under a temporary name,
 * fsync'd, renamed, and the directory fsync'd.  A failed output leaves
 * nothing behind. */
#ifndef ISC_ATOMIC_H
#define ISC_ATOMIC_H

#include <stddef.h>

#include "util/error.h"

/* fsync PATH, rename it to FINAL (same filesystem), fsync FINAL's
 * directory.  On failure PATH is removed. */
int isc_atomic_commit (struct isc_err *err, const char *path,
                       const char *final);

/* Write LEN bytes of BUF to FINAL atomically (temporary file beside it). */
int isc_atomic_write (struct isc_err *err, const char *final,
                      const void *buf, size_t len);

/* Write all LEN bytes of BUF to FD, through short writes and EINTR.
 * Returns 0, or -1 with errno set. */
int isc_write_all (int fd, const void *buf, size_t len);

/* Remove the directory tree at PATH (our own scratch directories only:
 * symlinks are removed, never followed).  Errors are ignored. */
void isc_remove_tree (const char *path);

#endif
