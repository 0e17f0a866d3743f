/* imgscrub scrub: apply cleanup profiles to images, writing scrubbed
 * copies (or, with --in-place, editing the inputs), and a manifest. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action.h"
#include "atomic.h"
#include "cleanups.h"
#include "commands.h"
#include "common.h"
#include "engine.h"
#include "escape.h"
#include "output.h"
#include "profile.h"
#include "scrub-archives.h"
#include "winpath.h"

static void
usage (void)
{
  printf ("Usage: %s scrub -p PROFILE... (-o OUTDIR | --archive FILE |\n"
          "                --export-tree FILE | --in-place | --dry-run)\n"
          "                [OPTIONS] IMAGE|FOLDER...\n"
          "\n"
          "Apply cleanup profiles to each image.  With -o the input is never\n"
          "written: its edits go to a private overlay and OUTDIR/<name> is\n"
          "written from it (temporary name, fsync, rename), with\n"
          "OUTDIR/manifest.json recording every action.\n"
          "\n"
          "Options:\n"
          "  -p, --profile NAME|FILE  profile to apply (repeatable; applied in\n"
          "                          order); see '%s profiles list'\n"
          "  -o, --output-dir DIR    write scrubbed images to DIR\n"
          "  --in-place              edit the input images themselves\n"
          "  --dry-run               open read-only and report what would change\n"
          "  --output-format FMT     raw, qcow2, vmdk or vhd (default: the\n"
          "                          input's format; the extension follows)\n"
          "  --manifest FILE         write the manifest to FILE ('-' for stdout;\n"
          "                          default OUTDIR/manifest.json)\n"
          "  --resume                skip images the manifest already records as\n"
          "                          ok whose input and output are unchanged\n"
          "  --skip PROFILE:TITLE    leave out one rule of a profile (repeatable;\n"
          "                          see '%s profiles show'); the manifest\n"
          "                          records it\n"
          "  --allow-dirty-hives     edit registry hives that Windows did not\n"
          "                          close cleanly (changes in their .LOG files\n"
          "                          are lost)\n"
          ARCHIVE_OPTIONS_HELP
          COMMON_ENGINE_OPTIONS_HELP
          "  -h, --help              this help\n"
          "\n"
          "Exit status: 0 every image ok, 1 some image or archive failed (the\n"
          "other images are still written), 2 usage or profile error,\n"
          "3 internal error, 130 interrupted (no archive is written).\n",
          program_name, program_name, program_name);
}

static volatile sig_atomic_t interrupted;

static void
on_signal (int sig)
{
  interrupted = sig;
  isc_engine_cancel ();
}

static void
add_profile_json (json_t *list, const struct isc_profile *p)
{
  size_t i;

  for (i = 0; i < p->n_includes; ++i)
    add_profile_json (list, p->includes[i]);
  json_array_append_new (list,
                         json_pack ("{s:o, s:o, s:o, s:s}",
                                    "name", isc_json_string (p->name),
                                    "path", isc_json_string (p->path),
                                    "reference", isc_json_string (p->reference),
                                    "sha256", p->sha256));
}

static json_t *
manifest_new (struct isc_profile *const *profiles, size_t n_profiles,
              const char *mode, const char *started)
{
  json_t *list = json_array ();
  size_t i;

  for (i = 0; i < n_profiles; ++i)
    add_profile_json (list, profiles[i]);
  return json_pack ("{s:s, s:s, s:s, s:s, s:o}",
                    "tool", PACKAGE_NAME, "version", PACKAGE_VERSION,
                    "mode", mode, "started", started, "profiles", list);
}

/* --skip ARG: "PROFILE:TITLE", appended to *LIST. */
static int
add_skip (char ***list, size_t *n, const char *arg)
{
  const char *colon = strchr (arg, ':');
  char **l;

  if (!colon || colon == arg || !colon[1]) {
    usage_error ("scrub", "--skip takes PROFILE:TITLE (see '%s profiles "
                 "show')", program_name);
    return -1;
  }
  l = realloc (*list, (*n + 2) * sizeof *l);
  if (!l || !(l[*n] = strdup (arg))) {
    if (l)
      *list = l;
    out_error (NULL, "out of memory");
    return -1;
  }
  *list = l;
  l[++*n] = NULL;
  return 0;
}

struct skip_find {
  const char *skip;
  const struct isc_action *found;
};

