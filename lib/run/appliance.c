#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <guestfs.h>
#include <jansson.h>

#include "run/appliance.h"
#include "run/record.h"
#include "util/atomic.h"
#include "audit/audit.h"
#include "util/cleanups.h"
#include "util/escape.h"
#include "guest/apply.h"
#include "guest/inspect.h"
#include "profiles/profile.h"
#include "util/steps.h"
#include "guest/tree.h"
#include "run/worker.h"
#include "util/time.h"
#include "util/status.h"
#include "util/error.h"

static void
send_simple (int fd, const char *type, const char *error)
{
  json_t *msg = json_pack ("{s:s}", "type", type);

  if (error)
    json_object_set_new (msg, "error", isc_json_string (error));
  isc_worker_send (fd, msg);
  json_decref (msg);
}

/* Which of our drives holds ROOT: partitions map to their disk, logical
 * volumes to the disk of their volume group's first physical volume. */
static int
root_drive_index (guestfs_h *g, const char *root)
{
  CLEANUP_FREE char *dev = NULL;
  int r;

  guestfs_push_error_handler (g, NULL, NULL);
  if (guestfs_is_lv (g, root) > 0) {
    CLEANUP_FREE char *vg = strdup (root + strlen ("/dev/"));
    CLEANUP_FREE_STRING_LIST char **vg_uuids = NULL;
    CLEANUP_FREE_STRING_LIST char **pvs = NULL;
    char *slash = vg ? strchr (vg, '/') : NULL;
    size_t i, j;

    if (slash)
      *slash = '\0';
    vg_uuids = vg ? guestfs_vgpvuuids (g, vg) : NULL;
    pvs = guestfs_pvs (g);
    for (i = 0; !dev && pvs && pvs[i]; ++i) {
      CLEANUP_FREE char *uuid = guestfs_pvuuid (g, pvs[i]);

      for (j = 0; uuid && vg_uuids && vg_uuids[j]; ++j)
        if (strcmp (uuid, vg_uuids[j]) == 0)
          dev = guestfs_part_to_dev (g, pvs[i]);
    }
  }
  else
    dev = guestfs_part_to_dev (g, root);
  r = guestfs_device_index (g, dev ? dev : root);
  guestfs_pop_error_handler (g);
  return r;
}

/* Clones share filesystem UUIDs, so inspection may resolve a guest's
 * fstab entry to another image's partition: keep every mount on the
 * root's own disk by using the same partition number there. */
static char *
device_on_drive (guestfs_h *g, const char *dev, const char *drive_dev)
{
  CLEANUP_FREE char *disk = NULL;
  char *ret = NULL;
  int partnum;

  guestfs_push_error_handler (g, NULL, NULL);
  disk = guestfs_part_to_dev (g, dev);
  if (disk && strcmp (disk, drive_dev) != 0 &&
      (partnum = guestfs_part_to_partnum (g, dev)) > 0) {
    if (asprintf (&ret, "%s%d", drive_dev, partnum) == -1)
      ret = NULL;
  }
  guestfs_pop_error_handler (g);
  return ret ? ret : strdup (dev);
}

static int
compare_mountpoints (const void *a, const void *b)
{
  const char *const *pa = a, *const *pb = b;
  size_t la = strlen (pa[0]), lb = strlen (pb[0]);

  return la < lb ? -1 : la > lb ? 1 : strcmp (pa[0], pb[0]);
}

#define HIBERNATED_MESSAGE                                              \
  "the NTFS volume was left hibernated (Windows hibernation or Fast "   \
  "Startup), so it cannot be mounted for writing: boot Windows and shut " \
  "it down fully with Fast Startup disabled, or use --dry-run to look "  \
  "at it read-only"

/* ntfs-3g mounts a hibernated volume read-only instead of failing. */
static int
mounted_readonly (guestfs_h *g, const char *mountpoint)
{
  struct guestfs_statvfs *st = guestfs_statvfs (g, mountpoint);
  int ro = st && (st->flag & 1 /* ST_RDONLY */);

  guestfs_free_statvfs (st);
  return ro;
}

