/* imgscrub merge: once every task of a sharded scrub (--shard K/N) has
 * written its OUTDIR/manifest.shard-K-of-N.json, write the one
 * OUTDIR/manifest.json of the whole run, refusing shards that do not
 * make one run. */
#include <config.h>

#include <dirent.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/atomic.h"
#include "util/cleanups.h"
#include "commands.h"
#include "common.h"
#include "util/escape.h"
#include "outputs/manifest.h"
#include "output.h"
#include "outputs/shard.h"
#include "util/hostfile.h"

/* Largest shard manifest read (a manifest of 100,000 images is some
 * 100 MiB). */
#define MAX_SHARD_BYTES (1024 * 1024 * 1024)

static void
usage (void)
{
  printf ("Usage: %s merge [--manifest FILE] OUTDIR\n"
          "\n"
          "Merge the manifests the tasks of a sharded scrub ('%s scrub --shard\n"
          "K/N -o OUTDIR') wrote, OUTDIR/manifest.shard-K-of-N.json, into one\n"
          "OUTDIR/manifest.json listing every image once, with each shard's\n"
          "archives.  Refused, with nothing written, when a shard is missing,\n"
          "when two shards list one image, or when the shards disagree on N,\n"
          "on the inputs, on the mode or on the profiles (by SHA-256).\n"
          "\n"
          "Options:\n"
          "  --manifest FILE         write the merged manifest to FILE ('-' for\n"
          "                          stdout; default OUTDIR/manifest.json)\n"
          "  -h, --help              this help\n"
          "\n"
          "Exit status: 0 every image ok, 1 some image or archive failed in\n"
          "some shard, 2 usage error or shards refused, 3 internal error.\n",
          program_name, program_name);
}

struct shard {
  unsigned k, n;
  char *name;                       /* manifest.shard-K-of-N.json */
  json_t *manifest;
};

struct claim {
  const char *input;
  unsigned k;
  json_t *entry;
};

static int
compare_shards (const void *a, const void *b)
{
  const struct shard *x = a, *y = b;

  if (x->n != y->n)
    return x->n < y->n ? -1 : 1;
  return x->k < y->k ? -1 : x->k > y->k;
}

static int
compare_claims (const void *a, const void *b)
{
  const struct claim *x = a, *y = b;
  int c = strcmp (x->input, y->input);

  return c ? c : x->k < y->k ? -1 : x->k > y->k;
}

/* Refuse: print "imgscrub: 'OBJECT': MSG" and count it. */
static void
refuse (size_t *refusals, const char *object, const char *fmt, ...)
  __attribute__((format (printf, 3, 4)));

static void
refuse (size_t *refusals, const char *object, const char *fmt, ...)
{
  va_list args;
  char *msg;

  va_start (args, fmt);
  if (vasprintf (&msg, fmt, args) == -1)
    msg = NULL;
  va_end (args);
  out_error (object, msg ? msg : "out of memory");
  free (msg);
  ++*refusals;
}

/* Every manifest.shard-K-of-N.json in DIR, sorted by N then K. */
static int
find_shards (const char *dir, struct shard **ret, size_t *ret_n)
{
  DIR *d = opendir (dir);
  struct dirent *e;
  struct shard *shards = NULL;
  size_t n = 0;

  if (!d) {
    out_error (dir, "cannot read the folder");
    return -1;
  }
  while ((e = readdir (d)) != NULL) {
    unsigned k, count;
    struct shard *p;

    if (isc_shard_manifest_name_parse (e->d_name, &k, &count) == -1)
      continue;
    p = realloc (shards, (n + 1) * sizeof *p);
    if (!p || !(p[n].name = strdup (e->d_name))) {
      free (p ? p : shards);
      closedir (d);
      out_error (NULL, "out of memory");
      return -1;
    }
    shards = p;
    shards[n].k = k;
    shards[n].n = count;
    shards[n].manifest = NULL;
    n++;
  }
  closedir (d);
  if (n)
    qsort (shards, n, sizeof *shards, compare_shards);
  *ret = shards;
  *ret_n = n;
  return 0;
}

