/* imgscrub: the one archive writer (libarchive): tar and zip, written
 * under a temporary name and committed atomically. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "archive/archiver.h"
#include "util/atomic.h"
#include "util/cleanups.h"
#include "util/escape.h"
#include "util/error.h"

#define CHUNK (1 << 20)

struct isc_archiver {
  struct archive *a;
  enum isc_archive_format format;
  const volatile sig_atomic_t *stop;
  char *final;
  char *tmp;
  int fd;
};

static const struct {
  enum isc_archive_format format;
  const char *name;
  const char *extension;
} formats[] = {
  { ISC_ARCHIVE_TAR, "tar", ".tar" },
  { ISC_ARCHIVE_TAR_GZ, "tar.gz", ".tar.gz" },
  { ISC_ARCHIVE_TAR_GZ, "tgz", ".tgz" },
  { ISC_ARCHIVE_TAR_XZ, "tar.xz", ".tar.xz" },
  { ISC_ARCHIVE_TAR_XZ, "txz", ".txz" },
  { ISC_ARCHIVE_TAR_ZST, "tar.zst", ".tar.zst" },
  { ISC_ARCHIVE_TAR_ZST, "tzst", ".tzst" },
  { ISC_ARCHIVE_ZIP, "zip", ".zip" },
};

const char *
isc_archive_format_name (enum isc_archive_format f)
{
  size_t i;

  for (i = 0; i < sizeof formats / sizeof formats[0]; ++i)
    if (formats[i].format == f)
      return formats[i].name;
  return "unknown";
}

enum isc_archive_format
isc_archive_format_parse (const char *name)
{
  size_t i;

  for (i = 0; i < sizeof formats / sizeof formats[0]; ++i)
    if (strcmp (formats[i].name, name) == 0)
      return formats[i].format;
  return ISC_ARCHIVE_UNKNOWN;
}

enum isc_archive_format
isc_archive_format_of_path (const char *path)
{
  size_t len = strlen (path), i;

  for (i = 0; i < sizeof formats / sizeof formats[0]; ++i) {
    size_t elen = strlen (formats[i].extension);

    if (len > elen && strcmp (path + len - elen, formats[i].extension) == 0)
      return formats[i].format;
  }
  return ISC_ARCHIVE_UNKNOWN;
}

static int
archive_failed (struct isc_err *err, struct isc_archiver *ar,
                const char *what)
{
  const char *msg = archive_error_string (ar->a);

  return isc_error (err, ar->final, "%s: %s", what,
                    msg ? msg : "libarchive failed");
}

/* Pass the compression level and thread count to whichever part of
 * libarchive compresses: the filter for tar, the format for zip. */
static int
set_compression (struct isc_err *err, struct isc_archiver *ar,
                 const struct isc_archive_opts *opts)
{
  int compressed = ar->format != ISC_ARCHIVE_TAR;
  char value[32];

  if (opts->level >= 0) {
    int r;

    if (!compressed)
      return isc_error (err, ar->final, "a plain tar is not compressed: "
                        "a compression level needs tar.gz, tar.xz, tar.zst "
                        "or zip");
    snprintf (value, sizeof value, "%d", opts->level);
    r = ar->format == ISC_ARCHIVE_ZIP
      ? archive_write_set_format_option (ar->a, "zip", "compression-level",
                                         value)
      : archive_write_set_filter_option (ar->a, NULL, "compression-level",
                                         value);
    if (r != ARCHIVE_OK)
      return isc_error (err, ar->final, "compression level %d is not valid "
                        "for %s", opts->level,
                        isc_archive_format_name (ar->format));
  }
  if (opts->threads > 0) {
    if (ar->format != ISC_ARCHIVE_TAR_XZ && ar->format != ISC_ARCHIVE_TAR_ZST)
      return isc_error (err, ar->final, "only tar.xz and tar.zst compress "
                        "with several threads");
    snprintf (value, sizeof value, "%d", opts->threads);
    if (archive_write_set_filter_option (ar->a, NULL, "threads",
                                         value) != ARCHIVE_OK)
      return isc_error (err, ar->final, "%d compression threads are not "
                        "supported for %s here", opts->threads,
                        isc_archive_format_name (ar->format));
  }
  return 0;
}

