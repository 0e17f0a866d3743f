/* imgscrub: the batch engine of engine.h.  Owns each image's stage machine
 * (enum stage, set_stage) and the children that move images along it:
 * appliances, finishers and hashers. */
#include <config.h>

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <guestfs.h>

#include "run/appliance.h"
#include "util/atomic.h"
#include "util/cleanups.h"
#include "run/engine.h"
#include "util/escape.h"
#include "image/format.h"
#include "image/qemu.h"
#include "image/target.h"
#include "archive/ship.h"
#include "util/sha256.h"
#include "util/steps.h"
#include "run/worker.h"
#include "util/time.h"
#include "util/path.h"
#include "util/status.h"
#include "util/error.h"

/* Where each image is.  An image with an output becomes DONE only when
 * its appliance shut down cleanly AND its output is converted, hashed
 * and renamed into place. */
enum stage {
  STAGE_UNCHECKED,                  /* not yet checked, hashed, overlaid */
  STAGE_NEW,                        /* waiting for an appliance */
  STAGE_QUEUED,                     /* in a running appliance */
  STAGE_WORKED,                     /* scrubbed; output not started */
  STAGE_FINISHING,                  /* a finisher converts and hashes it */
  STAGE_FINISHED,                   /* converted; waiting for a clean shutdown */
  STAGE_HASH_WAIT,                  /* status final once its input is
                                       hashed */
  STAGE_DONE,                       /* status final */
};

/* The input's SHA-256, for the manifest.  It is taken before the
 * appliance starts only where that matters: an input edited in place,
 * or compared with --resume's record.  Otherwise a hasher child takes
 * it while the appliances boot, so that they start at once. */
enum input_hash {
  INPUT_HASH_NONE,                  /* taken already, or not wanted */
  INPUT_HASH_WAITING,               /* wants a hasher */
  INPUT_HASH_RUNNING,               /* a hasher takes it */
  INPUT_HASH_FAILED,                /* input_hash_error says why */
};

/* An image's place in the run, private to this file (isc_image's
 * priv): allocated by isc_engine_run, freed by run_state_free. */
struct isc_image_private {
  enum stage stage;                 /* changed only by set_stage */
  struct isc_checked_file *file;    /* the checked input, kept open until
                                       the image is done */
  char *drive;                      /* what the appliance opens */
  enum isc_format drive_format;
  int drive_readonly;
  int flushed;                      /* its appliance flushed its writes */
  char *converted;                  /* finished output awaiting rename */
  enum input_hash input_hash;
  char *input_hash_error;           /* why the input could not be hashed */
};

enum task_kind {
  TASK_APPLIANCE,                   /* serves a group of images */
  TASK_FINISHER,                    /* converts and hashes one output */
  TASK_HASHER,                      /* hashes one input */
};

/* A running child. */
struct task {
  struct isc_worker *w;
  enum task_kind kind;
  size_t *members;                  /* appliance: indexes into images */
  size_t n_members;
  size_t image;                     /* finisher, hasher: its image */
  int launched;
  int slot;                         /* appliance: 0 .. jobs-1, for progress */
  int clean;                        /* appliance said "done" */
  double deadline;                  /* appliance launch deadline */
  char *error;                      /* why the appliance failed */
};

struct run {
  const struct isc_engine_opts *opts;
  struct isc_image *images;
  size_t n_images;
  size_t done;
  struct task *tasks;
  size_t n_tasks;
};

#define MAX_TASKS (2 * ISC_MAX_JOBS)
#define MIN_IMAGES_PER_APPLIANCE 8
/* An image file at least this large has its writes flushed as
 * soon as it is done, so its output conversion overlaps the appliance's
 * work on the next images.  Smaller ones are converted after the
 * appliance exits: a flush (guestfs_sync) costs about 0.1 s per disk in
 * the appliance under TCG, 2.7 s per image with 32 disks, far more than
 * converting a small image. */
#define FLUSH_EARLY_BYTES (256LL << 20)
/* Set by isc_engine_cancel, from a signal handler: the main loop (woken
 * from poll by the signal) then stops every child. */
static volatile sig_atomic_t cancelled;

void
isc_image_clear (struct isc_image *img)
{
  free (img->error);
  img->error = NULL;
  json_decref (img->facts);
  img->facts = NULL;
  json_decref (img->actions);
  img->actions = NULL;
  json_decref (img->identities);
  img->identities = NULL;
  json_decref (img->hives);
  img->hives = NULL;
  json_decref (img->tree);
  img->tree = NULL;
  json_decref (img->snapshots);
  img->snapshots = NULL;
  json_decref (img->steps);
  img->steps = NULL;
  free (img->output);
  img->output = NULL;
}

/* Give every image its private state, at STAGE_UNCHECKED. */
static int
run_state_new (struct isc_err *err, struct isc_image *images, size_t n_images)
{
  size_t i;

  for (i = 0; i < n_images; ++i) {
    images[i].priv = calloc (1, sizeof *images[i].priv);
    if (!images[i].priv)
      return isc_error_oom (err, NULL);
    images[i].priv->stage = STAGE_UNCHECKED;
    images[i].priv->input_hash = INPUT_HASH_NONE;
  }
  return 0;
}

/* The run is over: nothing of an image's private state outlives it. */
static void
run_state_free (struct isc_image *images, size_t n_images)
{
  size_t i;

  for (i = 0; i < n_images; ++i) {
    struct isc_image_private *priv = images[i].priv;

    if (!priv)
      continue;
    free (priv->input_hash_error);
    free (priv->drive);
    if (priv->file)
      isc_checked_file_clear (priv->file);
    free (priv->file);
    if (priv->converted)
      unlink (priv->converted);
    free (priv->converted);
    free (priv);
    images[i].priv = NULL;
  }
}