/* N: all shards must say the same; and each of 1..N must be there. */
static void
check_complete (const char *dir, const struct shard *shards, size_t n,
                size_t *refusals)
{
  size_t i, missing = 0;
  unsigned count = shards[0].n, k;
  char *list = NULL;

  for (i = 1; i < n; ++i)
    if (shards[i].n != count) {
      refuse (refusals, dir, "the shards disagree on N: %s says %u, %s "
              "says %u (remove the manifests of the other run)",
              shards[0].name, count, shards[i].name, shards[i].n);
      return;
    }
  for (k = 1, i = 0; k <= count; ++k) {
    if (i < n && shards[i].k == k) {
      i++;
      continue;
    }
    if (++missing <= 20) {
      char *name = isc_shard_manifest_name (k, count), *l;

      if (!name || asprintf (&l, "%s%s%s", list ? list : "",
                             list ? ", " : "", name) == -1)
        abort ();
      free (list);
      free (name);
      list = l;
    }
  }
  if (missing)
    refuse (refusals, dir, "%zu of %u shards missing: %s%s", missing, count,
            list, missing > 20 ? ", ..." : "");
  free (list);
}

static int
load_shards (const char *dir, struct shard *shards, size_t n,
             size_t *refusals)
{
  size_t i;

  for (i = 0; i < n; ++i) {
    CLEANUP_FREE char *path = NULL;
    CLEANUP_FREE unsigned char *data = NULL;
    struct isc_err err = ISC_ERR_INIT;
    json_error_t jerr;
    size_t len = 0;
    json_t *sh;

    if (asprintf (&path, "%s/%s", dir, shards[i].name) == -1) {
      path = NULL;
      out_error (NULL, "out of memory");
      return -1;
    }
    /* Not json_load_file: a FIFO would block it and a symbolic link be
     * followed, its target's first token quoted in the error. */
    if (isc_read_host_file (&err, path, MAX_SHARD_BYTES, &data,
                            &len) == -1) {
      refuse (refusals, NULL, "%s", isc_err_msg (&err));
      isc_err_clear (&err);
      continue;
    }
    shards[i].manifest = json_loadb ((const char *) data, len,
                                     JSON_REJECT_DUPLICATES, &jerr);
    if (!shards[i].manifest) {
      refuse (refusals, path, "not a manifest: line %d: %s", jerr.line,
              jerr.text);
      continue;
    }
    sh = json_object_get (shards[i].manifest, "shard");
    if (json_integer_value (json_object_get (sh, "index")) != shards[i].k ||
        json_integer_value (json_object_get (sh, "count")) != shards[i].n ||
        !json_is_array (json_object_get (shards[i].manifest, "images")))
      refuse (refusals, path, "its \"shard\" field does not say shard %u of "
              "%u, or it lists no images", shards[i].k, shards[i].n);
  }
  return 0;
}

/* Each shard's summary against its images: the merged counts are the
 * images' own (SUM: {"ok", "failed", "skipped"}), and a summary that
 * says otherwise, or is not three non-negative integers, is refused
 * (trusting it let "failed": -1 or a huge count hide a failed image
 * and exit 0).  Counted as isc_manifest_finish counts: neither "ok"
 * nor "skipped" is failed. */