static int
set_format (struct isc_err *err, struct isc_archiver *ar)
{
  int r = ARCHIVE_OK;

  if (ar->format == ISC_ARCHIVE_ZIP)
    r = archive_write_set_format_zip (ar->a);
  else if (ar->format == ISC_ARCHIVE_USTAR)
    r = archive_write_set_format_ustar (ar->a);
  else if (ar->format == ISC_ARCHIVE_GNUTAR_GZ) {
    /* libarchive's GNU tar writer writes no sparse entries (no oldgnu
     * 'S' headers: only its pax writer keeps holes, as GNU.sparse
     * records under a "GNUSparseFile.N/" name).  A reader must find the
     * member named exactly disk.raw, so the holes are written as zeros,
     * which gzip squeezes to almost nothing. */
    r = archive_write_set_format_gnutar (ar->a);
    if (r == ARCHIVE_OK)
      r = archive_write_add_filter_gzip (ar->a);
  }
  else {
    /* pax: no limits on names or sizes, and sparse files stay sparse. */
    r = archive_write_set_format_pax_restricted (ar->a);
    if (r == ARCHIVE_OK && ar->format == ISC_ARCHIVE_TAR_GZ)
      r = archive_write_add_filter_gzip (ar->a);
    else if (r == ARCHIVE_OK && ar->format == ISC_ARCHIVE_TAR_XZ)
      r = archive_write_add_filter_xz (ar->a);
    else if (r == ARCHIVE_OK && ar->format == ISC_ARCHIVE_TAR_ZST)
      r = archive_write_add_filter_zstd (ar->a);
  }
  if (r != ARCHIVE_OK)
    return archive_failed (err, ar, "cannot set up the archive format");
  return 0;
}

int
isc_archiver_open (struct isc_err *err, const char *final,
                   const struct isc_archive_opts *opts,
                   struct isc_archiver **ret)
{
  struct isc_archiver *ar = calloc (1, sizeof *ar);
  const char *slash = strrchr (final, '/');
  mode_t mask;

  *ret = NULL;
  if (!ar)
    return isc_error_oom (err, final);
  ar->fd = -1;
  ar->format = opts->format;
  ar->stop = opts->stop;
  ar->final = strdup (final);
  /* Beside the final name, so the rename is atomic; hidden meanwhile. */
  if (!ar->final ||
      asprintf (&ar->tmp, "%.*s.%s.tmp-XXXXXX",
                slash ? (int) (slash - final + 1) : 0, final,
                slash ? slash + 1 : final) == -1) {
    ar->tmp = NULL;
    isc_archiver_abort (ar);
    return isc_error_oom (err, final);
  }
  if (ar->format == ISC_ARCHIVE_UNKNOWN) {
    isc_archiver_abort (ar);
    return isc_error (err, final, "unknown archive format");
  }
  ar->fd = mkostemp (ar->tmp, O_CLOEXEC);
  if (ar->fd == -1) {
    isc_error_errno (err, final, "cannot create the archive");
    free (ar->tmp);
    ar->tmp = NULL;
    isc_archiver_abort (ar);
    return -1;
  }
  mask = umask (0);
  umask (mask);
  fchmod (ar->fd, 0666 & ~mask);
  ar->a = archive_write_new ();
  if (!ar->a) {
    isc_archiver_abort (ar);
    return isc_error_oom (err, final);
  }
  if (set_format (err, ar) == -1 || set_compression (err, ar, opts) == -1) {
    isc_archiver_abort (ar);
    return -1;
  }
  if (archive_write_open_fd (ar->a, ar->fd) != ARCHIVE_OK) {
    archive_failed (err, ar, "cannot open the archive");
    isc_archiver_abort (ar);
    return -1;
  }
  *ret = ar;
  return 0;
}

void
isc_archiver_abort (struct isc_archiver *ar)
{
  if (!ar)
    return;
  if (ar->a)
    archive_write_free (ar->a);
  if (ar->fd >= 0)
    close (ar->fd);
  if (ar->tmp)
    unlink (ar->tmp);
  free (ar->tmp);
  free (ar->final);
  free (ar);
}