static int
find_skipped (const struct isc_profile *owner, const struct isc_action *a,
              void *opaque)
{
  struct skip_find *f = opaque;
  size_t len = strlen (owner->name);

  if (a->title && strncmp (f->skip, owner->name, len) == 0 &&
      f->skip[len] == ':' && strcmp (f->skip + len + 1, a->title) == 0) {
    f->found = a;
    return 1;
  }
  return 0;
}

/* Each --skip names a rule of the profiles given: the manifest's
 * "skipped_rules" in *RET, or a usage error. */
static int
check_skips (char *const *skips, struct isc_profile *const *profiles,
             size_t n_profiles, json_t **ret)
{
  size_t i, j;

  *ret = json_array ();
  for (i = 0; skips && skips[i]; ++i) {
    struct skip_find f = { skips[i], NULL };
    CLEANUP_FREE char *source = NULL;

    for (j = 0; j < n_profiles && !f.found; ++j)
      isc_profile_foreach_action (profiles[j], find_skipped, &f);
    if (!f.found) {
      CLEANUP_FREE char *e = isc_msg_text (skips[i]);

      usage_error ("scrub", "--skip %s: no such rule in the profiles given "
                   "(see '%s profiles show')", e, program_name);
      return -1;
    }
    if (asprintf (&source, "%s:%d", f.found->file, f.found->line) == -1)
      source = NULL;
    json_array_append_new (*ret, json_pack ("{s:o, s:o, s:o, s:o, s:s}",
        "profile", isc_json_string (f.found->profile),
        "title", isc_json_string (f.found->title),
        "action", isc_json_string (f.found->kind->name),
        "source", isc_json_string (source ? source : f.found->file),
        "reason", "--skip"));
  }
  return 0;
}

/* OUTPUTS: the images were written (not a dry run); KEPT: under their
 * output paths (not only inside an archive). */
static json_t *
manifest_image (const struct isc_image *img, int outputs, int kept)
{
  json_t *j = image_json (img);

  if (img->input_sha256[0])
    json_object_set_new (j, "input_sha256", json_string (img->input_sha256));
  if (outputs && img->status == ISC_IMAGE_OK && img->output_sha256[0]) {
    if (kept)
      json_object_set_new (j, "output", isc_json_string (img->output));
    json_object_set_new (j, "output_format",
                         json_string (isc_format_name (img->output_format)));
    json_object_set_new (j, "output_sha256", json_string (img->output_sha256));
  }
  json_object_set_new (j, "actions", img->actions ? json_incref (img->actions)
                       : json_array ());
  /* Retried after its first appliance died. */
  if (img->attempts > 1)
    json_object_set_new (j, "attempts", json_integer (img->attempts));
  json_object_set_new (j, "seconds", json_real (img->seconds));
  return j;
}

/* The earlier run's manifest entry for INPUT that ended ok, or NULL. */
static json_t *
previous_entry (json_t *previous, const char *input)
{
  json_t *entry;
  size_t i;

  json_array_foreach (json_object_get (previous, "images"), i, entry) {
    const char *in = json_string_value (json_object_get (entry, "input"));
    const char *st = json_string_value (json_object_get (entry, "status"));

    if (in && st && strcmp (in, input) == 0 && strcmp (st, "ok") == 0)
      return entry;
  }
  return NULL;
}

/* --resume: read the manifest an earlier run left and tell the engine
 * what each input's finished output looked like.  A missing or unreadable
 * manifest means there is nothing to resume. */
static json_t *
load_previous (const char *path, struct isc_image *images, size_t n)
{
  json_error_t jerr;
  json_t *previous = json_load_file (path, 0, &jerr);
  size_t i;

  if (!previous) {
    if (access (path, F_OK) == 0)
      out_error (path, "cannot read the manifest to resume from; "
                 "redoing every image");
    return NULL;
  }
  for (i = 0; i < n; ++i) {
    json_t *entry = previous_entry (previous, images[i].path);

    if (entry) {
      images[i].resume_input_sha256 =
        json_string_value (json_object_get (entry, "input_sha256"));
      images[i].resume_output_sha256 =
        json_string_value (json_object_get (entry, "output_sha256"));
    }
  }
  return previous;
}

static json_t *
resumed_entry (json_t *previous, const struct isc_image *img)
{
  json_t *entry = json_deep_copy (previous_entry (previous, img->path));

  json_object_set_new (entry, "resumed", json_true ());
  return entry;
}