static void
check_summaries (const struct shard *shards, size_t n, json_int_t sum[3],
                 size_t *refusals)
{
  static const char *const keys[3] = { "ok", "failed", "skipped" };
  size_t i, j, k;

  sum[0] = sum[1] = sum[2] = 0;
  for (i = 0; i < n; ++i) {
    json_t *summary = json_object_get (shards[i].manifest, "summary");
    json_int_t count[3] = { 0, 0, 0 };
    json_t *entry;

    json_array_foreach (json_object_get (shards[i].manifest, "images"), j,
                        entry) {
      const char *st = json_string_value (json_object_get (entry, "status"));

      count[st && strcmp (st, "ok") == 0 ? 0
            : st && strcmp (st, "skipped") == 0 ? 2 : 1]++;
    }
    for (k = 0; k < 3; ++k) {
      json_t *v = json_object_get (summary, keys[k]);

      if (!json_is_integer (v) || json_integer_value (v) < 0)
        refuse (refusals, shards[i].name, "its summary's \"%s\" is not a "
                "count (a non-negative integer)", keys[k]);
      else if (json_integer_value (v) != count[k])
        refuse (refusals, shards[i].name, "its summary says %"
                JSON_INTEGER_FORMAT " %s, its images say %" JSON_INTEGER_FORMAT,
                json_integer_value (v), keys[k], count[k]);
      sum[k] += count[k];
    }
  }
}

/* "name sha256, ..." of a manifest's profiles; the caller frees it. */
static char *
profile_list (json_t *manifest)
{
  json_t *p;
  size_t i;
  char *s = strdup ("");

  json_array_foreach (json_object_get (manifest, "profiles"), i, p) {
    char *t;

    if (!s || asprintf (&t, "%s%s%s %s", s, i ? ", " : "",
                        json_string_value (json_object_get (p, "name")),
                        json_string_value (json_object_get (p, "sha256"))) == -1)
      abort ();
    free (s);
    s = t;
  }
  return s;
}

/* Profiles, mode and input count: as shard 1 says. */
static void
check_agree (const struct shard *shards, size_t n, size_t *refusals)
{
  json_t *first = shards[0].manifest;
  size_t i;

  for (i = 1; i < n; ++i) {
    json_t *m = shards[i].manifest;

    if (!isc_shard_same_profiles (json_object_get (first, "profiles"),
                                  json_object_get (m, "profiles"))) {
      CLEANUP_FREE char *a = profile_list (first);
      CLEANUP_FREE char *b = profile_list (m);

      refuse (refusals, NULL, "the shards disagree on the profiles: %s used "
              "%s; %s used %s", shards[0].name, a, shards[i].name, b);
    }
    if (!json_equal (json_object_get (first, "mode"), json_object_get (m, "mode")))
      refuse (refusals, NULL, "the shards disagree on the mode: %s is %s, %s "
              "is %s", shards[0].name,
              json_string_value (json_object_get (first, "mode")),
              shards[i].name, json_string_value (json_object_get (m, "mode")));
    if (!json_equal (json_object_get (json_object_get (first, "shard"), "inputs"),
                     json_object_get (json_object_get (m, "shard"), "inputs")))
      refuse (refusals, NULL, "the shards disagree on the inputs: %s split "
              "%" JSON_INTEGER_FORMAT " images, %s %" JSON_INTEGER_FORMAT,
              shards[0].name,
              json_integer_value (json_object_get (json_object_get (first, "shard"), "inputs")),
              shards[i].name,
              json_integer_value (json_object_get (json_object_get (m, "shard"), "inputs")));
  }
}

/* Every image of every shard, sorted by input; refuses an image two
 * shards list, and a total other than the inputs the shards split. */
static struct claim *
collect_images (const struct shard *shards, size_t n, size_t *ret_n,
                size_t *refusals)
{
  struct claim *claims;
  size_t total = 0, i, j, c = 0;
  json_t *entry;

  for (i = 0; i < n; ++i)
    total += json_array_size (json_object_get (shards[i].manifest, "images"));
  claims = calloc (total ? total : 1, sizeof *claims);
  if (!claims)
    abort ();
  for (i = 0; i < n; ++i)
    json_array_foreach (json_object_get (shards[i].manifest, "images"), j, entry) {
      const char *input = json_string_value (json_object_get (entry, "input"));

      if (!input) {
        refuse (refusals, shards[i].name, "image %zu has no input", j);
        continue;
      }
      claims[c].input = input;
      claims[c].k = shards[i].k;
      claims[c].entry = entry;
      c++;
    }
  qsort (claims, c, sizeof *claims, compare_claims);
  for (i = 1; i < c; ++i)
    if (strcmp (claims[i].input, claims[i - 1].input) == 0)
      refuse (refusals, claims[i].input, "listed by two shards: %u and %u "
              "(of %u)", claims[i - 1].k, claims[i].k, shards[0].n);
  if ((json_int_t) c != json_integer_value (json_object_get (json_object_get (shards[0].manifest, "shard"), "inputs")) && !*refusals)
    refuse (refusals, NULL, "the shards list %zu images, but split %"
            JSON_INTEGER_FORMAT, c,
            json_integer_value (json_object_get (json_object_get (shards[0].manifest, "shard"), "inputs")));
  *ret_n = c;
  return claims;
}