/* The one place an image changes stage.  The stage machine, forwards:
 * UNCHECKED -> NEW -> QUEUED -> WORKED -> FINISHING -> FINISHED, then
 * (HASH_WAIT ->) DONE.  Back to NEW from UNCHECKED (checked) and from
 * an appliance's stages when it failed (restart_or_fail); HASH_WAIT and
 * DONE from any stage before them, when its status becomes final
 * (image_done). */
static void
set_stage (struct isc_image *img, enum stage to)
{
  enum stage from = img->priv->stage;

  switch (to) {
  case STAGE_UNCHECKED:
    assert (!"no stage leads back to UNCHECKED");
    break;
  case STAGE_NEW:
    assert (from != STAGE_NEW && from < STAGE_HASH_WAIT);
    break;
  case STAGE_QUEUED: case STAGE_WORKED: case STAGE_FINISHING:
  case STAGE_FINISHED:
    assert (from == to - 1);
    break;
  case STAGE_HASH_WAIT:
    assert (from < STAGE_HASH_WAIT);
    break;
  case STAGE_DONE:
    assert (from != STAGE_DONE);
    break;
  }
  img->priv->stage = to;
}

void
isc_engine_cancel (void)
{
  cancelled = 1;
}

unsigned
isc_engine_default_jobs (void)
{
  long cpus = sysconf (_SC_NPROCESSORS_ONLN);
  long pages = sysconf (_SC_AVPHYS_PAGES), page = sysconf (_SC_PAGESIZE);
  long long by_memory = pages > 0 && page > 0
    ? (long long) pages * page / (2LL << 30) : 1;
  long long jobs = cpus > 0 ? cpus : 1;

  if (by_memory < jobs)
    jobs = by_memory;
  return jobs < 1 ? 1 : jobs > 16 ? 16 : jobs;
}

static void
progress_worker (const struct isc_engine_opts *opts, enum isc_engine_event ev,
                 const struct isc_image *img, size_t done, size_t total,
                 int worker)
{
  struct isc_progress p = {
    .event = ev, .image = img, .done = done, .total = total,
    .worker = worker,
  };

  if (opts->progress)
    opts->progress (opts->opaque, &p);
}

static void
progress (const struct isc_engine_opts *opts, enum isc_engine_event ev,
          const struct isc_image *img, size_t done, size_t total)
{
  progress_worker (opts, ev, img, done, total, -1);
}

static void
image_fail (struct isc_image *img, const char *msg)
{
  free (img->error);
  img->error = strdup (msg);
  img->status = ISC_IMAGE_FAILED;
}

static int
input_hash_pending (const struct isc_image *img)
{
  return img->priv->input_hash == INPUT_HASH_WAITING ||
    img->priv->input_hash == INPUT_HASH_RUNNING;
}

/* IMG's status is final, but for its input's hash: until that is in,
 * the image waits (and keeps its input open for the hasher). */
static void
image_done (struct run *run, struct isc_image *img)
{
  struct isc_image_private *priv = img->priv;

  if (input_hash_pending (img) && !cancelled) {
    set_stage (img, STAGE_HASH_WAIT);
    return;
  }
  if (priv->input_hash == INPUT_HASH_FAILED && img->status == ISC_IMAGE_OK)
    image_fail (img, priv->input_hash_error);
  if (priv->converted) {
    unlink (priv->converted);
    free (priv->converted);
    priv->converted = NULL;
  }
  /* Nothing reads the input any more. */
  if (priv->file)
    isc_checked_file_clear (priv->file);
  set_stage (img, STAGE_DONE);
  ++run->done;
  progress (run->opts, ISC_EVENT_DONE, img, run->done, run->n_images);
}

/* OUTDIR/<input's name>, with the extension of OUT_FMT when the format
 * changes.  Caller frees. */
static char *
output_path (const char *outdir, const char *input, enum isc_format in_fmt,
             enum isc_format out_fmt)
{
  const char *base = strrchr (input, '/') ? strrchr (input, '/') + 1 : input;
  const char *dot = strrchr (base, '.');
  int stem = dot && dot != base ? (int) (dot - base) : (int) strlen (base);
  CLEANUP_FREE char *name = NULL;

  if (in_fmt == out_fmt)
    return isc_path_join (outdir, base);
  if (asprintf (&name, "%.*s.%s", stem, base,
                isc_format_extension (out_fmt)) == -1)
    return NULL;
  return isc_path_join (outdir, name);
}

/* Two inputs with one name, or an output that is the input itself,
 * would lose data: refuse the image. */
static int
output_clash (struct isc_err *err, const struct isc_image *images,
              size_t index, const char *abspath)
{
  const struct isc_image *img = &images[index];
  CLEANUP_FREE char *out_real = realpath (img->output, NULL);
  size_t i;

  if (out_real && strcmp (out_real, abspath) == 0)
    return isc_error (err, img->output, "the output would overwrite the "
                      "input (use --in-place to edit it, or another -o)");
  for (i = 0; i < index; ++i)
    if (images[i].output && strcmp (images[i].output, img->output) == 0)
      return isc_error (err, img->output, "another input has the same "
                        "file name: the outputs would clash");
  return 0;
}

