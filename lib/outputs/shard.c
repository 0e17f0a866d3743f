/* imgscrub: --shard K/N: which images a shard takes, and the names of
 * its manifests. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "outputs/shard.h"
#include "util/error.h"

/* A decimal number from MIN to MAX, the whole of S. */
static int
parse_number (const char *s, unsigned long min, unsigned long max,
              unsigned *ret)
{
  char *end;
  unsigned long v;

  if (!s || s[0] < '0' || s[0] > '9')
    return -1;
  errno = 0;
  v = strtoul (s, &end, 10);
  if (errno || *end || v < min || v > max)
    return -1;
  *ret = v;
  return 0;
}

int
isc_shard_parse (struct isc_err *err, const char *arg, unsigned *ret_k,
                 unsigned *ret_n)
{
  const char *slash = strchr (arg, '/');
  char k_text[16];
  unsigned k, n;

  if (!slash || (size_t) (slash - arg) >= sizeof k_text)
    return isc_error (err, arg, "not K/N (shard K of N, from 1)");
  memcpy (k_text, arg, slash - arg);
  k_text[slash - arg] = '\0';
  if (parse_number (slash + 1, 1, ISC_SHARD_MAX, &n) == -1)
    return isc_error (err, arg, "N is not a number from 1 to %u",
                      ISC_SHARD_MAX);
  if (parse_number (k_text, 1, n, &k) == -1)
    return isc_error (err, arg, "K is not a number from 1 to %u", n);
  *ret_k = k;
  *ret_n = n;
  return 0;
}

int
isc_shard_from_env (struct isc_err *err,
                    const char *(*getenv_fn) (const char *), unsigned count,
                    unsigned *ret_k, unsigned *ret_n)
{
  static const char *const indexed[] = {
    "JOB_COMPLETION_INDEX",         /* Kubernetes Indexed Job */
    "AWS_BATCH_JOB_ARRAY_INDEX",    /* AWS Batch array job */
  };
  const char *env_count = getenv_fn ("IMGSCRUB_SHARD_COUNT");
  const char *id = getenv_fn ("SLURM_ARRAY_TASK_ID");
  unsigned v, min, k;
  size_t i;

  if (count == 0 && env_count && env_count[0] &&
      parse_number (env_count, 1, ISC_SHARD_MAX, &count) == -1)
    return isc_error (err, env_count, "IMGSCRUB_SHARD_COUNT is not a number "
                      "from 1 to %u", ISC_SHARD_MAX);
  if (id && id[0]) {
    if (parse_number (id, 0, UINT32_MAX, &v) == -1)
      return isc_error (err, id, "SLURM_ARRAY_TASK_ID is not a number");
    if (count) {
      /* One task of an array numbered 1-N run again on its own
       * (sbatch --array=K): Slurm's own count is then 1. */
      if (v < 1 || v > count)
        return isc_error (err, id, "SLURM_ARRAY_TASK_ID is not from 1 to "
                          "the shard count %u (with a count given, the "
                          "array is numbered 1-N)", count);
      *ret_k = v;
      *ret_n = count;
      return 0;
    }
    if (parse_number (getenv_fn ("SLURM_ARRAY_TASK_MIN"), 0, v, &min) == -1 ||
        parse_number (getenv_fn ("SLURM_ARRAY_TASK_COUNT"), 1, ISC_SHARD_MAX,
                      &count) == -1)
      return isc_error (err, NULL, "SLURM_ARRAY_TASK_ID is set but "
                        "SLURM_ARRAY_TASK_MIN or SLURM_ARRAY_TASK_COUNT is "
                        "missing or wrong");
    if (v - min + 1 > count)
      return isc_error (err, id, "SLURM_ARRAY_TASK_ID minus "
                        "SLURM_ARRAY_TASK_MIN is not below "
                        "SLURM_ARRAY_TASK_COUNT (an array with a step? give "
                        "--shard K/N)");
    *ret_k = v - min + 1;
    *ret_n = count;
    return 0;
  }
  for (i = 0; i < sizeof indexed / sizeof indexed[0]; ++i) {
    const char *index = getenv_fn (indexed[i]);

    if (!index || !index[0])
      continue;
    if (count == 0)
      return isc_error (err, NULL, "%s is set but the number of shards is "
                        "not: give --shard-count N or set "
                        "IMGSCRUB_SHARD_COUNT", indexed[i]);
    if (parse_number (index, 0, count - 1, &k) == -1)
      return isc_error (err, index, "%s is not a number from 0 to %u",
                        indexed[i], count - 1);
    *ret_k = k + 1;
    *ret_n = count;
    return 0;
  }
  return isc_error (err, NULL, "no array job variable is set "
                    "(SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, "
                    "AWS_BATCH_JOB_ARRAY_INDEX)");
}