int
isc_archiver_commit (struct isc_err *err, struct isc_archiver *ar)
{
  int r = 0;

  /* Close writes the last blocks and flushes the compressor: its
   * failure means a truncated archive, which must not appear. */
  if (archive_write_close (ar->a) != ARCHIVE_OK)
    r = archive_failed (err, ar, "cannot finish the archive");
  archive_write_free (ar->a);
  ar->a = NULL;
  if (r == 0 && close (ar->fd) == -1)
    r = isc_error_errno (err, ar->final, "cannot write the archive");
  ar->fd = -1;
  if (r == 0) {
    r = isc_atomic_commit (err, ar->tmp, ar->final);
    free (ar->tmp);
    ar->tmp = NULL;                     /* committed, or removed */
  }
  isc_archiver_abort (ar);
  return r;
}

static int
stopped (struct isc_err *err, const struct isc_archiver *ar)
{
  if (ar->stop && *ar->stop)
    return isc_error (err, ar->final, "interrupted");
  return 0;
}

/* libarchive converts names from the locale's character set to the
 * formats' UTF-8.  Names here are bytes from disks, UTF-8 on NTFS and
 * nearly always on Linux, whatever the user's locale: convert them
 * under a UTF-8 one (per thread; the program's locale is untouched). */
static locale_t
enter_utf8 (void)
{
  static locale_t utf8;

  if (!utf8)
    utf8 = newlocale (LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);
  return utf8 ? uselocale (utf8) : (locale_t) 0;
}

static void
leave_utf8 (locale_t previous)
{
  if (previous)
    uselocale (previous);
}

static void
set_entry_name (struct archive_entry *e, const char *name)
{
  locale_t previous = enter_utf8 ();

  archive_entry_copy_pathname (e, name);
  leave_utf8 (previous);
}

int
isc_archive_member_name_safe (const char *name)
{
  const char *p = name;

  if (!name || !name[0] || name[0] == '/')
    return 0;
  for (;;) {
    size_t n = strcspn (p, "/");

    if (n == 0 || (n == 1 && p[0] == '.') ||
        (n == 2 && p[0] == '.' && p[1] == '.'))
      return 0;
    if (!p[n])
      return 1;
    p += n + 1;
  }
}

int
isc_archiver_write_header (struct isc_err *err, struct isc_archiver *ar,
                           struct archive_entry *entry)
{
  const char *name, *link;
  int r;

  locale_t previous;

  if (stopped (err, ar) == -1)
    return -1;
  /* Every member passes here, whoever built its name (a prefix derived
   * from an input's name, a guest's tree): an extractor writes where
   * the name says, so one that climbs out is refused, not written. */
  previous = enter_utf8 ();
  name = archive_entry_pathname (entry);
  link = archive_entry_hardlink (entry);
  r = !isc_archive_member_name_safe (name) ||
    (link && !isc_archive_member_name_safe (link));
  leave_utf8 (previous);
  if (r) {
    isc_error (err, ar->final, "refused to write the member '%s'%s%s%s: an "
               "absolute name, or an empty, '.' or '..' component",
               name ? name : "", link ? " (a hard link to '" : "",
               link ? link : "", link ? "')" : "");
    return -1;
  }
  previous = enter_utf8 ();
  r = archive_write_header (ar->a, entry);
  leave_utf8 (previous);
  if (r == ARCHIVE_OK)
    return 0;
  if (r == ARCHIVE_WARN || r == ARCHIVE_FAILED) {
    const char *msg = archive_error_string (ar->a);

    isc_error (err, NULL, "%s", msg ? msg : "not representable");
    return r == ARCHIVE_WARN ? 2 : 1;
  }
  return archive_failed (err, ar, "cannot write an entry header");
}

int
isc_archiver_write_data (struct isc_err *err, struct isc_archiver *ar,
                         const void *data, size_t len)
{
  const char *p = data;

  while (len > 0) {
    la_ssize_t n;

    if (stopped (err, ar) == -1)
      return -1;
    n = archive_write_data (ar->a, p, len);
    if (n < 0)
      return archive_failed (err, ar, "cannot write to the archive");
    if (n == 0)                         /* past a sparse file's last data */
      break;
    p += n;
    len -= n;
  }
  return 0;
}