/* --resume: the earlier run's output for this very input is intact. */
static int
already_done (struct isc_image *img)
{
  struct isc_err ignored = ISC_ERR_INIT;
  char sha[ISC_SHA256_HEX_LEN + 1];
  struct stat st;
  int same;

  if (!img->resume_input_sha256 || !img->resume_output_sha256 ||
      !img->output || strcmp (img->resume_input_sha256, img->input_sha256) ||
      stat (img->output, &st) == -1 || !S_ISREG (st.st_mode))
    return 0;
  same = isc_sha256_file (&ignored, img->output, sha) == 0 &&
    strcmp (sha, img->resume_output_sha256) == 0;
  isc_err_clear (&ignored);
  if (same) {
    memcpy (img->output_sha256, sha, sizeof sha);
    img->resumed = 1;
  }
  return same;
}

/* A fresh qcow2 overlay at OVERLAY backed by IMG's checked input (its
 * /proc name: the very file checked), if that is unchanged. */
static int
create_overlay (struct isc_err *err, struct isc_image *img,
                const char *overlay)
{
  if (isc_checked_file_verify (err, img->path, img->priv->file) == -1)
    return -1;
  /* A target's size rounding (image/target.h): a larger overlay. */
  return isc_qemu_img_create_overlay_sized (err, overlay,
                                            img->priv->file->qemu_name,
                                            isc_format_driver (img->info.format),
                                            img->target
                                            ? isc_target_disk_size (img->target,
                                                                    img->info.virtual_size)
                                            : 0);
}

/* Before the appliance may write the input, and before --resume compares
 * it with its record; otherwise a hasher takes it later (enum
 * input_hash). */
static int
hash_input_first (const struct isc_engine_opts *opts,
                  const struct isc_image *img)
{
  return (opts->in_place && !opts->dry_run) || img->resume_input_sha256;
}

/* Check the image before any qemu process sees it, hash it, and decide
 * what the appliance opens: the input itself (--in-place), or a fresh
 * qcow2 overlay backed by the input, which takes every write (also when
 * nothing is written: libguestfs would otherwise run its own qemu-img
 * for a read-only drive, with no time limit).  Every step and the
 * appliance read the file that was checked, kept open. */
static int
prepare_image (struct isc_err *err, const struct isc_engine_opts *opts,
               struct isc_image *images, size_t index)
{
  struct isc_image *img = &images[index];
  struct isc_image_private *priv = img->priv;
  CLEANUP_FREE char *overlay = NULL;
  double began = isc_now ();

  priv->file = calloc (1, sizeof *priv->file);
  img->steps = json_object ();
  if (!priv->file || !img->steps)
    return isc_error_oom (err, img->path);
  priv->file->fd = -1;
  if (isc_image_check_file (err, img->path, img->forced_format,
                            img->no_follow ? ISC_CHECK_NOFOLLOW : 0,
                            &img->info, priv->file) == -1)
    return -1;
  img->output_format = opts->output_format != ISC_FORMAT_UNKNOWN
    ? opts->output_format : img->info.format;
  /* A shipping target (image/target.h) sets the format and the name. */
  img->target = opts->target;
  if (img->target)
    img->output_format = img->target->format;
  if (opts->outdir) {
    img->output = img->target
      ? isc_target_output_path (img->target, opts->outdir, img->path)
      : output_path (opts->outdir, img->path, img->info.format,
                     img->output_format);
    if (!img->output)
      return isc_error_oom (err, img->path);
    if (output_clash (err, images, index, priv->file->resolved) == -1)
      return -1;
  }
  began = isc_step_add (img->steps, "check", began);
  if (opts->mode == ISC_ENGINE_SCRUB && hash_input_first (opts, img)) {
    if (isc_sha256_file (err, priv->file->qemu_name,
                         img->input_sha256) == -1 ||
        isc_checked_file_verify (err, img->path, priv->file) == -1)
      return -1;
    began = isc_step_add (img->steps, "hash-input", began);
    if (already_done (img))
      return 0;
  }

  priv->drive_readonly = 0;
  if (opts->mode == ISC_ENGINE_SCRUB && opts->in_place && !opts->dry_run) {
    priv->drive = strdup (priv->file->qemu_name);
    priv->drive_format = img->info.format;
    if (!priv->drive)
      return isc_error_oom (err, img->path);
    return 0;
  }
  if (asprintf (&overlay, "%s/overlay-%zu.qcow2", opts->workdir, index) == -1)
    return isc_error_oom (err, img->path);
  if (create_overlay (err, img, overlay) == -1)
    return -1;
  isc_step_add (img->steps, "overlay", began);
  priv->drive = TAKE_PTR (overlay);
  priv->drive_format = ISC_FORMAT_QCOW2;
  if (opts->mode == ISC_ENGINE_SCRUB && !img->input_sha256[0])
    priv->input_hash = INPUT_HASH_WAITING;
  return 0;
}

/* ---- children --------------------------------------------------------- */

struct child_job {
  const struct isc_engine_opts *opts;
  struct isc_image *images;
  const size_t *members;
  size_t n_members;
  size_t image;
};

static void
reset_child_signals (void)
{
  /* The parent's handlers cancel the whole run; a child just dies. */
  signal (SIGTERM, SIG_DFL);
}

