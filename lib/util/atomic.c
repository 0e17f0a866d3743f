/* imgscrub: atomic writes: temporary file, fsync, rename, folder fsync. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/cleanups.h"
#include "util/error.h"

static int
fsync_path (struct isc_err *err, const char *path, int flags)
{
  CLEANUP_CLOSE int fd = open (path, flags | O_CLOEXEC);

  if (fd == -1)
    return isc_error_errno (err, path, "open for fsync");
  if (fsync (fd) == -1)
    return isc_error_errno (err, path, "fsync");
  return 0;
}

int
isc_atomic_commit (struct isc_err *err, const char *path, const char *final)
{
  CLEANUP_FREE char *dir = strdup (final);

  if (!dir) {
    unlink (path);
    return isc_error_oom (err, final);
  }
  if (fsync_path (err, path, O_RDONLY) == -1)
    goto fail;
  if (rename (path, final) == -1) {
    isc_error_errno (err, final, "rename");
    goto fail;
  }
  /* Without this the rename itself may not survive a crash. */
  if (fsync_path (err, dirname (dir), O_RDONLY | O_DIRECTORY) == -1)
    return -1;
  return 0;
 fail:
  unlink (path);
  return -1;
}

int
isc_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0) {
    ssize_t r = write (fd, p, len);

    if (r == -1 && errno == EINTR)
      continue;
    if (r == -1)
      return -1;
    if (r == 0) {
      errno = EIO;
      return -1;
    }
    p += r;
    len -= r;
  }
  return 0;
}

int
isc_atomic_write (struct isc_err *err, const char *final, const void *buf,
                  size_t len)
{
  CLEANUP_FREE char *tmp = NULL;
  mode_t mask;
  int fd;

  if (asprintf (&tmp, "%s.tmp-XXXXXX", final) == -1)
    return isc_error_oom (err, final);
  fd = mkostemp (tmp, O_CLOEXEC);
  if (fd == -1)
    return isc_error_errno (err, final, "create temporary file");
  /* mkostemp makes it 0600; a manifest is an ordinary file. */
  mask = umask (0);
  umask (mask);
  if (fchmod (fd, 0666 & ~mask) == -1) {
    isc_error_errno (err, final, "chmod");
    close (fd);
    unlink (tmp);
    return -1;
  }
  if (isc_write_all (fd, buf, len) == -1) {
    isc_error_errno (err, final, "write");
    close (fd);
    unlink (tmp);
    return -1;
  }
  if (close (fd) == -1) {
    isc_error_errno (err, final, "close");
    unlink (tmp);
    return -1;
  }
  return isc_atomic_commit (err, tmp, final);
}

static int
remove_entry (const char *path, const struct stat *st, int type,
              struct FTW *ftw)
{
  if (type == FTW_DP)
    rmdir (path);
  else
    unlink (path);
  return 0;
}

void
isc_remove_tree (const char *path)
{
  nftw (path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