struct item {
  const char *name;
  uint64_t size;
  size_t index;
};

static int
compare_items (const void *a, const void *b)
{
  const struct item *x = a, *y = b;

  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  return strcmp (x->name, y->name);
}

int
isc_shard_partition (struct isc_err *err, char *const *names,
                     const uint64_t *sizes, size_t n_items, unsigned count,
                     unsigned *ret_shard)
{
  struct item *items = calloc (n_items ? n_items : 1, sizeof *items);
  uint64_t *load = calloc (count ? count : 1, sizeof *load);
  size_t i;
  unsigned s, best;

  if (!items || !load) {
    free (items);
    free (load);
    return isc_error_oom (err, NULL);
  }
  for (i = 0; i < n_items; ++i) {
    items[i].name = names[i];
    items[i].size = sizes[i];
    items[i].index = i;
  }
  qsort (items, n_items, sizeof *items, compare_items);
  /* A linear scan for the lightest shard: N is at most a few thousand
   * tasks in practice, and every task does this once. */
  for (i = 0; i < n_items; ++i) {
    best = 0;
    for (s = 1; s < count; ++s)
      if (load[s] < load[best])
        best = s;
    load[best] += items[i].size;
    ret_shard[items[i].index] = best + 1;
  }
  free (items);
  free (load);
  return 0;
}

char *
isc_shard_manifest_name (unsigned k, unsigned n)
{
  char *s;

  if (asprintf (&s, "manifest.shard-%u-of-%u.json", k, n) == -1)
    return NULL;
  return s;
}

int
isc_shard_manifest_name_parse (const char *name, unsigned *ret_k,
                               unsigned *ret_n)
{
  unsigned k, n;
  int end = 0;

  if (sscanf (name, "manifest.shard-%u-of-%u.json%n", &k, &n, &end) != 2 ||
      end == 0 || name[end] || k < 1 || k > n || n > ISC_SHARD_MAX)
    return -1;
  /* Only the canonical spelling: no leading zeros or signs. */
  {
    char *canon = isc_shard_manifest_name (k, n);
    int same = canon && strcmp (canon, name) == 0;

    free (canon);
    if (!same)
      return -1;
  }
  *ret_k = k;
  *ret_n = n;
  return 0;
}

char *
isc_shard_path (const char *path, unsigned k, unsigned n)
{
  static const char *const exts[] = {
    ".tar.gz", ".tar.xz", ".tar.zst", ".tgz", ".txz", ".tzst", ".tar", ".zip",
  };
  const char *base = strrchr (path, '/');
  size_t len = strlen (path), at = len, i;
  char *s;

  base = base ? base + 1 : path;
  for (i = 0; i < sizeof exts / sizeof exts[0]; ++i) {
    size_t elen = strlen (exts[i]);

    if (len - (base - path) > elen &&
        strcasecmp (path + len - elen, exts[i]) == 0) {
      at = len - elen;
      break;
    }
  }
  if (asprintf (&s, "%.*s.shard-%u-of-%u%s", (int) at, path, k, n,
                path + at) == -1)
    return NULL;
  return s;
}

int
isc_shard_same_profiles (json_t *a, json_t *b)
{
  size_t i;

  if (!json_is_array (a) || !json_is_array (b) ||
      json_array_size (a) != json_array_size (b))
    return 0;
  for (i = 0; i < json_array_size (a); ++i) {
    const char *x = json_string_value (json_object_get (json_array_get (a, i),
                                                        "sha256"));
    const char *y = json_string_value (json_object_get (json_array_get (b, i),
                                                        "sha256"));

    if (!x || !y || strcmp (x, y) != 0)
      return 0;
  }
  return 1;
}
