/* A test driver for lib/guest/ without the engine: apply profiles to
 * disk images in one appliance (several drives per launch), the way the
 * engine does, and write the results as JSON for tests/test-actions.sh.
 *
 *   guest-apply OUT.json SPEC...
 *   SPEC = IMAGE|FORMAT|FLAGS|PROFILE[,PROFILE...]
 *   FLAGS = "-", or a comma-separated list of dry-run, allow-dirty-hives
 *
 * The images are written in place: give it copies or overlays.  Exit
 * status 0 when every image was processed (whatever its result), 1 when
 * the driver itself failed, 2 for a bad profile or argument. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <guestfs.h>
#include <jansson.h>

#include "util/cleanups.h"
#include "guest/apply.h"
#include "profiles/profile.h"
#include "run/record.h"
#include "util/status.h"

struct image {
  char *path, *format;
  int dry_run, allow_dirty;
  struct isc_profile **profiles;
  size_t n_profiles;
  char *root;
};

static int
parse_spec (const char *spec, struct image *img)
{
  CLEANUP_FREE char *copy = strdup (spec);
  char *fields[4], *p, *save = NULL, *tok;
  int i;

  if (!copy)
    return -1;
  p = copy;
  for (i = 0; i < 4; ++i) {
    fields[i] = p;
    p = i < 3 ? strchr (p, '|') : NULL;
    if (i < 3) {
      if (!p)
        return -1;
      *p++ = '\0';
    }
  }
  img->path = strdup (fields[0]);
  img->format = strdup (fields[1]);
  img->dry_run = strstr (fields[2], "dry-run") != NULL;
  img->allow_dirty = strstr (fields[2], "allow-dirty-hives") != NULL;
  for (tok = strtok_r (fields[3], ",", &save); tok;
       tok = strtok_r (NULL, ",", &save)) {
    struct isc_err err = ISC_ERR_INIT;
    struct isc_profile **ps = realloc (img->profiles,
                                       (img->n_profiles + 1) * sizeof *ps);

    if (!ps)
      return -1;
    img->profiles = ps;
    if (isc_profile_load (&err, tok, &ps[img->n_profiles]) == -1) {
      fprintf (stderr, "guest-apply: %s\n", isc_err_msg (&err));
      isc_err_clear (&err);
      return -1;
    }
    img->n_profiles++;
  }
  return 0;
}

static int
compare_mp (const void *a, const void *b)
{
  return strlen (((char *const *) a)[0]) - strlen (((char *const *) b)[0]);
}

static int root_drive (guestfs_h *g, const char *root);

/* Mount ROOT's filesystems at their mountpoints, shortest first.  "/" is
 * ROOT itself, and only filesystems of ROOT's own drive are mounted:
 * copies of one image in one appliance share UUIDs and labels, so the
 * guest's fstab alone could name another copy's filesystem. */
static int
mount_root (guestfs_h *g, const char *root)
{
  CLEANUP_FREE_STRING_LIST char **mps = guestfs_inspect_get_mountpoints (g, root);
  int drive = root_drive (g, root);
  size_t n = 0, i;

  if (!mps)
    return -1;
  while (mps[n])
    n += 2;
  qsort (mps, n / 2, 2 * sizeof *mps, compare_mp);
  for (i = 0; i < n; i += 2) {
    const char *dev = strcmp (mps[i], "/") == 0 ? root : mps[i + 1];

    if (root_drive (g, dev) != drive)
      continue;
    if (guestfs_mount (g, dev, mps[i]) == -1)
      return -1;
  }
  return 0;
}

/* Which drive ROOT lives on. */
static int
root_drive (guestfs_h *g, const char *root)
{
  CLEANUP_FREE char *dev = NULL;
  int idx;

  guestfs_push_error_handler (g, NULL, NULL);
  dev = guestfs_part_to_dev (g, root);
  idx = guestfs_device_index (g, dev ? dev : root);
  guestfs_pop_error_handler (g);
  return idx;
}

