#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "common.h"
#include "cleanups.h"
#include "escape.h"
#include "inputs.h"
#include "output.h"
#include "shard.h"

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
  }
  return 0;
}

void
common_args_clear (struct common_args *args)
{
  isc_free_string_list (args->excludes);
  args->excludes = NULL;
  args->n_excludes = 0;
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
  };
  struct isc_err err = ISC_ERR_INIT;
  CLEANUP_FREE_STRING_LIST char **paths = NULL;
  struct isc_image *images;
  size_t n, i;

  if (isc_inputs_expand (&err, argv, argc, &iopts, &paths, &n) == -1) {
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
    images[i].forced_format = args->forced;
  }
  *ret_n = n;
  return images;
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

json_t *
image_json (const struct isc_image *img)
{
  json_t *j = json_object ();

  json_object_set_new (j, "input", isc_json_string (img->path));
  if (img->info.format != ISC_FORMAT_UNKNOWN) {
    json_object_set_new (j, "input_format",
                         json_string (isc_format_name (img->info.format)));
    if (img->info.subformat[0])
      json_object_set_new (j, "input_subformat",
                           isc_json_string (img->info.subformat));
    json_object_set_new (j, "virtual_size",
                         json_integer ((json_int_t) img->info.virtual_size));
  }
  json_object_set_new (j, "status",
                       json_string (isc_image_status_name (img->status)));
  if (img->error)
    json_object_set_new (j, "error", isc_json_string (img->error));
  if (img->facts)
    json_object_set (j, "os", img->facts);
  return j;
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
