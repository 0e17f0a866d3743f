/* imgscrub: the shipping targets and their rule checks (target.h).
 *
 * The checks read only headers and footers (a few KiB), so they cost
 * nothing next to the conversion; they exist because a file an
 * importer refuses is found out hours later, far from the run that made
 * it.  Every offset and size read from a header is checked against the
 * bytes actually read before use.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanups.h"
#include "util/error.h"
#include "util/path.h"
#include "image/format.h"
#include "image/target.h"
#include "util/bytes.h"

#define MIB (UINT64_C (1) << 20)
#define GIB (UINT64_C (1) << 30)

#define VMDK_RULES (ISC_RULE_VMDK_MAGIC | ISC_RULE_VMDK_STREAM)
#define VHD_RULES (ISC_RULE_VHD_COOKIE | ISC_RULE_VHD_FIXED |            \
                   ISC_RULE_VHD_SIZE | ISC_RULE_VHD_CHECKSUM)

/* The stream VMDK's descriptor says which hardware and tools made it:
 * vCenter's Content Library and ovftool refuse qemu's default (hardware
 * version 4, no ddb.toolsVersion), the reason image factories stopped
 * using qemu-img's stream VMDKs as they came.  2147483647 is what
 * ovftool itself writes for "tools not managed". */
#define VMDK_STREAM_OPTIONS "subformat=streamOptimized,adapter_type=lsilogic," \
  "hwversion=6,toolsversion=2147483647"
/* force_size: the virtual size stays exact, not a CHS geometry's (Azure
 * compares it with the data size). */
#define VHD_FIXED_OPTIONS "subformat=fixed,force_size=on"

const struct isc_target isc_targets[] = {
  { "vmdk-stream", 0, "vmdk-stream", ISC_FORMAT_VMDK, VMDK_STREAM_OPTIONS,
    0, ISC_PACKAGE_NONE, "vmdk", VMDK_RULES, 0,
    "streamOptimized VMDK (vSphere OVF import, AWS VM Import)" },
  { "vhd-fixed", 0, "vhd-fixed", ISC_FORMAT_VPC, VHD_FIXED_OPTIONS,
    0, ISC_PACKAGE_NONE, "vhd", VHD_RULES, 0,
    "fixed VHD (Azure, with --target azure's MiB rounding)" },
  { "vhdx", 0, "vhdx", ISC_FORMAT_VHDX, NULL,
    0, ISC_PACKAGE_NONE, "vhdx", ISC_RULE_VHDX_SIGNATURE, 0,
    "dynamic VHDX (Hyper-V, AWS, GCE)" },
  { "vsphere", 1, "vmdk-stream", ISC_FORMAT_VMDK, VMDK_STREAM_OPTIONS,
    0, ISC_PACKAGE_OVA, "ova", VMDK_RULES, ISC_RULE_OVA_LAYOUT,
    "NAME.ova: OVF, SHA-256 .mf and a stream VMDK, ustar" },
  { "azure", 1, "vhd-fixed", ISC_FORMAT_VPC, VHD_FIXED_OPTIONS,
    MIB, ISC_PACKAGE_NONE, "vhd", VHD_RULES | ISC_RULE_SIZE_MIB, 0,
    "NAME.vhd: fixed VHD, virtual size rounded up to a MiB" },
  { "gce", 1, "raw", ISC_FORMAT_RAW, NULL,
    GIB, ISC_PACKAGE_GCE_TAR, "tar.gz", ISC_RULE_SIZE_GIB,
    ISC_RULE_GCE_LAYOUT,
    "NAME.tar.gz: only disk.raw, GNU tar, size rounded up to a GiB" },
  { "aws", 1, "vmdk-stream", ISC_FORMAT_VMDK, VMDK_STREAM_OPTIONS,
    0, ISC_PACKAGE_NONE, "vmdk", VMDK_RULES, 0,
    "NAME.vmdk: streamOptimized VMDK" },
  { "hyperv", 1, "vhdx", ISC_FORMAT_VHDX, NULL,
    0, ISC_PACKAGE_NONE, "vhdx", ISC_RULE_VHDX_SIGNATURE, 0,
    "NAME.vhdx: dynamic VHDX" },
  { NULL, 0, NULL, ISC_FORMAT_UNKNOWN, NULL, 0, ISC_PACKAGE_NONE, NULL,
    0, 0, NULL },
};

static const char *const rule_names[ISC_RULE_COUNT] = {
  "vmdk-magic", "vmdk-stream-optimized", "vhd-cookie", "vhd-fixed",
  "vhd-current-size", "vhd-checksum", "size-mib-multiple",
  "size-gib-multiple", "vhdx-signature", "ova-layout", "gce-tar-layout",
};

