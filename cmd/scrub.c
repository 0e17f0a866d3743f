/* imgscrub scrub: apply cleanup profiles to images, writing scrubbed
 * copies (or, with --in-place, editing the inputs), and a manifest. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "profiles/action.h"
#include "util/cleanups.h"
#include "commands.h"
#include "common.h"
#include "run/engine.h"
#include "util/escape.h"
#include "guest/path.h"
#include "guest/snapshot.h"
#include "image/inputs.h"
#include "image/target.h"
#include "outputs/manifest.h"
#include "output.h"
#include "profiles/profile.h"
#include "scrub-archives.h"
#include "outputs/shard.h"
#include "util/path.h"
#include "util/status.h"

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
          "  --output-format FMT     raw, qcow2, vmdk, vhd, vmdk-stream, vhd-fixed\n"
          "                          or vhdx (default: the input's format; the\n"
          "                          extension follows).  vmdk is\n"
          "                          monolithicSparse, vhd dynamic; checked\n"
          "                          against their rules before commit:\n"
          "                          vmdk-stream for vSphere and AWS, vhd-fixed\n"
          "                          for Azure, vhdx for Hyper-V, AWS and GCE\n"
          "  --target NAME           vsphere, azure, gce, aws or hyperv: ship for\n"
          "                          that platform, checked before commit:\n"
          "                          vsphere  NAME.ova (OVF, SHA-256 .mf,\n"
          "                                   stream VMDK)\n"
          "                          azure    NAME.vhd, fixed, size rounded up\n"
          "                                   to a MiB\n"
          "                          gce      NAME.tar.gz holding disk.raw, size\n"
          "                                   rounded up to a GiB\n"
          "                          aws      NAME.vmdk, streamOptimized\n"
          "                          hyperv   NAME.vhdx\n"
          "  --machine-id MODE       empty, uninitialized, absent or keep: what\n"
          "                          the profiles' machine-id rules do with\n"
          "                          /etc/machine-id (default: empty)\n"
          "  --manifest FILE         write the manifest to FILE ('-' for stdout;\n"
          "                          default OUTDIR/manifest.json)\n"
          "  --resume                skip images the manifest already records as\n"
          "                          ok whose input and output are unchanged\n"
          "  --skip PROFILE:TITLE    leave out one rule of a profile (repeatable;\n"
          "                          see '%s profiles show'); the manifest\n"
          "                          records it\n"
          "  --snapshots MODE        scrub, remove or keep the btrfs/snapper\n"
          "                          snapshots holding a Linux root (default:\n"
          "                          scrub; a rollback would bring the\n"
          "                          identities back)\n"
          ARCHIVE_OPTIONS_HELP
          SHARD_OPTIONS_HELP
          "                          --shard needs -o: each shard writes\n"
          "                          OUTDIR/manifest.shard-K-of-N.json and its\n"
          "                          own FILE.shard-K-of-N.EXT archives; then\n"
          "                          '%s merge OUTDIR' writes manifest.json\n"
          COMMON_ENGINE_OPTIONS_HELP
          "  -h, --help              this help\n"
          "\n"
          "Exit status: 0 every image ok, 1 some image or archive failed (the\n"
          "other images are still written), 2 usage or profile error,\n"
          "3 internal error, 130 interrupted (no archive is written).\n",
          program_name, program_name, program_name, program_name);
}

/* Everything the command line says. */
struct scrub_args {
  struct isc_engine_opts opts;
  struct common_args cargs;
  struct archive_args aargs;
  char *outdir;                     /* -o, normalised; owned */
  const char *manifest_arg;         /* --manifest */
  int resume;
  char **profile_names;             /* -p, borrowed strings */
  size_t n_profile_names;
  char *const *inputs;
  size_t n_inputs;
  char *shard_archive, *shard_tree; /* --shard: this task's archive names */
  char **skips;                     /* --skip, NULL-terminated, owned */
  size_t n_skips;
  int format_given;                 /* --output-format */
  int target_given;                 /* --target */
};