/* Does MOUNTPOINT hold a Windows hibernation file with a live header? */
static int
hibernated (guestfs_h *g, const char *mountpoint)
{
  CLEANUP_FREE char *path = NULL, *hdr = NULL;
  size_t len = 0;

  if (asprintf (&path, "%s%shiberfil.sys", mountpoint,
                strcmp (mountpoint, "/") == 0 ? "" : "/") == -1)
    return 0;
  guestfs_push_error_handler (g, NULL, NULL);
  if (guestfs_is_file_opts (g, path, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 0,
                            -1) > 0)
    hdr = guestfs_pread (g, path, 4, 0, &len);
  guestfs_pop_error_handler (g);
  return hdr && len == 4 && (strncasecmp (hdr, "hibr", 4) == 0 ||
                             strncasecmp (hdr, "wake", 4) == 0);
}

/* Mount the guest's filesystems as FACTS' mountpoints say (already
 * mapped onto its own drive), parents before children.  ROOT_MOUNTED:
 * the quick inspection left "/" mounted as needed. */
static int
mount_guest (struct isc_err *err, guestfs_h *g, json_t *facts, int readonly,
             int root_mounted)
{
  json_t *mounts = json_object_get (facts, "mountpoints");
  CLEANUP_FREE const char **mps = calloc (2 * json_object_size (mounts) + 1,
                                          sizeof *mps);
  const char *mp;
  json_t *dev;
  size_t n = 0, i;

  if (!mps)
    return isc_error_oom (err, NULL);
  json_object_foreach (mounts, mp, dev) {
    mps[n++] = mp;
    mps[n++] = json_string_value (dev);
  }
  if (n == 0)
    return isc_error (err, NULL, "inspection found no filesystem to mount");
  qsort (mps, n / 2, 2 * sizeof (char *), compare_mountpoints);
  for (i = 0; i < n; i += 2) {
    const char *devname = mps[i + 1];
    int r = root_mounted && strcmp (mps[i], "/") == 0 ? 0
      : readonly ? guestfs_mount_ro (g, devname, mps[i])
      : guestfs_mount (g, devname, mps[i]);

    if (r == -1) {
      const char *msg = guestfs_last_error (g);

      if (msg && (strcasestr (msg, "hibernat") ||
                  strcasestr (msg, "unsafe state") ||
                  strcasestr (msg, "fast restart")))
        return isc_error (err, mps[i], "%s", HIBERNATED_MESSAGE);
      return isc_error (err, mps[i], "cannot mount %s: %s", devname,
                        msg ? msg : "unknown error");
    }
    if (!readonly && mounted_readonly (g, mps[i]))
      return isc_error (err, mps[i], "%s",
                        hibernated (g, mps[i]) ? HIBERNATED_MESSAGE
                        : "the filesystem was mounted read-only "
                        "(it needs repair or was not shut down cleanly)");
  }
  return 0;
}

#define SET_STRING(obj, key, call) do {                 \
    char *s_ = (call);                                  \
    if (s_) {                                           \
      json_object_set_new ((obj), (key), isc_json_string (s_)); \
      free (s_);                                        \
    }                                                   \
  } while (0)