/* The merged manifest; *RET_FAILED: images or archives failed. */
static json_t *
merged_manifest (const struct shard *shards, size_t n,
                 const struct claim *claims, size_t n_claims,
                 const json_int_t counts[3], int *ret_failed)
{
  json_t *first = shards[0].manifest;
  json_t *m = json_pack ("{s:i, s:s, s:s, s:O, s:O}",
                         "schema", ISC_MANIFEST_SCHEMA, "tool", PACKAGE_NAME,
                         "version", PACKAGE_VERSION,
                         "mode", json_object_get (first, "mode"),
                         "profiles", json_object_get (first, "profiles"));
  json_t *images = json_array (), *list = json_array (), *archives = json_array ();
  json_t *sum = json_pack ("{s:I, s:I, s:I}", "ok", counts[0],
                           "failed", counts[1], "skipped", counts[2]);
  const char *started = NULL, *finished = NULL;
  int failed = 0, interrupted = 0;
  size_t i;

  for (i = 0; i < n_claims; ++i)
    json_array_append (images, claims[i].entry);
  for (i = 0; i < n; ++i) {
    json_t *s = shards[i].manifest;
    const char *st = json_string_value (json_object_get (s, "started"));
    const char *fi = json_string_value (json_object_get (s, "finished"));
    json_t *desc = json_pack ("{s:I, s:s}", "index", (json_int_t) shards[i].k,
                              "manifest", shards[i].name);
    static const char *const kinds[] = { "archive", "export_tree" };
    size_t a;

    /* ISO 8601 in UTC: earliest start and latest end as strings. */
    if (st && (!started || strcmp (st, started) < 0))
      started = st;
    if (fi && (!finished || strcmp (fi, finished) > 0))
      finished = fi;
    if (st)
      json_object_set_new (desc, "started", json_string (st));
    if (fi)
      json_object_set_new (desc, "finished", json_string (fi));
    json_object_set (desc, "summary", json_object_get (s, "summary"));
    for (a = 0; a < sizeof kinds / sizeof kinds[0]; ++a) {
      json_t *ar = json_object_get (s, kinds[a]);

      if (!ar)
        continue;
      ar = json_deep_copy (ar);
      json_object_set_new (ar, "kind", json_string (kinds[a]));
      json_object_set_new (ar, "shard", json_integer (shards[i].k));
      json_array_append_new (archives, ar);
      failed |= json_object_get (ar, "error") != NULL;
    }
    if (json_is_true (json_object_get (s, "interrupted"))) {
      json_object_set_new (desc, "interrupted", json_true ());
      interrupted = 1;
    }
    json_array_append_new (list, desc);
  }
  json_object_set_new (m, "started", json_string (started ? started : ""));
  json_object_set_new (m, "finished", json_string (finished ? finished : ""));
  json_object_set_new (m, "images", images);
  json_object_set_new (m, "shards", list);
  if (json_array_size (archives))
    json_object_set_new (m, "archives", archives);
  else
    json_decref (archives);
  if (interrupted)
    json_object_set_new (m, "interrupted", json_true ());
  failed |= interrupted || counts[1] > 0;
  json_object_set_new (m, "summary", sum);
  *ret_failed = failed;
  return m;
}

