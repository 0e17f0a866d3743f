/* imgscrub: whole host files read with a size cap. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanups.h"
#include "util/hostfile.h"
#include "util/error.h"

int
isc_host_file_open (struct isc_err *err, const char *path,
                    struct stat *ret_st)
{
  CLEANUP_CLOSE int fd = -1;
  struct stat st;
  int flags, r;

  /* O_NONBLOCK: opening a FIFO for reading would wait for a writer, and
   * a device might act on the open; the type is only known after it. */
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
             O_NOCTTY);
  if (fd == -1) {
    /* ELOOP is also "too many levels of links" on the way: say symbolic
     * link only when the last component is one. */
    if (errno == ELOOP && lstat (path, &st) == 0 && S_ISLNK (st.st_mode))
      return isc_error (err, path, "is a symbolic link: not followed");
    return isc_error_errno (err, path, "cannot open");
  }
  if (fstat (fd, &st) == -1)
    return isc_error_errno (err, path, "stat");
  if (!S_ISREG (st.st_mode))
    return isc_error (err, path, "not a regular file");
  flags = fcntl (fd, F_GETFL);
  if (flags == -1 || fcntl (fd, F_SETFL, flags & ~O_NONBLOCK) == -1)
    return isc_error_errno (err, path, "fcntl");
  if (ret_st)
    *ret_st = st;
  r = fd;
  fd = -1;
  return r;
}

int
isc_read_host_file (struct isc_err *err, const char *path, size_t max,
                    unsigned char **ret, size_t *ret_len)
{
  CLEANUP_CLOSE int fd = -1;
  CLEANUP_FREE unsigned char *buf = NULL;
  struct stat st;
  size_t len = 0;

  fd = isc_host_file_open (err, path, &st);
  if (fd == -1)
    return -1;
  if ((uint64_t) st.st_size > max)
    return isc_error (err, path, "larger than %zu bytes", max);
  buf = malloc (st.st_size ? st.st_size : 1);
  if (!buf)
    return isc_error_oom (err, path);
  while (len < (size_t) st.st_size) {
    ssize_t r = read (fd, buf + len, st.st_size - len);

    if (r == -1 && errno == EINTR)
      continue;
    if (r == -1)
      return isc_error_errno (err, path, "read");
    if (r == 0)
      return isc_error (err, path, "file shrank while read");
    len += r;
  }
  *ret = TAKE_PTR (buf);
  *ret_len = len;
  return 0;
}