/* What inspection says about ROOT; every string is guest-controlled. */
static json_t *
inspection_facts (guestfs_h *g, const char *root, const char *drive_dev)
{
  json_t *facts = json_object (), *mounts = json_object ();
  CLEANUP_FREE_STRING_LIST char **mps = NULL;
  CLEANUP_FREE char *type = NULL;
  size_t i;

  guestfs_push_error_handler (g, NULL, NULL);
  type = guestfs_inspect_get_type (g, root);
  json_object_set_new (facts, "root", isc_json_string (root));
  json_object_set_new (facts, "os", isc_json_string (type));
  SET_STRING (facts, "distro", guestfs_inspect_get_distro (g, root));
  SET_STRING (facts, "product_name", guestfs_inspect_get_product_name (g, root));
  json_object_set_new (facts, "version",
                       json_sprintf ("%d.%d",
                                     guestfs_inspect_get_major_version (g, root),
                                     guestfs_inspect_get_minor_version (g, root)));
  SET_STRING (facts, "arch", guestfs_inspect_get_arch (g, root));
  SET_STRING (facts, "hostname", guestfs_inspect_get_hostname (g, root));
  if (type && strcmp (type, "windows") == 0) {
    SET_STRING (facts, "windows_systemroot",
                guestfs_inspect_get_windows_systemroot (g, root));
    SET_STRING (facts, "windows_current_control_set",
                guestfs_inspect_get_windows_current_control_set (g, root));
  }
  mps = guestfs_inspect_get_mountpoints (g, root);
  for (i = 0; mps && mps[i]; i += 2) {
    CLEANUP_FREE char *dev = device_on_drive (g, mps[i + 1], drive_dev);

    json_object_set_new (mounts, mps[i], isc_json_string (dev ? dev : mps[i + 1]));
  }
  json_object_set_new (facts, "mountpoints", mounts);
  guestfs_pop_error_handler (g);
  return facts;
}

/* guestfs_vfs_type of every partition (blkid: slow under TCG, so
 * asked once); "" where it failed. */
static char **
partition_types (guestfs_h *g, char *const *partitions)
{
  size_t n = 0, i;
  char **ret;

  while (partitions && partitions[n])
    n++;
  ret = calloc (n + 1, sizeof *ret);
  if (!ret)
    return NULL;
  guestfs_push_error_handler (g, NULL, NULL);
  for (i = 0; i < n; ++i) {
    ret[i] = guestfs_vfs_type (g, partitions[i]);
    if (!ret[i])
      ret[i] = strdup ("");
  }
  guestfs_pop_error_handler (g);
  return ret;
}

/* The LVM physical volumes on DRIVE_DEV (its partitions LVM claims),
 * or NULL when it has none. */
static char **
drive_pvs (const char *drive_dev, char *const *partitions,
           char *const *types)
{
  size_t n = 0, i;
  char **ret = NULL;

  for (i = 0; partitions && partitions[i] && types; ++i) {
    char **more;

    if (!isc_partition_of (partitions[i], drive_dev) || !types[i] ||
        strcmp (types[i], "LVM2_member") != 0)
      continue;
    more = realloc (ret, (n + 2) * sizeof *ret);
    if (!more)
      break;
    ret = more;
    ret[n++] = strdup (partitions[i]);
    ret[n] = NULL;
  }
  return ret;
}

/* LVM guests are inspected one at a time, each with LVM filtered to
 * its own disk (lvm_guest_facts): note each drive's physical volumes. */
static void
assign_pvs (char *const *devices, const int *drive_index, size_t n_drives,
            char *const *partitions, char *const *types, char ***pvs)
{
  size_t i;

  for (i = 0; i < n_drives; ++i)
    if (drive_index[i] >= 0 && !pvs[i])
      pvs[i] = drive_pvs (devices[drive_index[i]], partitions, types);
}

/* Clones share volume group names and PV UUIDs: with every disk in
 * view LVM would pick one clone's volumes for all of them.  Show LVM
 * only this guest's physical volumes (guestfs_lvm_set_filter, made for
 * this), then inspect with that view.  Nothing of the previous guest may
 * be mounted: the caller unmounts after each image. */
