/* imgscrub: the work done inside one appliance worker (child process):
 * add every drive of the group, launch once, inspect once, then for
 * each image in turn mount, apply the profiles, unmount and report. */
#ifndef ISC_APPLIANCE_H
#define ISC_APPLIANCE_H

#include <stddef.h>

#include "guest/snapshot.h"
#include "util/status.h"
#include "windows/hivelog.h"

struct isc_appliance_drive {
  size_t id;                        /* reported back as "id" */
  const char *name;                 /* display name, for messages */
  const char *path;                 /* file the appliance opens */
  const char *format;               /* explicit qemu format: never probed */
  int readonly;
  /* Our own scratch overlay: qemu need not fsync it on guest flushes
   * (cache=unsafe still hands qcow2 metadata to the host on a flush, so
   * a finisher reading the file sees every write that was synced). */
  int scratch;
  /* Flush this drive's writes as soon as its guest is done, so the
   * parent may convert it while the appliance goes on ("flushed":true);
   * otherwise its writes are complete when the appliance has exited. */
  int flush_early;
};

struct isc_appliance_job {
  enum isc_engine_mode mode;
  struct isc_profile *const *profiles;
  size_t n_profiles;
  int dry_run;
  enum isc_dirty_hives dirty_hives;
  char *const *skips;               /* rules left out (guest.h) */
  const char *machine_id;           /* --machine-id (guest.h) */
  int export_tree;                  /* WORKDIR/tree-ID.tar per guest */
  enum isc_snapshot_mode snapshots; /* scrub: a Linux guest's btrfs
                                       snapshots (guest/snapshot.h) */
  const char *workdir;              /* per-image scratch goes below it */
  const char *appliance_dir;        /* guestfs_set_path and _cachedir;
                                       NULL: libguestfs's defaults */
  int trace;
  int verbose;
  int fd;                           /* result pipe (worker.h) */
};

/* Messages written to JOB->fd, one JSON object per line:
 *   {"type":"launched"}
 *   {"type":"working","id":N}
 *   {"type":"image","id":N,"status":"ok|failed|skipped","error":S,
 *    "facts":{...},"actions":[...],"hives":[...],"seconds":F,
 *    "tree":{"path":S,"entries":N,"bytes":N,"skipped":[...]},
 *    "snapshots":[{"path":S,"id":N,"readonly":B,"mode":S,"result":S,
 *                  "reason":S}],
 *    "flushed":B}
 *   {"type":"fatal","error":S}        the appliance as a whole failed
 *   {"type":"done"}                   shut down cleanly
 * Returns 0 when the appliance shut down cleanly, 1 otherwise. */
int isc_appliance_run (const struct isc_appliance_job *job,
                       const struct isc_appliance_drive *drives,
                       size_t n_drives);

#endif
