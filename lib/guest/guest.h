/* imgscrub: one inspected, mounted guest, and applying profiles to it.
 *
 * The engine (lib/engine.c) launches the appliance, mounts the guest's
 * filesystems under "/", fills the public fields and calls
 * isc_guest_apply().  Everything that touches guest paths and hives goes
 * through this module, which resolves paths inside the guest and never
 * follows a guest symlink out of it. */
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
  const char *tmpdir;               /* host scratch directory for this image */
  int dry_run;
  enum isc_dirty_hives dirty_hives;
  /* One object per registry hive read (lib/registry.c: path, state, what
   * was done with its logs).  Borrowed; may be NULL. */
  json_t *hives;
  struct isc_err *err;
  /* Told each result of an action on a target, in order (the run layer
   * records them for the manifest, audit turns failures into entries);
   * may be NULL. */
  isc_guest_result_fn *on_result;
  void *on_result_opaque;
  /* Seconds per step (lib/steps.h): each action kind, "hive-open",
   * "hive-commit".  Borrowed; may be NULL. */
  json_t *steps;
  /* Private state: hive copies, users, variables. */
  struct isc_guest_private *priv;
};

/* Apply every action of PROFILES (in order, includes first) to the
 * guest, then commit changed hives back into the guest (not in dry-run).
 * Returns 0 when every action ended without "failed"; -1 otherwise, or
 * when the image must fail as a whole (e.g. a dirty hive), with
 * gu->err set. */
int isc_guest_apply (struct isc_guest *gu,
                     struct isc_profile *const *profiles, size_t n_profiles);

/* Record one result of action A on TARGET (guest-controlled text is
 * fine: it is stored losslessly and safely).  REASON may be NULL. */
void isc_guest_report (struct isc_guest *gu, const struct isc_action *a,
                       const char *target, enum isc_result result,
                       const char *reason);

/* Read the Windows facts of FACTS (product name, version, current
 * control set, hostname) again from the guest's registry, through the
 * hive copies this module keeps: a dirty hive is recovered from its
 * logs, refused or taken as is (gu->dirty_hives).  Returns -1 with
 * gu->err set when the image must fail (a dirty hive refused). */
int isc_guest_windows_facts (struct isc_guest *gu, json_t *facts);

/* Release private state (host copies of hives are deleted). */
void isc_guest_clear (struct isc_guest *gu);

#endif