static json_t *
lvm_guest_facts (guestfs_h *g, const char *drive_dev,
                 char *const *partitions, char *const *pvs)
{
  CLEANUP_FREE_STRING_LIST char **lvs = NULL;
  CLEANUP_FREE_STRING_LIST char **roots = NULL;
  json_t *facts = NULL;
  size_t i;
  int mounted;

  guestfs_push_error_handler (g, NULL, NULL);
  if (guestfs_lvm_set_filter (g, pvs) == -1)
    goto out;
  lvs = guestfs_lvs (g);
  if (isc_fast_inspect (g, drive_dev, partitions, NULL, lvs, 0, &facts,
                        &mounted) == 1)
    goto out;
  roots = guestfs_inspect_os (g);
  for (i = 0; roots && roots[i] && !facts; ++i)
    if (root_drive_index (g, roots[i]) == guestfs_device_index (g, drive_dev))
      facts = inspection_facts (g, roots[i], drive_dev);
 out:
  guestfs_pop_error_handler (g);
  return facts;
}

/* How the quick inspection should leave the root it finds: mounted
 * as the job will use it. */
static unsigned
inspect_flags (const struct isc_appliance_job *job)
{
  if (job->mode == ISC_ENGINE_INSPECT)
    return 0;
  if (job->mode == ISC_ENGINE_SCRUB && !job->dry_run)
    return ISC_INSPECT_KEEP_MOUNTED | ISC_INSPECT_WRITABLE |
      ISC_INSPECT_HOST_REGISTRY;
  return ISC_INSPECT_KEEP_MOUNTED | ISC_INSPECT_HOST_REGISTRY;
}

/* Give each drive (not on LVM: those are inspected alone) the root the
 * full inspection found on it. */
static void
assign_roots (guestfs_h *g, char *const *roots, const int *drive_index,
              size_t n_drives, char ***pvs, const char **root_of)
{
  size_t i, d;

  for (i = 0; roots && roots[i]; ++i) {
    int idx = root_drive_index (g, roots[i]);

    for (d = 0; d < n_drives; ++d)
      if (drive_index[d] == idx && idx >= 0 && !root_of[d] && !pvs[d])
        root_of[d] = roots[i];
  }
}

static unsigned
guest_os (const char *type)
{
  if (type && strcmp (type, "windows") == 0)
    return ISC_OS_WINDOWS;
  if (type && strcmp (type, "linux") == 0)
    return ISC_OS_LINUX;
  return 0;
}

/* --export-tree: the scrubbed guest, still mounted, into a pax tar the
 * parent merges into the final archive. */
static int
export_tree (const struct isc_appliance_job *job, guestfs_h *g,
             const struct isc_appliance_drive *drive, struct isc_err *err,
             json_t **tree)
{
  struct isc_tree_stats stats = { .skipped = json_array () };
  CLEANUP_FREE char *path = NULL;

  if (asprintf (&path, "%s/tree-%zu.tar", job->workdir, drive->id) == -1) {
    json_decref (stats.skipped);
    return isc_error_oom (err, NULL);
  }
  if (isc_tree_write (err, g, path, &stats) == -1) {
    json_decref (stats.skipped);
    return -1;
  }
  *tree = json_pack ("{s:s, s:I, s:I, s:o}", "path", path,
                     "entries", (json_int_t) stats.entries,
                     "bytes", (json_int_t) stats.bytes,
                     "skipped", stats.skipped);
  return 0;
}

/* Scrub one guest: mount, apply, export its tree if asked, unmount and
 * flush.  Returns the image status. */
/* lib/inspect.c left the Windows registry facts to us
 * (ISC_INSPECT_HOST_REGISTRY), or read them with the appliance's hivex
 * and found a dirty hive: read them on the host, from the hive copies
 * the actions use, with the logs applied (or as gu->dirty_hives says).
 * The marker is not a fact: removed. */
static int
dirty_registry_facts (struct isc_guest *gu, json_t *facts)
{
  if (!json_is_true (json_object_get (facts, "registry_unread")))
    return 0;
  json_object_del (facts, "registry_unread");
  return isc_guest_windows_facts (gu, facts);
}