static struct archive_entry *
regular_entry (const char *name, int64_t size, time_t mtime)
{
  struct archive_entry *e = archive_entry_new ();

  if (!e)
    return NULL;
  set_entry_name (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, size);
  archive_entry_set_mtime (e, mtime, 0);
  return e;
}

int
isc_archiver_add_buffer (struct isc_err *err, struct isc_archiver *ar,
                         const char *name, const void *data, size_t len)
{
  struct archive_entry *e = regular_entry (name, len, time (NULL));
  int r;

  if (!e)
    return isc_error_oom (err, ar->final);
  r = isc_archiver_write_header (err, ar, e);
  archive_entry_free (e);
  if (r != 0)
    return r == -1 ? -1 : isc_error (err, name, "%s", isc_err_msg (err));
  return isc_archiver_write_data (err, ar, data, len);
}

/* Record FD's data extents as the entry's sparse map; returns how many
 * extents, 0 for a file without holes (nothing recorded), or -1. */
static int
map_extents (int fd, int64_t size, struct archive_entry *e)
{
  int64_t off = 0, end = 0;
  int n = 0;

  while (off < size) {
    off_t data = lseek (fd, off, SEEK_DATA), hole;

    if (data == -1) {
      if (errno == ENXIO)               /* only a hole from here on */
        break;
      return errno == EINVAL ? 0 : -1;  /* filesystem without SEEK_DATA */
    }
    hole = lseek (fd, data, SEEK_HOLE);
    if (hole == -1)
      return -1;
    if (data == 0 && hole >= size)      /* no hole at all */
      return 0;
    archive_entry_sparse_add_entry (e, data, hole - data);
    end = hole;
    off = hole;
    n++;
  }
  /* Mark the size with an empty extent when the file ends in a hole
   * (or is one): readers restore the full length from it. */
  if (end < size)
    archive_entry_sparse_add_entry (e, size, 0);
  return n + 1;
}

/* Feed the entry LEN bytes read from FD at OFF. */
static int
copy_range (struct isc_err *err, struct isc_archiver *ar, int fd,
            const char *path, int64_t off, int64_t len, char *buf)
{
  while (len > 0) {
    ssize_t n = pread (fd, buf, len < CHUNK ? (size_t) len : CHUNK, off);

    if (n == -1 && errno == EINTR)
      continue;
    if (n == -1)
      return isc_error_errno (err, path, "read");
    if (n == 0)
      return isc_error (err, path, "file shrank while being archived");
    if (isc_archiver_write_data (err, ar, buf, n) == -1)
      return -1;
    off += n;
    len -= n;
  }
  return 0;
}

/* libarchive's pax writer skips hole bytes itself but counts them:
 * a hole is fed as zeros (from memory, never read from disk). */
static int
feed_zeros (struct isc_err *err, struct isc_archiver *ar, int64_t len)
{
  static const char zeros[CHUNK];

  while (len > 0) {
    size_t n = len < CHUNK ? (size_t) len : CHUNK;

    if (isc_archiver_write_data (err, ar, zeros, n) == -1)
      return -1;
    len -= n;
  }
  return 0;
}

int
isc_archiver_add_file (struct isc_err *err, struct isc_archiver *ar,
                       const char *name, const char *path)
{
  CLEANUP_CLOSE int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  CLEANUP_FREE char *buf = NULL;
  struct archive_entry *e = NULL;
  struct stat st;
  int extents = 0, r = -1;

  if (fd == -1)
    return isc_error_errno (err, path, "open");
  if (fstat (fd, &st) == -1)
    return isc_error_errno (err, path, "stat");
  if (!S_ISREG (st.st_mode))
    return isc_error (err, path, "not a regular file");
  buf = malloc (CHUNK);
  e = regular_entry (name, st.st_size, st.st_mtime);
  if (!buf || !e) {
    archive_entry_free (e);
    return isc_error_oom (err, ar->final);
  }
  if (ar->format != ISC_ARCHIVE_ZIP && ar->format != ISC_ARCHIVE_USTAR &&
      ar->format != ISC_ARCHIVE_GNUTAR_GZ) {
    extents = map_extents (fd, st.st_size, e);
    if (extents == -1) {
      isc_error_errno (err, path, "cannot map the file's holes");
      goto out;
    }
  }
  r = isc_archiver_write_header (err, ar, e);
  if (r != 0) {
    if (r != -1)
      r = isc_error (err, name, "%s", isc_err_msg (err));
    goto out;
  }
  if (extents == 0)
    r = copy_range (err, ar, fd, path, 0, st.st_size, buf);
  else {
    la_int64_t off, len, pos = 0;

    archive_entry_sparse_reset (e);
    while (r == 0 && archive_entry_sparse_next (e, &off, &len) == ARCHIVE_OK)
      if (len > 0) {
        if (feed_zeros (err, ar, off - pos) == -1 ||
            copy_range (err, ar, fd, path, off, len, buf) == -1)
          r = -1;
        pos = off + len;
      }
  }
 out:
  archive_entry_free (e);
  return r;
}

