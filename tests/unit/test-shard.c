/* Unit tests for lib/outputs/shard.c: K/N parsing, --shard auto from each
 * engine's variables, and the balanced, order-independent partition. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "outputs/shard.h"
#include "unit.h"

static const char *const *fake_env;

static const char *
fake_getenv (const char *name)
{
  size_t len = strlen (name), i;

  for (i = 0; fake_env && fake_env[i]; ++i)
    if (strncmp (fake_env[i], name, len) == 0 && fake_env[i][len] == '=')
      return fake_env[i] + len + 1;
  return NULL;
}

/* K/N from ENV (and COUNT); -1 when refused. */
static int
from_env (const char *const *env, unsigned count, unsigned *k, unsigned *n)
{
  struct isc_err err = ISC_ERR_INIT;
  int r;

  fake_env = env;
  *k = *n = 0;
  r = isc_shard_from_env (&err, fake_getenv, count, k, n);
  isc_err_clear (&err);
  return r;
}

static void
test_parse (void)
{
  struct isc_err err = ISC_ERR_INIT;
  unsigned k = 0, n = 0;

  CHECK (isc_shard_parse (&err, "2/3", &k, &n) == 0 && k == 2 && n == 3);
  CHECK (isc_shard_parse (&err, "1/1", &k, &n) == 0 && k == 1 && n == 1);
  CHECK (isc_shard_parse (&err, "0/3", &k, &n) == -1);
  CHECK (isc_shard_parse (&err, "4/3", &k, &n) == -1);
  CHECK (isc_shard_parse (&err, "3", &k, &n) == -1);
  CHECK (isc_shard_parse (&err, "-1/3", &k, &n) == -1);
  CHECK (isc_shard_parse (&err, "1/3x", &k, &n) == -1);
  CHECK (isc_shard_parse (&err, "1/0", &k, &n) == -1);
  CHECK (isc_shard_parse (&err, "/3", &k, &n) == -1);
  CHECK (isc_shard_parse (&err, "1/100001", &k, &n) == -1);
  isc_err_clear (&err);
}

static void
test_env (void)
{
  static const char *const slurm[] = {
    "SLURM_ARRAY_TASK_ID=7", "SLURM_ARRAY_TASK_MIN=5",
    "SLURM_ARRAY_TASK_COUNT=4", NULL,
  };
  static const char *const slurm_alone[] = {
    "SLURM_ARRAY_TASK_ID=2", "SLURM_ARRAY_TASK_MIN=2",
    "SLURM_ARRAY_TASK_COUNT=1", NULL,
  };
  static const char *const slurm_partial[] = { "SLURM_ARRAY_TASK_ID=2", NULL };
  static const char *const k8s[] = { "JOB_COMPLETION_INDEX=0", NULL };
  static const char *const k8s_count[] = {
    "JOB_COMPLETION_INDEX=4", "IMGSCRUB_SHARD_COUNT=5", NULL,
  };
  static const char *const aws[] = {
    "AWS_BATCH_JOB_ARRAY_INDEX=2", "IMGSCRUB_SHARD_COUNT=3", NULL,
  };
  static const char *const bad_count[] = {
    "JOB_COMPLETION_INDEX=0", "IMGSCRUB_SHARD_COUNT=three", NULL,
  };
  static const char *const none[] = { "HOME=/root", NULL };
  unsigned k, n;

  CHECK (from_env (slurm, 0, &k, &n) == 0 && k == 3 && n == 4);
  /* One task of a 1-N array run again alone: the count says N. */
  CHECK (from_env (slurm_alone, 0, &k, &n) == 0 && k == 1 && n == 1);
  CHECK (from_env (slurm_alone, 3, &k, &n) == 0 && k == 2 && n == 3);
  CHECK (from_env (slurm_alone, 1, &k, &n) == -1);
  CHECK (from_env (slurm_partial, 0, &k, &n) == -1);
  CHECK (from_env (k8s, 0, &k, &n) == -1);        /* no count */
  CHECK (from_env (k8s, 2, &k, &n) == 0 && k == 1 && n == 2);
  CHECK (from_env (k8s_count, 0, &k, &n) == 0 && k == 5 && n == 5);
  CHECK (from_env (k8s_count, 4, &k, &n) == -1);  /* index 4 of 4 */
  CHECK (from_env (aws, 0, &k, &n) == 0 && k == 3 && n == 3);
  CHECK (from_env (bad_count, 0, &k, &n) == -1);
  /* No engine: never a shard picked silently. */
  CHECK (from_env (none, 0, &k, &n) == -1);
  CHECK (from_env (none, 3, &k, &n) == -1);
}

/* A deterministic pseudo-random size: images from 1 MiB to 4 GiB. */
static uint64_t
size_of (size_t i, unsigned seed)
{
  uint64_t x = (i + 1) * 6364136223846793005ULL + seed * 1442695040888963407ULL;

  x ^= x >> 33;
  return (1ULL << 20) + x % (4ULL << 30);
}

