/* imgscrub inspect: what each image holds, read-only, many images per
 * appliance. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/atomic.h"
#include "commands.h"
#include "common.h"
#include "run/engine.h"
#include "util/escape.h"
#include "outputs/manifest.h"
#include "output.h"
#include "util/status.h"

static void
usage (void)
{
  printf ("Usage: %s inspect [OPTIONS] IMAGE|FOLDER...\n"
          "\n"
          "Show each image's format and size, and the operating system found\n"
          "in it: type, distribution, product name, version, architecture,\n"
          "hostname, Windows system root and mount points.  Images are opened\n"
          "read-only; one appliance serves many images.\n"
          "\n"
          "Options:\n"
          "  --json                  one JSON document on stdout\n"
          COMMON_ENGINE_OPTIONS_HELP
          "  -h, --help              this help\n"
          "\n"
          "Exit status: 0 every image inspected, 1 some image could not be\n"
          "read (reported, the others still are), 2 usage error, 3 internal\n"
          "error, 130 interrupted.\n",
          program_name);
}

/* Print one guest-controlled fact, escaped. */
static void
print_fact (const char *label, json_t *facts, const char *key)
{
  const char *v = json_string_value (json_object_get (facts, key));
  char *escaped;

  if (!v || strcmp (v, "unknown") == 0)
    return;
  escaped = isc_escape (v);
  printf ("  %-14s %s\n", label, escaped);
  free (escaped);
}

/* The dirty hives the facts above were read from, and how. */
static void
print_dirty_hives (const struct isc_image *img)
{
  json_t *h;
  size_t i;

  json_array_foreach (img->hives, i, h) {
    const char *how = json_string_value (json_object_get (h, "dirty_hives"));
    char *path;

    if (!how)
      continue;
    path = isc_escape (json_string_value (json_object_get (h, "path")));
    if (strcmp (how, "replay") == 0)
      printf ("  %-14s %s: dirty, read after replaying %lld transaction log "
              "entries\n", "registry:", path, (long long) json_integer_value
              (json_object_get (h, "log_entries_replayed")));
    else
      printf ("  %-14s %s: dirty, read without its transaction logs "
              "(--dirty-hives=%s)\n", "registry:", path, how);
    free (path);
  }
}

static void
print_image (const struct isc_image *img)
{
  char *name = isc_escape (img->path);
  char size[32];
  json_t *mounts;
  const char *mp;
  json_t *dev;

  printf ("%s\n", name);
  free (name);
  if (img->info.format != ISC_FORMAT_UNKNOWN)
    printf ("  %-14s %s%s%s%s, %s virtual\n", "format:",
            isc_format_name (img->info.format),
            img->info.subformat[0] ? " (" : "", img->info.subformat,
            img->info.subformat[0] ? ")" : "",
            out_size (img->info.virtual_size, size, sizeof size));
  if (img->status != ISC_IMAGE_OK) {
    char *error = isc_escape (img->error ? img->error : "failed");

    printf ("  %-14s %s\n", "error:", error);
    free (error);
    return;
  }
  print_fact ("os:", img->facts, "os");
  print_fact ("distro:", img->facts, "distro");
  print_fact ("product:", img->facts, "product_name");
  print_fact ("version:", img->facts, "version");
  print_fact ("arch:", img->facts, "arch");
  print_fact ("hostname:", img->facts, "hostname");
  print_fact ("systemroot:", img->facts, "windows_systemroot");
  mounts = json_object_get (img->facts, "mountpoints");
  json_object_foreach (mounts, mp, dev) {
    char *emp = isc_escape (mp), *edev = isc_escape (json_string_value (dev));

    printf ("  %-14s %s on %s\n", "mountpoint:", emp, edev);
    free (emp);
    free (edev);
  }
  print_dirty_hives (img);
}

int
cmd_inspect (int argc, char **argv)
{
  enum { OPT_JSON = 256 };
  static const struct option long_options[] = {
    COMMON_ENGINE_LONG_OPTIONS,
    { "help", no_argument, NULL, 'h' },
    { "json", no_argument, NULL, OPT_JSON },
    { NULL, 0, NULL, 0 },
  };
  struct isc_engine_opts opts =
    common_engine_opts (ISC_ENGINE_INSPECT, arg_trace, arg_verbose);
  struct common_args cargs = { 0 };
  struct isc_err err = ISC_ERR_INIT;
  struct isc_image *images;
  char *workdir;
  size_t n, i, ok, failed, skipped;
  int json = 0, c, r;

  while ((c = getopt_long (argc, argv, "hj:r", long_options, NULL)) != -1) {
    if ((r = parse_engine_option ("inspect", c, optarg, &opts, &cargs)) != 0) {
      if (r == -1) {
        common_args_clear (&cargs);
        return EXIT_USAGE;
      }
      continue;
    }
    switch (c) {
    case 'h': usage (); common_args_clear (&cargs); return EXIT_OK;
    case OPT_JSON: json = 1; break;
    default:
      common_args_clear (&cargs);
      return usage_error ("inspect", "unrecognized option '%s'",
                          argv[optind - 1]);
    }
  }
  if (optind >= argc) {
    common_args_clear (&cargs);
    return usage_error ("inspect", "no image given");
  }
  images = images_from_args (&cargs, argv + optind, argc - optind, &n);
  common_args_clear (&cargs);
  if (!images)
    return EXIT_USAGE;
  /* libguestfs's scratch files go there (and go with it). */
  workdir = run_begin (NULL);
  if (!workdir) {
    images_free (images, n);
    return EXIT_INTERNAL;
  }
  opts.workdir = workdir;
  opts.appliance_dir = run_appliance ();
  r = isc_engine_run (&err, &opts, images, n);
  run_end (workdir);
  if (r == -1) {
    out_error (NULL, isc_err_msg (&err));
    isc_err_clear (&err);
    images_free (images, n);
    return EXIT_INTERNAL;
  }

  for (i = 0; i < n; ++i) {
    report_hives (&images[i]);
    if (images[i].status != ISC_IMAGE_OK)
      out_error (images[i].path, images[i].error ? images[i].error : "failed");
  }
  if (json) {
    json_t *doc = isc_manifest_inspect (images, n);

    json_dumpf (doc, stdout, JSON_INDENT (2) | JSON_ENSURE_ASCII);
    putchar ('\n');
    json_decref (doc);
  }
  else {
    for (i = 0; i < n; ++i) {
      if (i > 0)
        putchar ('\n');
      print_image (&images[i]);
    }
  }
  count_status (images, n, &ok, &failed, &skipped);
  images_free (images, n);
  if (fflush (stdout) == EOF) {
    out_error (NULL, "error writing to standard output");
    return EXIT_INTERNAL;
  }
  return run_status (failed ? EXIT_IMAGE_FAILED : EXIT_OK);
}