const struct isc_target *
isc_target_lookup (const char *name, int preset)
{
  const struct isc_target *t;

  for (t = isc_targets; t->name; ++t)
    if (t->preset == preset && strcmp (t->name, name) == 0)
      return t;
  return NULL;
}

const char *
isc_rule_name (enum isc_rule rule)
{
  unsigned i;

  for (i = 0; i < ISC_RULE_COUNT; ++i)
    if ((unsigned) rule == 1u << i)
      return rule_names[i];
  return NULL;
}

uint64_t
isc_target_disk_size (const struct isc_target *t, uint64_t size)
{
  uint64_t rem;

  if (!t->round_to)
    return size;
  rem = size % t->round_to;
  if (rem == 0)
    return size;
  if (size > UINT64_MAX - (t->round_to - rem))
    return 0;
  return size + (t->round_to - rem);
}

char *
isc_target_output_path (const struct isc_target *t, const char *outdir,
                        const char *input)
{
  const char *base = strrchr (input, '/') ? strrchr (input, '/') + 1 : input;
  const char *dot = strrchr (base, '.');
  int stem = dot && dot != base ? (int) (dot - base) : (int) strlen (base);
  CLEANUP_FREE char *name = NULL;

  if (asprintf (&name, "%.*s.%s", stem, base, t->extension) == -1)
    return NULL;
  return isc_path_join (outdir, name);
}

/* ---- the checks on bytes ---------------------------------------------- */

/* "'SUBJECT': RULE: why", the one shape of a broken rule. */
static int
rule_failed (struct isc_err *err, const char *subject, enum isc_rule rule,
             const char *why)
{
  return isc_error (err, subject, "breaks the rule %s: %s",
                    isc_rule_name (rule), why);
}

static int
check_size_rules (struct isc_err *err, const char *subject, unsigned rules,
                  uint64_t size)
{
  char why[96];

  if ((rules & ISC_RULE_SIZE_MIB) && size % MIB) {
    snprintf (why, sizeof why, "virtual size %" PRIu64
              " is not a whole number of MiB", size);
    return rule_failed (err, subject, ISC_RULE_SIZE_MIB, why);
  }
  if ((rules & ISC_RULE_SIZE_GIB) && size % GIB) {
    snprintf (why, sizeof why, "size %" PRIu64
              " is not a whole number of GiB", size);
    return rule_failed (err, subject, ISC_RULE_SIZE_GIB, why);
  }
  return 0;
}

int
isc_check_vhd_footer (struct isc_err *err, const char *subject,
                      unsigned rules, const unsigned char footer[512],
                      uint64_t file_size)
{
  uint32_t sum = 0, stored = isc_be32 (footer + 64);
  uint64_t current = isc_be64 (footer + 48);
  char why[128];
  unsigned i;

  if ((rules & ISC_RULE_VHD_COOKIE) && memcmp (footer, "conectix", 8) != 0)
    return rule_failed (err, subject, ISC_RULE_VHD_COOKIE,
                        "the last 512 bytes are not a VHD footer");
  if (rules & ISC_RULE_VHD_CHECKSUM) {
    /* The one's complement of the byte sum, the checksum field left
     * out. */
    for (i = 0; i < 512; ++i)
      if (i < 64 || i >= 68)
        sum += footer[i];
    sum = ~sum;
    if (sum != stored) {
      snprintf (why, sizeof why, "footer checksum 0x%08" PRIx32
                ", the footer sums to 0x%08" PRIx32, stored, sum);
      return rule_failed (err, subject, ISC_RULE_VHD_CHECKSUM, why);
    }
  }
  if ((rules & ISC_RULE_VHD_FIXED) && isc_be32 (footer + 60) != 2) {
    snprintf (why, sizeof why, "disk type %" PRIu32 ", not 2 (fixed)",
              isc_be32 (footer + 60));
    return rule_failed (err, subject, ISC_RULE_VHD_FIXED, why);
  }
  if ((rules & ISC_RULE_VHD_SIZE) &&
      (file_size < 512 || current != file_size - 512)) {
    snprintf (why, sizeof why, "current size %" PRIu64 ", but %" PRIu64
              " bytes of data", current, file_size < 512 ? 0 : file_size - 512);
    return rule_failed (err, subject, ISC_RULE_VHD_SIZE, why);
  }
  return check_size_rules (err, subject, rules, current);
}

/* A sparse extent header's fields (VMware's "Virtual Disk Format 5.0"),
 * little-endian. */
#define VMDK_FLAG_COMPRESSED (1u << 16)
#define VMDK_FLAG_MARKERS (1u << 17)
#define VMDK_COMPRESS_DEFLATE 1

