/* imgscrub: option parsing and output the subcommands share. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "common.h"
#include "run/appliance-path.h"
#include "util/atomic.h"
#include "util/cleanups.h"
#include "util/escape.h"
#include "image/inputs.h"
#include "output.h"
#include "profiles/profile.h"
#include "outputs/shard.h"
#include "util/path.h"
#include "util/status.h"

int
parse_unsigned (const char *cmd, const char *opt, const char *arg,
                unsigned min, unsigned max, unsigned *ret)
{
  char *end;
  unsigned long v;

  errno = 0;
  v = strtoul (arg, &end, 10);
  if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max) {
    usage_error (cmd, "%s: '%s' is not a number from %u to %u", opt, arg,
                 min, max);
    return -1;
  }
  *ret = v;
  return 0;
}

int
parse_format (const char *cmd, const char *opt, const char *arg,
              enum isc_format *ret)
{
  if (isc_format_from_name (arg, ret) == -1) {
    usage_error (cmd, "%s: unknown format '%s' (raw, vhd, vmdk, qcow2, vhdx)",
                 opt, arg);
    return -1;
  }
  return 0;
}

int
parse_engine_option (const char *cmd, int c, const char *arg,
                     struct isc_engine_opts *opts, struct common_args *args)
{
  switch (c) {
  case 'r':
    args->recursive = 1;
    return 1;
  case OPT_EXCLUDE: {
    char **p = realloc (args->excludes,
                        (args->n_excludes + 2) * sizeof *p);

    if (!p || !(p[args->n_excludes] = strdup (arg))) {
      if (p)
        args->excludes = p;
      usage_error (cmd, "out of memory");
      return -1;
    }
    args->excludes = p;
    p[++args->n_excludes] = NULL;
    return 1;
  }
  case 'j':
    return parse_unsigned (cmd, "--jobs", arg, 1, ISC_MAX_JOBS,
                           &opts->jobs) == -1 ? -1 : 1;
  case OPT_FORMAT:
    return parse_format (cmd, "--format", arg, &args->forced) == -1 ? -1 : 1;
  case OPT_LAUNCH_TIMEOUT:
    return parse_unsigned (cmd, "--launch-timeout", arg, 1, 86400,
                           &opts->launch_timeout) == -1 ? -1 : 1;
  case OPT_SHARD:
    args->shard = arg;
    return 1;
  case OPT_SHARD_COUNT:
    return parse_unsigned (cmd, "--shard-count", arg, 1, ISC_SHARD_MAX,
                           &args->shard_count) == -1 ? -1 : 1;
  case OPT_DRIVES:
    return parse_unsigned (cmd, "--drives-per-appliance", arg, 1,
                           ISC_MAX_DRIVES_PER_APPLIANCE,
                           &opts->drives_per_appliance) == -1 ? -1 : 1;
  case OPT_DIRTY_HIVES:
    if (isc_dirty_hives_parse (arg, &opts->dirty_hives) == -1) {
      usage_error (cmd, "--dirty-hives: '%s' is not replay, refuse or "
                   "discard", arg);
      return -1;
    }
    return 1;
  case OPT_ALLOW_DIRTY_HIVES:
    opts->dirty_hives = ISC_DIRTY_HIVES_DISCARD;
    return 1;
  }
  return 0;
}

void
common_args_clear (struct common_args *args)
{
  isc_free_string_list (args->excludes);
  args->excludes = NULL;
  args->n_excludes = 0;
  json_decref (args->left_out);
  args->left_out = NULL;
}

/* isc_inputs_opts.left_out: say so, and keep it for the manifest. */
static void
input_left_out (void *opaque, const char *path, const char *descriptor)
{
  json_t *left_out = opaque;
  CLEANUP_FREE char *msg = NULL;
  CLEANUP_FREE char *quoted = descriptor ? isc_escape (descriptor) : NULL;
  const char *key = descriptor ? "extents_excluded" : "symlinks_skipped";
  json_t *list = json_object_get (left_out, key);

  if (!list) {
    list = json_array ();
    json_object_set_new (left_out, key, list);
  }
  json_array_append_new (list, descriptor
                         ? json_pack ("{s:o, s:o}",
                                      "path", isc_json_string (path),
                                      "descriptor",
                                      isc_json_string (descriptor))
                         : json_pack ("{s:o}", "path",
                                      isc_json_string (path)));
  if (!descriptor)
    msg = strdup ("left out: a symlink (a folder scan never follows one)");
  else if (asprintf (&msg, "left out: an extent of VMDK '%s'", quoted) == -1)
    msg = NULL;
  out_error (path, msg ? msg : "left out");
}

static const char *
env (const char *name)
{
  return getenv (name);
}

