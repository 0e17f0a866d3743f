/* imgscrub: option parsing and output shared by the subcommands. */
#ifndef ISC_COMMON_H
#define ISC_COMMON_H

#include <signal.h>
#include <stddef.h>

#include <jansson.h>

#include "run/engine.h"
#include "image/format.h"

/* Parse ARG as an unsigned in [MIN, MAX] for option OPT of CMD; prints
 * the usage error itself.  Returns 0 or -1. */
int parse_unsigned (const char *cmd, const char *opt, const char *arg,
                    unsigned min, unsigned max, unsigned *ret);

/* Parse a --format / --output-format value; prints the usage error. */
int parse_format (const char *cmd, const char *opt, const char *arg,
                  enum isc_format *ret);

void images_free (struct isc_image *images, size_t n);

/* On stderr, for each dirty registry hive of IMG: that its logs were
 * discarded (always), or replayed (unless -q). */
void report_hives (const struct isc_image *img);

/* Count images by status. */
void count_status (const struct isc_image *images, size_t n,
                   size_t *ret_ok, size_t *ret_failed, size_t *ret_skipped);

/* Options every appliance-using command shares: put
 * COMMON_ENGINE_LONG_OPTIONS in the long options table, "j:r" in the short
 * ones, and pass every option to parse_engine_option first. */
enum {
  OPT_FORMAT = 1000, OPT_LAUNCH_TIMEOUT, OPT_DRIVES, OPT_EXCLUDE,
  OPT_DIRTY_HIVES, OPT_ALLOW_DIRTY_HIVES,
  OPT_SHARD, OPT_SHARD_COUNT,
};
#define COMMON_ENGINE_LONG_OPTIONS                                       \
  { "allow-dirty-hives", no_argument, NULL, OPT_ALLOW_DIRTY_HIVES },    \
  { "dirty-hives", required_argument, NULL, OPT_DIRTY_HIVES },          \
  { "drives-per-appliance", required_argument, NULL, OPT_DRIVES },      \
  { "exclude", required_argument, NULL, OPT_EXCLUDE },                  \
  { "recursive", no_argument, NULL, 'r' },                              \
  { "format", required_argument, NULL, OPT_FORMAT },                    \
  { "jobs", required_argument, NULL, 'j' },                             \
  { "launch-timeout", required_argument, NULL, OPT_LAUNCH_TIMEOUT }

/* Engine options every subcommand starts from, for MODE: the defaults,
 * TRACE (-x) and VERBOSITY (the -v count: libguestfs's debug messages
 * from -vv), progress through cmd/output.c. */
struct isc_engine_opts common_engine_opts (enum isc_engine_mode mode,
                                           int trace, int verbosity);

struct common_args {
  enum isc_format forced;           /* --format */
  int recursive;                    /* -r */
  char **excludes;                  /* --exclude, NULL-terminated, owned */
  size_t n_excludes;
  /* Set by images_from_args: what folder scans left out, for the
   * manifest: {"symlinks_skipped": [{"path"}], "extents_excluded":
   * [{"path", "descriptor"}]}, owned. */
  json_t *left_out;
  const char *shard;                /* --shard K/N or "auto" */
  unsigned shard_count;             /* --shard-count */
  /* Set by resolve_shard: this task's shard (0 of 0: not sharded), and
   * by images_from_args: how many inputs all the shards have. */
  unsigned shard_k, shard_n;
  size_t shard_inputs;
};

/* Sharding (scrub, audit): put SHARD_LONG_OPTIONS in the long options
 * table and call resolve_shard after the options, before
 * images_from_args, which then keeps only this shard's images. */
#define SHARD_LONG_OPTIONS                                               \
  { "shard", required_argument, NULL, OPT_SHARD },                      \
  { "shard-count", required_argument, NULL, OPT_SHARD_COUNT }

#define SHARD_OPTIONS_HELP                                               \
  "  --shard K/N             work on part K of N of the inputs (sorted,\n" \
  "                          balanced by size; the same split on every\n" \
  "                          machine); 'auto' takes K and N from a Slurm,\n" \
  "                          Kubernetes or AWS Batch array job\n"      \
  "  --shard-count N         N for --shard auto on Kubernetes and AWS Batch\n" \
  "                          (default $IMGSCRUB_SHARD_COUNT)\n"

