#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "archiver.h"
#include "cleanups.h"
#include "escape.h"
#include "manifest.h"
#include "tree.h"

/* guestfs messages are limited to 4 MiB; stay well below. */
#define READ_CHUNK (1 << 20)

struct walk {
  struct isc_err *err;
  guestfs_h *g;
  struct isc_archiver *ar;
  struct isc_tree_stats *stats;
};

static void
skip (struct walk *w, const char *name, const char *reason)
{
  isc_manifest_lost (w->stats->skipped, name, reason);
}

static int
guestfs_failed (struct walk *w, const char *path, const char *what)
{
  return isc_error (w->err, path, "%s: %s", what, guestfs_last_error (w->g));
}

static struct archive_entry *
entry_from_stat (const char *name, const struct guestfs_statns *st)
{
  struct archive_entry *e = archive_entry_new ();

  if (!e)
    return NULL;
  archive_entry_copy_pathname (e, name);
  archive_entry_set_mode (e, st->st_mode);
  archive_entry_set_uid (e, st->st_uid);
  archive_entry_set_gid (e, st->st_gid);
  archive_entry_set_mtime (e, st->st_mtime_sec, st->st_mtime_nsec);
  archive_entry_set_atime (e, st->st_atime_sec, st->st_atime_nsec);
  archive_entry_set_ctime (e, st->st_ctime_sec, st->st_ctime_nsec);
  if (S_ISREG (st->st_mode))
    archive_entry_set_size (e, st->st_size);
  else
    archive_entry_set_size (e, 0);
  if (S_ISCHR (st->st_mode) || S_ISBLK (st->st_mode))
    archive_entry_set_rdev (e, st->st_rdev);
  return e;
}

/* The content of the regular file PATH, SIZE bytes as lstat saw it. */
static int
copy_content (struct walk *w, const char *path, int64_t size)
{
  int64_t off = 0;

  while (off < size) {
    int count = size - off < READ_CHUNK ? (int) (size - off) : READ_CHUNK;
    size_t got = 0;
    CLEANUP_FREE char *buf = guestfs_pread (w->g, path, count, off, &got);

    if (!buf)
      return guestfs_failed (w, path, "read");
    if (got == 0)
      return isc_error (w->err, path, "file shrank while being exported");
    if (isc_archiver_write_data (w->err, w->ar, buf, got) == -1)
      return -1;
    off += got;
  }
  w->stats->bytes += size;
  return 0;
}

static int walk_dir (struct walk *w, const char *dir, const char *prefix);

static int
store (struct walk *w, const char *path, const char *name,
       const struct guestfs_statns *st, const char *link)
{
  struct archive_entry *e;
  int r;

  if (S_ISSOCK (st->st_mode)) {
    skip (w, name, "socket: archives cannot hold one");
    return 0;
  }
  e = entry_from_stat (name, st);
  if (!e)
    return isc_error (w->err, path, "out of memory");
  if (S_ISLNK (st->st_mode))
    archive_entry_copy_symlink (e, link ? link : "");
  r = isc_archiver_write_header (w->err, w->ar, e);
  archive_entry_free (e);
  if (r == -1)
    return -1;
  if (r == 1) {
    skip (w, name, isc_err_msg (w->err));
    return 0;
  }
  w->stats->entries++;
  if (S_ISREG (st->st_mode))
    return copy_content (w, path, st->st_size);
  if (S_ISDIR (st->st_mode))
    return walk_dir (w, path, name);
  return 0;
}

/* DIR is a guest path every component of which is a real directory (the
 * walk only descends into those), so nothing below follows a symlink. */
static int
walk_dir (struct walk *w, const char *dir, const char *prefix)
{
  CLEANUP_FREE_STRING_LIST char **names = guestfs_ls (w->g, dir);
  CLEANUP_FREE_STRING_LIST char **links = NULL;
  struct guestfs_statns_list *stats = NULL;
  size_t i, n;
  int r = 0;

  if (!names)
    return guestfs_failed (w, dir, "cannot list");
  for (n = 0; names[n]; ++n)
    ;
  if (n == 0)
    return 0;
  stats = guestfs_lstatnslist (w->g, dir, names);
  if (!stats || stats->len != n) {
    if (stats)
      guestfs_free_statns_list (stats);
    return guestfs_failed (w, dir, "cannot stat the entries of");
  }
  for (i = 0; i < n && !links; ++i)
    if (S_ISLNK (stats->val[i].st_mode)) {
      links = guestfs_readlinklist (w->g, dir, names);
      if (!links) {
        guestfs_free_statns_list (stats);
        return guestfs_failed (w, dir, "cannot read the symlinks in");
      }
    }
  for (i = 0; i < n && r == 0; ++i) {
    CLEANUP_FREE char *path = NULL, *name = NULL;

    if (asprintf (&path, "%s/%s", strcmp (dir, "/") ? dir : "",
                  names[i]) == -1 ||
        asprintf (&name, "%s%s%s", prefix, *prefix ? "/" : "",
                  names[i]) == -1) {
      path = name = NULL;
      r = isc_error (w->err, dir, "out of memory");
      break;
    }
    r = store (w, path, name, &stats->val[i], links ? links[i] : NULL);
  }
  guestfs_free_statns_list (stats);
  return r;
}

int
isc_tree_write (struct isc_err *err, guestfs_h *g, const char *path,
                struct isc_tree_stats *stats)
{
  struct isc_archive_opts opts = ISC_ARCHIVE_OPTS_INIT;
  struct walk w = { .err = err, .g = g, .stats = stats };

  stats->entries = 0;
  stats->bytes = 0;
  opts.format = ISC_ARCHIVE_TAR;
  if (isc_archiver_open (err, path, &opts, &w.ar) == -1)
    return -1;
  if (walk_dir (&w, "/", "") == -1) {
    isc_archiver_abort (w.ar);
    return -1;
  }
  return isc_archiver_commit (err, w.ar);
}
