/* imgscrub audit: read each image's machine identities (read-only, many
 * images per appliance) and report every value that two or more images
 * share: the clones that still need scrubbing. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/atomic.h"
#include "outputs/audit-merge.h"
#include "util/cleanups.h"
#include "commands.h"
#include "common.h"
#include "run/engine.h"
#include "util/escape.h"
#include "outputs/manifest.h"
#include "output.h"
#include "profiles/profile.h"
#include "util/status.h"

static void
usage (void)
{
  printf ("Usage: %s audit [-p PROFILE...] [--json] [OPTIONS] IMAGE|FOLDER...\n"
          "       %s audit --merge [--json] FILE...\n"
          "\n"
          "Read each image's machine identities, read-only, and report every\n"
          "identity value that two or more images share.  The identities are\n"
          "those the profiles declare ('identity' sections: registry values and\n"
          "files) and built-in ones: computer name, Linux machine ID, the\n"
          "Configuration Manager client ID in SMSCFG.ini, SSH host key\n"
          "fingerprints and filesystem UUIDs.  Empty values are not compared.\n"
          "\n"
          "Options:\n"
          "  -p, --profile NAME|FILE  read the identities this profile declares\n"
          "                          (repeatable; default: every profile on the\n"
          "                          search path, see '%s profiles list')\n"
          "  --json                  one JSON document on stdout:\n"
          "                          {\"images\": [...], \"duplicates\": [...]}\n"
          "  --identities-out FILE   also write the identity table to FILE, one\n"
          "                          JSON object a line, for --merge\n"
          SHARD_OPTIONS_HELP
          "  --merge                 the arguments are identity tables, one per\n"
          "                          shard (--shard K/N --identities-out FILE):\n"
          "                          report what images of any shards share\n"
          COMMON_ENGINE_OPTIONS_HELP
          "  -h, --help              this help\n"
          "\n"
          "Exit status: 0 every image audited and no identity shared; 1 some\n"
          "identity is shared by two or more images, or some image (or\n"
          "identity) could not be read (reported, the others still are);\n"
          "2 usage or profile error, or --merge refused the tables (a shard\n"
          "missing or read twice, an image in two shards, shards that\n"
          "disagree on N, the inputs or the profiles); 3 internal error;\n"
          "130 interrupted.\n",
          program_name, program_name, program_name);
}

/* ---- duplicates --------------------------------------------------------- */

struct occurrence {
  const char *identity;
  const char *value;
  size_t image;
};

static int
compare_occurrences (const void *a, const void *b)
{
  const struct occurrence *x = a, *y = b;
  int c = strcmp (x->identity, y->identity);

  if (c == 0)
    c = strcmp (x->value, y->value);
  if (c == 0)
    c = x->image < y->image ? -1 : x->image > y->image;
  return c;
}

/* Every (identity, value) found in two or more images, sorted by
 * identity then value, each with its images in input order:
 * [{"identity", "value", "images": [INPUT...]}].  New reference. */
static json_t *
find_duplicates (const struct isc_image *images, size_t n)
{
  struct occurrence *occ = NULL;
  size_t n_occ = 0, i, j, k;
  json_t *dups = json_array (), *id;

  if (!dups)
    abort ();
  for (i = 0; i < n; ++i)
    n_occ += json_array_size (images[i].identities);
  occ = calloc (n_occ ? n_occ : 1, sizeof *occ);
  if (!occ)
    abort ();
  n_occ = 0;
  for (i = 0; i < n; ++i)
    json_array_foreach (images[i].identities, j, id) {
      const char *name = json_string_value (json_object_get (id, "identity"));
      const char *value = json_string_value (json_object_get (id, "value"));

      /* An emptied machine-id is what scrubbing leaves: no identity. */
      if (name && value && value[0]) {
        occ[n_occ].identity = name;
        occ[n_occ].value = value;
        occ[n_occ].image = i;
        n_occ++;
      }
    }
  qsort (occ, n_occ, sizeof *occ, compare_occurrences);
  for (i = 0; i < n_occ; i = j) {
    size_t n_images = 1;

    for (j = i + 1; j < n_occ && strcmp (occ[j].identity, occ[i].identity) == 0
           && strcmp (occ[j].value, occ[i].value) == 0; ++j)
      if (occ[j].image != occ[j - 1].image)
        n_images++;
    if (n_images > 1) {
      json_t *list = json_array ();

      for (k = i; k < j; ++k)
        if (k == i || occ[k].image != occ[k - 1].image)
          json_array_append_new (list, isc_json_string (images[occ[k].image].path));
      json_array_append_new (dups,
                             json_pack ("{s:o, s:o, s:o}",
                                        "identity", isc_json_string (occ[i].identity),
                                        "value", isc_json_string (occ[i].value),
                                        "images", list));
    }
  }
  free (occ);
  return dups;
}