int
isc_check_vmdk_header (struct isc_err *err, const char *subject,
                       unsigned rules, const unsigned char *head, size_t len)
{
  uint64_t desc_off, desc_size;
  uint32_t version, flags;
  const char *create;
  char why[128];

  if (len < 512 || memcmp (head, "KDMV", 4) != 0) {
    if (rules & (ISC_RULE_VMDK_MAGIC | ISC_RULE_VMDK_STREAM))
      return rule_failed (err, subject, ISC_RULE_VMDK_MAGIC,
                          "no sparse VMDK header (\"KDMV\")");
    return 0;
  }
  if (!(rules & ISC_RULE_VMDK_STREAM))
    return 0;
  version = isc_le32 (head + 4);
  flags = isc_le32 (head + 8);
  if (version != 3 || !(flags & VMDK_FLAG_COMPRESSED) ||
      !(flags & VMDK_FLAG_MARKERS) ||
      (head[77] | head[78] << 8) != VMDK_COMPRESS_DEFLATE) {
    snprintf (why, sizeof why, "version %" PRIu32 ", flags 0x%08" PRIx32
              ": not a compressed stream with markers", version, flags);
    return rule_failed (err, subject, ISC_RULE_VMDK_STREAM, why);
  }
  desc_off = isc_le64 (head + 28);
  desc_size = isc_le64 (head + 36);
  if (desc_off == 0 || desc_size == 0 || desc_off > len / 512 ||
      desc_size > len / 512 - desc_off)
    return rule_failed (err, subject, ISC_RULE_VMDK_STREAM,
                        "no embedded descriptor");
  create = memmem (head + desc_off * 512, desc_size * 512,
                   "createType=\"streamOptimized\"", 28);
  if (!create)
    return rule_failed (err, subject, ISC_RULE_VMDK_STREAM,
                        "the descriptor's createType is not "
                        "\"streamOptimized\"");
  return 0;
}

int
isc_check_vhdx_header (struct isc_err *err, const char *subject,
                       const unsigned char *head, size_t len)
{
  /* The file type identifier, then the two headers at 64 and 128 KiB. */
  if (len < 8 || memcmp (head, "vhdxfile", 8) != 0)
    return rule_failed (err, subject, ISC_RULE_VHDX_SIGNATURE,
                        "no \"vhdxfile\" identifier");
  if (len < 192 * 1024 || memcmp (head + 64 * 1024, "head", 4) != 0 ||
      memcmp (head + 128 * 1024, "head", 4) != 0)
    return rule_failed (err, subject, ISC_RULE_VHDX_SIGNATURE,
                        "the two headers (\"head\") are missing");
  return 0;
}

/* ---- reading the pieces back ------------------------------------------ */

#define HEAD_BYTES (192 * 1024)

/* Read up to LEN bytes at OFF into BUF; the count read in *RET_LEN. */
static int
read_at (struct isc_err *err, const char *path, int fd, void *buf,
         size_t len, off_t off, size_t *ret_len)
{
  size_t done = 0;

  while (done < len) {
    ssize_t r = pread (fd, (char *) buf + done, len - done, off + done);

    if (r == -1 && errno == EINTR)
      continue;
    if (r == -1)
      return isc_error_errno (err, path, "read");
    if (r == 0)
      break;
    done += r;
  }
  *ret_len = done;
  return 0;
}

int
isc_target_check_disk (struct isc_err *err, const struct isc_target *t,
                       const char *path)
{
  CLEANUP_CLOSE int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  CLEANUP_FREE unsigned char *head = NULL;
  unsigned char footer[512];
  struct stat st;
  size_t len;

  if (fd == -1)
    return isc_error_errno (err, path, "open");
  if (fstat (fd, &st) == -1)
    return isc_error_errno (err, path, "stat");
  switch (t->format) {
  case ISC_FORMAT_VPC:
    if (st.st_size < 512)
      return rule_failed (err, path, ISC_RULE_VHD_COOKIE,
                          "shorter than a footer");
    if (read_at (err, path, fd, footer, 512, st.st_size - 512, &len) == -1)
      return -1;
    return isc_check_vhd_footer (err, path, t->disk_rules, footer,
                                 (uint64_t) st.st_size);
  case ISC_FORMAT_VMDK:
  case ISC_FORMAT_VHDX:
    head = malloc (HEAD_BYTES);
    if (!head)
      return isc_error_oom (err, path);
    if (read_at (err, path, fd, head, HEAD_BYTES, 0, &len) == -1)
      return -1;
    if (t->format == ISC_FORMAT_VMDK)
      return isc_check_vmdk_header (err, path, t->disk_rules, head, len);
    return isc_check_vhdx_header (err, path, head, len);
  case ISC_FORMAT_RAW:
    return check_size_rules (err, path, t->disk_rules, (uint64_t) st.st_size);
  case ISC_FORMAT_QCOW2:
  case ISC_FORMAT_UNKNOWN:
    break;
  }
  return 0;
}