static void
test_partition (void)
{
  static const unsigned counts[] = { 1, 2, 3, 7, 50, 200 };
  struct isc_err err = ISC_ERR_INIT;
  size_t n_items = 1000, i, c;
  char **names = calloc (n_items, sizeof *names);
  char **rev_names = calloc (n_items, sizeof *rev_names);
  uint64_t *sizes = calloc (n_items, sizeof *sizes);
  uint64_t *rev_sizes = calloc (n_items, sizeof *rev_sizes);
  unsigned *shard = calloc (n_items, sizeof *shard);
  unsigned *rev_shard = calloc (n_items, sizeof *rev_shard);

  for (i = 0; i < n_items; ++i) {
    if (asprintf (&names[i], "images/img-%04zu.vhd", i) == -1)
      abort ();
    /* Every tenth image the same size as the one before: ties. */
    sizes[i] = i % 10 == 9 ? sizes[i - 1] : size_of (i, 1);
    rev_names[n_items - 1 - i] = names[i];
    rev_sizes[n_items - 1 - i] = sizes[i];
  }
  for (c = 0; c < sizeof counts / sizeof counts[0]; ++c) {
    unsigned count = counts[c], s;
    uint64_t load[200] = { 0 }, total = 0, largest = 0;
    size_t per[200] = { 0 };
    int same = 1, balanced = 1, all = 1;

    CHECK (isc_shard_partition (&err, names, sizes, n_items, count,
                                shard) == 0);
    CHECK (isc_shard_partition (&err, rev_names, rev_sizes, n_items, count,
                                rev_shard) == 0);
    for (i = 0; i < n_items; ++i) {
      if (shard[i] < 1 || shard[i] > count) {
        all = 0;
        continue;
      }
      load[shard[i] - 1] += sizes[i];
      per[shard[i] - 1]++;
      total += sizes[i];
      if (sizes[i] > largest)
        largest = sizes[i];
      /* The input order does not matter: the same split. */
      if (rev_shard[n_items - 1 - i] != shard[i])
        same = 0;
    }
    CHECK (all);
    CHECK (same);
    /* Within one image of the mean: |load * count - total| <= largest
     * * count, in integers. */
    for (s = 0; s < count; ++s) {
      uint64_t a = load[s] * count, b = total;

      if ((a > b ? a - b : b - a) > largest * count)
        balanced = 0;
      if (per[s] == 0)
        balanced = 0;
    }
    CHECK (balanced);
  }

  /* More shards than images: the extra ones are empty, each image in
   * exactly one. */
  {
    uint64_t three[] = { 5, 5, 9 };
    char *three_names[] = { "b", "a", "c" };
    unsigned got[3];

    CHECK (isc_shard_partition (&err, three_names, three, 3, 5, got) == 0);
    /* Largest first: c to 1; then a (5, name order) to 2, b to 3. */
    CHECK (got[2] == 1 && got[1] == 2 && got[0] == 3);
  }
  /* No images at all. */
  CHECK (isc_shard_partition (&err, names, sizes, 0, 3, shard) == 0);

  for (i = 0; i < n_items; ++i)
    free (names[i]);
  free (names);
  free (rev_names);
  free (sizes);
  free (rev_sizes);
  free (shard);
  free (rev_shard);
  isc_err_clear (&err);
}

static void
test_names (void)
{
  char *s;
  unsigned k = 0, n = 0;

  s = isc_shard_manifest_name (2, 12);
  CHECK_STREQ (s, "manifest.shard-2-of-12.json");
  CHECK (isc_shard_manifest_name_parse (s, &k, &n) == 0 && k == 2 && n == 12);
  free (s);
  CHECK (isc_shard_manifest_name_parse ("manifest.shard-02-of-12.json", &k, &n) == -1);
  CHECK (isc_shard_manifest_name_parse ("manifest.shard-3-of-2.json", &k, &n) == -1);
  CHECK (isc_shard_manifest_name_parse ("manifest.shard-1-of-2.json~", &k, &n) == -1);
  CHECK (isc_shard_manifest_name_parse ("manifest.json", &k, &n) == -1);

  s = isc_shard_path ("out/release.tar.zst", 1, 3);
  CHECK_STREQ (s, "out/release.shard-1-of-3.tar.zst");
  free (s);
  s = isc_shard_path ("release.ZIP", 3, 3);
  CHECK_STREQ (s, "release.shard-3-of-3.ZIP");
  free (s);
  s = isc_shard_path ("dir.tar/bundle", 2, 3);
  CHECK_STREQ (s, "dir.tar/bundle.shard-2-of-3");
  free (s);
  s = isc_shard_path ("a/.tar", 2, 3);
  CHECK_STREQ (s, "a/.tar.shard-2-of-3");
  free (s);
}

static void
test_same_profiles (void)
{
  json_t *a = json_loads ("[{\"name\": \"p\", \"sha256\": \"aa\"}, "
                          "{\"name\": \"q\", \"sha256\": \"bb\"}]", 0, NULL);
  json_t *renamed = json_loads ("[{\"name\": \"x\", \"sha256\": \"aa\"}, "
                                "{\"name\": \"y\", \"sha256\": \"bb\"}]", 0, NULL);
  json_t *swapped = json_loads ("[{\"sha256\": \"bb\"}, {\"sha256\": \"aa\"}]",
                                0, NULL);
  json_t *fewer = json_loads ("[{\"sha256\": \"aa\"}]", 0, NULL);

  CHECK (isc_shard_same_profiles (a, a));
  CHECK (isc_shard_same_profiles (a, renamed));   /* by content */
  CHECK (!isc_shard_same_profiles (a, swapped));  /* order matters */
  CHECK (!isc_shard_same_profiles (a, fewer));
  CHECK (!isc_shard_same_profiles (a, NULL));
  json_decref (a);
  json_decref (renamed);
  json_decref (swapped);
  json_decref (fewer);
}

int
main (void)
{
  test_parse ();
  test_env ();
  test_partition ();
  test_names ();
  test_same_profiles ();
  return unit_finish ("test-shard");
}