/* ---- the table ---------------------------------------------------------- */

#define MAX_NAME_COLUMN 24
#define MAX_VALUE_COLUMN 52

/* S escaped for the terminal, cut to about MAX bytes at a character
 * boundary with "..." appended.  The caller frees it. */
static char *
display (const char *s, size_t max)
{
  char *e = isc_escape (s ? s : "");
  size_t len = strlen (e);

  if (len > max) {
    len = max - 3;
    while (len > 0 && ((unsigned char) e[len] & 0xc0) == 0x80)
      len--;
    strcpy (e + len, "...");
  }
  return e;
}

static const char *
entry_value (json_t *id)
{
  const char *error = json_string_value (json_object_get (id, "error"));
  const char *value = json_string_value (json_object_get (id, "value"));

  if (error)
    return "(unreadable)";
  return value && value[0] ? value : "(empty)";
}

static void
print_images (const struct isc_image *images, size_t n)
{
  size_t name_w = 8, value_w = 5, i, j;
  json_t *id;

  for (i = 0; i < n; ++i)
    json_array_foreach (images[i].identities, j, id) {
      CLEANUP_FREE char *name =
        display (json_string_value (json_object_get (id, "identity")),
                 MAX_NAME_COLUMN);
      CLEANUP_FREE char *value = display (entry_value (id), MAX_VALUE_COLUMN);

      if (strlen (name) > name_w)
        name_w = strlen (name);
      if (strlen (value) > value_w)
        value_w = strlen (value);
    }
  for (i = 0; i < n; ++i) {
    CLEANUP_FREE char *path = isc_escape (images[i].path);

    if (i > 0)
      putchar ('\n');
    if (images[i].status != ISC_IMAGE_OK) {
      CLEANUP_FREE char *error = isc_escape (images[i].error ? images[i].error
                                             : "failed");

      printf ("%s: %s: %s\n", path, isc_image_status_name (images[i].status),
              error);
      continue;
    }
    printf ("%s:\n", path);
    if (json_array_size (images[i].identities) == 0)
      printf ("  (no identity found)\n");
    json_array_foreach (images[i].identities, j, id) {
      const char *error = json_string_value (json_object_get (id, "error"));
      CLEANUP_FREE char *name =
        display (json_string_value (json_object_get (id, "identity")),
                 MAX_NAME_COLUMN);
      CLEANUP_FREE char *value = display (entry_value (id), MAX_VALUE_COLUMN);
      CLEANUP_FREE char *where =
        isc_escape (json_string_value (json_object_get (id, "where")));
      CLEANUP_FREE char *why = error ? isc_escape (error) : NULL;

      printf ("  %-*s  %-*s  %s%s%s\n", (int) name_w, name, (int) value_w,
              value, where, why ? ": " : "", why ? why : "");
    }
  }
}