/* Everything one run holds; released by scrub_clear. */
struct scrub_run {
  struct isc_profile **profiles;
  size_t n_profiles;
  struct isc_image *images;
  size_t n;
  char *workdir;
  char *archive_staging;
  char *manifest_path;              /* NULL: none; "-": stdout */
  json_t *previous;                 /* --resume: the earlier manifest */
  json_t *skipped_rules;            /* --skip: the manifest's record */
  json_t *manifest;
  json_t **entries;                 /* each image's object in MANIFEST */
  FILE *report;                     /* the human report: stdout, or
                                       stderr when stdout has the manifest */
};

static void
scrub_args_clear (struct scrub_args *a)
{
  free (a->shard_archive);
  free (a->shard_tree);
  isc_free_string_list (a->skips);
  common_args_clear (&a->cargs);
  free (a->outdir);
  free (a->profile_names);
}

static void
scrub_clear (struct scrub_run *run)
{
  size_t i;

  run_end (run->workdir);
  free (run->archive_staging);
  free (run->manifest_path);
  json_decref (run->manifest);
  for (i = 0; run->entries && i < run->n; ++i)
    json_decref (run->entries[i]);
  free (run->entries);
  images_free (run->images, run->n);
  json_decref (run->previous);
  json_decref (run->skipped_rules);
  free_profiles (run->profiles, run->n_profiles);
}

/* ---- 1. options --------------------------------------------------------- */

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


/* Returns 0 to go on, or -1 with *RET_STATUS the exit status (--help,
 * usage errors). */
static int
parse_args (int argc, char **argv, struct scrub_args *a, int *ret_status)
{
  enum {
    OPT_IN_PLACE = 256, OPT_DRY_RUN, OPT_OUTPUT_FORMAT, OPT_MANIFEST,
    OPT_RESUME, OPT_SKIP, OPT_MACHINE_ID, OPT_SNAPSHOTS, OPT_TARGET,
  };
  static const struct option long_options[] = {
    COMMON_ENGINE_LONG_OPTIONS,
    ARCHIVE_LONG_OPTIONS,
    SHARD_LONG_OPTIONS,
    { "dry-run", no_argument, NULL, OPT_DRY_RUN },
    { "help", no_argument, NULL, 'h' },
    { "in-place", no_argument, NULL, OPT_IN_PLACE },
    { "machine-id", required_argument, NULL, OPT_MACHINE_ID },
    { "manifest", required_argument, NULL, OPT_MANIFEST },
    { "output-dir", required_argument, NULL, 'o' },
    { "output-format", required_argument, NULL, OPT_OUTPUT_FORMAT },
    { "profile", required_argument, NULL, 'p' },
    { "resume", no_argument, NULL, OPT_RESUME },
    { "skip", required_argument, NULL, OPT_SKIP },
    { "snapshots", required_argument, NULL, OPT_SNAPSHOTS },
    { "target", required_argument, NULL, OPT_TARGET },
    { NULL, 0, NULL, 0 },
  };
  int c, r;

  *ret_status = EXIT_USAGE;
  while ((c = getopt_long (argc, argv, "hj:o:p:r", long_options, NULL)) != -1) {
    if ((r = parse_engine_option ("scrub", c, optarg, &a->opts,
                                  &a->cargs)) != 0) {
      if (r == -1)
        return -1;
      continue;
    }
    if ((r = parse_archive_option (c, optarg, &a->aargs)) != 0) {
      if (r == -1)
        return -1;
      continue;
    }
    switch (c) {
    case 'h':
      usage ();
      *ret_status = EXIT_OK;
      return -1;
    case 'o':
      free (a->outdir);
      a->outdir = strdup (optarg);
      if (!a->outdir) {
        *ret_status = EXIT_INTERNAL;
        return -1;
      }
      isc_path_normalise (a->outdir);
      break;
    case 'p': {
      char **p = realloc (a->profile_names,
                          (a->n_profile_names + 1) * sizeof *p);

      if (!p) {
        *ret_status = EXIT_INTERNAL;
        return -1;
      }
      a->profile_names = p;
      p[a->n_profile_names++] = optarg;
      break;
    }
    case OPT_IN_PLACE: a->opts.in_place = 1; break;
    case OPT_DRY_RUN: a->opts.dry_run = 1; break;
    case OPT_RESUME: a->resume = 1; break;
    case OPT_SKIP:
      if (add_skip (&a->skips, &a->n_skips, optarg) == -1)
        return -1;
      break;
    case OPT_SNAPSHOTS:
      if (isc_snapshot_mode_parse (optarg, &a->opts.snapshots) == -1) {
        usage_error ("scrub", "--snapshots: '%s' is not scrub, remove or "
                     "keep", optarg);
        return -1;
      }
      break;
    case OPT_MANIFEST: a->manifest_arg = optarg; break;
    case OPT_MACHINE_ID:
      if (!isc_machine_id_mode_valid (optarg)) {
        CLEANUP_FREE char *e = isc_msg_text (optarg);

        usage_error ("scrub", "--machine-id '%s': give empty, uninitialized, "
                     "absent or keep", e);
        return -1;
      }
      a->opts.machine_id = optarg;
      break;
    case OPT_OUTPUT_FORMAT:
      a->format_given = 1;
      a->opts.target = isc_target_lookup (optarg, 0);
      if (!a->opts.target &&
          parse_format ("scrub", "--output-format", optarg,
                        &a->opts.output_format) == -1)
        return -1;
      break;
    case OPT_TARGET:
      a->target_given = 1;
      a->opts.target = isc_target_lookup (optarg, 1);
      if (!a->opts.target) {
        usage_error ("scrub", "--target: unknown target '%s' (vsphere, "
                     "azure, gce, aws, hyperv)", optarg);
        return -1;
      }
      break;
    default:
      usage_error ("scrub", "unrecognized option '%s'", argv[optind - 1]);
      return -1;
    }
  }
  a->inputs = argv + optind;
  a->n_inputs = argc - optind;
  return 0;
}