int
resolve_shard (const char *cmd, struct common_args *args)
{
  struct isc_err err = ISC_ERR_INIT;
  int r;

  if ((!args->shard || strcmp (args->shard, "auto")) && args->shard_count) {
    usage_error (cmd, "--shard-count goes with --shard auto");
    return -1;
  }
  if (!args->shard)
    return 0;
  if (strcmp (args->shard, "auto") == 0)
    r = isc_shard_from_env (&err, env, args->shard_count, &args->shard_k,
                            &args->shard_n);
  else
    r = isc_shard_parse (&err, args->shard, &args->shard_k, &args->shard_n);
  if (r == -1)
    usage_error (cmd, "--shard: %s", isc_err_msg (&err));
  isc_err_clear (&err);
  return r;
}

/* Keep in PATHS (N of them, NULL-terminated) only shard K of N's; the
 * others are freed.  Returns how many are kept, or (size_t) -1. */
static size_t
keep_shard (char **paths, size_t n, unsigned k, unsigned count)
{
  struct isc_err err = ISC_ERR_INIT;
  CLEANUP_FREE uint64_t *sizes = calloc (n ? n : 1, sizeof *sizes);
  CLEANUP_FREE unsigned *shard = calloc (n ? n : 1, sizeof *shard);
  size_t i, kept = 0;

  if (!sizes || !shard)
    return (size_t) -1;
  /* The size each machine sees on the shared storage: what the input
   * costs to read and to write out again. */
  for (i = 0; i < n; ++i) {
    struct stat st;

    sizes[i] = stat (paths[i], &st) == 0 ? (uint64_t) st.st_size : 0;
  }
  if (isc_shard_partition (&err, paths, sizes, n, count, shard) == -1) {
    isc_err_clear (&err);
    return (size_t) -1;
  }
  for (i = 0; i < n; ++i) {
    if (shard[i] == k)
      paths[kept++] = paths[i];
    else
      free (paths[i]);
  }
  paths[kept] = NULL;
  return kept;
}

struct isc_image *
images_from_args (struct common_args *args, char *const *argv,
                  size_t argc, size_t *ret_n)
{
  struct isc_inputs_opts iopts = {
    .recursive = args->recursive,
    .excludes = args->excludes,
    .left_out = input_left_out,
  };
  struct isc_err err = ISC_ERR_INIT;
  CLEANUP_FREE_STRING_LIST char **paths = NULL;
  CLEANUP_FREE unsigned char *scanned = NULL;
  struct isc_image *images;
  size_t n, i;

  if (!args->left_out)
    args->left_out = json_object ();
  iopts.opaque = args->left_out;
  if (isc_inputs_expand (&err, argv, argc, &iopts, &paths, &n,
                         &scanned) == -1) {
    out_error (NULL, isc_err_msg (&err));
    isc_err_clear (&err);
    return NULL;
  }
  if (n == 0) {
    out_error (NULL, "no images found in the folders given");
    return NULL;
  }
  args->shard_inputs = n;
  if (args->shard_n &&
      (n = keep_shard (paths, n, args->shard_k, args->shard_n)) == (size_t) -1) {
    out_error (NULL, "out of memory");
    return NULL;
  }
  images = calloc (n ? n : 1, sizeof *images);
  if (!images) {
    out_error (NULL, "out of memory");
    return NULL;
  }
  for (i = 0; i < n; ++i) {
    images[i].path = TAKE_PTR (paths[i]);
    isc_path_normalise (images[i].path);
    images[i].forced_format = args->forced;
    images[i].no_follow = scanned[i];
  }
  *ret_n = n;
  return images;
}

struct isc_engine_opts
common_engine_opts (enum isc_engine_mode mode, int trace, int verbosity)
{
  struct isc_engine_opts o = {
    .mode = mode,
    .launch_timeout = ISC_DEFAULT_LAUNCH_TIMEOUT,
    .drives_per_appliance = ISC_DEFAULT_DRIVES_PER_APPLIANCE,
    .trace = trace,
    .verbose = verbosity > 1,
    .progress = out_progress,
  };

  return o;
}

void
images_free (struct isc_image *images, size_t n)
{
  size_t i;

  if (!images)
    return;
  for (i = 0; i < n; ++i) {
    isc_image_clear (&images[i]);
    free (images[i].path);
    free (images[i].output);
  }
  free (images);
}