static void
print_duplicates (json_t *dups)
{
  json_t *d, *img;
  size_t i, j;

  if (json_array_size (dups) == 0) {
    printf ("\nNo identity is shared by two or more images.\n");
    return;
  }
  printf ("\n%zu identity value%s shared by two or more images:\n",
          json_array_size (dups), json_array_size (dups) == 1 ? "" : "s");
  json_array_foreach (dups, i, d) {
    CLEANUP_FREE char *name =
      display (json_string_value (json_object_get (d, "identity")), 64);
    CLEANUP_FREE char *value =
      display (json_string_value (json_object_get (d, "value")), 72);

    printf ("  %s = %s\n", name, value);
    json_array_foreach (json_object_get (d, "images"), j, img) {
      CLEANUP_FREE char *path = isc_escape (json_string_value (img));

      printf ("    %s\n", path);
    }
  }
}

/* Report on stderr what could not be read; returns how many. */
static size_t
report_errors (const struct isc_image *images, size_t n)
{
  size_t errors = 0, i, j;
  json_t *id;

  for (i = 0; i < n; ++i) {
    if (images[i].status != ISC_IMAGE_OK) {
      out_error (images[i].path, images[i].error ? images[i].error : "failed");
      errors++;
      continue;
    }
    json_array_foreach (images[i].identities, j, id) {
      const char *error = json_string_value (json_object_get (id, "error"));
      char *msg;

      if (!error)
        continue;
      if (asprintf (&msg, "identity %s at %s: %s",
                    json_string_value (json_object_get (id, "identity")),
                    json_string_value (json_object_get (id, "where")),
                    error) == -1)
        abort ();
      out_error (images[i].path, msg);
      free (msg);
      errors++;
    }
  }
  return errors;
}

/* ---- sharded audits ------------------------------------------------------ */

static void
add_profile_ids (json_t *list, const struct isc_profile *p)
{
  size_t i;

  for (i = 0; i < p->n_includes; ++i)
    add_profile_ids (list, p->includes[i]);
  json_array_append_new (list, json_pack ("{s:o, s:s}",
                                          "name", isc_json_string (p->name),
                                          "sha256", p->sha256));
}

static int
write_line (FILE *fp, json_t *j)
{
  int r = json_dumpf (j, fp, JSON_COMPACT | JSON_ENSURE_ASCII);

  json_decref (j);
  return r == -1 || putc ('\n', fp) == EOF ? -1 : 0;
}

/* --identities-out: the identity table (audit-merge.h), atomically. */
static int
write_identities (const char *path, const struct common_args *cargs,
                  struct isc_profile *const *profiles, size_t n_profiles,
                  const struct isc_image *images, size_t n)
{
  struct isc_err err = ISC_ERR_INIT;
  json_t *plist = json_array (), *id;
  char *buf = NULL;
  size_t len = 0, i, j;
  FILE *fp = open_memstream (&buf, &len);
  int r = 0;

  if (!fp || !plist)
    abort ();
  for (i = 0; i < n_profiles; ++i)
    add_profile_ids (plist, profiles[i]);
  r |= write_line (fp, json_pack ("{s:i, s:s, s:s, s:{s:I, s:I, s:I, s:I}, s:o}",
                                  "identities", 1, "tool", PACKAGE_NAME,
                                  "version", PACKAGE_VERSION, "shard",
                                  "index", (json_int_t) (cargs->shard_n ? cargs->shard_k : 1),
                                  "count", (json_int_t) (cargs->shard_n ? cargs->shard_n : 1),
                                  "inputs", (json_int_t) cargs->shard_inputs,
                                  "images", (json_int_t) n,
                                  "profiles", plist));
  for (i = 0; i < n; ++i) {
    json_t *line = json_pack ("{s:o, s:s}", "input",
                              isc_json_string (images[i].path), "status",
                              isc_image_status_name (images[i].status));

    if (images[i].status != ISC_IMAGE_OK)
      json_object_set_new (line, "error", isc_json_string (images[i].error
                                                           ? images[i].error
                                                           : "failed"));
    r |= write_line (fp, line);
    json_array_foreach (images[i].identities, j, id) {
      json_t *row = json_deep_copy (id);

      json_object_set_new (row, "input", isc_json_string (images[i].path));
      json_object_del (row, "source");
      r |= write_line (fp, row);
    }
  }
  if (fclose (fp) == EOF || r)
    r = -1;
  if (r == 0 && (r = isc_atomic_write (&err, path, buf, len)) == -1)
    out_error (NULL, isc_err_msg (&err));
  else if (r == -1)
    out_error (path, "cannot write the identity table");
  free (buf);
  isc_err_clear (&err);
  return r;
}