static int
appliance_child (void *opaque, int fd)
{
  const struct child_job *job = opaque;
  const struct isc_engine_opts *opts = job->opts;
  struct isc_appliance_job ajob = {
    .mode = opts->mode,
    .profiles = opts->profiles,
    .n_profiles = opts->n_profiles,
    .dry_run = opts->dry_run,
    .dirty_hives = opts->dirty_hives,
    .skips = opts->skips,
    .machine_id = opts->machine_id,
    .export_tree = opts->export_tree,
    .snapshots = opts->snapshots,
    .workdir = opts->workdir,
    .appliance_dir = opts->appliance_dir,
    .trace = opts->trace,
    .verbose = opts->verbose,
    .fd = fd,
  };
  struct isc_appliance_drive *drives;
  size_t i;
  int r;

  reset_child_signals ();
  drives = calloc (job->n_members, sizeof *drives);
  if (!drives)
    return 1;
  for (i = 0; i < job->n_members; ++i) {
    const struct isc_image *img = &job->images[job->members[i]];
    const struct isc_image_private *priv = img->priv;

    drives[i].id = job->members[i];
    drives[i].name = img->path;
    drives[i].path = priv->drive;
    drives[i].format = isc_format_name (priv->drive_format);
    drives[i].readonly = priv->drive_readonly;
    drives[i].scratch = !opts->in_place || opts->dry_run;
    drives[i].flush_early = img->info.file_size >= FLUSH_EARLY_BYTES;
  }
  r = isc_appliance_run (&ajob, drives, job->n_members);
  free (drives);
  return r;
}

/* Tell the parent a helper's SHA-256 and the seconds of its STEPS
 * (taken). */
static int
send_sha256 (int fd, const char *type, const char *sha, json_t *steps)
{
  json_t *msg = json_pack ("{s:s, s:s, s:o}", "type", type, "sha256", sha,
                           "steps", steps);

  isc_worker_send (fd, msg);
  json_decref (msg);
  return 0;
}

/* Tell the parent why a helper failed, and clear ERR. */
static int
send_fatal (int fd, struct isc_err *err)
{
  json_t *msg = json_pack ("{s:s, s:o}", "type", "fatal",
                           "error", isc_json_string (isc_err_msg (err)));

  isc_worker_send (fd, msg);
  json_decref (msg);
  isc_err_clear (err);
  return 1;
}

/* Convert the overlay into the temporary output (or, in place, just hash
 * the edited input) and report the SHA-256. */
static int
finisher_child (void *opaque, int fd)
{
  const struct child_job *job = opaque;
  const struct isc_image *img = &job->images[job->image];
  struct isc_image_private *priv = img->priv;
  struct isc_err err = ISC_ERR_INIT;
  char sha[ISC_SHA256_HEX_LEN + 1];
  const char *hashed = priv->drive;
  json_t *steps = json_object ();
  double began = isc_now ();

  reset_child_signals ();
  if (priv->converted) {
    hashed = priv->converted;
    if (img->target) {
      /* Convert, check the target's rules, package (archive/ship.h). */
      struct isc_ship_job ship = {
        .target = img->target, .src = priv->drive,
        .src_fmt = isc_format_driver (priv->drive_format),
        .dst = priv->converted, .name = img->output, .steps = steps,
      };

      if (isc_ship_write (&err, &ship) == -1)
        goto fail;
      began = isc_now ();
    }
    else {
      if (isc_qemu_img_convert (&err, priv->drive,
                                isc_format_driver (priv->drive_format),
                                priv->converted,
                                isc_format_driver (img->output_format),
                                isc_format_create_options (img->output_format))
          == -1)
        goto fail;
      began = isc_step_add (steps, "convert", began);
    }
  }
  if (isc_sha256_file (&err, hashed, sha) == -1)
    goto fail;
  isc_step_add (steps, "hash", began);
  return send_sha256 (fd, "finished", sha, steps);
 fail:
  json_decref (steps);
  return send_fatal (fd, &err);
}

/* Hash the checked input, still the file that was checked. */
static int
hasher_child (void *opaque, int fd)
{
  const struct child_job *job = opaque;
  const struct isc_image *img = &job->images[job->image];
  struct isc_err err = ISC_ERR_INIT;
  char sha[ISC_SHA256_HEX_LEN + 1];
  double began = isc_now ();
  json_t *steps;

  reset_child_signals ();
  if (isc_sha256_file (&err, img->priv->file->qemu_name, sha) == -1 ||
      isc_checked_file_verify (&err, img->path, img->priv->file) == -1)
    return send_fatal (fd, &err);
  steps = json_object ();
  isc_step_add (steps, "hash-input", began);
  return send_sha256 (fd, "hashed", sha, steps);
}

static int
start_task (struct run *run, struct task *t, struct child_job *job,
            int (*fn) (void *, int))
{
  struct isc_err err = ISC_ERR_INIT;

  if (isc_worker_start (&err, fn, job, &t->w) == -1) {
    t->error = strdup (isc_err_msg (&err));
    isc_err_clear (&err);
    return -1;
  }
  return 0;
}

static size_t
count_stage (const struct run *run, enum stage stage)
{
  size_t i, n = 0;

  for (i = 0; i < run->n_images; ++i)
    n += run->images[i].priv->stage == stage;
  return n;
}

static size_t
count_tasks (const struct run *run, enum task_kind kind)
{
  size_t i, n = 0;

  for (i = 0; i < run->n_tasks; ++i)
    n += run->tasks[i].kind == kind;
  return n;
}

/* Finishers and hashers share the run's jobs. */
static size_t
count_helpers (const struct run *run)
{
  return count_tasks (run, TASK_FINISHER) + count_tasks (run, TASK_HASHER);
}

static struct task *
new_task (struct run *run)
{
  struct task *t = &run->tasks[run->n_tasks++];

  memset (t, 0, sizeof *t);
  return t;
}

/* The lowest appliance slot no running appliance holds. */
static int
free_slot (const struct run *run)
{
  int slot;
  size_t i;

  for (slot = 0;; ++slot) {
    int taken = 0;

    for (i = 0; i < run->n_tasks && !taken; ++i)
      taken = run->tasks[i].kind == TASK_APPLIANCE &&
        run->tasks[i].slot == slot &&
        run->tasks[i].members;
    if (!taken)
      return slot;
  }
}