/* Valid UTF-8: the encoding zip's language-encoding flag promises. */
static int
valid_utf8 (const unsigned char *s)
{
  while (*s) {
    int n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1
      : (*s & 0xf0) == 0xe0 ? 2 : (*s & 0xf8) == 0xf0 ? 3 : -1;

    if (n < 0 || (n == 1 && *s < 0xc2))
      return 0;
    for (++s; n > 0; --n, ++s)
      if ((*s & 0xc0) != 0x80)
        return 0;
  }
  return 1;
}

int
isc_archive_name_representable (enum isc_archive_format f, const char *name)
{
  return f != ISC_ARCHIVE_ZIP || valid_utf8 ((const unsigned char *) name);
}

const char *
isc_tar_member_name (const char *name, size_t *len)
{
  while (name[0] == '.' && name[1] == '/')
    name += 2;
  *len = strlen (name);
  while (*len > 0 && name[*len - 1] == '/')
    --*len;
  if (*len == 0 || (*len == 1 && name[0] == '.'))
    return NULL;
  return name;
}

/* PREFIX/ and the member NAME without its "./"; NULL for the top (with
 * *TOP set) or when out of memory. */
static char *
prefixed (const char *prefix, const char *name, int *top)
{
  size_t len;
  const char *m = isc_tar_member_name (name, &len);
  char *r;

  *top = !m;
  if (!m || asprintf (&r, "%s/%.*s", prefix, (int) len, m) == -1)
    return NULL;
  return r;
}

/* Hard links of a zip, stored as copies by a second pass over SRC. */
struct links {
  char **name, **target;                /* both prefixed */
  char *done;
  size_t n, cap, pending;
};

static int
links_add (struct links *l, const char *name, const char *target)
{
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    char **n = realloc (l->name, cap * sizeof *n), **t, *d;

    if (!n)
      return -1;
    l->name = n;
    t = realloc (l->target, cap * sizeof *t);
    if (!t)
      return -1;
    l->target = t;
    d = realloc (l->done, cap);
    if (!d)
      return -1;
    l->done = d;
    l->cap = cap;
  }
  l->name[l->n] = strdup (name);
  l->target[l->n] = strdup (target);
  if (!l->name[l->n] || !l->target[l->n]) {
    free (l->name[l->n]);
    free (l->target[l->n]);
    return -1;
  }
  l->done[l->n++] = 0;
  l->pending++;
  return 0;
}

static void
links_free (struct links *l)
{
  size_t i;

  for (i = 0; i < l->n; ++i) {
    free (l->name[i]);
    free (l->target[i]);
  }
  free (l->name);
  free (l->target);
  free (l->done);
}

/* One entry of SRC, already read, into AR under its new NAME. */
static int
copy_entry (struct isc_err *err, struct isc_archiver *ar, struct archive *src,
            struct archive_entry *entry, const char *name,
            const char *hardlink, json_t *lost)
{
  struct archive_entry *e;
  const void *block;
  size_t len;
  la_int64_t off;
  int r;

  if (!isc_archive_name_representable (ar->format, name)) {
    isc_archive_lost (lost, name, "the name is not valid UTF-8, which the format needs");
    return 0;
  }
  e = archive_entry_clone (entry);
  if (!e)
    return isc_error_oom (err, ar->final);
  archive_entry_copy_pathname (e, name);
  if (hardlink)
    archive_entry_copy_hardlink (e, hardlink);
  else if (archive_entry_hardlink (e))  /* a zip's copy of the target */
    archive_entry_set_hardlink (e, NULL);
  r = isc_archiver_write_header (err, ar, e);
  archive_entry_free (e);
  if (r == -1)
    return -1;
  if (r == 1) {
    isc_archive_lost (lost, name, isc_err_msg (err));
    return 0;
  }
  if (r == 2) {
    CLEANUP_FREE char *why = NULL;

    if (asprintf (&why, "stored with a loss: %s", isc_err_msg (err)) == -1)
      why = NULL;
    isc_archive_lost (lost, name, why ? why : "stored with a loss");
  }
  while ((r = archive_read_data_block (src, &block, &len, &off)) == ARCHIVE_OK)
    if (isc_archiver_write_data (err, ar, block, len) == -1)
      return -1;
  if (r != ARCHIVE_EOF)
    return isc_error (err, name, "cannot read back: %s",
                      archive_error_string (src));
  return 0;
}