static enum isc_image_status
scrub_guest (const struct isc_appliance_job *job, guestfs_h *g,
             const struct isc_appliance_drive *drive, const char *root,
             json_t *facts, int root_mounted, struct isc_err *err,
             json_t *actions, json_t *hives, json_t **tree, int *flushed,
             json_t *steps)
{
  const char *type = json_string_value (json_object_get (facts, "os"));
  unsigned os = guest_os (type);
  CLEANUP_FREE char *tmpdir = NULL;
  struct isc_guest gu = { 0 };
  size_t i;
  int applies = 0, r;
  double began;

  if (!os) {
    isc_error (err, NULL, "guest operating system '%s' is not supported",
               type ? type : "unknown");
    return ISC_IMAGE_SKIPPED;
  }
  for (i = 0; i < job->n_profiles; ++i)
    if (job->profiles[i]->os & os)
      applies = 1;
  if (!applies) {
    isc_error (err, NULL, "no profile applies to %s guests", type);
    return ISC_IMAGE_SKIPPED;
  }
  began = isc_now ();
  if (mount_guest (err, g, facts, job->dry_run, root_mounted) == -1) {
    guestfs_umount_all (g);
    return ISC_IMAGE_FAILED;
  }
  isc_step_add (steps, "mount", began);
  if (asprintf (&tmpdir, "%s/guest-XXXXXX", job->workdir) == -1 ||
      !mkdtemp (tmpdir)) {
    isc_error_errno (err, job->workdir, "cannot create scratch directory");
    guestfs_umount_all (g);
    return ISC_IMAGE_FAILED;
  }
  gu.g = g;
  gu.image = drive->name;
  gu.root = root;
  gu.os = os;
  gu.steps = steps;
  gu.systemroot = json_string_value (json_object_get (facts,
                                                      "windows_systemroot"));
  gu.distro = json_string_value (json_object_get (facts, "distro"));
  gu.skips = job->skips;
  gu.tmpdir = tmpdir;
  gu.dry_run = job->dry_run;
  gu.dirty_hives = job->dirty_hives;
  gu.err = err;
  gu.on_result = isc_record_action;
  gu.on_result_opaque = actions;
  gu.hives = hives;
  r = dirty_registry_facts (&gu, facts);
  if (r == 0)
    r = isc_guest_apply (&gu, job->profiles, job->n_profiles);
  isc_guest_clear (&gu);
  isc_remove_tree (tmpdir);
  began = isc_now ();
  if (r == 0 && job->export_tree && !job->dry_run) {
    r = export_tree (job, g, drive, err, tree);
    began = isc_step_add (steps, "export-tree", began);
  }
  /* Unmount before reporting.  Flush too when the parent should
   * convert this image while the appliance goes on: "flushed" tells it
   * the overlay holds every change (qemu's own caches included). */
  if (guestfs_umount_all (g) == -1 && r == 0)
    r = isc_error (err, NULL, "unmount failed: %s", guestfs_last_error (g));
  began = isc_step_add (steps, "unmount", began);
  if (!job->dry_run && r == 0 && drive->flush_early) {
    if (guestfs_sync (g) == -1)
      r = isc_error (err, NULL, "sync failed: %s", guestfs_last_error (g));
    else
      *flushed = 1;
    isc_step_add (steps, "flush", began);
  }
  return r == 0 ? ISC_IMAGE_OK : ISC_IMAGE_FAILED;
}

/* Read the identities of one guest (IDENTITIES NULL: only its facts
 * from a dirty registry), mounted read-only. */