/* The combinations that make no sense; prints the usage error. */
static int
check_args (const struct scrub_args *a)
{
  const struct isc_engine_opts *o = &a->opts;

  if (a->n_profile_names == 0) {
    usage_error ("scrub", "no profile given (-p NAME; see '%s "
                 "profiles list')", program_name);
    return -1;
  }
  if (a->n_inputs == 0) {
    usage_error ("scrub", "no image given");
    return -1;
  }
  if (o->in_place + o->dry_run + (a->outdir != NULL) +
      (a->aargs.archive != NULL) + (a->aargs.export_tree != NULL) == 0) {
    usage_error ("scrub", "say where the result goes: -o OUTDIR, "
                 "--archive FILE, --export-tree FILE, --in-place or "
                 "--dry-run");
    return -1;
  }
  if (o->in_place && (a->outdir || o->dry_run)) {
    usage_error ("scrub", "--in-place goes with neither -o nor "
                 "--dry-run");
    return -1;
  }
  if (o->in_place && a->format_given) {
    usage_error ("scrub", "--output-format needs -o");
    return -1;
  }
  if (o->in_place && a->target_given) {
    usage_error ("scrub", "--target needs -o or --archive");
    return -1;
  }
  if (a->format_given && a->target_given) {
    usage_error ("scrub", "--target sets the output format: give either "
                 "--target or --output-format");
    return -1;
  }
  if (a->resume && (o->dry_run || o->in_place || !a->outdir)) {
    usage_error ("scrub", "--resume goes with -o");
    return -1;
  }
  if (a->resume && a->aargs.export_tree) {
    usage_error ("scrub", "--resume does not open finished images "
                 "again, so it cannot export their trees "
                 "(--export-tree)");
    return -1;
  }
  return 0;
}

