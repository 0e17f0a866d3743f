/* imgscrub: the guest's file tree streamed into an archive (--export-tree). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "archive/archiver.h"
#include "util/cleanups.h"
#include "guest/tree.h"
#include "util/error.h"

/* A name list: every entry's name, relative to "/", sortable. */
struct names {
  char **v;
  size_t n, cap;
};

static int
names_add (struct names *l, const char *s, size_t len)
{
  return isc_string_list_add (&l->v, &l->n, &l->cap, s, len);
}

static int
compare (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* A name that could not come from a walk of a real tree: absolute, or
 * with an empty, "." or ".." component. */
static int
unsafe_name (const char *name, size_t len)
{
  size_t i = 0;

  if (name[0] == '/')
    return 1;
  while (i < len) {
    size_t j = i;

    while (j < len && name[j] != '/')
      ++j;
    if (j == i || (j - i == 1 && name[i] == '.') ||
        (j - i == 2 && name[i] == '.' && name[i + 1] == '.'))
      return 1;
    i = j + 1;
  }
  return 0;
}

/* Read back the tar at PATH: every member's name into NAMES, the
 * counts into STATS; a member name no walk of the guest can produce
 * fails the export. */
static int
read_back (struct isc_err *err, const char *path, struct names *names,
           struct isc_tree_stats *stats)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  int r = 0, rr;

  if (!a)
    return isc_error_oom (err, path);
  archive_read_support_format_tar (a);
  if (archive_read_open_filename (a, path, 1 << 16) != ARCHIVE_OK) {
    r = isc_error (err, path, "%s", archive_error_string (a));
    goto out;
  }
  while (r == 0 && (rr = archive_read_next_header (a, &e)) != ARCHIVE_EOF) {
    const char *raw = archive_entry_pathname (e), *name;
    size_t len;

    if (rr != ARCHIVE_OK && rr != ARCHIVE_WARN) {
      r = isc_error (err, path, "%s", archive_error_string (a));
      break;
    }
    if (!raw) {
      r = isc_error (err, path, "a member without a readable name");
      break;
    }
    name = isc_tar_member_name (raw, &len);
    if (!name)
      continue;
    if (unsafe_name (name, len)) {
      r = isc_error (err, path, "tar produced an unsafe member name");
      break;
    }
    if (names_add (names, name, len) == -1) {
      r = isc_error_oom (err, path);
      break;
    }
    stats->entries++;
    if (archive_entry_filetype (e) == AE_IFREG && !archive_entry_hardlink (e))
      stats->bytes += archive_entry_size (e);
  }
 out:
  archive_read_free (a);
  return r;
}

/* Every name find0 wrote (NUL-separated) to PATH into NAMES. */
static int
read_found (struct isc_err *err, const char *path, struct names *names)
{
  CLEANUP_FCLOSE FILE *fp = fopen (path, "re");
  CLEANUP_FREE char *line = NULL;
  size_t cap = 0;
  ssize_t len;

  if (!fp)
    return isc_error_errno (err, path, "open");
  while ((len = getdelim (&line, &cap, '\0', fp)) > 0) {
    size_t n;
    const char *name;

    while (len > 0 && line[0] == '/')
      memmove (line, line + 1, len--);
    name = isc_tar_member_name (line, &n);
    if (name && names_add (names, name, n) == -1)
      return isc_error_oom (err, path);
  }
  if (ferror (fp))
    return isc_error_errno (err, path, "read");
  return 0;
}

/* Whatever the guest holds and the tar lacks is in STATS->skipped with
 * the reason: tar leaves out sockets (and says so only on its stderr). */
static int
report_missing (struct isc_err *err, guestfs_h *g, struct names *found,
                struct names *stored, struct isc_tree_stats *stats)
{
  size_t i, j = 0;

  qsort (found->v, found->n, sizeof *found->v, compare);
  qsort (stored->v, stored->n, sizeof *stored->v, compare);
  for (i = 0; i < found->n; ++i) {
    CLEANUP_FREE char *guest_path = NULL;
    struct guestfs_statns *st;
    int c = 1;

    while (j < stored->n && (c = strcmp (stored->v[j], found->v[i])) < 0)
      ++j;
    if (c == 0)
      continue;
    if (asprintf (&guest_path, "/%s", found->v[i]) == -1)
      return isc_error_oom (err, NULL);
    st = guestfs_lstatns (g, guest_path);
    if (st && S_ISSOCK (st->st_mode))
      isc_archive_lost (stats->skipped, found->v[i],
                         "socket: archives cannot hold one");
    else
      isc_archive_lost (stats->skipped, found->v[i],
                         "not stored by tar in the appliance");
    if (st)
      guestfs_free_statns (st);
  }
  return 0;
}

int
isc_tree_write (struct isc_err *err, guestfs_h *g, const char *path,
                struct isc_tree_stats *stats)
{
  CLEANUP_FREE char *tmp = NULL, *list = NULL;
  struct names stored = { 0 }, found = { 0 };
  int r = -1;

  stats->entries = 0;
  stats->bytes = 0;
  if (asprintf (&tmp, "%s.tmp", path) == -1 ||
      asprintf (&list, "%s.names", path) == -1) {
    tmp = list = NULL;
    return isc_error_oom (err, path);
  }
  /* One stream for the whole tree: GNU tar in the appliance, run in the
   * guest's "/" (the appliance's /sysroot, never a guest symlink).  It
   * follows no symlink below it (no -h), stores hard links as links,
   * crosses into the guest's other mounted filesystems, and fails the
   * call when a file cannot be read whole. */
  if (guestfs_tar_out_opts (g, "/", tmp,
                            GUESTFS_TAR_OUT_OPTS_NUMERICOWNER, 1,
                            -1) == -1) {
    isc_error (err, "/", "tar-out: %s", guestfs_last_error (g));
    goto out;
  }
  if (guestfs_find0 (g, "/", list) == -1) {
    isc_error (err, "/", "cannot list the tree: %s", guestfs_last_error (g));
    goto out;
  }
  if (read_back (err, tmp, &stored, stats) == -1 ||
      read_found (err, list, &found) == -1 ||
      report_missing (err, g, &found, &stored, stats) == -1)
    goto out;
  if (rename (tmp, path) == -1) {
    isc_error_errno (err, path, "cannot store the tree");
    goto out;
  }
  r = 0;
 out:
  unlink (tmp);
  unlink (list);
  isc_free_string_list (stored.v);
  isc_free_string_list (found.v);
  return r;
}
