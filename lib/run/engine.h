/* imgscrub: the batch engine.  Checks every image before qemu sees it,
 * groups images so one appliance serves many (all drives added before
 * launch), runs each group in a worker process with a bounded launch,
 * and, for scrub, writes each output from a qcow2 overlay so the input
 * is never written.  Used by `inspect` and `scrub`. */
#ifndef ISC_ENGINE_H
#define ISC_ENGINE_H

#include <stddef.h>

#include <jansson.h>

#include "guest/snapshot.h"
#include "util/error.h"
#include "image/format.h"
#include "windows/hivelog.h"
#include "util/sha256.h"
#include "util/status.h"

struct isc_profile;
struct isc_image_private;
struct isc_target;

struct isc_image {
  /* Set by the caller. */
  char *path;                       /* as given on the command line */
  enum isc_format forced_format;    /* --format, or UNKNOWN */
  int no_follow;                    /* found by a folder scan: refuse it
                                       if it is a symlink by now */
  /* --resume: what an earlier run recorded for this input when it ended
   * ok.  When the input still hashes to RESUME_INPUT_SHA256 and the
   * output to RESUME_OUTPUT_SHA256, the image is not redone. */
  const char *resume_input_sha256;
  const char *resume_output_sha256;
  /* Filled by the engine. */
  int resumed;                      /* skipped: done by an earlier run */
  char *output;                     /* scrub -o: final output path */
  struct isc_image_info info;
  enum isc_format output_format;
  const struct isc_target *target;  /* the run's target (image/target.h),
                                       or NULL */
  char input_sha256[ISC_SHA256_HEX_LEN + 1];
  char output_sha256[ISC_SHA256_HEX_LEN + 1];
  enum isc_image_status status;
  char *error;                      /* when failed or skipped */
  json_t *facts;                    /* inspection facts, or NULL */
  json_t *actions;                  /* scrub: one object per action target */
  json_t *identities;               /* audit: identities found (audit.h) */
  json_t *hives;                    /* the registry hives read: one object
                                       each (lib/registry.c), or NULL */
  json_t *tree;                     /* --export-tree: {"path","entries",
                                       "bytes","skipped"} (tree.h) */
  json_t *snapshots;                /* scrub: the btrfs snapshots scrubbed
                                       or removed (appliance.h), or NULL */
  double seconds;                   /* wall time spent on this image */
  json_t *steps;                    /* seconds per step (lib/steps.h):
                                       check, hash-input, overlay, inspect,
                                       mount, each action kind, unmount,
                                       flush, convert, hash; or NULL */
  int attempts;                     /* appliances it was given to */
  int group_clean;                  /* its appliance shut down cleanly (1)
                                       or not (-1); 0 while it runs (the
                                       manifest's "written") */
  /* Private to lib/run/engine.c (its stage machine): allocated by
   * isc_engine_run and freed before it returns. */
  struct isc_image_private *priv;
};

/* Progress events, in the parent, as they happen. */
enum isc_engine_event {
  ISC_EVENT_CHECKED,                /* image checked (or failed the check) */
  ISC_EVENT_LAUNCHING,              /* appliance WORKER starts */
  ISC_EVENT_WORKING,                /* appliance WORKER started on IMAGE */
  ISC_EVENT_IDLE,                   /* appliance WORKER has ended */
  ISC_EVENT_WRITING,                /* output conversion of IMAGE starts */
  ISC_EVENT_DONE,                   /* IMAGE finished: ok, failed or skipped */
  ISC_EVENT_RETRY,                  /* IMAGE goes to a fresh appliance: the
                                       one it was in failed (REASON) */
};

struct isc_progress {
  enum isc_engine_event event;
  const struct isc_image *image;    /* NULL for LAUNCHING and IDLE */
  size_t done, total;               /* images finished so far; in all */
  int worker;                       /* appliance slot, 0 .. jobs-1; or -1 */
  const char *reason;               /* RETRY: why the appliance failed */
};

struct isc_engine_opts {
  enum isc_engine_mode mode;
  struct isc_profile *const *profiles;
  size_t n_profiles;
  enum isc_format output_format;    /* UNKNOWN: the input's format */
  const struct isc_target *target;  /* --target or a shipping
                                       --output-format (image/target.h):
                                       format, size, rules, packaging;
                                       NULL: none */
  int dry_run;
  int in_place;
  enum isc_dirty_hives dirty_hives; /* --dirty-hives (scrub, audit) */
  char *const *skips;               /* --skip PROFILE:TITLE, NULL-terminated
                                       or NULL (guest.h) */
  const char *machine_id;           /* --machine-id mode (guest.h); NULL:
                                       "empty" */
  int export_tree;                  /* write each guest's tree (tree.h) */
  enum isc_snapshot_mode snapshots; /* scrub --snapshots (guest/snapshot.h) */
  const char *outdir;               /* scrub -o: OUTDIR/<input name> */
  const char *workdir;              /* scratch: overlays and unfinished
                                       outputs; same filesystem as outputs */
  const char *appliance_dir;        /* imgscrub's own appliance
                                       (appliance-path.h); NULL: the one
                                       libguestfs finds itself */
  unsigned launch_timeout;          /* seconds an appliance may take to start */
  unsigned drives_per_appliance;    /* 1..255 */
  unsigned jobs;                    /* appliances run in parallel (-j) */
  int trace;                        /* trace libguestfs calls to stderr */
  int verbose;                      /* libguestfs debug messages */
  void (*progress) (void *opaque, const struct isc_progress *p);
  void *opaque;
};

#define ISC_DEFAULT_LAUNCH_TIMEOUT 600
/* From tests/bench/scaling.sh's curve under TCG on 2 cores: a launch
 * costs about 20 s plus 0.3 s a drive, and each image about 1 s however
 * many share the appliance.  At 64 the fixed part is 0.3 s an image;
 * beyond, the saving is small next to what a crashed appliance costs
 * (every unfinished image is redone) and the wait for the first output
 * (renamed into place once its appliance has shut down). */
#define ISC_DEFAULT_DRIVES_PER_APPLIANCE 64
#define ISC_MAX_DRIVES_PER_APPLIANCE 255

/* Default for -j: one appliance per core, as many as free memory holds
 * at about 2 GiB each (appliance memory plus qemu), between 1 and 16. */
unsigned isc_engine_default_jobs (void);

#define ISC_MAX_JOBS 64

/* Run the job over IMAGES.  Each image ends ok, failed or skipped with
 * its error; one bad image never stops the others.  Returns -1 only on
 * a failure of the whole run (e.g. the work directory). */
int isc_engine_run (struct isc_err *err, const struct isc_engine_opts *opts,
                    struct isc_image *images, size_t n_images);

/* Free what the engine stored in IMG (not path/output, the caller's). */
void isc_image_clear (struct isc_image *img);

/* Stop the run: the engine kills every appliance and worker (and
 * removes what libguestfs left of them) and fails every image not
 * finished yet as interrupted.  Async-signal-safe, for a SIGINT or
 * SIGTERM handler (installed without SA_RESTART, so that the engine's
 * poll wakes up); no partial output is left behind. */
void isc_engine_cancel (void);

#endif