/* How many images the next appliance takes: those waiting (checked or
 * not) spread evenly over the free appliance slots. */
static size_t
next_appliance_size (const struct run *run)
{
  const struct isc_engine_opts *opts = run->opts;
  size_t waiting = count_stage (run, STAGE_NEW) +
    count_stage (run, STAGE_UNCHECKED);
  size_t running = count_tasks (run, TASK_APPLIANCE);
  size_t free_slots = opts->jobs > running ? opts->jobs - running : 1;
  size_t size = (waiting + free_slots - 1) / free_slots;

  /* A launch costs more than a small image's work: only spread images
   * over several appliances when each still gets a fair share. */
  if (size < MIN_IMAGES_PER_APPLIANCE)
    size = MIN_IMAGES_PER_APPLIANCE;
  if (size > opts->drives_per_appliance)
    size = opts->drives_per_appliance;
  return size;
}

/* Check the next unchecked image (prepare_image), in input order:
 * images are checked as appliances need them, so that hashing a large
 * batch overlaps the first appliances' work instead of delaying them.
 * Returns 0 when none was left. */
static int
check_next (struct run *run)
{
  size_t i;

  for (i = 0; i < run->n_images; ++i) {
    struct isc_image *img = &run->images[i];
    struct isc_err ierr = ISC_ERR_INIT;

    if (img->priv->stage != STAGE_UNCHECKED)
      continue;
    set_stage (img, STAGE_NEW);
    if (prepare_image (&ierr, run->opts, run->images, i) == -1) {
      image_fail (img, isc_err_msg (&ierr));
      image_done (run, img);
    }
    else if (img->resumed) {
      img->status = ISC_IMAGE_OK;
      image_done (run, img);
    }
    else
      progress (run->opts, ISC_EVENT_CHECKED, img, run->done, run->n_images);
    isc_err_clear (&ierr);
    return 1;
  }
  return 0;
}

/* Give the next images waiting for an appliance to a new one, checking
 * as many as it takes first. */
static void
start_appliance (struct run *run)
{
  const struct isc_engine_opts *opts = run->opts;
  size_t size = next_appliance_size (run), i;
  struct child_job job = { .opts = opts, .images = run->images };
  struct task *t;

  while (!cancelled && count_stage (run, STAGE_NEW) < size &&
         check_next (run))
    ;
  if (cancelled || count_stage (run, STAGE_NEW) == 0)
    return;
  t = new_task (run);
  t->slot = free_slot (run);
  t->members = calloc (size, sizeof *t->members);
  if (!t->members) {
    run->n_tasks--;
    return;
  }
  for (i = 0; i < run->n_images && t->n_members < size; ++i) {
    struct isc_image *img = &run->images[i];

    if (img->priv->stage == STAGE_NEW) {
      struct isc_err err = ISC_ERR_INIT;

      /* Right before qemu opens it. */
      if (isc_checked_file_verify (&err, img->path, img->priv->file) == -1) {
        image_fail (img, isc_err_msg (&err));
        image_done (run, img);
        isc_err_clear (&err);
        continue;
      }
      set_stage (img, STAGE_QUEUED);
      img->attempts++;
      t->members[t->n_members++] = i;
    }
  }
  job.members = t->members;
  job.n_members = t->n_members;
  progress_worker (opts, ISC_EVENT_LAUNCHING, NULL, run->done, run->n_images,
                   t->slot);
  t->deadline = isc_now () + opts->launch_timeout;
  /* On failure the task ends at once and its images are retried. */
  start_task (run, t, &job, appliance_child);
}

static int
can_finish (const struct run *run, const struct isc_image *img)
{
  struct isc_image_private *priv = img->priv;

  /* The overlay is converted once the appliance flushed it (early for
   * large images) or exited; in place, the input is hashed only once
   * nothing writes it. */
  return priv->stage == STAGE_WORKED && !run->opts->dry_run &&
    ((priv->converted && priv->flushed) || img->group_clean);
}

static void
start_finisher (struct run *run, size_t index)
{
  struct isc_image *img = &run->images[index];
  struct child_job job = { .opts = run->opts, .images = run->images,
                           .image = index };
  struct task *t = new_task (run);

  t->kind = TASK_FINISHER;
  t->image = index;
  set_stage (img, STAGE_FINISHING);
  progress (run->opts, ISC_EVENT_WRITING, img, run->done, run->n_images);
  if (start_task (run, t, &job, finisher_child) == -1) {
    image_fail (img, t->error);
    image_done (run, img);
  }
}

/* A hasher that fails to start ends at once (task_ended). */
static void
start_hasher (struct run *run, size_t index)
{
  struct child_job job = { .opts = run->opts, .images = run->images,
                           .image = index };
  struct task *t = new_task (run);

  t->kind = TASK_HASHER;
  t->image = index;
  run->images[index].priv->input_hash = INPUT_HASH_RUNNING;
  start_task (run, t, &job, hasher_child);
}

/* Rename the finished output into place once its appliance is known to
 * have shut down cleanly. */