static enum isc_image_status
audit_guest (const struct isc_appliance_job *job, guestfs_h *g,
             const struct isc_appliance_drive *drive, const char *root,
             json_t *facts, int root_mounted, struct isc_err *err,
             json_t *identities, json_t *hives)
{
  const char *type = json_string_value (json_object_get (facts, "os"));
  CLEANUP_FREE char *tmpdir = NULL;
  struct isc_guest gu = { 0 };
  int r;

  if (mount_guest (err, g, facts, 1, root_mounted) == -1) {
    guestfs_umount_all (g);
    return ISC_IMAGE_FAILED;
  }
  if (asprintf (&tmpdir, "%s/guest-XXXXXX", job->workdir) == -1 ||
      !mkdtemp (tmpdir)) {
    isc_error_errno (err, job->workdir, "cannot create scratch directory");
    guestfs_umount_all (g);
    return ISC_IMAGE_FAILED;
  }
  gu.g = g;
  gu.image = drive->name;
  gu.root = root;
  gu.os = guest_os (type);
  gu.systemroot = json_string_value (json_object_get (facts,
                                                      "windows_systemroot"));
  gu.distro = json_string_value (json_object_get (facts, "distro"));
  gu.tmpdir = tmpdir;
  gu.dry_run = 1;
  gu.dirty_hives = job->dirty_hives;
  gu.err = err;
  gu.hives = hives;
  r = dirty_registry_facts (&gu, facts);
  if (r == 0 && identities)
    r = isc_audit_guest (&gu, job->profiles, job->n_profiles, identities);
  isc_guest_clear (&gu);
  isc_remove_tree (tmpdir);
  guestfs_umount_all (g);
  return r == 0 ? ISC_IMAGE_OK : ISC_IMAGE_FAILED;
}

static void
send_image (int fd, size_t id, enum isc_image_status status,
            const struct isc_err *err, json_t *facts, json_t *actions,
            json_t *identities, json_t *hives, json_t *tree, int flushed,
            json_t *steps, double seconds)
{
  json_t *msg = json_pack ("{s:s, s:I, s:s, s:f}", "type", "image",
                           "id", (json_int_t) id,
                           "status", isc_image_status_name (status),
                           "seconds", seconds);

  if (status != ISC_IMAGE_OK)
    json_object_set_new (msg, "error", isc_json_string (isc_err_msg (err)));
  if (facts)
    json_object_set (msg, "facts", facts);
  if (actions)
    json_object_set (msg, "actions", actions);
  if (identities)
    json_object_set (msg, "identities", identities);
  if (hives && json_array_size (hives) > 0)
    json_object_set (msg, "hives", hives);
  if (tree)
    json_object_set (msg, "tree", tree);
  if (flushed)
    json_object_set_new (msg, "flushed", json_true ());
  if (steps)
    json_object_set (msg, "steps", steps);
  isc_worker_send (fd, msg);
  json_decref (msg);
}

static int
all_scratch (const struct isc_appliance_drive *drives, size_t n_drives)
{
  size_t i;

  for (i = 0; i < n_drives; ++i)
    if (!drives[i].scratch)
      return 0;
  return 1;
}