/* audit --merge FILE...: the duplicates across the shards' tables. */
static int
merge_tables (char *const *files, size_t n_files, int json)
{
  struct isc_err err = ISC_ERR_INIT;
  struct isc_audit_merge *m = isc_audit_merge_new ();
  json_t *dups = NULL, *errors, *e;
  size_t i, images, rows, distinct;
  int status = EXIT_USAGE;

  if (!m) {
    out_error (NULL, "out of memory");
    return EXIT_INTERNAL;
  }
  for (i = 0; i < n_files; ++i)
    if (isc_audit_merge_add_file (&err, m, files[i]) == -1)
      goto refused;
  if (isc_audit_merge_check_complete (&err, m) == -1)
    goto refused;
  dups = isc_audit_merge_duplicates (m);
  if (!dups) {
    out_error (NULL, "out of memory");
    status = EXIT_INTERNAL;
    goto out;
  }
  errors = isc_audit_merge_errors (m);
  json_array_foreach (errors, i, e) {
    const char *identity = json_string_value (json_object_get (e, "identity"));
    const char *error = json_string_value (json_object_get (e, "error"));
    char *msg;

    if ((identity ? asprintf (&msg, "identity %s at %s: %s", identity,
                              json_string_value (json_object_get (e, "where")),
                              error)
         : asprintf (&msg, "%s", error)) == -1)
      abort ();
    out_error (json_string_value (json_object_get (e, "input")), msg);
    free (msg);
  }
  isc_audit_merge_counts (m, &images, &rows, &distinct);
  if (json) {
    json_t *doc = json_pack ("{s:O, s:O, s:{s:I, s:I, s:I, s:I}}",
                             "duplicates", dups, "errors", errors, "counts",
                             "shards", (json_int_t) n_files,
                             "images", (json_int_t) images,
                             "rows", (json_int_t) rows,
                             "distinct", (json_int_t) distinct);

    json_dumpf (doc, stdout, JSON_INDENT (2) | JSON_ENSURE_ASCII);
    putchar ('\n');
    json_decref (doc);
  }
  else {
    printf ("%zu shard%s: %zu images, %zu identity values, %zu distinct\n",
            n_files, n_files == 1 ? "" : "s", images, rows, distinct);
    print_duplicates (dups);
  }
  status = json_array_size (dups) || json_array_size (errors)
    ? EXIT_IMAGE_FAILED : EXIT_OK;
  goto out;
 refused:
  out_error (NULL, isc_err_msg (&err));
  out_error (NULL, "identity tables refused: nothing compared");
 out:
  json_decref (dups);
  isc_audit_merge_free (m);
  isc_err_clear (&err);
  return status;
}

