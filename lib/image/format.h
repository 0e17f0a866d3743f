/* imgscrub: recognise a disk image by its magic bytes and refuse any
 * image that would make qemu open a file other than itself.
 *
 * qemu must never probe an untrusted file, and an explicit format does
 * not stop it from following a qcow2 backing file or data file, or a
 * VMDK extent.  Everything that reaches qemu-img or libguestfs goes
 * through isc_image_open_check() first.
 */
#ifndef ISC_FORMAT_H
#define ISC_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "util/error.h"

enum isc_format {
  ISC_FORMAT_UNKNOWN = 0,
  ISC_FORMAT_RAW,
  ISC_FORMAT_VPC,               /* VHD, fixed or dynamic */
  ISC_FORMAT_VMDK,              /* sparse, streamOptimized or descriptor */
  ISC_FORMAT_QCOW2,
  ISC_FORMAT_VHDX,
};

/* qemu's driver name ("raw", "vpc", "vmdk", "qcow2", "vhdx"); static. */
const char *isc_format_name (enum isc_format fmt);

/* The qemu driver name of FMT ("raw", "vpc", ...), or NULL for
 * ISC_FORMAT_UNKNOWN, which qemu-img then refuses (lib/image/qemu.h). */
const char *isc_format_driver (enum isc_format fmt);

/* qemu-img's -o for an output of FMT, or NULL: a VHD is dynamic and
 * keeps the exact virtual size (force_size, not a CHS geometry), a VMDK
 * monolithicSparse.  Static. */
const char *isc_format_create_options (enum isc_format fmt);

/* Conventional file extension without the dot ("img", "vhd", "vmdk",
 * "qcow2", "vhdx"); static. */
const char *isc_format_extension (enum isc_format fmt);

/* Parse a user-given name: the qemu names, plus "vhd" for vpc.
 * Returns 0 and sets *ret, or -1 when unknown (no message). */
int isc_format_from_name (const char *name, enum isc_format *ret);

struct isc_image_info {
  enum isc_format format;
  char subformat[32];           /* "fixed", "dynamic", "monolithicSparse",
                                   "streamOptimized", "twoGbMaxExtentSparse"...;
                                   a plain word ([A-Za-z0-9_-]) or "" */
  uint64_t file_size;           /* bytes of the file itself */
  uint64_t virtual_size;        /* guest-visible bytes as qemu-img info
                                   reports them (the header's value is
                                   checked first; a VHD's can differ, as
                                   qemu may use its CHS geometry, and a raw
                                   file's is rounded up to 512) */
};

/* Detect the format of the bytes in BUF (LEN bytes from offset 0 of a
 * file of FILE_SIZE bytes; TAIL is its last 512 bytes or NULL) without
 * any I/O.  Pure, so the fuzzer and unit tests can drive it.
 * ISC_FORMAT_UNKNOWN only when LEN or FILE_SIZE is 0; bytes with no
 * known magic are ISC_FORMAT_RAW.  VMDK covers "KDMV" and "COWD" sparse
 * files and text descriptors (first non-comment line "# Disk
 * DescriptorFile", or qemu's own rule: "version=N"). */
enum isc_format isc_format_detect (const unsigned char *buf, size_t len,
                                   const unsigned char *tail,
                                   uint64_t file_size);

/* Open PATH safely and decide whether it may be handed to qemu:
 * - only a regular file (opened O_NONBLOCK so a FIFO cannot hang us),
 *   not empty, not truncated;
 * - format from magic (FORCED, when not UNKNOWN, overrides detection but
 *   none of the checks below); a file whose name claims a format its
 *   bytes do not have is refused;
 * - qcow2: no backing file, no external data file (feature bit or
 *   header extension), not encrypted;
 * - VHD: not differencing;
 * - VMDK: no parent (parentFileNameHint, parentCID), descriptor extents
 *   (also a sparse file's embedded one, which qemu reads when the
 *   capacity is 0) relative, inside the image's own folder, regular
 *   files, of type FLAT, SPARSE, VMFS, VMFSSPARSE or ZERO;
 * - then `qemu-img info -f FMT` under a timeout and resource limits
 *   confirms qemu reads it and reports no backing file.
 * Returns 0 and fills *RET, or -1 with a message naming the cause. */
int isc_image_open_check (struct isc_err *err, const char *path,
                          enum isc_format forced,
                          struct isc_image_info *ret);

/* The file a check accepted, kept open so that qemu-img, the hash and
 * qemu all read the very file that was checked, whatever happens to its
 * name meanwhile. */
struct isc_checked_file {
  int fd;                       /* open read-only, close-on-exec; or -1 */
  char *resolved;               /* its real path, symlinks resolved */
  char *qemu_name;              /* the name to give qemu: "/proc/PID/fd/N"
                                   (this open file), or RESOLVED for a VMDK
                                   descriptor, whose extents qemu looks
                                   for beside it */
  int by_name;                  /* qemu_name is RESOLVED */
  dev_t dev;                    /* identity and state when checked */
  ino_t ino;
  off_t size;
  struct timespec mtime;
  /* A descriptor's extent files, as checked (qemu opens them by name). */
  struct isc_checked_extent {
    char *path;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
  } *extents;
  size_t n_extents;
};

/* isc_image_check_file FLAGS: PATH itself must not be a symlink (a file
 * found by a folder scan). */
#define ISC_CHECK_NOFOLLOW 1

/* isc_image_open_check, keeping the checked file open in *RET_FILE
 * (NULL: closed).  A symlink is followed (unless ISC_CHECK_NOFOLLOW)
 * only to a regular file, and a VMDK descriptor's extents are looked
 * for in the folder of the file it leads to, where qemu looks.  The
 * caller clears *RET_FILE (isc_checked_file_clear). */
int isc_image_check_file (struct isc_err *err, const char *path,
                          enum isc_format forced, unsigned flags,
                          struct isc_image_info *ret,
                          struct isc_checked_file *ret_file);

/* 0 while FILE is still as checked: same size and modification time,
 * its resolved path still leads to it (not renamed over), and so does
 * each extent's path, to the same, unchanged, regular file.
 * Otherwise -1 with a message naming SUBJECT.  Call before each step
 * that hands the file to another process. */
int isc_checked_file_verify (struct isc_err *err, const char *subject,
                             const struct isc_checked_file *file);

/* Close FILE and free its names; safe on a cleared one. */
void isc_checked_file_clear (struct isc_checked_file *file);

/* Names of the extent files a VMDK text descriptor at PATH lists (as
 * written, relative to its folder), NULL-terminated, caller frees.
 * Returns -1 (no message) when PATH is not a readable text descriptor. */
int isc_vmdk_descriptor_extents (const char *path, char ***ret_names);

#endif
