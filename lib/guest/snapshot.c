/* imgscrub: btrfs subvolumes holding a root tree (snapshot.h). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/snapshot.h"
#include "util/cleanups.h"
#include "util/error.h"

/* Most subvolumes looked at on one filesystem: snapper keeps tens. */
#define MAX_SUBVOLUMES 10000

int
isc_snapshot_mode_parse (const char *s, enum isc_snapshot_mode *ret)
{
  if (strcmp (s, "scrub") == 0)
    *ret = ISC_SNAPSHOTS_SCRUB;
  else if (strcmp (s, "remove") == 0)
    *ret = ISC_SNAPSHOTS_REMOVE;
  else if (strcmp (s, "keep") == 0)
    *ret = ISC_SNAPSHOTS_KEEP;
  else
    return -1;
  return 0;
}

char *
isc_snapshot_device (guestfs_h *g, const char *dev, const char **ret_subvol)
{
  CLEANUP_FREE char *type = NULL;
  char *ret = NULL;

  *ret_subvol = NULL;
  guestfs_push_error_handler (g, NULL, NULL);
  if (strncmp (dev, "btrfsvol:", 9) == 0) {
    const char *p = dev + 9, *slash;
    int i;

    /* DEVICE is /dev/NAME, /dev/mapper/NAME or /dev/VG/LV: the first
     * prefix that is a block device. */
    slash = strchr (p + (*p == '/'), '/');
    for (i = 0; i < 3 && slash && !ret; ++i) {
      CLEANUP_FREE char *cand = NULL;

      slash = strchr (slash + 1, '/');
      cand = slash ? strndup (p, slash - p) : NULL;
      if (cand && guestfs_is_blockdev (g, cand) > 0) {
        ret = TAKE_PTR (cand);
        *ret_subvol = slash + 1;
      }
    }
  }
  else if ((type = guestfs_vfs_type (g, dev)) && strcmp (type, "btrfs") == 0)
    ret = strdup (dev);
  guestfs_pop_error_handler (g);
  return ret;
}

/* Subvolume paths reach a mount option and the appliance's shell
 * (isc_snapshot_set_ro): plain names only. */
static int
plain_path (const char *p)
{
  const char *c;

  if (!*p || *p == '/' || strstr (p, "..") || strstr (p, "//"))
    return 0;
  for (c = p; *c; ++c)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
          (*c >= '0' && *c <= '9') || strchr ("._@+-/", *c)))
      return 0;
  return 1;
}

/* Does /PATH hold a root tree: an etc folder (not a link: one could
 * point into another tree) with os-release in it, as a file or as the
 * usual link to ../usr/lib/os-release?  A machine-id alone is not
 * enough: a backup or a container's data may hold an etc/machine-id. */
static int
holds_root (guestfs_h *g, const char *path)
{
  CLEANUP_FREE char *etc = NULL, *osr = NULL;

  if (asprintf (&etc, "/%s/etc", path) == -1 ||
      asprintf (&osr, "%s/os-release", etc) == -1)
    return 0;
  if (guestfs_is_dir_opts (g, etc, GUESTFS_IS_DIR_OPTS_FOLLOWSYMLINKS, 0,
                           -1) <= 0)
    return 0;
  return guestfs_is_file_opts (g, osr, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 0,
                               -1) > 0 || guestfs_is_symlink (g, osr) > 0;
}

static int
readonly_flag (guestfs_h *g, const char *path)
{
  CLEANUP_FREE char *p = NULL;
  CLEANUP_FREE_STRING_LIST char **show = NULL;
  size_t i;

  if (asprintf (&p, "/%s", path) == -1 ||
      !(show = guestfs_btrfs_subvolume_show (g, p)))
    return 0;
  for (i = 0; show[i] && show[i + 1]; i += 2)
    if (strcmp (show[i], "Flags") == 0)
      return strstr (show[i + 1], "readonly") != NULL;
  return 0;
}

static int
compare_snapshots (const void *a, const void *b)
{
  const struct isc_snapshot *sa = a, *sb = b;

  return strcmp (sa->path, sb->path);
}

