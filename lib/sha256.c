#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cleanups.h"
#include "sha256.h"

static void
to_hex (const unsigned char *md, unsigned len, char *ret_hex)
{
  unsigned i;

  for (i = 0; i < len; ++i)
    sprintf (ret_hex + 2 * i, "%02x", md[i]);
  ret_hex[2 * len] = '\0';
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
  ssize_t n;
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
  while ((n = read (fd, buf, BUFSIZE)) != 0) {
    if (n == -1) {
      if (errno == EINTR)
        continue;
      isc_error_errno (err, path, "read");
      goto out;
    }
    EVP_DigestUpdate (ctx, buf, n);
  }
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