int
isc_appliance_run (const struct isc_appliance_job *job,
                   const struct isc_appliance_drive *drives, size_t n_drives)
{
  CLEANUP_GUESTFS guestfs_h *g = NULL;
  CLEANUP_FREE int *drive_index = NULL;
  CLEANUP_FREE const char **root_of = NULL;
  CLEANUP_FREE_STRING_LIST char **roots = NULL;
  CLEANUP_FREE_STRING_LIST char **devices = NULL;
  CLEANUP_FREE_STRING_LIST char **partitions = NULL;
  CLEANUP_FREE_STRING_LIST char **types = NULL;
  CLEANUP_FREE char *full_error = NULL;
  char ***pvs = NULL;
  size_t i, n_added = 0;
  int full_done = 0, alive = 1;

  /* libguestfs's own scratch (overlays of read-only drives, its
   * sockets) goes in our work directory, which the parent removes even
   * when it had to kill this worker.  A socket path must stay short. */
  if (job->workdir && strlen (job->workdir) < 72)
    setenv ("XDG_RUNTIME_DIR", job->workdir, 1);
  g = guestfs_create ();
  if (!g) {
    send_simple (job->fd, "fatal", "cannot create a libguestfs handle");
    return 1;
  }
  if (job->workdir && guestfs_set_tmpdir (g, job->workdir) == -1) {
    send_simple (job->fd, "fatal", "cannot set the libguestfs tmpdir");
    return 1;
  }
  if (job->appliance_dir &&
      (guestfs_set_path (g, job->appliance_dir) == -1 ||
       guestfs_set_cachedir (g, job->appliance_dir) == -1)) {
    send_simple (job->fd, "fatal", "cannot set the appliance folder");
    return 1;
  }
  guestfs_set_error_handler (g, NULL, NULL);
  guestfs_set_trace (g, job->trace);
  guestfs_set_verbose (g, job->verbose);
  drive_index = calloc (n_drives, sizeof *drive_index);
  root_of = calloc (n_drives, sizeof *root_of);
  if (!drive_index || !root_of) {
    send_simple (job->fd, "fatal", "out of memory");
    return 1;
  }
  for (i = 0; i < n_drives; ++i) {
    drive_index[i] = -1;
    if (guestfs_add_drive_opts (g, drives[i].path,
                                GUESTFS_ADD_DRIVE_OPTS_FORMAT, drives[i].format,
                                GUESTFS_ADD_DRIVE_OPTS_READONLY, drives[i].readonly,
                                GUESTFS_ADD_DRIVE_OPTS_CACHEMODE,
                                drives[i].scratch ? "unsafe" : "writeback",
                                -1) == -1) {
      struct isc_err err = ISC_ERR_INIT;

      isc_error (&err, NULL, "cannot add drive: %s", guestfs_last_error (g));
      send_image (job->fd, drives[i].id, ISC_IMAGE_FAILED, &err, NULL, NULL,
                  NULL, NULL, NULL, 0, NULL, 0);
      isc_err_clear (&err);
      continue;
    }
    drive_index[i] = n_added++;
  }
  if (n_added == 0) {
    send_simple (job->fd, "done", NULL);
    return 0;
  }
  /* Autosync fsyncs every disk at shutdown, about 0.08 s each under
   * TCG.  Scratch overlays need no fsync: every image is unmounted
   * after its work, which writes its filesystem out to qemu, and qemu
   * writes its qcow2 metadata out when it exits.  An input edited in
   * place keeps the fsync. */
  if (all_scratch (drives, n_drives))
    guestfs_set_autosync (g, 0);
  if (guestfs_launch (g) == -1) {
    send_simple (job->fd, "fatal", guestfs_last_error (g));
    return 1;
  }
  send_simple (job->fd, "launched", NULL);

  devices = guestfs_list_devices (g);
  partitions = guestfs_list_partitions (g);
  pvs = calloc (n_drives, sizeof *pvs);
  if (!devices || !pvs) {
    free (pvs);
    send_simple (job->fd, "fatal", "cannot list the appliance's disks");
    return 1;
  }

  for (i = 0; i < n_drives; ++i) {
    struct isc_err err = ISC_ERR_INIT;
    enum isc_image_status status = ISC_IMAGE_OK;
    json_t *facts = NULL, *actions = NULL, *identities = NULL, *tree = NULL;
    json_t *hives = NULL, *steps = json_object ();
    double start = isc_now ();
    const char *dev;
    int root_mounted = 0, flushed = 0;
    json_t *working;

    if (drive_index[i] < 0)
      continue;
    dev = devices[drive_index[i]];
    working = json_pack ("{s:s, s:I}", "type", "working",
                         "id", (json_int_t) drives[i].id);
    isc_worker_send (job->fd, working);
    json_decref (working);
    if (pvs[i])
      facts = lvm_guest_facts (g, dev, partitions, pvs[i]);
    else if (isc_fast_inspect (g, dev, partitions, types, NULL,
                               inspect_flags (job), &facts,
                               &root_mounted) == 0 && !types) {
      /* blkid costs about 0.25 s a partition under TCG: ask it only
       * once some guest is beyond the quick inspection, which simply
       * tries to mount each partition. */
      types = partition_types (g, partitions);
      assign_pvs (devices, drive_index, n_drives, partitions, types, pvs);
      if (pvs[i])
        facts = lvm_guest_facts (g, dev, partitions, pvs[i]);
    }
    if (!facts && !pvs[i]) {
      /* The full inspection looks at every drive: pay for it once, and
       * only when some guest is beyond the quick one. */
      if (!full_done) {
        guestfs_push_error_handler (g, NULL, NULL);
        roots = guestfs_inspect_os (g);
        if (!roots)
          full_error = strdup (guestfs_last_error (g) ? guestfs_last_error (g)
                               : "unknown error");
        /* On some damaged guests (a corrupt hive) it fails and leaves a
         * filesystem mounted, which would block every later mount. */
        guestfs_umount_all (g);
        guestfs_pop_error_handler (g);
        assign_roots (g, roots, drive_index, n_drives, pvs, root_of);
        full_done = 1;
      }
      if (root_of[i])
        facts = inspection_facts (g, root_of[i], dev);
    }
    isc_step_add (steps, "inspect", start);
    if (!facts && full_error && !pvs[i]) {
      /* It looks at every drive: any of them may have made it fail. */
      isc_error (&err, NULL, "no operating system found by the quick "
                 "inspection, and libguestfs's full inspection of the "
                 "appliance's drives failed: %s", full_error);
      status = ISC_IMAGE_FAILED;
    }
    else if (!facts) {
      isc_error (&err, NULL, "no operating system found in the image "
                 "(not a supported guest, or the disk is damaged)");
      status = ISC_IMAGE_FAILED;
    }
    else {
      const char *root = json_string_value (json_object_get (facts, "root"));

      if (job->mode == ISC_ENGINE_SCRUB) {
        actions = json_array ();
        hives = json_array ();
        status = scrub_guest (job, g, &drives[i], root, facts, root_mounted,
                              &err, actions, hives, &tree, &flushed, steps);
      }
      else if (job->mode == ISC_ENGINE_AUDIT) {
        identities = json_array ();
        hives = json_array ();
        status = audit_guest (job, g, &drives[i], root, facts, root_mounted,
                              &err, identities, hives);
      }
      else if (json_is_true (json_object_get (facts, "registry_unread"))) {
        hives = json_array ();
        status = audit_guest (job, g, &drives[i], root, facts, root_mounted,
                              &err, NULL, hives);
        root_mounted = 0;
      }
    }
    /* Work that ran unmounts; a guest skipped or only inspected has
     * its root still mounted by the quick inspection. */
    if (root_mounted && (job->mode == ISC_ENGINE_INSPECT ||
                         status == ISC_IMAGE_SKIPPED))
      guestfs_umount_all (g);
    /* Once the appliance is gone every call fails, and the image would
     * be blamed for it: report nothing more, so that the parent retries
     * the unfinished images in a fresh appliance. */
    alive = guestfs_is_ready (g) > 0;
    if (facts)
      json_object_del (facts, "registry_unread");
    if (alive)
      send_image (job->fd, drives[i].id, status, &err, facts, actions,
                  identities, hives, tree, flushed, steps,
                  isc_now () - start);
    json_decref (steps);
    json_decref (tree);
    json_decref (facts);
    json_decref (actions);
    json_decref (identities);
    json_decref (hives);
    isc_err_clear (&err);
    if (!alive)
      break;
  }
  for (i = 0; i < n_drives; ++i)
    isc_free_string_list (pvs[i]);
  free (pvs);
  if (!alive) {
    send_simple (job->fd, "fatal", "the appliance died unexpectedly");
    return 1;
  }

  /* guestfs_close ignores errors; a failed shutdown may mean lost writes. */
  if (guestfs_umount_all (g) == -1 || guestfs_shutdown (g) == -1) {
    char *msg = NULL;

    if (asprintf (&msg, "appliance shutdown failed: %s",
                  guestfs_last_error (g)) == -1)
      msg = NULL;
    send_simple (job->fd, "fatal", msg ? msg : "appliance shutdown failed");
    free (msg);
    return 1;
  }
  send_simple (job->fd, "done", NULL);
  return 0;
}