/* --shard: this task's part of the inputs, and its own archive names,
 * since each task of an array writes its own.  Prints the usage error. */
static int
resolve_scrub_shard (struct scrub_args *a)
{
  struct common_args *c = &a->cargs;

  if (resolve_shard ("scrub", c) == -1)
    return -1;
  if (!c->shard_n)
    return 0;
  if (!a->outdir) {
    usage_error ("scrub", "--shard needs -o OUTDIR, where the shards' "
                 "manifests meet");
    return -1;
  }
  if (a->aargs.archive) {
    if (!(a->shard_archive = isc_shard_path (a->aargs.archive, c->shard_k,
                                             c->shard_n)))
      return -1;
    a->aargs.archive = a->shard_archive;
  }
  if (a->aargs.export_tree) {
    if (!(a->shard_tree = isc_shard_path (a->aargs.export_tree, c->shard_k,
                                          c->shard_n)))
      return -1;
    a->aargs.export_tree = a->shard_tree;
  }
  return 0;
}

static enum isc_manifest_mode
manifest_mode (const struct isc_engine_opts *o)
{
  return o->dry_run ? ISC_MANIFEST_DRY_RUN
    : o->in_place ? ISC_MANIFEST_IN_PLACE : ISC_MANIFEST_OUTPUT;
}

/* ---- 2. where things go ------------------------------------------------- */

/* Create OUTDIR and the scratch space; decide where the outputs and the
 * manifest go.  Prints errors. */
static int
prepare_run (struct scrub_args *a, struct scrub_run *run)
{
  struct isc_engine_opts *o = &a->opts;
  CLEANUP_FREE char *near = NULL;

  if (a->outdir && mkdir (a->outdir, 0777) == -1 && errno != EEXIST) {
    out_error (a->outdir, strerror (errno));
    return -1;
  }
  /* Scratch space beside the outputs, so finished outputs are renamed,
   * not copied, into place; else beside the archive, on the filesystem
   * the user gave room on; else in TMPDIR. */
  if (a->outdir && !o->dry_run) {
    if (asprintf (&near, "%s%s", a->outdir,
                  strcmp (a->outdir, "/") ? "/" : "") == -1)
      near = NULL;
  }
  else if (a->aargs.archive || a->aargs.export_tree) {
    const char *f = a->aargs.archive ? a->aargs.archive : a->aargs.export_tree;
    const char *slash = strrchr (f, '/');

    near = strndup (f, slash ? (size_t) (slash - f + 1) : 0);
  }
  if (!near && ((a->outdir && !o->dry_run) || a->aargs.archive ||
                a->aargs.export_tree)) {
    out_error (NULL, "out of memory");
    return -1;
  }
  run->workdir = run_begin (near);
  if (!run->workdir)
    return -1;
  o->workdir = run->workdir;
  o->appliance_dir = run_appliance ();
  o->outdir = o->dry_run ? NULL : a->outdir;
  o->export_tree = a->aargs.export_tree != NULL;
  /* Only an archive: the images are written once, in the scratch space,
   * and streamed from there into the archive. */
  if (!a->outdir && a->aargs.archive) {
    run->archive_staging = isc_path_join (run->workdir, "out");
    if (!run->archive_staging || mkdir (run->archive_staging, 0700) == -1) {
      out_error (run->workdir, "cannot create the staging folder");
      return -1;
    }
    o->outdir = run->archive_staging;
  }
  o->profiles = run->profiles;
  o->n_profiles = run->n_profiles;
  o->skips = a->skips;
  if (a->manifest_arg) {
    run->manifest_path = strdup (a->manifest_arg);
    if (run->manifest_path && strcmp (run->manifest_path, "-") != 0)
      isc_path_normalise (run->manifest_path);
  }
  else if (a->outdir && a->cargs.shard_n) {
    CLEANUP_FREE char *name = isc_shard_manifest_name (a->cargs.shard_k,
                                                       a->cargs.shard_n);

    run->manifest_path = name ? isc_path_join (a->outdir, name) : NULL;
  }
  else if (a->outdir)
    run->manifest_path = isc_path_join (a->outdir, "manifest.json");
  if ((a->manifest_arg || a->outdir) && !run->manifest_path) {
    out_error (NULL, "out of memory");
    return -1;
  }
  return 0;
}