/* Count the results of IMG's actions by name, for the summary line. */
static void
summarise_actions (const struct isc_image *img, char *buf, size_t len)
{
  static const char *const names[] = {
    "deleted", "changed", "would-delete", "would-change", "absent",
    "skipped", "failed",
  };
  size_t counts[sizeof names / sizeof names[0]] = { 0 };
  size_t i, k, off = 0;
  json_t *a;

  buf[0] = '\0';
  json_array_foreach (img->actions, i, a) {
    const char *r = json_string_value (json_object_get (a, "result"));

    for (k = 0; r && k < sizeof names / sizeof names[0]; ++k)
      if (strcmp (r, names[k]) == 0)
        counts[k]++;
  }
  for (k = 0; k < sizeof names / sizeof names[0] && off < len; ++k)
    if (counts[k])
      off += snprintf (buf + off, len - off, "%s%zu %s", off ? ", " : "",
                       counts[k], names[k]);
}

static int
write_manifest (json_t *manifest, const char *path)
{
  struct isc_err err = ISC_ERR_INIT;
  CLEANUP_FREE char *text = json_dumps (manifest, JSON_INDENT (2) |
                                        JSON_ENSURE_ASCII | JSON_SORT_KEYS);
  int r;

  if (!text) {
    out_error (path, "cannot serialise the manifest");
    return -1;
  }
  if (strcmp (path, "-") == 0) {
    if (puts (text) == EOF || fflush (stdout) == EOF) {
      out_error (NULL, "error writing the manifest to standard output");
      return -1;
    }
    return 0;
  }
  r = isc_atomic_write (&err, path, text, strlen (text));
  if (r == -1)
    out_error (NULL, isc_err_msg (&err));
  isc_err_clear (&err);
  return r;
}

