/* imgscrub: one inspected, mounted guest, as the appliance worker
 * (lib/run/appliance.c) describes it to lib/guest/: the handle, the
 * inspection facts, the options of the run and where results go.
 * Everything that touches guest paths and hives goes through lib/guest/,
 * which resolves paths inside the guest and never follows a guest
 * symlink out of it. */
#ifndef ISC_GUEST_H
#define ISC_GUEST_H

#include <guestfs.h>
#include <jansson.h>

#include "util/error.h"
#include "windows/hivelog.h"
#include "util/result.h"
#include "util/status.h"

struct isc_profile;
struct isc_action;
struct isc_guest_private;

/* A result of action A on TARGET; REASON may be NULL.  TARGET and REASON
 * may hold guest-controlled text, which the callee escapes. */
typedef void isc_guest_result_fn (void *opaque, const struct isc_action *a,
                                  const char *target, enum isc_result result,
                                  const char *reason);

struct isc_guest {
  /* Filled by the engine. */
  guestfs_h *g;
  const char *image;                /* display name, for messages */
  const char *root;                 /* inspection root device */
  unsigned os;                      /* ISC_OS_WINDOWS or ISC_OS_LINUX */
  const char *systemroot;           /* Windows: guest path, e.g. "/Windows" */
  const char *distro;               /* inspection's distro ("debian", "rhel",
                                       ...), NULL when unknown */
  /* Rules left out ("PROFILE:TITLE", --skip), NULL-terminated or NULL:
   * reported "skipped" with the reason. */
  char *const *skips;
  /* --machine-id: what the guard "machine-id" compares with; NULL is
   * "empty", the default (profiles/action.h isc_machine_id_modes). */
  const char *machine_id;
  const char *tmpdir;               /* host scratch directory for this image */
  int dry_run;
  enum isc_dirty_hives dirty_hives;
  /* One object per registry hive read (lib/guest/reg.c: path, state, what
   * was done with its logs).  Borrowed; may be NULL. */
  json_t *hives;
  struct isc_err *err;
  /* Told each result of an action on a target, in order (the run layer
   * records them for the manifest, audit turns failures into entries);
   * may be NULL. */
  isc_guest_result_fn *on_result;
  void *on_result_opaque;
  /* Seconds per step (lib/util/steps.h): each action kind, "hive-open",
   * "hive-commit".  Borrowed; may be NULL. */
  json_t *steps;
  /* Private state: hive copies, users, variables. */
  struct isc_guest_private *priv;
};

#endif