/* --resume: what an earlier run left.  A missing manifest means there is
 * nothing to resume; an unreadable one, that every image is redone. */
static void
load_previous (struct scrub_run *run)
{
  struct isc_err err = ISC_ERR_INIT;

  if (isc_manifest_read_previous (&err, run->manifest_path, run->images,
                                  run->n, &run->previous) == -1) {
    CLEANUP_FREE char *msg = NULL;

    if (asprintf (&msg, "%s; redoing every image", isc_err_msg (&err)) != -1)
      out_error (NULL, msg);
  }
  isc_err_clear (&err);
}

/* ---- 3. the manifest ---------------------------------------------------- */

static int
build_manifest (const struct scrub_args *a, struct scrub_run *run,
                const char *started)
{
  enum isc_manifest_mode mode = manifest_mode (&a->opts);
  char finished[32];
  size_t i;

  run->manifest = isc_manifest_new (mode, started, run->profiles,
                                    run->n_profiles);
  run->entries = calloc (run->n ? run->n : 1, sizeof *run->entries);
  if (!run->manifest || !run->entries)
    return -1;
  for (i = 0; i < run->n; ++i) {
    const struct isc_image *img = &run->images[i];

    run->entries[i] = img->resumed ? isc_manifest_resumed (run->previous, img)
      : isc_manifest_image (img, mode, a->outdir != NULL);
    if (!run->entries[i])
      return -1;
  }
  if (a->cargs.shard_n)
    json_object_set_new (run->manifest, "shard",
                         json_pack ("{s:I, s:I, s:I}",
                                    "index", (json_int_t) a->cargs.shard_k,
                                    "count", (json_int_t) a->cargs.shard_n,
                                    "inputs",
                                    (json_int_t) a->cargs.shard_inputs));
  json_object_set (run->manifest, "skipped_rules", run->skipped_rules);
  /* Files the folder scans left out. */
  if (a->cargs.left_out)
    json_object_update (run->manifest, a->cargs.left_out);
  isc_manifest_finish (run->manifest, run->entries, run->images, run->n,
                       out_timestamp (finished, sizeof finished),
                       run_interrupted);
  return 0;
}

/* A run without -o whose archives failed (or were not written, after an
 * interrupt): no output survives. */
static void
outputs_lost (struct scrub_run *run)
{
  size_t i;

  for (i = 0; i < run->n; ++i)
    isc_manifest_image_lost (run->entries[i]);
}

static int
write_manifest (const struct scrub_run *run)
{
  struct isc_err err = ISC_ERR_INIT;
  int r = 0;

  if (strcmp (run->manifest_path, "-") == 0) {
    CLEANUP_FREE char *text = isc_manifest_dump (run->manifest);

    if (!text || puts (text) == EOF || fflush (stdout) == EOF) {
      out_error (NULL, "error writing the manifest to standard output");
      return -1;
    }
    return 0;
  }
  if (isc_manifest_write (&err, run->manifest, run->manifest_path) == -1) {
    out_error (NULL, isc_err_msg (&err));
    r = -1;
  }
  isc_err_clear (&err);
  return r;
}

/* ---- 4. the report ------------------------------------------------------ */