int
cmd_scrub (int argc, char **argv)
{
  enum {
    OPT_IN_PLACE = 256, OPT_DRY_RUN, OPT_OUTPUT_FORMAT, OPT_MANIFEST,
    OPT_ALLOW_DIRTY, OPT_RESUME, OPT_SKIP,
  };
  static const struct option long_options[] = {
    COMMON_ENGINE_LONG_OPTIONS,
    ARCHIVE_LONG_OPTIONS,
    { "allow-dirty-hives", no_argument, NULL, OPT_ALLOW_DIRTY },
    { "dry-run", no_argument, NULL, OPT_DRY_RUN },
    { "help", no_argument, NULL, 'h' },
    { "in-place", no_argument, NULL, OPT_IN_PLACE },
    { "manifest", required_argument, NULL, OPT_MANIFEST },
    { "output-dir", required_argument, NULL, 'o' },
    { "output-format", required_argument, NULL, OPT_OUTPUT_FORMAT },
    { "profile", required_argument, NULL, 'p' },
    { "resume", no_argument, NULL, OPT_RESUME },
    { "skip", required_argument, NULL, OPT_SKIP },
    { NULL, 0, NULL, 0 },
  };
  struct isc_engine_opts opts = COMMON_ENGINE_OPTS (ISC_ENGINE_SCRUB);
  struct common_args cargs = { 0 };
  struct archive_args aargs = ARCHIVE_ARGS_INIT;
  struct isc_err err = ISC_ERR_INIT;
  struct isc_profile **profiles = NULL;
  struct isc_image *images = NULL;
  CLEANUP_FREE char *workdir = NULL;
  CLEANUP_FREE char *manifest_path = NULL;
  CLEANUP_FREE char *archive_staging = NULL;
  const char *outdir = NULL, *manifest_arg = NULL;
  char started[32], finished[32];
  size_t n_profiles = 0, n = 0, i, ok, failed, skipped;
  json_t *manifest = NULL, *list, *previous = NULL;
  json_t **entries = NULL;
  CLEANUP_FREE_STRING_LIST char **skips = NULL;
  json_t *skipped_rules = NULL;
  size_t n_skips = 0;
  int resume = 0, archives_failed = 0;
  struct sigaction sa = { .sa_handler = on_signal };
  int status = EXIT_INTERNAL, c, r;

  out_timestamp (started, sizeof started);
  while ((c = getopt_long (argc, argv, "hj:o:p:r", long_options, NULL)) != -1) {
    if ((r = parse_engine_option ("scrub", c, optarg, &opts, &cargs)) != 0) {
      if (r == -1) {
        status = EXIT_USAGE;
        goto out;
      }
      continue;
    }
    if ((r = parse_archive_option (c, optarg, &aargs)) != 0) {
      if (r == -1) {
        status = EXIT_USAGE;
        goto out;
      }
      continue;
    }
    switch (c) {
    case 'h': usage (); status = EXIT_OK; goto out;
    case 'o': outdir = optarg; break;
    case 'p': {
      struct isc_profile **p = realloc (profiles,
                                        (n_profiles + 1) * sizeof *p);

      if (!p)
        goto out;
      profiles = p;
      if (isc_profile_load (&err, optarg, &profiles[n_profiles]) == -1) {
        out_error (NULL, isc_err_msg (&err));
        status = EXIT_USAGE;
        goto out;
      }
      n_profiles++;
      break;
    }
    case OPT_IN_PLACE: opts.in_place = 1; break;
    case OPT_DRY_RUN: opts.dry_run = 1; break;
    case OPT_ALLOW_DIRTY: opts.allow_dirty_hives = 1; break;
    case OPT_RESUME: resume = 1; break;
    case OPT_SKIP:
      if (add_skip (&skips, &n_skips, optarg) == -1) {
        status = EXIT_USAGE;
        goto out;
      }
      break;
    case OPT_MANIFEST: manifest_arg = optarg; break;
    case OPT_OUTPUT_FORMAT:
      if (parse_format ("scrub", "--output-format", optarg,
                        &opts.output_format) == -1) {
        status = EXIT_USAGE;
        goto out;
      }
      break;
    default:
      status = usage_error ("scrub", "unrecognized option '%s'",
                            argv[optind - 1]);
      goto out;
    }
  }
  status = EXIT_USAGE;
  if (n_profiles == 0) {
    usage_error ("scrub", "no profile given (-p NAME; see '%s profiles list')",
                 program_name);
    goto out;
  }
  if (optind >= argc) {
    usage_error ("scrub", "no image given");
    goto out;
  }
  if (check_skips (skips, profiles, n_profiles, &skipped_rules) == -1)
    goto out;
  if (opts.in_place + opts.dry_run + (outdir != NULL) +
      (aargs.archive != NULL) + (aargs.export_tree != NULL) == 0) {
    usage_error ("scrub", "say where the result goes: -o OUTDIR, --archive "
                 "FILE, --export-tree FILE, --in-place or --dry-run");
    goto out;
  }
  if (opts.in_place && (outdir || opts.dry_run)) {
    usage_error ("scrub", "--in-place goes with neither -o nor --dry-run");
    goto out;
  }
  if (opts.in_place && opts.output_format != ISC_FORMAT_UNKNOWN) {
    usage_error ("scrub", "--output-format needs -o");
    goto out;
  }
  if (resume && (opts.dry_run || opts.in_place || !outdir)) {
    usage_error ("scrub", "--resume goes with -o");
    goto out;
  }
  if (resume && aargs.export_tree) {
    usage_error ("scrub", "--resume does not open finished images again, "
                 "so it cannot export their trees (--export-tree)");
    goto out;
  }
  if (check_archive_args (&aargs, &opts) == -1)
    goto out;
  status = EXIT_INTERNAL;

  if (outdir && mkdir (outdir, 0777) == -1 && errno != EEXIST) {
    out_error (outdir, strerror (errno));
    goto out;
  }
  /* Scratch space beside the outputs, so finished outputs are renamed,
   * not copied, into place; else beside the archive, on the filesystem
   * the user gave room on; else in TMPDIR. */
  if (outdir && !opts.dry_run)
    r = asprintf (&workdir, "%s/.imgscrub-XXXXXX", outdir);
  else if (aargs.archive || aargs.export_tree) {
    const char *a = aargs.archive ? aargs.archive : aargs.export_tree;
    const char *slash = strrchr (a, '/');

    r = asprintf (&workdir, "%.*s.imgscrub-XXXXXX",
                  slash ? (int) (slash - a + 1) : 0, a);
  }
  else
    r = asprintf (&workdir, "%s/.imgscrub-XXXXXX",
                  getenv ("TMPDIR") ? getenv ("TMPDIR") : "/var/tmp");
  if (r == -1) {
    workdir = NULL;
    goto out;
  }
  if (!mkdtemp (workdir)) {
    out_error (workdir, strerror (errno));
    free (workdir);
    workdir = NULL;
    goto out;
  }
  opts.workdir = workdir;
  opts.outdir = opts.dry_run ? NULL : outdir;
  opts.export_tree = aargs.export_tree != NULL;
  /* Only an archive: the images are written once, in the scratch space,
   * and streamed from there into the archive. */
  if (!outdir && aargs.archive) {
    if (asprintf (&archive_staging, "%s/out", workdir) == -1 ||
        mkdir (archive_staging, 0700) == -1) {
      out_error (workdir, "cannot create the staging folder");
      goto out;
    }
    opts.outdir = archive_staging;
  }
  opts.profiles = profiles;
  opts.n_profiles = n_profiles;
  opts.skips = skips;
  if (manifest_arg)
    manifest_path = strdup (manifest_arg);
  else if (outdir && asprintf (&manifest_path, "%s/manifest.json", outdir) == -1)
    manifest_path = NULL;

  images = images_from_args (&cargs, argv + optind, argc - optind, &n);
  if (!images || check_archive_targets (&aargs, images, n) == -1) {
    status = EXIT_USAGE;
    goto out;
  }

  if (resume)
    previous = load_previous (manifest_path, images, n);

  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  if (isc_engine_run (&err, &opts, images, n) == -1) {
    out_error (NULL, isc_err_msg (&err));
    goto out;
  }

  manifest = manifest_new (profiles, n_profiles,
                           opts.dry_run ? "dry-run"
                           : opts.in_place ? "in-place" : "output",
                           started);
  json_object_set_new (manifest, "skipped_rules", skipped_rules);
  skipped_rules = NULL;
  list = json_array ();
  entries = calloc (n ? n : 1, sizeof *entries);
  if (!entries)
    goto out;
  for (i = 0; i < n; ++i) {
    char summary[256];
    char *name = isc_escape (images[i].path);

    entries[i] = images[i].resumed ? resumed_entry (previous, &images[i])
      : manifest_image (&images[i], !opts.dry_run, outdir != NULL);
    json_array_append_new (list, entries[i]);
    summarise_actions (&images[i], summary, sizeof summary);
    if (images[i].status == ISC_IMAGE_OK)
      printf ("%-8s %s%s%s  (%s)\n", "ok", name,
              images[i].output && outdir ? " -> " : "",
              images[i].output && outdir ? images[i].output : "",
              images[i].resumed ? "done by an earlier run"
              : summary[0] ? summary : "nothing to do");
    else {
      printf ("%-8s %s\n", isc_image_status_name (images[i].status), name);
      out_error (images[i].path, images[i].error ? images[i].error
                 : "failed");
    }
    free (name);
  }
  json_object_set_new (manifest, "images", list);
  count_status (images, n, &ok, &failed, &skipped);
  json_object_set_new (manifest, "finished",
                       json_string (out_timestamp (finished, sizeof finished)));
  json_object_set_new (manifest, "summary",
                       json_pack ("{s:I, s:I, s:I}", "ok", (json_int_t) ok,
                                  "failed", (json_int_t) failed,
                                  "skipped", (json_int_t) skipped));
  if (interrupted)
    json_object_set_new (manifest, "interrupted", json_true ());
  else if (write_archives (&aargs, &interrupted, images, n, entries,
                           manifest) == -1)
    archives_failed = 1;
  if (manifest_path && write_manifest (manifest, manifest_path) == -1)
    goto out;
  printf ("%zu ok, %zu failed, %zu skipped%s%s\n", ok, failed, skipped,
          manifest_path && strcmp (manifest_path, "-") ? "; manifest: " : "",
          manifest_path && strcmp (manifest_path, "-") ? manifest_path : "");
  if (interrupted)
    status = 128 + SIGINT;
  else
    status = failed || archives_failed ? EXIT_IMAGE_FAILED : EXIT_OK;

 out:
  common_args_clear (&cargs);
  if (workdir)
    isc_remove_tree (workdir);
  json_decref (manifest);
  json_decref (skipped_rules);
  free (entries);
  images_free (images, n);
  json_decref (previous);
  for (i = 0; i < n_profiles; ++i)
    isc_profile_free (profiles[i]);
  free (profiles);
  isc_err_clear (&err);
  if (fflush (stdout) == EOF && status == EXIT_OK)
    status = EXIT_INTERNAL;
  return status;
}
