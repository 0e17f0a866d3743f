/* imgscrub scrub: the archive options (--archive, --export-tree). */
#ifndef ISC_SCRUB_ARCHIVES_H
#define ISC_SCRUB_ARCHIVES_H

#include <signal.h>
#include <stdio.h>

#include <jansson.h>

#include "archive/archiver.h"
#include "run/engine.h"

enum {
  OPT_ARCHIVE = 2000, OPT_ARCHIVE_FORMAT, OPT_EXPORT_TREE,
  OPT_COMPRESSION_LEVEL, OPT_COMPRESSION_THREADS,
};

#define ARCHIVE_LONG_OPTIONS                                              \
  { "archive", required_argument, NULL, OPT_ARCHIVE },                    \
  { "archive-format", required_argument, NULL, OPT_ARCHIVE_FORMAT },      \
  { "compression-level", required_argument, NULL, OPT_COMPRESSION_LEVEL }, \
  { "compression-threads", required_argument, NULL, OPT_COMPRESSION_THREADS }, \
  { "export-tree", required_argument, NULL, OPT_EXPORT_TREE }

#define ARCHIVE_OPTIONS_HELP                                               \
  "  --archive FILE          also bundle the scrubbed images, SHA256SUMS and\n" \
  "                          manifest.json into FILE (tar, tar.gz, tar.xz,\n" \
  "                          tar.zst or zip, from the name); without -o\n" \
  "                          only the archive is written\n"             \
  "  --export-tree FILE      write each scrubbed guest's filesystems into\n" \
  "                          FILE, one folder per image, with manifest.json\n" \
  "  --archive-format FMT    tar, tar.gz, tar.xz, tar.zst or zip, whatever\n" \
  "                          the file names say\n"                      \
  "  --compression-level N   compression level of the compressed archives\n" \
  "                          (gzip, xz, zip: 0-9; zstd: 1-22)\n"         \
  "  --compression-threads N compressor threads of the tar.xz and tar.zst\n" \
  "                          archives\n"

struct archive_args {
  const char *archive;              /* --archive */
  const char *export_tree;          /* --export-tree */
  enum isc_archive_format forced;   /* --archive-format */
  int level;
  unsigned threads;
};

#define ARCHIVE_ARGS_INIT { NULL, NULL, ISC_ARCHIVE_UNKNOWN, -1, 0 }

/* Returns 1 when C was an archive option, 0 when not, -1 after a usage
 * error was printed. */
int parse_archive_option (int c, const char *arg, struct archive_args *args);

/* Usage errors no image should wait for: an unknown format, archives
 * with --dry-run or --in-place.  Prints the error; 0 or -1. */
int check_archive_args (const struct archive_args *args,
                        const struct isc_engine_opts *opts);

/* An archive named like one of the IMAGES would replace that input:
 * refuse (prints the usage error; 0 or -1). */
int check_archive_targets (const struct archive_args *args,
                           const struct isc_image *images, size_t n);

/* Record the archives in MANIFEST and write them (tree first, so the
 * bundle's manifest holds what the tree export found).  ENTRIES[i] is
 * image i's manifest object.  Prints errors; returns -1 if an archive
 * failed (none is left behind).  What was written is said on REPORT. */
int write_archives (const struct archive_args *args,
                    const volatile sig_atomic_t *stop, FILE *report,
                    const struct isc_image *images, size_t n,
                    json_t *const *entries, json_t *manifest);

#endif
