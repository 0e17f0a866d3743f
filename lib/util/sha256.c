/* imgscrub: SHA-256 of files (holes skipped) and buffers, with libcrypto. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util/cleanups.h"
#include "util/sha256.h"

static void
to_hex (const unsigned char *md, unsigned len, char *ret_hex)
{
  unsigned i;

  for (i = 0; i < len; ++i)
    sprintf (ret_hex + 2 * i, "%02x", md[i]);
  ret_hex[2 * len] = '\0';
}

/* Feed LEN zero bytes to CTX: a hole is hashed without reading it. */
static void
digest_zeros (EVP_MD_CTX *ctx, off_t len)
{
  static const unsigned char zeros[1 << 16];

  while (len > 0) {
    size_t n = len < (off_t) sizeof zeros ? (size_t) len : sizeof zeros;

    EVP_DigestUpdate (ctx, zeros, n);
    len -= n;
  }
}

/* Feed the bytes of FD from its offset up to END (or its end of file
 * when END is -1) to CTX. */
static int
digest_data (struct isc_err *err, const char *path, int fd, off_t end,
             unsigned char *buf, size_t bufsize, EVP_MD_CTX *ctx)
{
  off_t pos = lseek (fd, 0, SEEK_CUR);

  while (end == -1 || pos < end) {
    size_t want = end == -1 || end - pos > (off_t) bufsize
      ? bufsize : (size_t) (end - pos);
    ssize_t n = read (fd, buf, want);

    if (n == -1 && errno == EINTR)
      continue;
    if (n == -1)
      return isc_error_errno (err, path, "read");
    if (n == 0)
      break;
    EVP_DigestUpdate (ctx, buf, n);
    pos += n;
  }
  return 0;
}

/* Sparse images are mostly holes: hash those as zeros, and read only
 * the data (SEEK_DATA/SEEK_HOLE).  Where the file system cannot tell,
 * read it all. */
static int
digest_file (struct isc_err *err, const char *path, int fd,
             unsigned char *buf, size_t bufsize, EVP_MD_CTX *ctx)
{
  struct stat st;
  off_t pos = 0;

  if (fstat (fd, &st) == -1)
    return isc_error_errno (err, path, "fstat");
  if (!S_ISREG (st.st_mode))
    return digest_data (err, path, fd, -1, buf, bufsize, ctx);
  while (pos < st.st_size) {
    off_t data = lseek (fd, pos, SEEK_DATA), hole;

    if (data == -1 && errno == ENXIO)
      data = st.st_size;                /* a hole up to the end */
    else if (data == -1 && errno == EINVAL && pos == 0)
      return digest_data (err, path, fd, -1, buf, bufsize, ctx);
    else if (data == -1)
      return isc_error_errno (err, path, "lseek");
    digest_zeros (ctx, data - pos);
    if (data >= st.st_size)
      break;
    hole = lseek (fd, data, SEEK_HOLE);
    if (hole == -1 || lseek (fd, data, SEEK_SET) == -1)
      return isc_error_errno (err, path, "lseek");
    if (digest_data (err, path, fd, hole, buf, bufsize, ctx) == -1)
      return -1;
    pos = hole;
  }
  return 0;
}

int
isc_sha256_file (struct isc_err *err, const char *path,
                 char ret_hex[ISC_SHA256_HEX_LEN + 1])
{
  enum { BUFSIZE = 1 << 20 };
  CLEANUP_CLOSE int fd = -1;
  CLEANUP_FREE unsigned char *buf = NULL;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned md_len = 0;
  EVP_MD_CTX *ctx = NULL;
  int r = -1;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd == -1)
    return isc_error_errno (err, path, "open");
  /* Sequential read of possibly huge images: say so to the kernel. */
  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  buf = malloc (BUFSIZE);
  ctx = EVP_MD_CTX_new ();
  if (!buf || !ctx || !EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL)) {
    isc_error (err, path, "cannot set up SHA-256");
    goto out;
  }
  if (digest_file (err, path, fd, buf, BUFSIZE, ctx) == -1)
    goto out;
  if (!EVP_DigestFinal_ex (ctx, md, &md_len)) {
    isc_error (err, path, "SHA-256 failed");
    goto out;
  }
  to_hex (md, md_len, ret_hex);
  r = 0;
 out:
  EVP_MD_CTX_free (ctx);
  return r;
}

void
isc_sha256_buffer (const void *buf, size_t len,
                   char ret_hex[ISC_SHA256_HEX_LEN + 1])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned md_len = 0;

  EVP_Digest (buf, len, md, &md_len, EVP_sha256 (), NULL);
  to_hex (md, md_len, ret_hex);
}