static void
maybe_commit (struct run *run, struct isc_image *img)
{
  struct isc_image_private *priv = img->priv;
  struct isc_err err = ISC_ERR_INIT;

  if (priv->stage != STAGE_FINISHED || !img->group_clean ||
      input_hash_pending (img))
    return;
  /* An output is what the input held from its check until now.  When
   * the input changed, or could not be hashed, image_done fails the
   * image and removes the converted output. */
  if (priv->converted && priv->input_hash != INPUT_HASH_FAILED) {
    if (isc_checked_file_verify (&err, img->path, priv->file) == -1)
      image_fail (img, isc_err_msg (&err));
    else {
      if (isc_atomic_commit (&err, priv->converted, img->output) == -1)
        image_fail (img, isc_err_msg (&err));
      free (priv->converted);
      priv->converted = NULL;
      /* The overlay has served its purpose: free its space early. */
      unlink (priv->drive);
    }
  }
  image_done (run, img);
  isc_err_clear (&err);
}

/* Store one image's result message from an appliance. */
static void
take_image_result (struct run *run, struct isc_image *img, json_t *msg)
{
  struct isc_image_private *priv = img->priv;
  const struct isc_engine_opts *opts = run->opts;
  const char *status = json_string_value (json_object_get (msg, "status"));
  const char *error = json_string_value (json_object_get (msg, "error"));

  json_decref (img->facts);
  img->facts = json_incref (json_object_get (msg, "facts"));
  json_decref (img->actions);
  img->actions = json_incref (json_object_get (msg, "actions"));
  json_decref (img->identities);
  img->identities = json_incref (json_object_get (msg, "identities"));
  json_decref (img->hives);
  img->hives = json_incref (json_object_get (msg, "hives"));
  json_decref (img->tree);
  img->tree = json_incref (json_object_get (msg, "tree"));
  json_decref (img->snapshots);
  img->snapshots = json_incref (json_object_get (msg, "snapshots"));
  priv->flushed = json_is_true (json_object_get (msg, "flushed"));
  free (img->error);
  img->error = error ? strdup (error) : NULL;
  img->seconds += json_real_value (json_object_get (msg, "seconds"));
  isc_steps_merge (img->steps, json_object_get (msg, "steps"));
  if (status && strcmp (status, "ok") == 0)
    img->status = ISC_IMAGE_OK;
  else if (status && strcmp (status, "skipped") == 0)
    img->status = ISC_IMAGE_SKIPPED;
  else
    img->status = ISC_IMAGE_FAILED;

  /* Without an output or an edited input (only a tree export), the
   * overlay holds nothing anyone keeps. */
  if (img->status != ISC_IMAGE_OK || opts->mode != ISC_ENGINE_SCRUB ||
      opts->dry_run || (!img->output && !opts->in_place)) {
    image_done (run, img);
    return;
  }
  set_stage (img, STAGE_WORKED);
  if (img->output && asprintf (&priv->converted, "%s/output-%zu.%s",
                               opts->workdir, (size_t) (img - run->images),
                               isc_format_extension (img->output_format)) == -1) {
    priv->converted = NULL;
    image_fail (img, "out of memory");
    image_done (run, img);
  }
}

static void
handle_message (struct run *run, struct task *t, json_t *msg)
{
  const char *type = json_string_value (json_object_get (msg, "type"));
  json_t *jid = json_object_get (msg, "id");
  struct isc_image *img = NULL;

  if (!type)
    return;
  if (t->kind != TASK_APPLIANCE)
    img = &run->images[t->image];
  else if (json_is_integer (jid) && json_integer_value (jid) >= 0 &&
           (size_t) json_integer_value (jid) < run->n_images)
    img = &run->images[json_integer_value (jid)];

  if (strcmp (type, "launched") == 0)
    t->launched = 1;
  else if (strcmp (type, "working") == 0 && img)
    progress_worker (run->opts, ISC_EVENT_WORKING, img, run->done,
                     run->n_images, t->slot);
  else if (strcmp (type, "image") == 0 && img &&
           img->priv->stage == STAGE_QUEUED)
    take_image_result (run, img, msg);
  else if ((strcmp (type, "finished") == 0 && t->kind == TASK_FINISHER) ||
           (strcmp (type, "hashed") == 0 && t->kind == TASK_HASHER)) {
    const char *sha = json_string_value (json_object_get (msg, "sha256"));

    if (sha && strlen (sha) == ISC_SHA256_HEX_LEN)
      memcpy (t->kind == TASK_HASHER ? img->input_sha256 : img->output_sha256,
              sha, ISC_SHA256_HEX_LEN + 1);
    isc_steps_merge (img->steps, json_object_get (msg, "steps"));
  }
  else if (strcmp (type, "fatal") == 0) {
    const char *e = json_string_value (json_object_get (msg, "error"));

    free (t->error);
    t->error = strdup (e ? e : "failed");
  }
  else if (strcmp (type, "done") == 0)
    t->clean = 1;
}

/* IMG's appliance failed: nothing it wrote can be trusted.  Start the
 * image over in a fresh appliance, once; then it fails with WHY. */
static void
restart_or_fail (struct run *run, struct isc_image *img, const char *why)
{
  struct isc_image_private *priv = img->priv;
  CLEANUP_FREE char *reason = strdup (why ? why : "appliance failed");

  if (priv->converted) {
    unlink (priv->converted);
    free (priv->converted);
    priv->converted = NULL;
  }
  img->output_sha256[0] = '\0';
  json_decref (img->actions);
  img->actions = NULL;
  json_decref (img->hives);
  img->hives = NULL;
  json_decref (img->tree);
  img->tree = NULL;
  json_decref (img->snapshots);
  img->snapshots = NULL;
  img->group_clean = 0;
  priv->flushed = 0;
  if (img->attempts >= 2 || cancelled) {
    image_fail (img, cancelled ? "interrupted" : reason);
    image_done (run, img);
    return;
  }
  set_stage (img, STAGE_NEW);
  img->status = ISC_IMAGE_PENDING;
  /* A fresh overlay: the dead appliance may have half-written it. */
  if (priv->drive && priv->drive_format == ISC_FORMAT_QCOW2 &&
      strcmp (priv->drive, priv->file->qemu_name) != 0) {
    struct isc_err err = ISC_ERR_INIT;

    unlink (priv->drive);
    if (create_overlay (&err, img, priv->drive) == -1) {
      image_fail (img, isc_err_msg (&err));
      image_done (run, img);
      isc_err_clear (&err);
      return;
    }
  }
  if (run->opts->progress) {
    struct isc_progress p = {
      .event = ISC_EVENT_RETRY, .image = img, .done = run->done,
      .total = run->n_images, .worker = -1, .reason = reason,
    };

    run->opts->progress (run->opts->opaque, &p);
  }
}

