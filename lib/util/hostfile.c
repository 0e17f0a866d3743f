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
isc_read_host_file (struct isc_err *err, const char *path, size_t max,
                    unsigned char **ret, size_t *ret_len)
{
  CLEANUP_CLOSE int fd = -1;
  CLEANUP_FREE unsigned char *buf = NULL;
  struct stat st;
  size_t len = 0;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return isc_error_errno (err, path, "open");
  if (fstat (fd, &st) == -1)
    return isc_error_errno (err, path, "stat");
  if (!S_ISREG (st.st_mode))
    return isc_error (err, path, "not a regular file");
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