static void
report_images (const struct scrub_args *a, const struct scrub_run *run)
{
  size_t i;

  for (i = 0; i < run->n; ++i) {
    const struct isc_image *img = &run->images[i];
    CLEANUP_FREE char *name = isc_escape (img->path);
    char summary[256];

    report_hives (img);
    isc_manifest_summarise (run->entries[i], summary, sizeof summary);
    if (img->status == ISC_IMAGE_OK) {
      CLEANUP_FREE char *output = img->output && a->outdir
        ? isc_escape (img->output) : NULL;

      fprintf (run->report, "%-8s %s%s%s  (%s)\n", "ok", name,
               output ? " -> " : "", output ? output : "",
               img->resumed ? "done by an earlier run"
               : summary[0] ? summary : "nothing to do");
    }
    else {
      fprintf (run->report, "%-8s %s\n", isc_image_status_name (img->status),
               name);
      out_error (img->path, img->error ? img->error : "failed");
    }
  }
}

static void
report_totals (const struct scrub_run *run)
{
  size_t ok, failed, skipped;
  int file = run->manifest_path && strcmp (run->manifest_path, "-") != 0;
  CLEANUP_FREE char *path = file ? isc_escape (run->manifest_path) : NULL;

  count_status (run->images, run->n, &ok, &failed, &skipped);
  fprintf (run->report, "%zu ok, %zu failed, %zu skipped%s%s\n", ok, failed,
           skipped, file ? "; manifest: " : "", file ? path : "");
}

/* ---- the command -------------------------------------------------------- */

int
cmd_scrub (int argc, char **argv)
{
  struct scrub_args a = {
    .opts = common_engine_opts (ISC_ENGINE_SCRUB, arg_trace, arg_verbose),
    .aargs = ARCHIVE_ARGS_INIT,
  };
  struct scrub_run run = { .report = stdout };
  struct isc_err err = ISC_ERR_INIT;
  char started[32];
  size_t ok, failed, skipped;
  int status, archives_failed = 0;

  out_timestamp (started, sizeof started);
  if (parse_args (argc, argv, &a, &status) == -1)
    goto out;
  status = EXIT_USAGE;
  if (check_args (&a) == -1 || resolve_scrub_shard (&a) == -1 ||
      check_archive_args (&a.aargs, &a.opts) == -1)
    goto out;
  /* Profiles are read before any image is opened: a bad one is a usage
   * error. */
  if (load_profiles (a.profile_names, a.n_profile_names, 0, &run.profiles,
                     &run.n_profiles) == -1 ||
      check_skips (a.skips, run.profiles, run.n_profiles,
                   &run.skipped_rules) == -1)
    goto out;
  run.images = images_from_args (&a.cargs, a.inputs, a.n_inputs, &run.n);
  if (!run.images || check_archive_targets (&a.aargs, run.images,
                                            run.n) == -1)
    goto out;
  status = EXIT_INTERNAL;
  if (prepare_run (&a, &run) == -1)
    goto out;
  /* stdout carries the manifest and nothing else. */
  if (run.manifest_path && strcmp (run.manifest_path, "-") == 0)
    run.report = stderr;
  if (a.resume)
    load_previous (&run);

  if (isc_engine_run (&err, &a.opts, run.images, run.n) == -1) {
    out_error (NULL, isc_err_msg (&err));
    goto out;
  }
  if (build_manifest (&a, &run, started) == -1) {
    out_error (NULL, "out of memory");
    goto out;
  }
  if (run_interrupted ||
      write_archives (&a.aargs, &run_interrupted, run.report, run.images,
                      run.n, run.entries, run.manifest) == -1) {
    archives_failed = !run_interrupted;
    /* Without -o new outputs lived only in the scratch space. */
    if (!a.outdir && manifest_mode (&a.opts) == ISC_MANIFEST_OUTPUT)
      outputs_lost (&run);
  }
  report_images (&a, &run);
  if (run.manifest_path && write_manifest (&run) == -1)
    goto out;
  report_totals (&run);
  count_status (run.images, run.n, &ok, &failed, &skipped);
  status = run_status (failed || archives_failed ? EXIT_IMAGE_FAILED
                       : EXIT_OK);

 out:
  scrub_clear (&run);
  scrub_args_clear (&a);
  isc_err_clear (&err);
  if (fflush (stdout) == EOF && status == EXIT_OK)
    status = EXIT_INTERNAL;
  return status;
}
