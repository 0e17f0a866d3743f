/* imgscrub: scrub --archive and --export-tree: the bundles written after
 * the engine ran. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "outputs/bundle.h"
#include "util/cleanups.h"
#include "commands.h"
#include "common.h"
#include "util/escape.h"
#include "outputs/manifest.h"
#include "output.h"
#include "scrub-archives.h"
#include "util/status.h"

int
parse_archive_option (int c, const char *arg, struct archive_args *args)
{
  unsigned v;

  switch (c) {
  case OPT_ARCHIVE: args->archive = arg; return 1;
  case OPT_EXPORT_TREE: args->export_tree = arg; return 1;
  case OPT_ARCHIVE_FORMAT:
    args->forced = isc_archive_format_parse (arg);
    if (args->forced == ISC_ARCHIVE_UNKNOWN) {
      usage_error ("scrub", "--archive-format: unknown format '%s' (tar, "
                   "tar.gz, tar.xz, tar.zst, zip)", arg);
      return -1;
    }
    return 1;
  case OPT_COMPRESSION_LEVEL:
    if (parse_unsigned ("scrub", "--compression-level", arg, 0, 22, &v) == -1)
      return -1;
    args->level = v;
    return 1;
  case OPT_COMPRESSION_THREADS:
    if (parse_unsigned ("scrub", "--compression-threads", arg, 1, 256,
                        &args->threads) == -1)
      return -1;
    return 1;
  }
  return 0;
}

static int
takes_level (enum isc_archive_format f)
{
  return f != ISC_ARCHIVE_TAR;
}

static int
takes_threads (enum isc_archive_format f)
{
  return f == ISC_ARCHIVE_TAR_XZ || f == ISC_ARCHIVE_TAR_ZST;
}

/* The compression options go to each archive that can use them (a run
 * may write a zip and a tar.xz); check_archive_args makes sure one can. */
static struct isc_archive_opts
archive_opts (const struct archive_args *args, const char *path,
              const volatile sig_atomic_t *stop)
{
  struct isc_archive_opts o = ISC_ARCHIVE_OPTS_INIT;

  o.format = args->forced != ISC_ARCHIVE_UNKNOWN ? args->forced
    : isc_archive_format_of_path (path);
  o.level = takes_level (o.format) ? args->level : -1;
  o.threads = takes_threads (o.format) ? (int) args->threads : 0;
  o.stop = stop;
  return o;
}

/* Open and drop the archive: a bad level, a thread count the format
 * does not take or a folder we cannot write to shows now, not after
 * every image was scrubbed. */
static int
try_archive (const struct archive_args *args, const char *opt,
             const char *path)
{
  struct isc_archive_opts o = archive_opts (args, path, NULL);
  struct isc_err err = ISC_ERR_INIT;
  struct isc_archiver *ar;

  if (o.format == ISC_ARCHIVE_UNKNOWN) {
    CLEANUP_FREE char *name = isc_escape (path);

    usage_error ("scrub", "%s: cannot tell the format of '%s': name it "
                 ".tar, .tar.gz, .tar.xz, .tar.zst or .zip, or use "
                 "--archive-format", opt, name);
    return -1;
  }
  if (isc_archiver_open (&err, path, &o, &ar) == -1) {
    usage_error ("scrub", "%s: %s", opt, isc_err_msg (&err));
    isc_err_clear (&err);
    return -1;
  }
  isc_archiver_abort (ar);
  return 0;
}

