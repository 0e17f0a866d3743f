/* imgscrub: archives written with libarchive (tar, tar.gz, tar.xz,
 * tar.zst, zip).  An archive is written under a temporary name beside
 * its final one and appears only when archive_write_close succeeded and
 * the file is on disk (fsync, rename); an aborted one leaves nothing. */
#ifndef ISC_ARCHIVER_H
#define ISC_ARCHIVER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <jansson.h>

#include "util/error.h"

struct archive_entry;

enum isc_archive_format {
  ISC_ARCHIVE_UNKNOWN = 0,
  ISC_ARCHIVE_TAR,                  /* POSIX pax (sparse files kept sparse) */
  ISC_ARCHIVE_TAR_GZ,
  ISC_ARCHIVE_TAR_XZ,
  ISC_ARCHIVE_TAR_ZST,
  ISC_ARCHIVE_ZIP,
  /* For the shipping targets only (archive/ship.h), never a --archive
   * format: no names to parse them by. */
  ISC_ARCHIVE_USTAR,                /* an OVA: plain ustar, no pax */
  ISC_ARCHIVE_GNUTAR_GZ,            /* GCE: GNU tar headers, gzip */
};

/* "tar", "tar.gz", "tar.xz", "tar.zst", "zip"; static. */
const char *isc_archive_format_name (enum isc_archive_format f);

/* A format by name ("tgz", "txz", "tzst" accepted too); UNKNOWN if none. */
enum isc_archive_format isc_archive_format_parse (const char *name);

/* The format a file name's extension says; UNKNOWN if it says none. */
enum isc_archive_format isc_archive_format_of_path (const char *path);

struct isc_archive_opts {
  enum isc_archive_format format;
  int level;                        /* compression level; -1: default */
  int threads;                      /* compressor threads; 0: default */
  /* Set (by a signal handler) to abandon the archive midway. */
  const volatile sig_atomic_t *stop;
};

#define ISC_ARCHIVE_OPTS_INIT { ISC_ARCHIVE_UNKNOWN, -1, 0, NULL }

struct isc_archiver;

/* Start writing the archive that will become FINAL.  Bad options (a
 * level or thread count the format does not take) fail here. */
int isc_archiver_open (struct isc_err *err, const char *final,
                       const struct isc_archive_opts *opts,
                       struct isc_archiver **ret);

/* A regular file NAME holding LEN bytes of DATA (mode 0644). */
int isc_archiver_add_buffer (struct isc_err *err, struct isc_archiver *ar,
                             const char *name, const void *data, size_t len);

/* The host file PATH as NAME, streamed.  In tar its holes stay holes. */
int isc_archiver_add_file (struct isc_err *err, struct isc_archiver *ar,
                           const char *name, const char *path);

/* One entry built by the caller: the header, then (for a regular file)
 * exactly its size in isc_archiver_write_data calls.  The header call
 * returns 0 when written, -1 when the archive failed, 1 when the format
 * cannot hold this entry (nothing written; the reason in ERR), and 2
 * when it was written with a loss libarchive reports (the reason in ERR). */
int isc_archiver_write_header (struct isc_err *err, struct isc_archiver *ar,
                               struct archive_entry *entry);
int isc_archiver_write_data (struct isc_err *err, struct isc_archiver *ar,
                             const void *data, size_t len);

/* 1 when NAME is safe to extract: relative, every component non-empty
 * and neither "." nor ".." (no leading or trailing or double slash).
 * isc_archiver_write_header refuses any other member name or hard link
 * target (-1), whatever wrote it. */
int isc_archive_member_name_safe (const char *name);

/* GNU tar names members "./a/b" (and the top "./"): NAME without that
 * and without a trailing slash, its length in *LEN, or NULL for the top
 * itself. */
const char *isc_tar_member_name (const char *name, size_t *len);

/* Copy every entry of the tar SRC (as isc_tree_write makes them) into
 * AR, each name (and hard link target) under PREFIX/, without the "./"
 * and leaving out the top.  A zip cannot hold hard links: each one is
 * stored as a copy of its target's content.  An entry the format cannot hold
 * exactly is left out or, when libarchive stored it with a loss, kept;
 * either way it is appended to LOST as {"name","reason"}. */
int isc_archiver_add_archive (struct isc_err *err, struct isc_archiver *ar,
                              const char *src, const char *prefix,
                              json_t *lost);

/* Whether the format can store NAME exactly as it is: zip stores names
 * as UTF-8, so bytes that are not valid UTF-8 would be mangled. */
int isc_archive_name_representable (enum isc_archive_format f,
                                    const char *name);

/* Close (checked), fsync and rename into place; frees AR either way and
 * on failure removes the temporary. */
int isc_archiver_commit (struct isc_err *err, struct isc_archiver *ar);

/* Drop the unfinished archive: nothing is left behind.  NULL is fine. */
void isc_archiver_abort (struct isc_archiver *ar);

/* Append to LOST the entry NAME left out of a tree, with REASON. */
void isc_archive_lost (json_t *lost, const char *name, const char *reason);

#endif
