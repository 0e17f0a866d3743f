/* imgscrub: what each shipping target takes, and the rules a written
 * disk is checked against before it is committed.
 *
 * A target is one row of a table: the output format qemu-img writes
 * (with its -o), the rounding of the virtual size, the packaging
 * (lib/archive/ship.h) and the file extension.  Two kinds of row:
 * --output-format values that are more than a qemu driver
 * (vmdk-stream, vhd-fixed, vhdx) and --target presets (vsphere, azure,
 * gce, aws, hyperv).
 *
 * The rule checks read the file back with plain reads, never through
 * qemu: they are what the target's importer would refuse, so they must
 * not trust the writer.  The checks on bytes are pure, for the unit
 * tests; each failure names its rule ("vhd-checksum: ...").
 */
#ifndef ISC_TARGET_H
#define ISC_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "image/format.h"
#include "util/error.h"

enum isc_package {
  ISC_PACKAGE_NONE,             /* the disk itself */
  ISC_PACKAGE_OVA,              /* ustar: .ovf, .mf, stream VMDK */
  ISC_PACKAGE_GCE_TAR,          /* tar.gz holding only disk.raw */
};

/* The rules, one bit each; isc_rule_name gives the name the manifest
 * and the messages use. */
enum isc_rule {
  ISC_RULE_VMDK_MAGIC = 1u << 0,        /* "KDMV" sparse header */
  ISC_RULE_VMDK_STREAM = 1u << 1,       /* createType="streamOptimized",
                                           compressed grains, markers */
  ISC_RULE_VHD_COOKIE = 1u << 2,        /* footer cookie "conectix" */
  ISC_RULE_VHD_FIXED = 1u << 3,         /* disk type 2 */
  ISC_RULE_VHD_SIZE = 1u << 4,          /* current size = file - 512 */
  ISC_RULE_VHD_CHECKSUM = 1u << 5,      /* footer checksum */
  ISC_RULE_SIZE_MIB = 1u << 6,          /* virtual size a MiB multiple */
  ISC_RULE_SIZE_GIB = 1u << 7,          /* virtual size a GiB multiple */
  ISC_RULE_VHDX_SIGNATURE = 1u << 8,    /* "vhdxfile", two "head" */
  ISC_RULE_OVA_LAYOUT = 1u << 9,        /* ustar, .ovf first, .mf, disk
                                           size as the OVF says */
  ISC_RULE_GCE_LAYOUT = 1u << 10,       /* GNU tar member disk.raw */
};

#define ISC_RULE_COUNT 11

struct isc_target {
  const char *name;             /* "vmdk-stream", "azure", ... */
  int preset;                   /* 1: a --target, 0: an --output-format */
  const char *disk_format;      /* the disk's format by imgscrub's name:
                                   "vmdk-stream", "vhd-fixed", "vhdx",
                                   "raw" */
  enum isc_format format;       /* qemu's driver for it */
  const char *create_options;   /* qemu-img -o, or NULL */
  uint64_t round_to;            /* virtual size rounded up to a multiple
                                   of this; 0: kept */
  enum isc_package package;
  const char *extension;        /* of the shipped file, without the dot */
  unsigned disk_rules;          /* checked on the disk qemu-img wrote */
  unsigned package_rules;       /* checked on the package (ship.h) */
  const char *wanted_by;        /* --help: who takes it */
};

/* The whole table, NULL-terminated by a row with a NULL name. */
extern const struct isc_target isc_targets[];

/* The row named NAME of kind PRESET (1: --target, 0: --output-format),
 * or NULL. */
const struct isc_target *isc_target_lookup (const char *name, int preset);

/* "vhd-checksum", ...; static; NULL for a bit that is no rule. */
const char *isc_rule_name (enum isc_rule rule);

/* T's virtual size for an input of SIZE bytes: rounded up to
 * T->round_to (0 when that would overflow). */
uint64_t isc_target_disk_size (const struct isc_target *t, uint64_t size);

/* OUTDIR/STEM.EXT for INPUT (its base name without its extension) and
 * T's extension.  Caller frees; NULL when out of memory. */
char *isc_target_output_path (const struct isc_target *t, const char *outdir,
                              const char *input);

/* The rule checks on bytes.  SUBJECT names the file in messages; each
 * returns 0, or -1 with "'SUBJECT': RULE: why".  RULES is a set of
 * enum isc_rule bits; those that do not concern the format are ignored. */

/* FOOTER: the last 512 bytes of a VHD of FILE_SIZE bytes. */
int isc_check_vhd_footer (struct isc_err *err, const char *subject,
                          unsigned rules, const unsigned char footer[512],
                          uint64_t file_size);

/* HEAD: the first LEN bytes of a sparse VMDK (the 512-byte header and,
 * for the stream rule, the descriptor it points to). */
int isc_check_vmdk_header (struct isc_err *err, const char *subject,
                           unsigned rules, const unsigned char *head,
                           size_t len);

/* HEAD: the first LEN bytes of a VHDX (at least 192 KiB for both
 * headers). */
int isc_check_vhdx_header (struct isc_err *err, const char *subject,
                           const unsigned char *head, size_t len);

/* Read what T->disk_rules need from the disk at PATH and check them.
 * The size rules read a VHD's footer and a raw disk's file size. */
int isc_target_check_disk (struct isc_err *err, const struct isc_target *t,
                           const char *path);

#endif