void
report_hives (const struct isc_image *img)
{
  json_t *h;
  size_t i;

  json_array_foreach (img->hives, i, h) {
    const char *state = json_string_value (json_object_get (h, "state"));
    const char *how = json_string_value (json_object_get (h, "dirty_hives"));
    const char *logs = json_string_value (json_object_get (h, "logs"));
    json_int_t n = json_integer_value (json_object_get (h, "log_entries_replayed"));
    CLEANUP_FREE char *path = isc_escape (json_string_value (json_object_get (h, "path")));
    CLEANUP_FREE char *msg = NULL;

    if (!state || strcmp (state, "dirty") != 0 || !how || !path)
      continue;
    if (strcmp (how, "discard") == 0 &&
        asprintf (&msg, "registry hive '%s' is dirty: read as it is, the "
                  "changes only its transaction logs hold are lost "
                  "(--dirty-hives=discard); logs %s", path, logs) == -1)
      msg = NULL;
    else if (strcmp (how, "replay") == 0 && n > 0 && !arg_quiet &&
             asprintf (&msg, "registry hive '%s' was dirty: %lld transaction "
                       "log entries replayed before it was read; logs %s",
                       path, (long long) n, logs) == -1)
      msg = NULL;
    if (msg)
      out_error (img->path, msg);
  }
}

void
count_status (const struct isc_image *images, size_t n, size_t *ret_ok,
              size_t *ret_failed, size_t *ret_skipped)
{
  size_t i;

  *ret_ok = *ret_failed = *ret_skipped = 0;
  for (i = 0; i < n; ++i) {
    switch (images[i].status) {
    case ISC_IMAGE_OK: ++*ret_ok; break;
    case ISC_IMAGE_SKIPPED: ++*ret_skipped; break;
    default: ++*ret_failed; break;
    }
  }
}

int
load_profiles (char *const *names, size_t n_names, int all_if_none,
               struct isc_profile ***ret, size_t *ret_n)
{
  CLEANUP_FREE_STRING_LIST char **all = NULL;
  struct isc_profile **profiles;
  size_t n;

  if (n_names == 0 && all_if_none) {
    all = isc_profile_list_names ();
    if (!all) {
      out_error (NULL, "out of memory");
      return -1;
    }
    for (n_names = 0; all[n_names]; ++n_names)
      ;
    names = all;
  }
  profiles = calloc (n_names ? n_names : 1, sizeof *profiles);
  if (!profiles) {
    out_error (NULL, "out of memory");
    return -1;
  }
  for (n = 0; n < n_names; ++n) {
    struct isc_err err = ISC_ERR_INIT;

    if (isc_profile_load (&err, names[n], &profiles[n]) == -1) {
      out_error (NULL, isc_err_msg (&err));
      isc_err_clear (&err);
      free_profiles (profiles, n);
      return -1;
    }
  }
  *ret = profiles;
  *ret_n = n;
  return 0;
}

void
free_profiles (struct isc_profile **profiles, size_t n)
{
  size_t i;

  for (i = 0; i < n; ++i)
    isc_profile_free (profiles[i]);
  free (profiles);
}

volatile sig_atomic_t run_interrupted;

static void
on_signal (int sig)
{
  run_interrupted = sig;
  isc_engine_cancel ();
}

void
run_signals (void)
{
  struct sigaction sa = { .sa_handler = on_signal };

  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
}

char *
run_begin (const char *near)
{
  const char *tmp = getenv ("TMPDIR");
  char *workdir;
  int r;

  run_signals ();
  if (near)
    r = asprintf (&workdir, "%s.imgscrub-XXXXXX", near);
  else
    r = asprintf (&workdir, "%s/.imgscrub-XXXXXX",
                  tmp && tmp[0] ? tmp : "/var/tmp");
  if (r == -1) {
    out_error (NULL, "out of memory");
    return NULL;
  }
  if (!mkdtemp (workdir)) {
    out_error (workdir, strerror (errno));
    free (workdir);
    return NULL;
  }
  return workdir;
}

static char *appliance_dir;
static int appliance_prepared;

const char *
run_appliance (void)
{
  struct isc_err err = ISC_ERR_INIT;
  char *msg;

  if (appliance_prepared)
    return appliance_dir;
  appliance_prepared = 1;
  if (isc_appliance_path_default (&err, &appliance_dir) == -1) {
    if (asprintf (&msg, "warning: %s; booting libguestfs's stock appliance",
                  isc_err_msg (&err)) != -1) {
      out_error (NULL, msg);
      free (msg);
    }
    isc_err_clear (&err);
  }
  else if (appliance_dir && arg_verbose)
    out_step ("Appliance: %s", appliance_dir);
  return appliance_dir;
}

void
run_end (char *workdir)
{
  if (workdir)
    isc_remove_tree (workdir);
  free (workdir);
  free (appliance_dir);
  appliance_dir = NULL;
  appliance_prepared = 0;
}

int
run_status (int status)
{
  return run_interrupted ? EXIT_INTERRUPTED : status;
}