/* One pass over the tar SRC_PATH.  Without COPIES, copy every entry
 * but, for a zip, defer each hard link into LINKS; with COPIES, write
 * pending deferred links only, as copies of their targets' entries. */
static int
add_pass (struct isc_err *err, struct isc_archiver *ar, const char *src_path,
          const char *prefix, json_t *lost, struct links *links, int copies)
{
  struct archive *src = archive_read_new ();
  struct archive_entry *entry;
  int r = 0, rr;

  if (!src)
    return isc_error_oom (err, src_path);
  archive_read_support_format_tar (src);
  if (archive_read_open_filename (src, src_path, 1 << 16) != ARCHIVE_OK) {
    r = isc_error (err, src_path, "%s", archive_error_string (src));
    goto out;
  }
  while (r == 0 && (rr = archive_read_next_header (src, &entry)) != ARCHIVE_EOF) {
    CLEANUP_FREE char *name = NULL, *link = NULL;
    const char *raw = archive_entry_pathname (entry);
    const char *raw_link = archive_entry_hardlink (entry);
    int top;
    size_t i;

    if (rr != ARCHIVE_OK && rr != ARCHIVE_WARN) {
      r = isc_error (err, src_path, "%s", archive_error_string (src));
      break;
    }
    if (!raw) {
      r = isc_error (err, src_path, "an entry without a readable name");
      break;
    }
    name = prefixed (prefix, raw, &top);
    if (top)
      continue;
    if (raw_link)
      link = prefixed (prefix, raw_link, &top);
    if (!name || (raw_link && !link && !top)) {
      r = isc_error_oom (err, src_path);
      break;
    }
    if (raw_link && !link) {
      r = isc_error (err, src_path, "a hard link to the top of the tree");
      break;
    }
    if (copies) {
      /* An entry's data reads once: one link to it per pass. */
      for (i = 0; i < links->n; ++i)
        if (!links->done[i] && strcmp (links->target[i], name) == 0) {
          links->done[i] = 1;
          links->pending--;
          r = copy_entry (err, ar, src, entry, links->name[i], NULL, lost);
          break;
        }
      continue;
    }
    if (link && ar->format == ISC_ARCHIVE_ZIP) {
      if (links_add (links, name, link) == -1)
        r = isc_error_oom (err, src_path);
      continue;
    }
    r = copy_entry (err, ar, src, entry, name, link, lost);
  }
 out:
  archive_read_free (src);
  return r;
}

int
isc_archiver_add_archive (struct isc_err *err, struct isc_archiver *ar,
                          const char *src_path, const char *prefix,
                          json_t *lost)
{
  struct links links = { 0 };
  locale_t previous = enter_utf8 ();
  int r;

  r = add_pass (err, ar, src_path, prefix, lost, &links, 0);
  while (r == 0 && links.pending > 0) {
    size_t before = links.pending;

    r = add_pass (err, ar, src_path, prefix, lost, &links, 1);
    if (r == 0 && links.pending == before)
      r = isc_error (err, src_path, "a hard link to a missing entry");
  }
  links_free (&links);
  leave_utf8 (previous);
  return r;
}

void
isc_archive_lost (json_t *lost, const char *name, const char *reason)
{
  json_array_append_new (lost, json_pack ("{s:o, s:o}",
                                          "name", isc_json_string (name),
                                          "reason", isc_json_string (reason)));
}