/* IMG's hasher ended with STATUS: the image may now be committed, or
 * be done. */
static void
input_hashed (struct run *run, struct isc_image *img, int status,
              const char *error)
{
  struct isc_image_private *priv = img->priv;

  if (status == 0 && img->input_sha256[0])
    priv->input_hash = INPUT_HASH_NONE;
  else {
    priv->input_hash = INPUT_HASH_FAILED;
    img->input_sha256[0] = '\0';
    free (priv->input_hash_error);
    priv->input_hash_error = strdup (cancelled ? "interrupted"
                                    : error ? error : "cannot hash the input");
  }
  if (priv->stage == STAGE_HASH_WAIT)
    image_done (run, img);
  else
    maybe_commit (run, img);
}

/* IMG's finisher ended with STATUS. */
static void
finisher_ended (struct run *run, struct task *t, int status)
{
  struct isc_image *img = &run->images[t->image];

  if (img->priv->stage != STAGE_FINISHING)
    return;
  if (img->group_clean == -1)           /* its appliance failed meanwhile */
    restart_or_fail (run, img, img->error);
  else if (status == 0 && img->output_sha256[0]) {
    set_stage (img, STAGE_FINISHED);
    maybe_commit (run, img);
  }
  else {
    image_fail (img, t->error ? t->error : "output conversion failed");
    image_done (run, img);
  }
}

/* An appliance ended with STATUS: each of its images is done, goes on
 * to be committed, or starts over. */
static void
appliance_ended (struct run *run, struct task *t, int status)
{
  size_t i;

  progress_worker (run->opts, ISC_EVENT_IDLE, NULL, run->done, run->n_images,
                   t->slot);
  for (i = 0; i < t->n_members; ++i) {
    struct isc_image *img = &run->images[t->members[i]];
    enum stage stage = img->priv->stage;

    /* Finished (failed) while the appliance went on: remember whether
     * what it did there reached the disk (manifest.h, "written"). */
    if (stage == STAGE_DONE || stage == STAGE_HASH_WAIT) {
      img->group_clean = t->clean && status == 0 ? 1 : -1;
      continue;
    }
    if (t->clean && status == 0) {
      img->group_clean = 1;
      if (stage == STAGE_QUEUED) {
        image_fail (img, "the appliance did not report on this image");
        image_done (run, img);
      }
      else
        maybe_commit (run, img);
    }
    else if (stage == STAGE_FINISHING) {
      /* Settled when its finisher ends. */
      img->group_clean = -1;
      free (img->error);
      img->error = strdup (t->error);
    }
    else
      restart_or_fail (run, img, t->error);
  }
}

/* A child has exited: settle what it was doing. */
static void
task_ended (struct run *run, struct task *t)
{
  struct isc_err err = ISC_ERR_INIT;
  int status;

  status = t->w ? isc_worker_wait (&err, t->w) : -1;
  if (status != 0 && !t->error)
    t->error = strdup (err.msg ? err.msg
                       : t->kind == TASK_FINISHER ? "output conversion failed"
                       : t->kind == TASK_HASHER ? "cannot hash the input"
                       : t->launched ? "appliance died unexpectedly"
                       : "appliance failed to start");
  isc_err_clear (&err);

  if (t->kind == TASK_HASHER)
    input_hashed (run, &run->images[t->image], status, t->error);
  else if (t->kind == TASK_FINISHER)
    finisher_ended (run, t, status);
  else
    appliance_ended (run, t, status);
}

static void
task_free (struct task *t)
{
  isc_worker_free (t->w);
  free (t->members);
  free (t->error);
}

static void
remove_task (struct run *run, size_t i)
{
  task_free (&run->tasks[i]);
  run->tasks[i] = run->tasks[--run->n_tasks];
}

static void
cancel_all (struct run *run)
{
  size_t i;

  isc_engine_cancel ();
  while (run->n_tasks > 0) {
    struct task *t = &run->tasks[0];

    isc_worker_kill (t->w);
    task_ended (run, t);
    remove_task (run, 0);
  }
  for (i = 0; i < run->n_images; ++i) {
    struct isc_image *img = &run->images[i];

    if (img->priv->stage == STAGE_HASH_WAIT)
      image_done (run, img);
    else if (img->priv->stage != STAGE_DONE) {
      image_fail (img, "interrupted");
      image_done (run, img);
    }
  }
}

/* Wait for any child to say something, or for the nearest launch
 * deadline; kill appliances whose deadline passed. */
