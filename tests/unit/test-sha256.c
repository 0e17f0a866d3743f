/* Unit tests for lib/util/sha256.c: a sparse file hashes as its bytes do,
 * whatever its holes (hashed as zeros, not read) and data look like. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/sha256.h"
#include "unit.h"

#define MIB (1 << 20)

struct piece {
  off_t offset;
  size_t len;
};

/* A file of SIZE bytes at PATH with data only in PIECES (each a
 * pattern no zero run can fake), and the same bytes in memory. */
static unsigned char *
make_file (const char *path, off_t size, const struct piece *pieces,
           size_t n_pieces)
{
  unsigned char *bytes = calloc (1, size ? size : 1);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  size_t i, j;

  if (!bytes || fd == -1 || ftruncate (fd, size) == -1)
    abort ();
  for (i = 0; i < n_pieces; ++i) {
    for (j = 0; j < pieces[i].len; ++j)
      bytes[pieces[i].offset + j] = (unsigned char) (j * 7 + i + 1) | 1;
    if (pwrite (fd, bytes + pieces[i].offset, pieces[i].len,
                pieces[i].offset) != (ssize_t) pieces[i].len)
      abort ();
  }
  close (fd);
  return bytes;
}

static void
check_file (const char *dir, const char *name, off_t size,
            const struct piece *pieces, size_t n_pieces)
{
  struct isc_err err = ISC_ERR_INIT;
  char path[4096], want[ISC_SHA256_HEX_LEN + 1], got[ISC_SHA256_HEX_LEN + 1];
  unsigned char *bytes;

  snprintf (path, sizeof path, "%s/%s", dir, name);
  bytes = make_file (path, size, pieces, n_pieces);
  isc_sha256_buffer (bytes, size, want);
  CHECK (isc_sha256_file (&err, path, got) == 0);
  CHECK_STREQ (got, want);
  if (strcmp (got, want) != 0)
    fprintf (stderr, "  in %s\n", name);
  isc_err_clear (&err);
  free (bytes);
  unlink (path);
}

/* Whether DIR's file system reports holes, so that the sparse path is
 * the one tested: said, never silently assumed. */
static int
reports_holes (const char *dir)
{
  char path[4096];
  int fd, holes;

  snprintf (path, sizeof path, "%s/probe", dir);
  fd = open (path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd == -1 || ftruncate (fd, 4 * MIB) == -1)
    abort ();
  holes = lseek (fd, 0, SEEK_DATA) == -1 && errno == ENXIO;
  close (fd);
  unlink (path);
  return holes;
}

int
main (void)
{
  const char *tmp = getenv ("TMPDIR");
  char dir[256];
  const struct piece head[] = { { 0, 100 } };
  const struct piece tail[] = { { 5 * MIB - 10, 10 } };
  /* Data runs that straddle the 1 MiB read buffer and leave holes
   * between them of odd sizes. */
  const struct piece mixed[] = {
    { 17, 3 }, { 3 * MIB + 17, 3 * MIB / 2 }, { 9 * MIB - 1, 2 },
  };
  const struct piece dense[] = { { 0, 3 * MIB + 5 } };
  struct isc_err err = ISC_ERR_INIT;
  char got[ISC_SHA256_HEX_LEN + 1], want[ISC_SHA256_HEX_LEN + 1];

  snprintf (dir, sizeof dir, "%s/test-sha256.XXXXXX",
            tmp && tmp[0] ? tmp : "/tmp");
  if (!mkdtemp (dir))
    abort ();
  if (!reports_holes (dir))
    printf ("note: %s reports no holes: only the plain read is tested\n", dir);

  check_file (dir, "empty", 0, NULL, 0);
  check_file (dir, "all-hole", 3 * MIB, NULL, 0);
  check_file (dir, "data-then-hole", 2 * MIB, head, 1);
  check_file (dir, "hole-then-data", 5 * MIB, tail, 1);
  check_file (dir, "mixed", 10 * MIB + 3, mixed, 3);
  check_file (dir, "dense", 3 * MIB + 5, dense, 1);

  /* Not a regular file: read to its end. */
  isc_sha256_buffer ("", 0, want);
  CHECK (isc_sha256_file (&err, "/dev/null", got) == 0);
  CHECK_STREQ (got, want);
  isc_err_clear (&err);
  CHECK (isc_sha256_file (&err, "/nonexistent/file", got) == -1);
  CHECK (strstr (isc_err_msg (&err), "/nonexistent/file") != NULL);
  isc_err_clear (&err);

  rmdir (dir);
  return unit_finish ("test-sha256");
}
