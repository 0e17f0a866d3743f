/* imgscrub: an appliance of imgscrub's own (see appliance-path.h). */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <guestfs.h>

#include "run/appliance-path.h"
#include "util/atomic.h"
#include "util/cleanups.h"
#include "util/sha256.h"
#include "guest/transfer.h"
#include "util/hostfile.h"
#include "util/error.h"

/* Bump when what this module puts in the folder changes. */
#define LAYOUT_VERSION "1"
#define RULES_TARBALL "zz-imgscrub-storage-rules.tar.gz"
#define RULES_IN_APPLIANCE "etc/udev/rules.d/60-persistent-storage.rules"
#define MAX_RULES_BYTES (1 << 20)

/* What the folder is made of: the stock supermin files NAMES in STOCK,
 * and the trimmed rules. */
struct folder_parts {
  const char *stock;
  struct dirent **names;
  int n_names;
  const char *rules;
  size_t rules_len;
};

static int
runs_id_program (const char *rule, size_t len)
{
  static const char *const programs[] = {
    "IMPORT{program}=\"scsi_id ", "IMPORT{program}=\"ata_id ",
  };
  size_t i;

  for (i = 0; i < sizeof programs / sizeof programs[0]; ++i)
    if (memmem (rule, len, programs[i], strlen (programs[i])))
      return 1;
  return 0;
}

int
isc_storage_rules_trim (const char *text, size_t len, char **out,
                        size_t *out_len)
{
  char *kept = malloc (len + 1);
  size_t start = 0, n_kept = 0;
  int dropped = 0;

  if (!kept)
    return -1;
  while (start < len) {
    size_t end = start;

    /* One rule: up to a newline not escaped by a backslash. */
    while (end < len) {
      if (text[end] == '\n' && (end == start || text[end - 1] != '\\'))
        break;
      end++;
    }
    if (end < len)
      end++;
    if (runs_id_program (text + start, end - start))
      dropped++;
    else {
      memcpy (kept + n_kept, text + start, end - start);
      n_kept += end - start;
    }
    start = end;
  }
  kept[n_kept] = '\0';
  *out = kept;
  *out_len = n_kept;
  return dropped;
}

static int
not_dot (const struct dirent *d)
{
  return strcmp (d->d_name, ".") != 0 && strcmp (d->d_name, "..") != 0;
}

/* A folder we made: ours alone, so no other user can swap what
 * libguestfs boots. */
static int
check_own_folder (struct isc_err *err, const char *path)
{
  struct stat st;

  if (lstat (path, &st) == -1)
    return isc_error_errno (err, path, "cannot stat");
  if (!S_ISDIR (st.st_mode) || st.st_uid != geteuid () ||
      (st.st_mode & (S_IWGRP | S_IWOTH)))
    return isc_error (err, path, "not a folder owned by this user and "
                      "writable by no one else");
  return 0;
}

static void
free_dirents (struct dirent **names, int n)
{
  int i;

  for (i = 0; i < n; ++i)
    free (names[i]);
  free (names);
}

/* The digest naming the folder: this module's layout, the stock files
 * (name, size, mtime: an upgrade changes them) and the trimmed rules. */
static int
folder_digest (struct isc_err *err, const struct folder_parts *parts,
               char digest[ISC_SHA256_HEX_LEN + 1])
{
  const char *stock = parts->stock;
  struct dirent **names = parts->names;
  CLEANUP_FREE char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  int i, failed = 0;

  if (!f)
    return isc_error_oom (err, NULL);
  fprintf (f, "imgscrub appliance %s\n%s\n", LAYOUT_VERSION, stock);
  for (i = 0; i < parts->n_names && !failed; ++i) {
    CLEANUP_FREE char *path = NULL;
    struct stat st;

    if (asprintf (&path, "%s/%s", stock, names[i]->d_name) == -1)
      failed = isc_error_oom (err, NULL);
    else if (stat (path, &st) == -1)
      failed = isc_error_errno (err, path, "cannot stat");
    else if (!S_ISREG (st.st_mode))
      failed = isc_error (err, path, "not a regular file");
    else
      fprintf (f, "%s %lld %lld.%09ld\n", names[i]->d_name,
               (long long) st.st_size, (long long) st.st_mtim.tv_sec,
               st.st_mtim.tv_nsec);
  }
  fwrite (parts->rules, 1, parts->rules_len, f);
  if (fclose (f) != 0 && !failed)
    failed = isc_error_oom (err, NULL);
  if (failed)
    return -1;
  isc_sha256_buffer (buf, len, digest);
  return 0;
}

