/* imgscrub: one appliance worker, the child side of appliance.h: it owns
 * the libguestfs handle, inspects each drive, scrubs or audits its guest
 * and writes the messages of the protocol on job->fd. */
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
#include "guest/snapshot.h"
#include "profiles/profile.h"
#include "util/steps.h"
#include "guest/tree.h"
#include "run/worker.h"
#include "util/time.h"
#include "util/status.h"
#include "util/error.h"

/* The appliance as a whole: its handle, and what inspection learnt of
 * all its drives (asked once, shared by the drives' turns). */
struct appliance {
  const struct isc_appliance_job *job;
  const struct isc_appliance_drive *drives;
  size_t n_drives;
  guestfs_h *g;
  int *drive_index;                 /* each drive's device index; -1: it
                                       could not be added */
  size_t n_added;
  char **devices;                   /* guestfs_list_devices */
  char **partitions;                /* guestfs_list_partitions */
  char **types;                     /* partition_types, once asked */
  char ***pvs;                      /* each drive's LVM physical volumes,
                                       or NULL: not an LVM guest */
  int full_done;                    /* the full inspection has run */
  char **roots;                     /* what it found */
  char *full_error;                 /* why it failed */
  const char **root_of;             /* each drive's root among ROOTS */
};

/* One drive's turn in the appliance: from inspection to its "image"
 * message, everything that message reports. */
struct drive_run {
  const struct isc_appliance_job *job;
  const struct isc_appliance_drive *drive;
  guestfs_h *g;
  const char *dev;                  /* its device in the appliance */
  double start;                     /* isc_now () when its turn began */
  double seconds;                   /* reported: its turn's wall time */
  enum isc_image_status status;
  struct isc_err err;               /* why it failed or was skipped */
  json_t *facts;
  int root_mounted;                 /* the quick inspection left "/"
                                       mounted */
  json_t *actions;                  /* scrub */
  json_t *identities;               /* audit */
  json_t *hives;
  json_t *tree;                     /* --export-tree */
  json_t *snapshots;                /* scrub: the btrfs snapshots found */
  int flushed;
  json_t *steps;
  char *tmpdir;                     /* host scratch while a guest is open */
};

static void
send_simple (int fd, const char *type, const char *error)
{
  json_t *msg = json_pack ("{s:s}", "type", type);

  if (error)
    json_object_set_new (msg, "error", isc_json_string (error));
  isc_worker_send (fd, msg);
  json_decref (msg);
}

/* The appliance as a whole failed: tell the parent ERROR (as it is,
 * NULL: no reason).  Returns -1. */
