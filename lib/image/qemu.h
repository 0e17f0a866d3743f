/* imgscrub: run qemu-img safely: explicit formats only, no shell,
 * a wall-clock timeout (its process group is killed) and limits on
 * address space and CPU time.
 */
#ifndef ISC_QEMU_H
#define ISC_QEMU_H

#include <stdint.h>

#include "util/error.h"

/* Seconds a quick qemu-img command (info, create) may take. */
#define ISC_QEMU_IMG_QUICK_TIMEOUT 30

/* Run qemu-img with ARGV (ARGV[0] is ignored and replaced by the
 * configured qemu-img path; NULL-terminated).  When RET_STDOUT is not
 * NULL, capture standard output (at most 1 MiB) into a newly allocated
 * string the caller frees.  TIMEOUT_SECS 0 means no wall-clock limit
 * (for conversions of big images); otherwise RLIMIT_CPU follows it.
 * An "info" command also runs with RLIMIT_FSIZE 0.  Standard error is
 * kept (its last 64 KiB) and its last line quoted, escaped, in the
 * message on failure.  Returns 0 when qemu-img exits 0. */
int isc_qemu_img_run (struct isc_err *err, const char *subject,
                      const char *const *argv, unsigned timeout_secs,
                      char **ret_stdout);

/* Formats are qemu driver names ("raw", "vpc", ...: isc_format_driver);
 * NULL, an unknown format, is refused: qemu never probes.
 *
 * `qemu-img info --output=json -f FMT -- PATH`: the virtual size, and
 * -1 if qemu reports any backing or data file.  A relative PATH is
 * given to qemu as "./PATH" (so is every file name below), which it
 * cannot read as a protocol or "json:" name. */
int isc_qemu_img_info (struct isc_err *err, const char *path,
                       const char *fmt, uint64_t *ret_virtual_size);

/* The same for FILE, with messages naming SUBJECT (the image as the
 * user knows it, when FILE is the /proc name of its open file). */
int isc_qemu_img_info_as (struct isc_err *err, const char *subject,
                          const char *file, const char *fmt,
                          uint64_t *ret_virtual_size);

/* Create a qcow2 OVERLAY whose backing file is BACKING (absolute path,
 * explicit BACKING_FMT), so edits land in the overlay and BACKING is
 * never written. */
int isc_qemu_img_create_overlay (struct isc_err *err, const char *overlay,
                                 const char *backing,
                                 const char *backing_fmt);

/* The same, SIZE bytes large (0: BACKING's size).  A larger overlay
 * reads as zeros past BACKING's end: a target's size rounding
 * (image/target.h) without touching the guest's partitions. */
int isc_qemu_img_create_overlay_sized (struct isc_err *err,
                                       const char *overlay,
                                       const char *backing,
                                       const char *backing_fmt,
                                       uint64_t size);

/* Convert SRC (format SRC_FMT) to DST (DST_FMT, with the -o
 * DST_OPTIONS unless NULL: isc_format_create_options) with a safe cache
 * mode (-t writeback), sparse where the format allows (-S 4k).  DST
 * must not exist. */
int isc_qemu_img_convert (struct isc_err *err, const char *src,
                          const char *src_fmt, const char *dst,
                          const char *dst_fmt, const char *dst_options);

#endif