static int
write_entry (struct archive *a, struct archive_entry *e, const char *path,
             const char *data, size_t len)
{
  archive_entry_clear (e);
  archive_entry_set_pathname (e, path);
  archive_entry_set_filetype (e, data ? AE_IFREG : AE_IFDIR);
  archive_entry_set_perm (e, data ? 0644 : 0755);
  archive_entry_set_size (e, len);
  if (archive_write_header (a, e) != ARCHIVE_OK)
    return -1;
  if (data && archive_write_data (a, data, len) != (la_ssize_t) len)
    return -1;
  return 0;
}

static int
write_rules_tarball (struct isc_err *err, const char *path,
                     const char *rules, size_t rules_len)
{
  struct archive *a = archive_write_new ();
  struct archive_entry *e = archive_entry_new ();
  int r = -1;

  if (!a || !e) {
    isc_error_oom (err, path);
    goto out;
  }
  if (archive_write_add_filter_gzip (a) != ARCHIVE_OK ||
      archive_write_set_format_ustar (a) != ARCHIVE_OK ||
      archive_write_open_filename (a, path) != ARCHIVE_OK ||
      write_entry (a, e, "etc/", NULL, 0) == -1 ||
      write_entry (a, e, "etc/udev/", NULL, 0) == -1 ||
      write_entry (a, e, "etc/udev/rules.d/", NULL, 0) == -1 ||
      write_entry (a, e, RULES_IN_APPLIANCE, rules, rules_len) == -1 ||
      archive_write_close (a) != ARCHIVE_OK) {
    const char *why = archive_error_string (a);

    isc_error (err, path, "cannot write: %s", why ? why : "libarchive error");
    goto out;
  }
  r = 0;

 out:
  archive_entry_free (e);
  if (a)
    archive_write_free (a);
  return r;
}

/* Make FOLDER/supermin.d: a symlink to each stock file, and our rules. */
static int
fill_folder (struct isc_err *err, const char *folder,
             const struct folder_parts *parts)
{
  CLEANUP_FREE char *supermin_d = NULL;
  CLEANUP_FREE char *tarball = NULL;
  int i;

  if (asprintf (&supermin_d, "%s/supermin.d", folder) == -1 ||
      asprintf (&tarball, "%s/" RULES_TARBALL, supermin_d) == -1)
    return isc_error_oom (err, NULL);
  if (mkdir (supermin_d, 0755) == -1)
    return isc_error_errno (err, supermin_d, "cannot create");
  for (i = 0; i < parts->n_names; ++i) {
    const char *name = parts->names[i]->d_name;
    CLEANUP_FREE char *target = NULL;
    CLEANUP_FREE char *link = NULL;

    if (asprintf (&target, "%s/%s", parts->stock, name) == -1 ||
        asprintf (&link, "%s/%s", supermin_d, name) == -1)
      return isc_error_oom (err, NULL);
    if (symlink (target, link) == -1)
      return isc_error_errno (err, link, "cannot create a symlink");
  }
  return write_rules_tarball (err, tarball, parts->rules, parts->rules_len);
}

/* CACHE/.imgscrub-appliance-UID/DIGEST for PARTS, made unless an
 * earlier run made it. */
static int
make_folder (struct isc_err *err, const struct folder_parts *parts,
             const char *cache, char **dir)
{
  CLEANUP_FREE char *root = NULL;
  CLEANUP_FREE char *folder = NULL;
  CLEANUP_FREE char *building = NULL;
  char digest[ISC_SHA256_HEX_LEN + 1];

  if (folder_digest (err, parts, digest) == -1)
    return -1;
  if (asprintf (&root, "%s/.imgscrub-appliance-%ju", cache,
                (uintmax_t) geteuid ()) == -1 ||
      asprintf (&folder, "%s/%.16s", root, digest) == -1 ||
      asprintf (&building, "%s.XXXXXX", folder) == -1)
    return isc_error_oom (err, NULL);
  if (mkdir (root, 0700) == -1 && errno != EEXIST)
    return isc_error_errno (err, root, "cannot create");
  if (check_own_folder (err, root) == -1)
    return -1;
  if (access (folder, F_OK) == -1) {
    if (!mkdtemp (building))
      return isc_error_errno (err, building, "cannot create");
    if (fill_folder (err, building, parts) == -1) {
      isc_remove_tree (building);
      return -1;
    }
    /* Another run may have made the same folder meanwhile: keep its. */
    if (rename (building, folder) == -1) {
      int saved = errno;

      isc_remove_tree (building);
      errno = saved;
      if (saved != EEXIST && saved != ENOTEMPTY)
        return isc_error_errno (err, building, "cannot rename into place");
    }
  }
  if (check_own_folder (err, folder) == -1)
    return -1;
  *dir = TAKE_PTR (folder);
  return 0;
}