int
cmd_audit (int argc, char **argv)
{
  enum { OPT_JSON = 256, OPT_IDENTITIES_OUT, OPT_MERGE };
  static const struct option long_options[] = {
    COMMON_ENGINE_LONG_OPTIONS,
    SHARD_LONG_OPTIONS,
    { "help", no_argument, NULL, 'h' },
    { "identities-out", required_argument, NULL, OPT_IDENTITIES_OUT },
    { "json", no_argument, NULL, OPT_JSON },
    { "merge", no_argument, NULL, OPT_MERGE },
    { "profile", required_argument, NULL, 'p' },
    { NULL, 0, NULL, 0 },
  };
  struct isc_engine_opts opts =
    common_engine_opts (ISC_ENGINE_AUDIT, arg_trace, arg_verbose);
  struct common_args cargs = { 0 };
  struct isc_err err = ISC_ERR_INIT;
  struct isc_profile **profiles = NULL;
  struct isc_image *images = NULL;
  char *workdir = NULL;
  CLEANUP_FREE char **names = NULL;
  size_t n_names = 0, n_profiles = 0, n = 0, i, errors;
  json_t *dups = NULL;
  int json = 0, merge = 0, status = EXIT_INTERNAL, c, r;
  const char *identities_out = NULL;

  while ((c = getopt_long (argc, argv, "hj:p:r", long_options, NULL)) != -1) {
    if ((r = parse_engine_option ("audit", c, optarg, &opts, &cargs)) != 0) {
      if (r == -1) {
        status = EXIT_USAGE;
        goto out;
      }
      continue;
    }
    switch (c) {
    case 'h': usage (); status = EXIT_OK; goto out;
    case OPT_JSON: json = 1; break;
    case OPT_IDENTITIES_OUT: identities_out = optarg; break;
    case OPT_MERGE: merge = 1; break;
    case 'p': {
      char **p = realloc (names, (n_names + 1) * sizeof *p);

      if (!p)
        goto out;
      names = p;
      names[n_names++] = optarg;
      break;
    }
    default:
      status = usage_error ("audit", "unrecognized option '%s'",
                            argv[optind - 1]);
      goto out;
    }
  }
  if (optind >= argc) {
    status = usage_error ("audit", merge ? "no identity table given"
                          : "no image given");
    goto out;
  }
  if (merge) {
    if (n_names || identities_out || cargs.shard || cargs.recursive ||
        cargs.n_excludes) {
      status = usage_error ("audit", "--merge reads identity tables: it "
                            "takes no -p, --shard, --identities-out, -r or "
                            "--exclude");
      goto out;
    }
    status = merge_tables (argv + optind, argc - optind, json);
    goto out;
  }
  if (resolve_shard ("audit", &cargs) == -1) {
    status = EXIT_USAGE;
    goto out;
  }
  /* Profiles are read before any image is opened: a bad one is a usage
   * error, as for scrub. */
  if (load_profiles (names, n_names, 1, &profiles, &n_profiles) == -1) {
    n_profiles = 0;
    status = EXIT_USAGE;
    goto out;
  }
  images = images_from_args (&cargs, argv + optind, argc - optind, &n);
  if (!images) {
    status = EXIT_USAGE;
    goto out;
  }

  /* Scratch space for the hives copied out of the guests. */
  workdir = run_begin (NULL);
  if (!workdir)
    goto out;
  opts.workdir = workdir;
  opts.appliance_dir = run_appliance ();
  opts.profiles = profiles;
  opts.n_profiles = n_profiles;

  if (isc_engine_run (&err, &opts, images, n) == -1) {
    out_error (NULL, isc_err_msg (&err));
    goto out;
  }

  for (i = 0; i < n; ++i)
    report_hives (&images[i]);
  errors = report_errors (images, n);
  dups = find_duplicates (images, n);
  if (identities_out && !run_interrupted &&
      write_identities (identities_out, &cargs, profiles, n_profiles, images,
                        n) == -1) {
    status = EXIT_INTERNAL;
    goto out;
  }
  if (json) {
    json_t *doc = isc_manifest_audit (images, n, dups);

    json_dumpf (doc, stdout, JSON_INDENT (2) | JSON_ENSURE_ASCII);
    putchar ('\n');
    json_decref (doc);
  }
  else {
    print_images (images, n);
    print_duplicates (dups);
  }
  status = run_status (json_array_size (dups) || errors ? EXIT_IMAGE_FAILED
                       : EXIT_OK);

 out:
  common_args_clear (&cargs);
  run_end (workdir);
  json_decref (dups);
  images_free (images, n);
  free_profiles (profiles, n_profiles);
  isc_err_clear (&err);
  if (fflush (stdout) == EOF && status != EXIT_USAGE) {
    out_error (NULL, "error writing to standard output");
    status = EXIT_INTERNAL;
  }
  return status;
}