/* Resolve --shard (auto: from the environment).  Prints the usage error
 * itself; 0 or -1. */
int resolve_shard (const char *cmd, struct common_args *args);

/* Returns 1 when C was a common option (stored in OPTS or ARGS), 0 when
 * it is not one, -1 after a usage error was printed. */
int parse_engine_option (const char *cmd, int c, const char *arg,
                         struct isc_engine_opts *opts,
                         struct common_args *args);

void common_args_clear (struct common_args *args);

/* The images named by ARGV (files, folders), as an array the caller
 * frees with images_free; with a shard, only that shard's (possibly
 * none).  Prints the error itself; NULL on failure.  Each file a folder
 * scan leaves out is named on stderr and recorded in ARGS->left_out. */
struct isc_image *images_from_args (struct common_args *args,
                                    char *const *argv, size_t argc,
                                    size_t *ret_n);

/* Load the profiles NAMES (N_NAMES of them); with none and ALL_IF_NONE,
 * every profile on the search path.  Prints the error itself. */
int load_profiles (char *const *names, size_t n_names, int all_if_none,
                   struct isc_profile ***ret, size_t *ret_n);

void free_profiles (struct isc_profile **profiles, size_t n);

/* ---- one run: signals and scratch space, shared by every subcommand ----
 *
 * run_begin installs the SIGINT/SIGTERM handler (it records the signal
 * and cancels the engine: every appliance and worker is killed) and
 * creates the scratch folder NEAR/.imgscrub-XXXXXX (NEAR NULL: $TMPDIR,
 * else /var/tmp), where the engine and libguestfs keep every temporary
 * file.  run_end removes it, whatever happened.  The exit status of an
 * interrupted run is EXIT_INTERRUPTED. */
extern volatile sig_atomic_t run_interrupted;

/* Returns the scratch folder (freed by run_end), or NULL after printing
 * why. */
char *run_begin (const char *near);

/* Only the handler, for a command that needs no scratch folder. */
void run_signals (void);

void run_end (char *workdir);

/* The appliance folder for this run's engine options (appliance-path.h),
 * prepared on the first call and freed by run_end; NULL: libguestfs's
 * stock appliance, with a warning on stderr when imgscrub's own could
 * not be made. */
const char *run_appliance (void);

/* STATUS, or EXIT_INTERRUPTED when a signal stopped the run. */
int run_status (int status);

#define COMMON_ENGINE_OPTIONS_HELP                                       \
  "  --dirty-hives MODE      replay, refuse or discard: a registry hive\n" \
  "                          Windows did not close cleanly: apply its\n" \
  "                          .LOG1/.LOG2 before reading it (replay, the\n" \
  "                          default; the logs are emptied when the hive\n" \
  "                          is rewritten), fail the image (refuse), or\n" \
  "                          read it as it is, losing what only its logs\n" \
  "                          hold (discard)\n"                          \
  "  --allow-dirty-hives     the same as --dirty-hives=discard\n"      \
  "  -r, --recursive         take images from sub-folders of folders too\n" \
  "  --exclude GLOB          skip images whose path or name matches GLOB\n" \
  "                          (repeatable)\n"                           \
  "  --format FMT            image format (raw, vhd, vmdk, qcow2, vhdx)\n" \
  "                          instead of detecting it from magic bytes; the\n" \
  "                          safety checks still apply\n"               \
  "  --launch-timeout SECS   kill an appliance that has not started after\n" \
  "                          SECS seconds (default 600)\n"              \
  "  -j, --jobs N            appliances run in parallel (default: one per\n" \
  "                          core, as many as free memory holds at ~2 GiB\n" \
  "                          each, at most 16); images are spread over\n" \
  "                          them only 8 or more to an appliance\n"      \
  "  --drives-per-appliance N  images served by one appliance (default 64,\n" \
  "                          at most 255)\n"

#endif