int
check_archive_args (const struct archive_args *args,
                    const struct isc_engine_opts *opts)
{
  if (!args->archive && !args->export_tree) {
    if (args->forced || args->level >= 0 || args->threads) {
      usage_error ("scrub", "--archive-format and --compression-* go with "
                   "--archive or --export-tree");
      return -1;
    }
    return 0;
  }
  if (opts->dry_run) {
    usage_error ("scrub", "--dry-run writes no archive");
    return -1;
  }
  if (args->archive && opts->in_place) {
    usage_error ("scrub", "--archive bundles new images: it goes with -o "
                 "or alone, not with --in-place");
    return -1;
  }
  if (args->archive && try_archive (args, "--archive", args->archive) == -1)
    return -1;
  if (args->export_tree &&
      try_archive (args, "--export-tree", args->export_tree) == -1)
    return -1;
  if (args->level >= 0 &&
      !(args->archive && takes_level (archive_opts (args, args->archive,
                                                    NULL).format)) &&
      !(args->export_tree &&
        takes_level (archive_opts (args, args->export_tree, NULL).format))) {
    usage_error ("scrub", "--compression-level: a plain tar is not "
                 "compressed (tar.gz, tar.xz, tar.zst or zip are)");
    return -1;
  }
  if (args->threads &&
      !(args->archive && takes_threads (archive_opts (args, args->archive,
                                                      NULL).format)) &&
      !(args->export_tree &&
        takes_threads (archive_opts (args, args->export_tree,
                                     NULL).format))) {
    usage_error ("scrub", "--compression-threads: only tar.xz and tar.zst "
                 "compress with several threads");
    return -1;
  }
  return 0;
}

static int
same_file (const char *a, const struct stat *sb)
{
  struct stat sa;

  return stat (a, &sa) == 0 && sa.st_dev == sb->st_dev &&
    sa.st_ino == sb->st_ino;
}

int
check_archive_targets (const struct archive_args *args,
                       const struct isc_image *images, size_t n)
{
  size_t i;

  for (i = 0; i < n; ++i) {
    struct stat st;

    if (stat (images[i].path, &st) == -1)
      continue;
    if ((args->archive && same_file (args->archive, &st)) ||
        (args->export_tree && same_file (args->export_tree, &st))) {
      CLEANUP_FREE char *name = isc_escape (images[i].path);

      usage_error ("scrub", "the archive would replace the input '%s'", name);
      return -1;
    }
  }
  return 0;
}

static void
set_archive (json_t *manifest, const char *key,
             const struct archive_args *args, const char *path)
{
  struct isc_archive_opts o = archive_opts (args, path, NULL);

  isc_manifest_set_archive (manifest, key, path,
                            isc_archive_format_name (o.format));
}

static void
archive_written (FILE *report, const char *what, const char *path)
{
  CLEANUP_FREE char *name = isc_escape (path);

  fprintf (report, "%-8s %s\n", what, name);
}

static void
archive_failed (json_t *manifest, const char *key, const char *msg)
{
  isc_manifest_archive_error (manifest, key, msg);
  out_error (NULL, msg);
}

int
write_archives (const struct archive_args *args,
                const volatile sig_atomic_t *stop, FILE *report,
                const struct isc_image *images, size_t n,
                json_t *const *entries, json_t *manifest)
{
  struct isc_err err = ISC_ERR_INIT;
  size_t i, ok = 0;
  int r = 0;

  if (!args->archive && !args->export_tree)
    return 0;
  for (i = 0; i < n; ++i)
    ok += images[i].status == ISC_IMAGE_OK;
  /* An archive of nothing would look like a delivery: write none. */
  if (ok == 0) {
    out_error (NULL, "no image ended ok: no archive written");
    return -1;
  }
  if (args->export_tree)
    set_archive (manifest, "export_tree", args, args->export_tree);
  if (args->archive) {
    set_archive (manifest, "archive", args, args->archive);
    for (i = 0; i < n; ++i)
      if (images[i].status == ISC_IMAGE_OK && images[i].output)
        isc_manifest_archive_member (entries[i],
                                     isc_bundle_member (&images[i]));
  }

  if (args->export_tree) {
    struct isc_archive_opts o = archive_opts (args, args->export_tree, stop);

    out_step ("writing the tree export %s", args->export_tree);
    if (isc_bundle_write_trees (&err, args->export_tree, &o, images, n,
                                entries, manifest) == -1) {
      archive_failed (manifest, "export_tree", isc_err_msg (&err));
      r = -1;
    }
    else
      archive_written (report, "tree", args->export_tree);
  }
  if (args->archive) {
    struct isc_archive_opts o = archive_opts (args, args->archive, stop);

    out_step ("writing the archive %s", args->archive);
    if (isc_bundle_write (&err, args->archive, &o, images, n,
                          manifest) == -1) {
      archive_failed (manifest, "archive", isc_err_msg (&err));
      r = -1;
    }
    else
      archive_written (report, "archive", args->archive);
  }
  isc_err_clear (&err);
  return r;
}