int
cmd_merge (int argc, char **argv)
{
  enum { OPT_MANIFEST = 256 };
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "manifest", required_argument, NULL, OPT_MANIFEST },
    { NULL, 0, NULL, 0 },
  };
  struct isc_err err = ISC_ERR_INIT;
  struct shard *shards = NULL;
  struct claim *claims = NULL;
  char *path = NULL, *text = NULL, *shown = NULL;
  const char *dir, *manifest_arg = NULL;
  size_t n = 0, n_claims = 0, refusals = 0, i;
  json_int_t counts[3] = { 0, 0, 0 };
  json_t *merged = NULL;
  int status = EXIT_INTERNAL, failed = 0, c;

  while ((c = getopt_long (argc, argv, "h", long_options, NULL)) != -1) {
    switch (c) {
    case 'h': usage (); return EXIT_OK;
    case OPT_MANIFEST: manifest_arg = optarg; break;
    default:
      return usage_error ("merge", "unrecognized option '%s'",
                          argv[optind - 1]);
    }
  }
  if (optind + 1 != argc)
    return usage_error ("merge", optind >= argc ? "no OUTDIR given"
                        : "one OUTDIR only");
  dir = argv[optind];
  run_signals ();
  if (find_shards (dir, &shards, &n) == -1) {
    status = EXIT_USAGE;
    goto out;
  }
  if (n == 0) {
    out_error (dir, "no shard manifests (manifest.shard-K-of-N.json) here");
    status = EXIT_USAGE;
    goto out;
  }
  check_complete (dir, shards, n, &refusals);
  if (refusals == 0 && load_shards (dir, shards, n, &refusals) == -1)
    goto out;
  if (refusals == 0)
    check_agree (shards, n, &refusals);
  if (refusals == 0)
    claims = collect_images (shards, n, &n_claims, &refusals);
  if (refusals == 0)
    check_summaries (shards, n, counts, &refusals);
  if (refusals) {
    out_error (dir, "shards refused: no manifest written");
    status = EXIT_USAGE;
    goto out;
  }

  /* Interrupted: nothing is written (the write itself is atomic). */
  if (run_interrupted)
    goto out;
  merged = merged_manifest (shards, n, claims, n_claims, counts, &failed);
  text = json_dumps (merged, JSON_INDENT (2) | JSON_ENSURE_ASCII |
                     JSON_SORT_KEYS);
  if (!text)
    goto out;
  if (manifest_arg && strcmp (manifest_arg, "-") == 0) {
    if (puts (text) == EOF)
      goto out;
  }
  else {
    if (manifest_arg)
      path = strdup (manifest_arg);
    else if (asprintf (&path, "%s/manifest.json", dir) == -1)
      path = NULL;
    if (!path)
      goto out;
    if (isc_atomic_write (&err, path, text, strlen (text)) == -1) {
      out_error (NULL, isc_err_msg (&err));
      goto out;
    }
  }
  shown = path ? isc_escape (path) : NULL;
  fprintf (stderr, "%s: merged %zu shards: %" JSON_INTEGER_FORMAT " ok, %"
           JSON_INTEGER_FORMAT " failed, %" JSON_INTEGER_FORMAT " skipped%s%s\n",
           program_name, n,
           json_integer_value (json_object_get (json_object_get (merged, "summary"), "ok")),
           json_integer_value (json_object_get (json_object_get (merged, "summary"), "failed")),
           json_integer_value (json_object_get (json_object_get (merged, "summary"), "skipped")),
           shown ? "; manifest: " : "", shown ? shown : "");
  status = failed ? EXIT_IMAGE_FAILED : EXIT_OK;

 out:
  for (i = 0; i < n; ++i) {
    free (shards[i].name);
    json_decref (shards[i].manifest);
  }
  free (shards);
  free (claims);
  free (path);
  free (text);
  free (shown);
  json_decref (merged);
  isc_err_clear (&err);
  if (fflush (stdout) == EOF && status == EXIT_OK)
    status = EXIT_INTERNAL;
  return run_status (status);
}