int
main (int argc, char **argv)
{
  CLEANUP_GUESTFS guestfs_h *g = NULL;
  CLEANUP_FREE_STRING_LIST char **roots = NULL;
  CLEANUP_JSON json_t *out = json_array ();
  struct image *images;
  size_t n, i, j;
  int status = 1;

  if (argc < 3) {
    fprintf (stderr, "usage: guest-apply OUT.json "
             "'IMAGE|FORMAT|FLAGS|PROFILE,...'...\n");
    return 2;
  }
  n = argc - 2;
  images = calloc (n, sizeof *images);
  if (!images || !out)
    return 1;
  for (i = 0; i < n; ++i)
    if (parse_spec (argv[i + 2], &images[i]) == -1) {
      fprintf (stderr, "guest-apply: bad spec '%s'\n", argv[i + 2]);
      return 2;
    }

  g = guestfs_create ();
  if (!g)
    return 1;
  for (i = 0; i < n; ++i)
    if (guestfs_add_drive_opts (g, images[i].path,
                                GUESTFS_ADD_DRIVE_OPTS_FORMAT, images[i].format,
                                -1) == -1)
      return 1;
  if (guestfs_launch (g) == -1)
    return 1;
  roots = guestfs_inspect_os (g);
  if (!roots)
    return 1;
  for (i = 0; roots[i]; ++i) {
    int idx = root_drive (g, roots[i]);

    if (idx >= 0 && (size_t) idx < n && !images[idx].root)
      images[idx].root = strdup (roots[i]);
  }

  for (i = 0; i < n; ++i) {
    struct image *img = &images[i];
    struct isc_err err = ISC_ERR_INIT;
    struct isc_guest gu = { 0 };
    char tmpdir[] = "/tmp/guest-apply-XXXXXX";
    CLEANUP_FREE char *type = NULL, *systemroot = NULL;
    json_t *actions = json_array (), *res;
    int r = -1;

    if (!img->root) {
      isc_error (&err, img->path, "no operating system found");
      goto done;
    }
    type = guestfs_inspect_get_type (g, img->root);
    if (type && strcmp (type, "windows") == 0)
      systemroot = guestfs_inspect_get_windows_systemroot (g, img->root);
    if (mount_root (g, img->root) == -1) {
      isc_error (&err, img->path, "mount: %s", guestfs_last_error (g));
      goto done;
    }
    if (!mkdtemp (tmpdir)) {
      isc_error_errno (&err, NULL, "mkdtemp");
      goto done;
    }
    gu.g = g;
    gu.image = img->path;
    gu.root = img->root;
    gu.os = type && strcmp (type, "windows") == 0 ? ISC_OS_WINDOWS
      : ISC_OS_LINUX;
    gu.systemroot = systemroot;
    gu.tmpdir = tmpdir;
    gu.dry_run = img->dry_run;
    gu.dirty_hives = img->allow_dirty ? ISC_DIRTY_HIVES_DISCARD
      : ISC_DIRTY_HIVES_REPLAY;
    gu.err = &err;
    gu.on_result = isc_record_action;
    gu.on_result_opaque = actions;
    r = isc_guest_apply (&gu, img->profiles, img->n_profiles);
    isc_guest_clear (&gu);
    rmdir (tmpdir);
    if (guestfs_umount_all (g) == -1 || guestfs_sync (g) == -1) {
      r = isc_error (&err, img->path, "unmount: %s", guestfs_last_error (g));
    }
  done:
    res = json_pack ("{s:s, s:s, s:s*, s:s*, s:o}", "image", img->path,
                     "status", r == 0 ? "ok" : "failed",
                     "error", r == 0 ? NULL : isc_err_msg (&err),
                     "systemroot", systemroot, "actions", actions);
    json_array_append_new (out, res);
    isc_err_clear (&err);
  }
  if (guestfs_shutdown (g) == -1)
    goto out;
  if (json_dump_file (out, argv[1], JSON_INDENT (2)) == -1)
    goto out;
  status = 0;
 out:
  for (i = 0; i < n; ++i) {
    for (j = 0; j < images[i].n_profiles; ++j)
      isc_profile_free (images[i].profiles[j]);
    free (images[i].profiles);
    free (images[i].path);
    free (images[i].format);
    free (images[i].root);
  }
  free (images);
  return status;
}