static int
fatal (const struct appliance *ap, const char *error)
{
  send_simple (ap->job->fd, "fatal", error);
  return -1;
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
assign_pvs (struct appliance *ap)
{
  size_t i;

  for (i = 0; i < ap->n_drives; ++i)
    if (ap->drive_index[i] >= 0 && !ap->pvs[i])
      ap->pvs[i] = drive_pvs (ap->devices[ap->drive_index[i]],
                              ap->partitions, ap->types);
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
assign_roots (struct appliance *ap)
{
  size_t i, d;

  for (i = 0; ap->roots && ap->roots[i]; ++i) {
    int idx = root_drive_index (ap->g, ap->roots[i]);

    for (d = 0; d < ap->n_drives; ++d)
      if (ap->drive_index[d] == idx && idx >= 0 && !ap->root_of[d] &&
          !ap->pvs[d])
        ap->root_of[d] = ap->roots[i];
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
export_tree (struct drive_run *dr)
{
  struct isc_tree_stats stats = { .skipped = json_array () };
  CLEANUP_FREE char *path = NULL;

  if (asprintf (&path, "%s/tree-%zu.tar", dr->job->workdir,
                dr->drive->id) == -1) {
    json_decref (stats.skipped);
    return isc_error_oom (&dr->err, NULL);
  }
  if (isc_tree_write (&dr->err, dr->g, path, &stats) == -1) {
    json_decref (stats.skipped);
    return -1;
  }
  dr->tree = json_pack ("{s:s, s:I, s:I, s:o}", "path", path,
                        "entries", (json_int_t) stats.entries,
                        "bytes", (json_int_t) stats.bytes,
                        "skipped", stats.skipped);
  return 0;
}

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

/* Make a scratch directory for the guest mounted at "/" and fill GU
 * from DR's facts (guest_open without the mounts). */
static int
guest_begin (struct drive_run *dr, int dry_run, json_t *steps,
             struct isc_guest *gu)
{
  const char *workdir = dr->job->workdir;
  json_t *facts = dr->facts;
  char *tmpdir;

  if (asprintf (&tmpdir, "%s/guest-XXXXXX", workdir) == -1)
    tmpdir = NULL;
  if (!tmpdir || !mkdtemp (tmpdir)) {
    isc_error_errno (&dr->err, workdir, "cannot create scratch directory");
    free (tmpdir);
    return -1;
  }
  dr->tmpdir = tmpdir;
  *gu = (struct isc_guest) {
    .g = dr->g,
    .image = dr->drive->name,
    .root = json_string_value (json_object_get (facts, "root")),
    .os = guest_os (json_string_value (json_object_get (facts, "os"))),
    .systemroot = json_string_value (json_object_get (facts,
                                                      "windows_systemroot")),
    .distro = json_string_value (json_object_get (facts, "distro")),
    .tmpdir = tmpdir,
    .dry_run = dry_run,
    .dirty_hives = dr->job->dirty_hives,
    .hives = dr->hives,
    .err = &dr->err,
    .steps = steps,
  };
  return 0;
}

/* What scrub and audit share: mount DR's guest (read-only in a dry
 * run), make it a scratch directory and fill GU from its facts.  STEPS,
 * where the guest's step times go (NULL: none are kept), gets "mount".
 * On failure nothing is left mounted; otherwise guest_close undoes all
 * but the mounts. */
static int
guest_open (struct drive_run *dr, int dry_run, json_t *steps,
            struct isc_guest *gu)
{
  json_t *facts = dr->facts;
  double began = isc_now ();

  if (mount_guest (&dr->err, dr->g, facts, dry_run, dr->root_mounted) == -1) {
    guestfs_umount_all (dr->g);
    return -1;
  }
  isc_step_add (steps, "mount", began);
  if (guest_begin (dr, dry_run, steps, gu) == -1) {
    guestfs_umount_all (dr->g);
    return -1;
  }
  return 0;
}

static void
guest_close (struct drive_run *dr, struct isc_guest *gu)
{
  isc_guest_clear (gu);
  isc_remove_tree (dr->tmpdir);
  free (dr->tmpdir);
  dr->tmpdir = NULL;
}

/* Why the job has nothing to do on a guest of type TYPE (OS, guest_os):
 * set in DR, returning -1; 0 when some profile applies. */
static int
check_applies (struct drive_run *dr, const char *type, unsigned os)
{
  const struct isc_appliance_job *job = dr->job;
  size_t i;

  if (!os)
    return isc_error (&dr->err, NULL, "guest operating system '%s' is not "
                      "supported", type ? type : "unknown");
  for (i = 0; i < job->n_profiles; ++i)
    if (job->profiles[i]->os & os)
      return 0;
  return isc_error (&dr->err, NULL, "no profile applies to %s guests", type);
}

/* Unmount a scrubbed guest before it is reported (R: how its work
 * ended; BEGAN: when its last step ended).  Flush too when the parent
 * should convert this image while the appliance goes on: "flushed"
 * tells it the overlay holds every change (qemu's own caches included). */
static int
unmount_scrubbed (struct drive_run *dr, int r, double began)
{
  if (guestfs_umount_all (dr->g) == -1 && r == 0)
    r = isc_error (&dr->err, NULL, "unmount failed: %s",
                   guestfs_last_error (dr->g));
  began = isc_step_add (dr->steps, "unmount", began);
  if (!dr->job->dry_run && r == 0 && dr->drive->flush_early) {
    if (guestfs_sync (dr->g) == -1)
      r = isc_error (&dr->err, NULL, "sync failed: %s",
                     guestfs_last_error (dr->g));
    else
      dr->flushed = 1;
    isc_step_add (dr->steps, "flush", began);
  }
  return r;
}

/* A snapshot's action results go to the image's, each naming it. */
struct snapshot_results {
  json_t *actions;
  const char *snapshot;             /* "/.snapshots/1/snapshot" */
};

static void
record_snapshot_action (void *opaque, const struct isc_action *a,
                        const char *target, enum isc_result result,
                        const char *reason)
{
  struct snapshot_results *sr = opaque;

  isc_record_action (sr->actions, a, target, result, reason);
  json_object_set_new (json_array_get (sr->actions,
                                       json_array_size (sr->actions) - 1),
                       "snapshot", isc_json_string (sr->snapshot));
}

/* Mount SUBVOL of the btrfs DEV (NULL: its top level) at "/". */
static int
mount_subvolume (struct drive_run *dr, const char *dev, const char *subvol,
                 int readonly)
{
  CLEANUP_FREE char *opts = NULL;

  if (asprintf (&opts, "%s%s%s", readonly ? "ro," : "",
                subvol ? "subvol=" : "subvolid=5", subvol ? subvol : "")
      == -1)
    return isc_error_oom (&dr->err, NULL);
  if (guestfs_mount_options (dr->g, opts, dev, "/") == -1)
    return isc_error (&dr->err, subvol ? subvol : dev, "cannot mount: %s",
                      guestfs_last_error (dr->g));
  return 0;
}

/* Apply the job's profiles inside snapshot S of DEV, mounted alone at
 * "/": the guest path code then confines every rule to it, as it does
 * to the guest's root, so no link leads out of the snapshot. */
static int
scrub_snapshot (struct drive_run *dr, const char *dev,
                const struct isc_snapshot *s, const char *shown)
{
  const struct isc_appliance_job *job = dr->job;
  struct snapshot_results sr = { dr->actions, shown };
  struct isc_guest gu;
  int r;

  if (mount_subvolume (dr, dev, s->path, job->dry_run) == -1)
    return -1;
  r = guest_begin (dr, job->dry_run, dr->steps, &gu);
  if (r == 0) {
    gu.skips = job->skips;
    gu.on_result = record_snapshot_action;
    gu.on_result_opaque = &sr;
    r = isc_guest_apply (&gu, job->profiles, job->n_profiles);
    guest_close (dr, &gu);
  }
  if (guestfs_umount_all (dr->g) == -1 && r == 0)
    r = isc_error (&dr->err, shown, "unmount failed: %s",
                   guestfs_last_error (dr->g));
  return r;
}

/* Set the read-only property of the snapshots FLIPPED says back to
 * true, on the top level of DEV.  Returns -1 when one stays writable. */
static int
restore_readonly (struct drive_run *dr, const char *dev,
                  const struct isc_snapshot *snaps, const int *flipped,
                  size_t n)
{
  size_t i;
  int r = 0;

  for (i = 0; i < n && !flipped[i]; ++i)
    ;
  if (i == n)
    return 0;
  if (mount_subvolume (dr, dev, NULL, 0) == -1)
    return -1;
  for (i = 0; i < n; ++i)
    if (flipped[i] && isc_snapshot_set_ro (dr->g, &dr->err, &snaps[i], 1)
        == -1)
      r = -1;
  guestfs_umount_all (dr->g);
  return r;
}

/* The result of snapshot I: MODE's ("deleted"/"changed", or the
 * would- forms in a dry run), or "failed" with ERR's message. */
static void
snapshot_result (struct drive_run *dr, size_t i, int ok,
                 const struct isc_err *err)
{
  json_t *o = json_array_get (dr->snapshots, i);
  int removes = dr->job->snapshots == ISC_SNAPSHOTS_REMOVE;
  enum isc_result res = !ok ? ISC_RESULT_FAILED
    : dr->job->dry_run ? (removes ? ISC_RESULT_WOULD_DELETE
                          : ISC_RESULT_WOULD_CHANGE)
    : removes ? ISC_RESULT_DELETED : ISC_RESULT_CHANGED;

  json_object_set_new (o, "result", json_string (isc_result_name (res)));
  if (!ok)
    json_object_set_new (o, "reason", isc_json_string (isc_err_msg (err)));
}

/* The snapshots of a Linux guest on btrfs (guest/snapshot.h), with the
 * guest unmounted: listed on the filesystem's top level, then each
 * scrubbed or removed as --snapshots says.  A read-only snapshot is
 * made writable for its scrub and read-only again after.  Returns -1
 * when some snapshot failed (DR->err says which first). */
static int
snapshots_pass (struct drive_run *dr)
{
  const struct isc_appliance_job *job = dr->job;
  json_t *mounts = json_object_get (dr->facts, "mountpoints");
  const char *root = json_string_value (json_object_get (mounts, "/"));
  const char *subvol;
  CLEANUP_FREE char *dev = NULL;
  CLEANUP_FREE int *flipped = NULL;
  struct isc_snapshot *snaps = NULL;
  size_t n = 0, i, failed = 0;
  int r = -1;

  if (job->snapshots == ISC_SNAPSHOTS_KEEP || !root ||
      !(dev = isc_snapshot_device (dr->g, root, &subvol)))
    return 0;
  guestfs_umount_all (dr->g);
  if (mount_subvolume (dr, dev, NULL, job->dry_run) == -1)
    return -1;
  if (isc_snapshots_find (dr->g, &dr->err, subvol, &snaps, &n) == -1)
    goto out;
  dr->snapshots = json_array ();
  flipped = calloc (n + 1, sizeof *flipped);
  if (!dr->snapshots || !flipped) {
    isc_error_oom (&dr->err, NULL);
    goto out;
  }
  for (i = 0; i < n; ++i) {
    json_t *o = json_pack ("{s:s+, s:I, s:b, s:s}", "path", "/",
                           snaps[i].path, "id", (json_int_t) snaps[i].id,
                           "readonly", snaps[i].readonly, "mode",
                           job->snapshots == ISC_SNAPSHOTS_REMOVE
                           ? "remove" : "scrub");
    struct isc_err err = ISC_ERR_INIT;
    int ok = 1;

    json_array_append_new (dr->snapshots, o);
    if (job->dry_run)
      ;
    else if (job->snapshots == ISC_SNAPSHOTS_REMOVE)
      ok = isc_snapshot_remove (dr->g, &err, &snaps[i]) == 0;
    else if (snaps[i].readonly) {
      ok = isc_snapshot_set_ro (dr->g, &err, &snaps[i], 0) == 0;
      flipped[i] = ok;
    }
    if (!ok || job->snapshots == ISC_SNAPSHOTS_REMOVE) {
      snapshot_result (dr, i, ok, &err);
      failed += !ok;
    }
    isc_err_clear (&err);
  }
  guestfs_umount_all (dr->g);
  for (i = 0; job->snapshots == ISC_SNAPSHOTS_SCRUB && i < n; ++i) {
    json_t *o = json_array_get (dr->snapshots, i);
    struct isc_err saved = dr->err;
    int ok;

    if (json_object_get (o, "result"))
      continue;
    dr->err = (struct isc_err) ISC_ERR_INIT;
    ok = scrub_snapshot (dr, dev, &snaps[i],
                         json_string_value (json_object_get (o, "path")))
      == 0;
    snapshot_result (dr, i, ok, &dr->err);
    failed += !ok;
    if (saved.msg) {
      isc_err_clear (&dr->err);
      dr->err = saved;
    }
  }
  if (restore_readonly (dr, dev, snaps, flipped, n) == -1)
    failed++;
  r = 0;

 out:
  guestfs_umount_all (dr->g);
  isc_snapshots_free (snaps, n);
  if (r == 0 && failed && !dr->err.msg)
    isc_error (&dr->err, NULL, "%zu btrfs snapshot%s failed", failed,
               failed == 1 ? "" : "s");
  return r == 0 && failed == 0 ? 0 : -1;
}

/* Scrub one guest: mount, apply, export its tree if asked, unmount and
 * flush.  Returns the image status. */
static enum isc_image_status
scrub_guest (struct drive_run *dr)
{
  const struct isc_appliance_job *job = dr->job;
  const char *type = json_string_value (json_object_get (dr->facts, "os"));
  struct isc_guest gu;
  double began;
  int r;

  if (check_applies (dr, type, guest_os (type)) == -1)
    return ISC_IMAGE_SKIPPED;
  if (guest_open (dr, job->dry_run, dr->steps, &gu) == -1)
    return ISC_IMAGE_FAILED;
  gu.skips = job->skips;
  gu.machine_id = job->machine_id;
  gu.on_result = isc_record_action;
  gu.on_result_opaque = dr->actions;
  r = dirty_registry_facts (&gu, dr->facts);
  if (r == 0)
    r = isc_guest_apply (&gu, job->profiles, job->n_profiles);
  guest_close (dr, &gu);
  began = isc_now ();
  if (r == 0 && job->export_tree && !job->dry_run) {
    r = export_tree (dr);
    began = isc_step_add (dr->steps, "export-tree", began);
  }
  if (r == 0 && gu.os == ISC_OS_LINUX) {
    r = snapshots_pass (dr);
    began = isc_step_add (dr->steps, "snapshots", began);
  }
  r = unmount_scrubbed (dr, r, began);
  return r == 0 ? ISC_IMAGE_OK : ISC_IMAGE_FAILED;
}

/* Read the identities of one guest (DR->identities NULL: only its facts
 * from a dirty registry), mounted read-only. */
static enum isc_image_status
audit_guest (struct drive_run *dr)
{
  struct isc_guest gu;
  int r;

  if (guest_open (dr, 1, NULL, &gu) == -1)
    return ISC_IMAGE_FAILED;
  r = dirty_registry_facts (&gu, dr->facts);
  if (r == 0 && dr->identities)
    r = isc_audit_guest (&gu, dr->job->profiles, dr->job->n_profiles,
                         dr->identities);
  guest_close (dr, &gu);
  guestfs_umount_all (dr->g);
  return r == 0 ? ISC_IMAGE_OK : ISC_IMAGE_FAILED;
}

/* The "image" message (appliance.h) for DR. */
static void
send_image (const struct drive_run *dr)
{
  json_t *msg = json_pack ("{s:s, s:I, s:s, s:f}", "type", "image",
                           "id", (json_int_t) dr->drive->id,
                           "status", isc_image_status_name (dr->status),
                           "seconds", dr->seconds);

  if (dr->status != ISC_IMAGE_OK)
    json_object_set_new (msg, "error",
                         isc_json_string (isc_err_msg (&dr->err)));
  if (dr->facts)
    json_object_set (msg, "facts", dr->facts);
  if (dr->actions)
    json_object_set (msg, "actions", dr->actions);
  if (dr->identities)
    json_object_set (msg, "identities", dr->identities);
  if (dr->hives && json_array_size (dr->hives) > 0)
    json_object_set (msg, "hives", dr->hives);
  if (dr->tree)
    json_object_set (msg, "tree", dr->tree);
  if (dr->snapshots && json_array_size (dr->snapshots) > 0)
    json_object_set (msg, "snapshots", dr->snapshots);
  if (dr->flushed)
    json_object_set_new (msg, "flushed", json_true ());
  if (dr->steps)
    json_object_set (msg, "steps", dr->steps);
  isc_worker_send (dr->job->fd, msg);
  json_decref (msg);
}

static void
drive_run_clear (struct drive_run *dr)
{
  json_decref (dr->steps);
  json_decref (dr->tree);
  json_decref (dr->snapshots);
  json_decref (dr->facts);
  json_decref (dr->actions);
  json_decref (dr->identities);
  json_decref (dr->hives);
  isc_err_clear (&dr->err);
  free (dr->tmpdir);
}

static void
appliance_clear (struct appliance *ap)
{
  size_t i;

  for (i = 0; ap->pvs && i < ap->n_drives; ++i)
    isc_free_string_list (ap->pvs[i]);
  free (ap->pvs);
  free (ap->full_error);
  isc_free_string_list (ap->types);
  isc_free_string_list (ap->partitions);
  isc_free_string_list (ap->devices);
  isc_free_string_list (ap->roots);
  free (ap->root_of);
  free (ap->drive_index);
  if (ap->g)
    guestfs_close (ap->g);
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

/* The libguestfs handle, set up as the job says. */
static int
create_handle (struct appliance *ap)
{
  const struct isc_appliance_job *job = ap->job;

  /* libguestfs's own scratch (overlays of read-only drives, its
   * sockets) goes in our work directory, which the parent removes even
   * when it had to kill this worker.  A socket path must stay short. */
  if (job->workdir && strlen (job->workdir) < 72)
    setenv ("XDG_RUNTIME_DIR", job->workdir, 1);
  ap->g = guestfs_create ();
  if (!ap->g)
    return fatal (ap, "cannot create a libguestfs handle");
  if (job->workdir && guestfs_set_tmpdir (ap->g, job->workdir) == -1)
    return fatal (ap, "cannot set the libguestfs tmpdir");
  if (job->appliance_dir &&
      (guestfs_set_path (ap->g, job->appliance_dir) == -1 ||
       guestfs_set_cachedir (ap->g, job->appliance_dir) == -1))
    return fatal (ap, "cannot set the appliance folder");
  guestfs_set_error_handler (ap->g, NULL, NULL);
  guestfs_set_trace (ap->g, job->trace);
  guestfs_set_verbose (ap->g, job->verbose);
  return 0;
}

/* Add every drive before the launch; one that cannot be added fails
 * its own image, not the appliance. */
static int
add_drives (struct appliance *ap)
{
  size_t i;

  ap->drive_index = calloc (ap->n_drives, sizeof *ap->drive_index);
  ap->root_of = calloc (ap->n_drives, sizeof *ap->root_of);
  if (!ap->drive_index || !ap->root_of)
    return fatal (ap, "out of memory");
  for (i = 0; i < ap->n_drives; ++i) {
    const struct isc_appliance_drive *d = &ap->drives[i];

    ap->drive_index[i] = -1;
    if (guestfs_add_drive_opts (ap->g, d->path,
                                GUESTFS_ADD_DRIVE_OPTS_FORMAT, d->format,
                                GUESTFS_ADD_DRIVE_OPTS_READONLY, d->readonly,
                                GUESTFS_ADD_DRIVE_OPTS_CACHEMODE,
                                d->scratch ? "unsafe" : "writeback",
                                -1) == -1) {
      struct drive_run dr = { .job = ap->job, .drive = d,
                              .status = ISC_IMAGE_FAILED };

      isc_error (&dr.err, NULL, "cannot add drive: %s",
                 guestfs_last_error (ap->g));
      send_image (&dr);
      drive_run_clear (&dr);
      continue;
    }
    ap->drive_index[i] = ap->n_added++;
  }
  return 0;
}

/* Launch, and list the disks every drive's inspection looks at. */
static int
launch (struct appliance *ap)
{
  /* Autosync fsyncs every disk at shutdown, about 0.08 s each under
   * TCG.  Scratch overlays need no fsync: every image is unmounted
   * after its work, which writes its filesystem out to qemu, and qemu
   * writes its qcow2 metadata out when it exits.  An input edited in
   * place keeps the fsync. */
  if (all_scratch (ap->drives, ap->n_drives))
    guestfs_set_autosync (ap->g, 0);
  if (guestfs_launch (ap->g) == -1)
    return fatal (ap, guestfs_last_error (ap->g));
  send_simple (ap->job->fd, "launched", NULL);
  ap->devices = guestfs_list_devices (ap->g);
  ap->partitions = guestfs_list_partitions (ap->g);
  ap->pvs = calloc (ap->n_drives, sizeof *ap->pvs);
  if (!ap->devices || !ap->pvs)
    return fatal (ap, "cannot list the appliance's disks");
  return 0;
}

/* The full inspection looks at every drive: pay for it once, and only
 * when some guest is beyond the quick one. */
static void
full_inspection (struct appliance *ap)
{
  guestfs_h *g = ap->g;

  if (ap->full_done)
    return;
  guestfs_push_error_handler (g, NULL, NULL);
  ap->roots = guestfs_inspect_os (g);
  if (!ap->roots)
    ap->full_error = strdup (guestfs_last_error (g) ? guestfs_last_error (g)
                             : "unknown error");
  /* On some damaged guests (a corrupt hive) it fails and leaves a
   * filesystem mounted, which would block every later mount. */
  guestfs_umount_all (g);
  guestfs_pop_error_handler (g);
  assign_roots (ap);
  ap->full_done = 1;
}

/* Find the guest on drive I: with LVM filtered to its disk, by the
 * quick inspection, or by the full one.  Sets DR->facts (NULL: none
 * found) and DR->root_mounted. */
static void
inspect_drive (struct appliance *ap, size_t i, struct drive_run *dr)
{
  if (ap->pvs[i])
    dr->facts = lvm_guest_facts (ap->g, dr->dev, ap->partitions, ap->pvs[i]);
  else if (isc_fast_inspect (ap->g, dr->dev, ap->partitions, ap->types, NULL,
                             inspect_flags (ap->job), &dr->facts,
                             &dr->root_mounted) == 0 && !ap->types) {
    /* blkid costs about 0.25 s a partition under TCG: ask it only
     * once some guest is beyond the quick inspection, which simply
     * tries to mount each partition. */
    ap->types = partition_types (ap->g, ap->partitions);
    assign_pvs (ap);
    if (ap->pvs[i])
      dr->facts = lvm_guest_facts (ap->g, dr->dev, ap->partitions,
                                   ap->pvs[i]);
  }
  if (!dr->facts && !ap->pvs[i]) {
    full_inspection (ap);
    if (ap->root_of[i])
      dr->facts = inspection_facts (ap->g, ap->root_of[i], dr->dev);
  }
  isc_step_add (dr->steps, "inspect", dr->start);
}

/* The job's work on drive I's guest, or why there is none: sets
 * DR->status and what the "image" message reports. */
static void
work_on_guest (const struct appliance *ap, size_t i, struct drive_run *dr)
{
  enum isc_engine_mode mode = ap->job->mode;

  if (!dr->facts && ap->full_error && !ap->pvs[i]) {
    /* It looks at every drive: any of them may have made it fail. */
    isc_error (&dr->err, NULL, "no operating system found by the quick "
               "inspection, and libguestfs's full inspection of the "
               "appliance's drives failed: %s", ap->full_error);
    dr->status = ISC_IMAGE_FAILED;
  }
  else if (!dr->facts) {
    isc_error (&dr->err, NULL, "no operating system found in the image "
               "(not a supported guest, or the disk is damaged)");
    dr->status = ISC_IMAGE_FAILED;
  }
  else if (mode == ISC_ENGINE_SCRUB) {
    dr->actions = json_array ();
    dr->hives = json_array ();
    dr->status = scrub_guest (dr);
  }
  else if (mode == ISC_ENGINE_AUDIT) {
    dr->identities = json_array ();
    dr->hives = json_array ();
    dr->status = audit_guest (dr);
  }
  else if (json_is_true (json_object_get (dr->facts, "registry_unread"))) {
    dr->hives = json_array ();
    dr->status = audit_guest (dr);
    dr->root_mounted = 0;
  }
}

/* Drive I's turn: inspect its guest, do the work, report.  Returns -1
 * when the appliance died meanwhile. */
static int
run_drive (struct appliance *ap, size_t i)
{
  struct drive_run dr = {
    .job = ap->job, .drive = &ap->drives[i], .g = ap->g,
    .dev = ap->devices[ap->drive_index[i]], .start = isc_now (),
    .status = ISC_IMAGE_OK, .steps = json_object (),
  };
  json_t *working = json_pack ("{s:s, s:I}", "type", "working",
                               "id", (json_int_t) dr.drive->id);
  int alive;

  isc_worker_send (ap->job->fd, working);
  json_decref (working);
  inspect_drive (ap, i, &dr);
  work_on_guest (ap, i, &dr);
  /* Work that ran unmounts; a guest skipped or only inspected has
   * its root still mounted by the quick inspection. */
  if (dr.root_mounted && (ap->job->mode == ISC_ENGINE_INSPECT ||
                          dr.status == ISC_IMAGE_SKIPPED))
    guestfs_umount_all (ap->g);
  /* Once the appliance is gone every call fails, and the image would
   * be blamed for it: report nothing more, so that the parent retries
   * the unfinished images in a fresh appliance. */
  alive = guestfs_is_ready (ap->g) > 0;
  if (dr.facts)
    json_object_del (dr.facts, "registry_unread");
  if (alive) {
    dr.seconds = isc_now () - dr.start;
    send_image (&dr);
  }
  drive_run_clear (&dr);
  return alive ? 0 : -1;
}

static int
run_drives (struct appliance *ap)
{
  size_t i;

  for (i = 0; i < ap->n_drives; ++i)
    if (ap->drive_index[i] >= 0 && run_drive (ap, i) == -1)
      return fatal (ap, "the appliance died unexpectedly");
  return 0;
}

/* guestfs_close ignores errors; a failed shutdown may mean lost writes. */
static int
shut_down (struct appliance *ap)
{
  CLEANUP_FREE char *msg = NULL;

  if (guestfs_umount_all (ap->g) == -1 || guestfs_shutdown (ap->g) == -1) {
    if (asprintf (&msg, "appliance shutdown failed: %s",
                  guestfs_last_error (ap->g)) == -1)
      msg = NULL;
    return fatal (ap, msg ? msg : "appliance shutdown failed");
  }
  send_simple (ap->job->fd, "done", NULL);
  return 0;
}

int
isc_appliance_run (const struct isc_appliance_job *job,
                   const struct isc_appliance_drive *drives, size_t n_drives)
{
  struct appliance ap = { .job = job, .drives = drives, .n_drives = n_drives };
  int r = -1;

  if (create_handle (&ap) == -1 || add_drives (&ap) == -1)
    goto out;
  if (ap.n_added == 0) {
    /* Every image has been reported already: nothing to launch for. */
    send_simple (job->fd, "done", NULL);
    r = 0;
    goto out;
  }
  if (launch (&ap) == -1 || run_drives (&ap) == -1 || shut_down (&ap) == -1)
    goto out;
  r = 0;

 out:
  appliance_clear (&ap);
  return r == 0 ? 0 : 1;
}