int
isc_snapshots_find (guestfs_h *g, struct isc_err *err,
                    const char *root_subvol, struct isc_snapshot **ret,
                    size_t *ret_n)
{
  struct guestfs_btrfssubvolume_list *list;
  struct isc_snapshot *out = NULL;
  int64_t root_id = -1;
  size_t i, n = 0;
  int r = -1;

  *ret = NULL;
  *ret_n = 0;
  list = guestfs_btrfs_subvolume_list (g, "/");
  if (!list)
    return isc_error (err, NULL, "cannot list the btrfs subvolumes: %s",
                      guestfs_last_error (g));
  if (!root_subvol)
    root_id = guestfs_btrfs_subvolume_get_default (g, "/");
  if (list->len > MAX_SUBVOLUMES) {
    isc_error (err, NULL, "more than %d btrfs subvolumes", MAX_SUBVOLUMES);
    goto out;
  }
  out = calloc (list->len + 1, sizeof *out);
  if (!out) {
    isc_error_oom (err, NULL);
    goto out;
  }
  guestfs_push_error_handler (g, NULL, NULL);
  for (i = 0; i < list->len; ++i) {
    const struct guestfs_btrfssubvolume *v = &list->val[i];
    const char *path = v->btrfssubvolume_path;

    /* btrfs lists paths below a top level mounted at "/" as
     * "<FS_TREE>/x" with -a, as "x" without: take both. */
    if (strncmp (path, "<FS_TREE>/", 10) == 0)
      path += 10;
    if ((int64_t) v->btrfssubvolume_id == root_id ||
        (root_subvol && strcmp (path, root_subvol) == 0))
      continue;
    /* Any user may make a subvolume, under any name: only one that
     * holds a root tree is ours to handle, and only that one's name
     * must be plain. */
    if (!holds_root (g, path))
      continue;
    if (!plain_path (path)) {
      guestfs_pop_error_handler (g);
      isc_error (err, path, "btrfs subvolume name not handled (only "
                 "letters, digits and ._@+- are)");
      goto out;
    }
    out[n].path = strdup (path);
    if (!out[n].path)
      break;
    out[n].id = v->btrfssubvolume_id;
    out[n].readonly = readonly_flag (g, path);
    n++;
  }
  guestfs_pop_error_handler (g);
  if (i < list->len) {
    isc_error_oom (err, NULL);
    goto out;
  }
  qsort (out, n, sizeof *out, compare_snapshots);
  *ret = TAKE_PTR (out);
  *ret_n = n;
  r = 0;

 out:
  isc_snapshots_free (out, n);
  guestfs_free_btrfssubvolume_list (list);
  return r;
}

void
isc_snapshots_free (struct isc_snapshot *s, size_t n)
{
  size_t i;

  for (i = 0; s && i < n; ++i)
    free (s[i].path);
  free (s);
}

int
isc_snapshot_set_ro (guestfs_h *g, struct isc_err *err,
                     const struct isc_snapshot *s, int ro)
{
  CLEANUP_FREE char *where = NULL, *out = NULL;

  /* libguestfs 1.48 has no call for the btrfs "ro" property: the
   * appliance's own btrfs (never the guest's) sets it through debug sh,
   * which joins its words with spaces.  S->path was checked to be
   * plain names (isc_snapshots_find), so no guest text is parsed by
   * the shell. */
  if (!plain_path (s->path))
    return isc_error (err, s->path, "btrfs subvolume name not handled");
  if (asprintf (&where, "/sysroot/%s", s->path) == -1)
    return isc_error_oom (err, s->path);
  out = guestfs_debug (g, "sh", (char *[]) { "btrfs", "property", "set",
                                             "-ts", where, "ro",
                                             ro ? "true" : "false", NULL });
  if (!out)
    return isc_error (err, s->path, "cannot set its btrfs ro property: %s",
                      guestfs_last_error (g));
  if (readonly_flag (g, s->path) != !!ro)
    return isc_error (err, s->path, "its btrfs ro property stayed %s",
                      ro ? "false" : "true");
  return 0;
}

/* The snapper folder of PATH ("X/.snapshots/N" for
 * "X/.snapshots/N/snapshot"), or NULL; caller frees. */
static char *
snapper_folder (const char *path)
{
  size_t len = strlen (path);
  const char *num, *p;
  char *ret;

  if (len < 9 || strcmp (path + len - 9, "/snapshot") != 0)
    return NULL;
  for (num = path + len - 9; num > path && num[-1] != '/'; --num)
    ;
  if (num == path + len - 9)
    return NULL;
  for (p = num; p < path + len - 9; ++p)
    if (*p < '0' || *p > '9')
      return NULL;
  if (num - path < 11 || strncmp (num - 11, ".snapshots/", 11) != 0 ||
      (num - path > 11 && num[-12] != '/'))
    return NULL;
  if (asprintf (&ret, "/%.*s", (int) (path + len - 9 - path), path) == -1)
    return NULL;
  return ret;
}

int
isc_snapshot_remove (guestfs_h *g, struct isc_err *err,
                     const struct isc_snapshot *s)
{
  CLEANUP_FREE char *where = NULL, *folder = snapper_folder (s->path);

  if (asprintf (&where, "/%s", s->path) == -1)
    return isc_error_oom (err, s->path);
  if (guestfs_btrfs_subvolume_delete (g, where) == -1)
    return isc_error (err, s->path, "cannot delete the subvolume: %s",
                      guestfs_last_error (g));
  /* snapper would list a snapshot whose info.xml is left. */
  if (folder && guestfs_rm_rf (g, folder) == -1)
    return isc_error (err, folder, "cannot remove the snapper folder: %s",
                      guestfs_last_error (g));
  return 0;
}
