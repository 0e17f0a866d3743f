/* imgscrub: whole-file copies between the host and the appliance, small
 * files in pread/write messages. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/cleanups.h"
#include "guest/transfer.h"
#include "util/error.h"

/* Well under the protocol's 2-4 MB message limit. */
#define CHUNK (1 << 20)

static int
guest_error (struct isc_err *reason, guestfs_h *g)
{
  const char *msg = guestfs_last_error (g);

  return isc_error (reason, NULL, "%s", msg ? msg : "unknown error");
}

/* Guest file PATH from its start to its end, whatever size it had when
 * stat'ed, into FD. */
static int
pread_into (struct isc_err *reason, guestfs_h *g, const char *path, int fd,
            const char *host)
{
  int64_t off = 0;

  for (;;) {
    CLEANUP_FREE char *buf = NULL;
    size_t got = 0;

    buf = guestfs_pread (g, path, CHUNK, off, &got);
    if (!buf)
      return guest_error (reason, g);
    if (got == 0)
      return 0;
    if (isc_write_all (fd, buf, got) == -1)
      return isc_error_errno (reason, host, "write");
    off += got;
  }
}

int
isc_read_guest_file (struct isc_err *reason, guestfs_h *g, const char *path,
                     size_t max, char **ret, size_t *ret_len)
{
  CLEANUP_FREE char *text = NULL;
  size_t len = 0;

  for (;;) {
    CLEANUP_FREE char *buf = NULL;
    size_t got = 0, want = max - len + 1;
    char *more;

    buf = guestfs_pread (g, path, want < CHUNK ? want : CHUNK, len, &got);
    if (!buf)
      return guest_error (reason, g);
    if (got == 0)
      break;
    if (got > max - len)
      return isc_error (reason, path, "larger than %zu bytes", max);
    more = realloc (text, len + got + 1);
    if (!more)
      return isc_error_oom (reason, NULL);
    text = more;
    memcpy (text + len, buf, got);
    len += got;
  }
  if (!text && !(text = malloc (1)))
    return isc_error_oom (reason, NULL);
  text[len] = '\0';
  *ret = TAKE_PTR (text);
  *ret_len = len;
  return 0;
}

int
isc_copy_out (struct isc_err *reason, guestfs_h *g, const char *path,
              int64_t size, const char *host)
{
  int fd, r;

  if (size > ISC_SMALL_TRANSFER)
    return guestfs_download (g, path, host) == -1
      ? guest_error (reason, g) : 0;
  fd = open (host, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd == -1)
    return isc_error_errno (reason, host, "open");
  r = pread_into (reason, g, path, fd, host);
  if (close (fd) == -1 && r == 0)
    r = isc_error_errno (reason, host, "close");
  return r;
}

int
isc_copy_in (struct isc_err *reason, guestfs_h *g, const char *host,
             const char *path)
{
  CLEANUP_CLOSE int fd = -1;
  CLEANUP_FREE char *buf = NULL;
  struct stat st;
  size_t len = 0, off;

  fd = open (host, O_RDONLY | O_CLOEXEC);
  if (fd == -1 || fstat (fd, &st) == -1)
    return isc_error_errno (reason, host, "open");
  if (st.st_size > ISC_SMALL_TRANSFER)
    return guestfs_upload (g, host, path) == -1 ? guest_error (reason, g) : 0;
  buf = malloc (st.st_size > 0 ? st.st_size : 1);
  if (!buf)
    return isc_error_oom (reason, NULL);
  while (len < (size_t) st.st_size) {
    ssize_t n = read (fd, buf + len, st.st_size - len);

    if (n == -1 && errno == EINTR)
      continue;
    if (n == -1)
      return isc_error_errno (reason, host, "read");
    if (n == 0)
      return isc_error (reason, host, "file shrank while being read");
    len += n;
  }
  /* The first message creates or truncates; the rest append. */
  for (off = 0; off == 0 || off < len; off += CHUNK) {
    size_t n = len - off < CHUNK ? len - off : CHUNK;
    int r = off == 0 ? guestfs_write (g, path, buf, n)
      : guestfs_write_append (g, path, buf + off, n);

    if (r == -1)
      return guest_error (reason, g);
  }
  return 0;
}

