/* imgscrub: write one scrubbed disk as a target wants it shipped
 * (image/target.h): qemu-img converts the scrubbed overlay once,
 * straight into the target's format; the disk is checked against the
 * target's rules; a packaged target (vsphere's OVA, gce's tar.gz) is
 * then written with libarchive from that one converted file and its
 * layout checked in turn.  A failed step leaves nothing behind.
 */
#ifndef ISC_SHIP_H
#define ISC_SHIP_H

#include <stdint.h>

#include <jansson.h>

#include "image/target.h"
#include "util/error.h"

struct isc_ship_job {
  const struct isc_target *target;
  const char *src;                  /* the scrubbed image */
  const char *src_fmt;              /* its qemu driver name */
  const char *dst;                  /* the file to write; must not exist;
                                       scratch files go beside it */
  const char *name;                 /* the shipped file's name as the user
                                       will see it: the OVF's names come
                                       from its stem */
  json_t *steps;                    /* seconds per step ("convert",
                                       "check", "package") are added to
                                       it; or NULL */
};

/* Write JOB->dst.  0, or -1 with a message naming the broken rule. */
int isc_ship_write (struct isc_err *err, const struct isc_ship_job *job);

/* The checks of PACKAGE_RULES on the package at PATH (layout only: the
 * disk inside was checked before it was packed).  For an OVA,
 * DISK_SIZE is the size the OVF gives its disk. */
int isc_ship_check_package (struct isc_err *err, const struct isc_target *t,
                            const char *path, uint64_t disk_size);

/* The OVF descriptor of a one-disk VirtualSystem called NAME (letters,
 * digits, '.', '_', '-' only) whose disk is the stream VMDK member
 * DISK_MEMBER of FILE_SIZE bytes and CAPACITY virtual bytes, on a SCSI
 * controller.  Caller frees; NULL when out of memory. */
char *isc_ship_ovf (const char *name, const char *disk_member,
                    uint64_t file_size, uint64_t capacity);

#endif