static void
wait_tasks (struct run *run, int block)
{
  struct pollfd pfds[MAX_TASKS];
  double now = isc_now (), nearest = 0;
  size_t i, n = 0;
  int timeout_ms = block ? -1 : 0;

  for (i = 0; i < run->n_tasks; ++i) {
    struct task *t = &run->tasks[i];

    pfds[i].fd = t->w ? isc_worker_fd (t->w) : -1;
    pfds[i].events = POLLIN;
    pfds[i].revents = 0;
    if (t->kind == TASK_APPLIANCE && !t->launched && t->w && t->deadline > 0) {
      if (t->deadline <= now) {
        if (!t->error && asprintf (&t->error, "appliance did not start "
                                   "within %u s (--launch-timeout): killed",
                                   run->opts->launch_timeout) == -1)
          t->error = NULL;
        isc_worker_kill (t->w);
        t->deadline = 0;
      }
      else if (nearest == 0 || t->deadline < nearest)
        nearest = t->deadline;
    }
    n++;
  }
  if (nearest > 0 && block)
    timeout_ms = (int) ((nearest - now) * 1000) + 1;
  /* A child that never started has nothing to say: settle it now. */
  for (i = 0; i < n && timeout_ms != 0; ++i)
    if (pfds[i].fd == -1)
      timeout_ms = 0;
  if (poll (pfds, n, timeout_ms) <= 0)
    return;
  for (i = 0; i < n; ++i) {
    struct task *t = &run->tasks[i];
    struct isc_err err = ISC_ERR_INIT;
    json_t *msg;

    if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR)))
      continue;
    if (isc_worker_receive (&err, t->w) == -1 && !t->error)
      t->error = strdup (isc_err_msg (&err));
    while (isc_worker_take (&err, t->w, &msg) == 1) {
      handle_message (run, t, msg);
      json_decref (msg);
    }
    isc_err_clear (&err);
  }
}

static void
schedule (struct run *run)
{
  for (;;) {
    size_t i;

    if (cancelled) {
      cancel_all (run);
      return;
    }
    while (count_tasks (run, TASK_APPLIANCE) < run->opts->jobs && !cancelled &&
           (count_stage (run, STAGE_NEW) > 0 ||
            count_stage (run, STAGE_UNCHECKED) > 0)) {
      size_t before = run->n_tasks;

      start_appliance (run);
      if (run->n_tasks == before)
        break;                      /* every image left failed its check */
    }
    for (i = 0; i < run->n_images && count_helpers (run) < run->opts->jobs; ++i)
      if (can_finish (run, &run->images[i]))
        start_finisher (run, i);
    for (i = 0; i < run->n_images && count_helpers (run) < run->opts->jobs; ++i)
      if (run->images[i].priv->input_hash == INPUT_HASH_WAITING &&
          run->images[i].priv->stage != STAGE_UNCHECKED)
        start_hasher (run, i);
    if (run->n_tasks == 0 && count_stage (run, STAGE_UNCHECKED) == 0)
      return;
    /* While the appliances work, check the images the next one takes:
     * one at a time, answering the children in between. */
    if (count_stage (run, STAGE_UNCHECKED) > 0 &&
        count_stage (run, STAGE_NEW) < next_appliance_size (run)) {
      check_next (run);
      wait_tasks (run, 0);
    }
    else
      wait_tasks (run, 1);
    /* Children whose pipe is closed have ended (or are about to). */
    for (i = 0; i < run->n_tasks;) {
      struct task *t = &run->tasks[i];

      if (!t->w || isc_worker_fd (t->w) == -1) {
        task_ended (run, t);
        remove_task (run, i);
      }
      else
        ++i;
    }
  }
}

/* O with its defaults filled in and its limits applied. */
static void
settle_opts (struct isc_engine_opts *o)
{
  if (o->jobs == 0)
    o->jobs = isc_engine_default_jobs ();
  if (o->jobs > ISC_MAX_JOBS)
    o->jobs = ISC_MAX_JOBS;
  if (o->drives_per_appliance == 0 ||
      o->drives_per_appliance > ISC_MAX_DRIVES_PER_APPLIANCE)
    o->drives_per_appliance = ISC_DEFAULT_DRIVES_PER_APPLIANCE;
}

/* Each image's checked file stays open until it is done. */
static void
raise_fd_limit (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit (RLIMIT_NOFILE, &rl);
  }
}

int
isc_engine_run (struct isc_err *err, const struct isc_engine_opts *opts,
                struct isc_image *images, size_t n_images)
{
  struct isc_engine_opts o = *opts;
  struct run run = { .opts = &o, .images = images, .n_images = n_images };
  CLEANUP_FREE char *own_workdir = NULL;
  size_t i;

  settle_opts (&o);
  raise_fd_limit ();
  if (!o.workdir) {
    /* For the overlays, when the caller keeps no scratch space. */
    const char *tmp = getenv ("TMPDIR");

    if (asprintf (&own_workdir, "%s/.imgscrub-XXXXXX",
                  tmp && tmp[0] ? tmp : "/var/tmp") == -1)
      return isc_error_oom (err, NULL);
    if (!mkdtemp (own_workdir))
      return isc_error_errno (err, own_workdir,
                              "cannot create scratch directory");
    o.workdir = own_workdir;
  }
  run.tasks = calloc (2 * o.jobs, sizeof *run.tasks);
  if (!run.tasks) {
    if (own_workdir)
      isc_remove_tree (own_workdir);
    return isc_error_oom (err, NULL);
  }

  for (i = 0; i < n_images; ++i)
    images[i].status = ISC_IMAGE_PENDING;
  if (run_state_new (err, images, n_images) == -1) {
    run_state_free (images, n_images);
    free (run.tasks);
    if (own_workdir)
      isc_remove_tree (own_workdir);
    return -1;
  }
  schedule (&run);
  if (cancelled)
    cancel_all (&run);
  run_state_free (images, n_images);
  free (run.tasks);
  if (own_workdir)
    isc_remove_tree (own_workdir);
  return 0;
}