int
isc_appliance_path_prepare (struct isc_err *err, const char *stock_supermin_d,
                            const char *rules_path, const char *cache,
                            char **dir)
{
  CLEANUP_FREE unsigned char *text = NULL;
  CLEANUP_FREE char *rules = NULL;
  CLEANUP_FREE char *stock = NULL;
  struct dirent **names;
  size_t text_len = 0, rules_len = 0;
  int n_names, dropped, r;

  *dir = NULL;
  if (isc_read_host_file (err, rules_path, MAX_RULES_BYTES, &text,
                          &text_len) == -1)
    return -1;
  dropped = isc_storage_rules_trim ((const char *) text, text_len, &rules,
                                    &rules_len);
  if (dropped == -1)
    return isc_error_oom (err, NULL);
  if (dropped == 0)
    return isc_error (err, rules_path, "no rule runs scsi_id or ata_id: "
                      "nothing to leave out");
  stock = realpath (stock_supermin_d, NULL);
  if (!stock)
    return isc_error_errno (err, stock_supermin_d, "cannot resolve");
  n_names = scandir (stock, &names, not_dot, alphasort);
  if (n_names == -1)
    return isc_error_errno (err, stock, "cannot list");
  if (n_names == 0)
    r = isc_error (err, stock, "empty: not a supermin appliance");
  else {
    struct folder_parts parts = {
      .stock = stock, .names = names, .n_names = n_names,
      .rules = rules, .rules_len = rules_len,
    };

    r = make_folder (err, &parts, cache, dir);
  }
  free_dirents (names, n_names);
  return r;
}

/* The first folder of libguestfs's search path PATH holding a supermin
 * appliance, as a new string "FOLDER/supermin.d", or NULL. */
static char *
stock_supermin_d (const char *path)
{
  const char *p = path;

  while (*p) {
    size_t len = strcspn (p, ":");
    char *candidate;
    struct stat st;

    if (len > 0 && asprintf (&candidate, "%.*s/supermin.d", (int) len, p) != -1) {
      if (stat (candidate, &st) == 0 && S_ISDIR (st.st_mode))
        return candidate;
      free (candidate);
    }
    p += len;
    if (*p == ':')
      p++;
  }
  return NULL;
}

int
isc_appliance_path_default (struct isc_err *err, char **dir)
{
  const char *choice = getenv ("IMGSCRUB_APPLIANCE");
  const char *user_path = getenv ("LIBGUESTFS_PATH");
  CLEANUP_GUESTFS guestfs_h *g = NULL;
  CLEANUP_FREE char *cache = NULL;
  CLEANUP_FREE char *stock = NULL;
  const char *path;

  *dir = NULL;
  if (choice && strcmp (choice, "stock") == 0)
    return 0;
  if (choice && choice[0] && strcmp (choice, "imgscrub") != 0)
    return isc_error (err, choice, "IMGSCRUB_APPLIANCE is neither "
                      "'imgscrub' nor 'stock'");
  if (user_path && user_path[0])
    return 0;
  g = guestfs_create_flags (GUESTFS_CREATE_NO_CLOSE_ON_EXIT);
  if (!g)
    return isc_error (err, NULL, "cannot create a libguestfs handle");
  guestfs_set_error_handler (g, NULL, NULL);
  path = guestfs_get_path (g);
  cache = guestfs_get_cachedir (g);
  if (!path || !cache)
    return isc_error (err, NULL, "libguestfs has no appliance path or "
                      "cache folder: %s", guestfs_last_error (g));
  stock = stock_supermin_d (path);
  if (!stock)
    return isc_error (err, path, "no supermin appliance on libguestfs's "
                      "path");
  return isc_appliance_path_prepare (err, stock, ISC_STORAGE_RULES, cache,
                                     dir);
}
