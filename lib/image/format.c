/* imgscrub: format detection, and the checks that keep qemu from ever
 * opening a file other than the image it was given.
 *
 * Everything here reads the image's bytes itself, before any qemu
 * process runs: qemu follows qcow2 backing and data files and VMDK
 * extents even when the format is explicit, so those references must
 * be found here first.  Every size or count read from a header is
 * capped or checked against the file size before it is used.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "util/cleanups.h"
#include "util/error.h"
#include "util/escape.h"
#include "image/format.h"
#include "image/qemu.h"
#include "util/bytes.h"

/* Largest VMDK text descriptor accepted.  Real ones are well under
 * 4 KiB; qemu itself reads up to 1 MiB, so anything longer than what
 * we checked is refused rather than half-checked. */
#define DESC_MAX (64 * 1024)
/* Bytes read from the start of every image: every header we parse
 * from offset 0, and one byte past DESC_MAX to see an oversized
 * descriptor. */
#define HEAD_MAX (DESC_MAX + 1)

#define SECTOR 512

/* qemu looks for a sparse VMDK's parent in the 20 sectors after the
 * header, whatever the header says the descriptor's offset is. */
#define VMDK_PARENT_AREA_OFFSET 0x200
#define VMDK_PARENT_AREA_SIZE (20 * SECTOR)
#define VMDK_MAX_EXTENTS 4096
#define VMDK_GD_AT_END UINT64_MAX
#define VMDK_FLAG_COMPRESSED (UINT32_C (1) << 16)
#define VMDK_COMPRESSION_DEFLATE 1

#define VHD_FOOTER_SIZE 512
#define VHD_DYNAMIC_HEADER_SIZE 1024
#define VHD_TYPE_FIXED 2
#define VHD_TYPE_DYNAMIC 3
#define VHD_TYPE_DIFFERENCING 4

#define QCOW2_V2_HEADER_LENGTH 72
#define QCOW2_V3_HEADER_LENGTH 104
#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_CLUSTER_BITS 21
#define QCOW2_INCOMPAT_DATA_FILE (UINT64_C (1) << 2)
#define QCOW2_EXT_DATA_FILE UINT32_C (0x44415441)
#define QCOW2_MAX_EXTENSIONS 1024
#define QCOW2_MAX_NAME 1023

/* The VHDX header section: file identifier, two headers, two region
 * tables, all inside the first MiB. */
#define VHDX_HEADER_SECTION (1024 * 1024)

/* ---- names ---------------------------------------------------------- */

static const struct {
  const char *name;             /* qemu's driver name */
  const char *extension;
  const char *human;            /* in messages */
} formats[] = {
  [ISC_FORMAT_UNKNOWN] = { "unknown", "img", "unknown" },
  [ISC_FORMAT_RAW] = { "raw", "img", "raw" },
  [ISC_FORMAT_VPC] = { "vpc", "vhd", "VHD" },
  [ISC_FORMAT_VMDK] = { "vmdk", "vmdk", "VMDK" },
  [ISC_FORMAT_QCOW2] = { "qcow2", "qcow2", "qcow2" },
  [ISC_FORMAT_VHDX] = { "vhdx", "vhdx", "VHDX" },
};

#define N_FORMATS (sizeof formats / sizeof formats[0])

static unsigned
format_index (enum isc_format fmt)
{
  return (unsigned) fmt < N_FORMATS ? (unsigned) fmt : ISC_FORMAT_UNKNOWN;
}

const char *
isc_format_name (enum isc_format fmt)
{
  return formats[format_index (fmt)].name;
}

const char *
isc_format_driver (enum isc_format fmt)
{
  return format_index (fmt) == ISC_FORMAT_UNKNOWN ? NULL
    : formats[format_index (fmt)].name;
}

const char *
isc_format_create_options (enum isc_format fmt)
{
  switch (fmt) {
  case ISC_FORMAT_VPC: return "subformat=dynamic,force_size=on";
  case ISC_FORMAT_VMDK: return "subformat=monolithicSparse";
  default: return NULL;
  }
}

const char *
isc_format_extension (enum isc_format fmt)
{
  return formats[format_index (fmt)].extension;
}

int
isc_format_from_name (const char *name, enum isc_format *ret)
{
  unsigned i;

  if (!name)
    return -1;
  if (strcasecmp (name, "vhd") == 0) {
    *ret = ISC_FORMAT_VPC;
    return 0;
  }
  for (i = ISC_FORMAT_RAW; i < N_FORMATS; ++i)
    if (strcasecmp (name, formats[i].name) == 0) {
      *ret = (enum isc_format) i;
      return 0;
    }
  return -1;
}

/* The format a file's extension promises; only the extensions that
 * name one format count (".img" and ".raw" are used for anything). */
static enum isc_format
format_claimed_by_name (const char *path)
{
  const char *base = strrchr (path, '/');
  const char *dot;

  base = base ? base + 1 : path;
  dot = strrchr (base, '.');
  if (!dot || dot == base)
    return ISC_FORMAT_UNKNOWN;
  ++dot;
  if (strcasecmp (dot, "vhd") == 0)
    return ISC_FORMAT_VPC;
  if (strcasecmp (dot, "vmdk") == 0)
    return ISC_FORMAT_VMDK;
  if (strcasecmp (dot, "qcow2") == 0)
    return ISC_FORMAT_QCOW2;
  if (strcasecmp (dot, "vhdx") == 0)
    return ISC_FORMAT_VHDX;
  return ISC_FORMAT_UNKNOWN;
}

static bool
has_magic (const unsigned char *buf, size_t len, const char *magic, size_t n)
{
  return buf && len >= n && memcmp (buf, magic, n) == 0;
}

/* The characters isspace() accepts in the C locale, which is what
 * qemu's sscanf runs in. */
static bool
is_c_space (int c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
    c == '\r';
}

/* ---- detection -------------------------------------------------------- */

/* VMware's descriptors begin "# Disk DescriptorFile"; tools that
 * rewrite them sometimes put blank lines or other comments first, and
 * qemu also takes one whose first other line is "version=N". */
static bool
is_vmdk_descriptor (const unsigned char *buf, size_t len)
{
  static const char tag[] = "Disk DescriptorFile";
  const size_t tag_len = sizeof tag - 1;
  size_t i = 0;

  if (has_magic (buf, len, "\xef\xbb\xbf", 3))
    i = 3;
  while (i < len) {
    while (i < len && is_c_space (buf[i]))
      ++i;
    if (i < len && buf[i] != '#')
      /* Without the title line, qemu's own test: the first line
       * that is not a comment says "version=N". */
      return len - i >= 10 && memcmp (buf + i, "version=", 8) == 0 &&
        buf[i + 8] >= '1' && buf[i + 8] <= '3' &&
        (buf[i + 9] == '\n' || buf[i + 9] == '\r');
    if (i == len)
      return false;
    ++i;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
      ++i;
    if (i + tag_len <= len &&
        strncasecmp ((const char *) buf + i, tag, tag_len) == 0) {
      i += tag_len;
      while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r'))
        ++i;
      return i == len || buf[i] == '\n';
    }
    while (i < len && buf[i] != '\n') {
      if (buf[i] == '\0')
        return false;
      ++i;
    }
  }
  return false;
}

enum isc_format
isc_format_detect (const unsigned char *buf, size_t len,
                   const unsigned char *tail, uint64_t file_size)
{
  if (!buf || len == 0 || file_size == 0)
    return ISC_FORMAT_UNKNOWN;
  if (has_magic (buf, len, "QFI\xfb", 4))
    return ISC_FORMAT_QCOW2;
  if (has_magic (buf, len, "vhdxfile", 8))
    return ISC_FORMAT_VHDX;
  if (has_magic (buf, len, "KDMV", 4) || has_magic (buf, len, "COWD", 4))
    return ISC_FORMAT_VMDK;
  /* A dynamic VHD has a copy of its footer at the start; a fixed one
   * only at the end. */
  if (has_magic (buf, len, "conectix", 8))
    return ISC_FORMAT_VPC;
  if (tail && file_size >= VHD_FOOTER_SIZE &&
      has_magic (tail, VHD_FOOTER_SIZE, "conectix", 8))
    return ISC_FORMAT_VPC;
  if (is_vmdk_descriptor (buf, len))
    return ISC_FORMAT_VMDK;
  return ISC_FORMAT_RAW;
}

/* ---- reading the image ------------------------------------------------ */

struct image {
  const char *path;
  char *resolved;               /* the opened file's real path */
  char *dir;                    /* extents are relative to this folder */
  struct isc_checked_file *extent_files; /* extents that are files go
                                           here, or NULL */
  int fd;
  uint64_t size;
  unsigned char *head;          /* the first head_len bytes */
  size_t head_len;
  unsigned char tail[VHD_FOOTER_SIZE];  /* the last 512 bytes */
  bool has_tail;
};

/* pread until LEN bytes or end of file; returns the count or -1. */
static ssize_t
read_fully (int fd, void *buf, size_t len, uint64_t offset)
{
  size_t done = 0;

  while (done < len) {
    ssize_t r = pread (fd, (char *) buf + done, len - done,
                       (off_t) (offset + done));

    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (r == 0)
      break;
    done += (size_t) r;
  }
  return (ssize_t) done;
}

/* Read up to LEN bytes at OFFSET of IMG into a new zero-filled buffer
 * of LEN + 1 bytes (so text in it is always terminated), setting
 * *RET_LEN to what the file actually holds there.  The caller frees. */
static unsigned char *
read_region (struct isc_err *err, const struct image *img, uint64_t offset,
             size_t len, size_t *ret_len)
{
  unsigned char *buf = calloc (1, len + 1);
  ssize_t r = 0;

  if (!buf) {
    isc_error_oom (err, img->path);
    return NULL;
  }
  if (offset < img->size) {
    r = read_fully (img->fd, buf, len, offset);
    if (r == -1) {
      isc_error_errno (err, img->path, "read");
      free (buf);
      return NULL;
    }
  }
  *ret_len = (size_t) r;
  return buf;
}

/* "folder/name" for an extent NAME next to the image. */
static char *
beside_image (const struct image *img, const char *name)
{
  char *path;

  if (asprintf (&path, "%s/%s", img->dir, name) == -1)
    return NULL;
  return path;
}

/* The folder of PATH.  Given the opened file's resolved path, that is
 * the folder qemu resolves relative extent names against, as qemu is
 * given that resolved path (never a symlink to it). */
static char *
folder_of (const char *path)
{
  const char *slash = strrchr (path, '/');

  if (!slash)
    return strdup (".");
  if (slash == path)
    return strdup ("/");
  return strndup (path, (size_t) (slash - path));
}

/* ---- VHD -------------------------------------------------------------- */

static int
check_vhd_type (struct isc_err *err, const struct image *img,
                const unsigned char *footer)
{
  const uint32_t type = isc_be32 (footer + 60);

  if (type == VHD_TYPE_FIXED || type == VHD_TYPE_DYNAMIC)
    return 0;
  if (type == VHD_TYPE_DIFFERENCING)
    /* qemu ignores the parent and would read the wrong data. */
    return isc_error (err, img->path,
                      "refusing differencing VHD: its data depends on a "
                      "parent image");
  return isc_error (err, img->path, "unsupported VHD disk type %" PRIu32,
                    type);
}

static int
check_vpc (struct isc_err *err, const struct image *img,
           struct isc_image_info *info)
{
  const bool at_start = img->head_len >= VHD_FOOTER_SIZE &&
    has_magic (img->head, img->head_len, "conectix", 8);
  const bool at_end = img->has_tail &&
    has_magic (img->tail, VHD_FOOTER_SIZE, "conectix", 8);
  const unsigned char *footer;
  unsigned char dyn[VHD_DYNAMIC_HEADER_SIZE];
  uint64_t data_offset, table_offset;
  uint32_t type, entries;
  ssize_t r;

  if (!at_start && !at_end)
    return isc_error (err, img->path,
                      "not a VHD image: no VHD footer at either end");
  if (!at_end)
    return isc_error (err, img->path,
                      "truncated VHD: footer missing at end of file");
  if (check_vhd_type (err, img, img->tail) == -1)
    return -1;
  if (at_start) {
    if (check_vhd_type (err, img, img->head) == -1)
      return -1;
    if (isc_be32 (img->head + 60) != isc_be32 (img->tail + 60))
      return isc_error (err, img->path,
                        "the two copies of the VHD footer disagree on "
                        "the disk type");
  }
  /* qemu uses the copy at the start when there is one. */
  footer = at_start ? img->head : img->tail;
  type = isc_be32 (footer + 60);
  info->virtual_size = isc_be64 (footer + 48);

  if (type == VHD_TYPE_FIXED) {
    snprintf (info->subformat, sizeof info->subformat, "fixed");
    if (info->virtual_size > img->size - VHD_FOOTER_SIZE)
      return isc_error (err, img->path,
                        "truncated VHD: file shorter than the disk size "
                        "in its footer");
    return 0;
  }

  snprintf (info->subformat, sizeof info->subformat, "dynamic");
  data_offset = isc_be64 (footer + 16);
  if (data_offset > img->size ||
      img->size - data_offset < VHD_DYNAMIC_HEADER_SIZE)
    return isc_error (err, img->path,
                      "truncated VHD: dynamic disk header beyond end of "
                      "file");
  r = read_fully (img->fd, dyn, sizeof dyn, data_offset);
  if (r == -1)
    return isc_error_errno (err, img->path, "read");
  if (r != (ssize_t) sizeof dyn)
    return isc_error (err, img->path,
                      "truncated VHD: dynamic disk header beyond end of "
                      "file");
  if (memcmp (dyn, "cxsparse", 8) != 0)
    return isc_error (err, img->path,
                      "corrupt VHD: dynamic disk header has no "
                      "'cxsparse' signature");
  table_offset = isc_be64 (dyn + 16);
  entries = isc_be32 (dyn + 28);
  if (table_offset > img->size ||
      (uint64_t) entries * 4 > img->size - table_offset)
    return isc_error (err, img->path,
                      "truncated VHD: block allocation table beyond end "
                      "of file");
  return 0;
}

/* ---- qcow2 ------------------------------------------------------------ */

/* The name at OFFSET (LEN bytes, capped) escaped for a message, or
 * NULL when it cannot be read: the message is about the reference,
 * the name only a detail. */
static char *
read_name (const struct image *img, uint64_t offset, uint64_t len)
{
  struct isc_err ignored = ISC_ERR_INIT;
  CLEANUP_FREE unsigned char *buf = NULL;
  size_t got = 0;

  if (len == 0 || offset == 0)
    return NULL;
  if (len > QCOW2_MAX_NAME)
    len = QCOW2_MAX_NAME;
  buf = read_region (&ignored, img, offset, (size_t) len, &got);
  isc_err_clear (&ignored);
  if (!buf || got == 0)
    return NULL;
  return isc_escape_n ((const char *) buf, got);
}

static int
refuse_qcow2_reference (struct isc_err *err, const struct image *img,
                        const char *what, const char *name)
{
  if (name)
    return isc_error (err, img->path,
                      "refusing qcow2 image with %s ('%s'): qemu would open "
                      "that file", what, name);
  return isc_error (err, img->path,
                    "refusing qcow2 image with %s: qemu would open that file",
                    what);
}

/* Walk the header extensions from HEADER_LENGTH to the end of the first
 * cluster, as qemu does, and report an external data file name. */
static int
qcow2_find_data_file (struct isc_err *err, const struct image *img,
                      uint32_t header_length, uint64_t cluster_size,
                      bool *ret_found, char **ret_name)
{
  CLEANUP_FREE unsigned char *ext = NULL;
  const uint64_t area = cluster_size - header_length;
  size_t got, off = 0;
  unsigned n = 0;

  *ret_found = false;
  *ret_name = NULL;
  ext = read_region (err, img, header_length, (size_t) area, &got);
  if (!ext)
    return -1;
  /* Past the end of the file qemu reads zeros, which end the list. */
  while (off + 8 <= got) {
    const uint32_t type = isc_be32 (ext + off);
    const uint32_t len = isc_be32 (ext + off + 4);

    if (++n > QCOW2_MAX_EXTENSIONS)
      return isc_error (err, img->path,
                        "corrupt qcow2: more than %d header extensions",
                        QCOW2_MAX_EXTENSIONS);
    off += 8;
    if (type == 0)
      break;
    if (len > area - off)
      return isc_error (err, img->path,
                        "corrupt qcow2: header extension 0x%08" PRIx32
                        " runs past the first cluster", type);
    if (type == QCOW2_EXT_DATA_FILE && !*ret_found) {
      *ret_found = true;
      if (len > 0 && off < got)
        *ret_name = isc_escape_n ((const char *) ext + off,
                                  len < got - off ? len : got - off);
    }
    off += ((size_t) len + 7) & ~(size_t) 7;
  }
  return 0;
}

static int
check_qcow2 (struct isc_err *err, const struct image *img,
             struct isc_image_info *info)
{
  const unsigned char *h = img->head;
  uint32_t version, cluster_bits, header_length = QCOW2_V2_HEADER_LENGTH;
  uint64_t cluster_size, incompatible = 0;
  uint64_t backing_offset, l1_offset, refcount_offset;
  uint32_t backing_size, l1_size, refcount_clusters;
  CLEANUP_FREE char *name = NULL;
  bool data_file;

  if (!has_magic (h, img->head_len, "QFI\xfb", 4))
    return isc_error (err, img->path, "not a qcow2 image: no qcow2 header");
  if (img->head_len < QCOW2_V2_HEADER_LENGTH)
    return isc_error (err, img->path, "truncated qcow2: header incomplete");
  version = isc_be32 (h + 4);
  if (version != 2 && version != 3)
    return isc_error (err, img->path, "unsupported qcow2 version %" PRIu32,
                      version);
  if (version == 3) {
    if (img->head_len < QCOW2_V3_HEADER_LENGTH)
      return isc_error (err, img->path, "truncated qcow2: header incomplete");
    incompatible = isc_be64 (h + 72);
    header_length = isc_be32 (h + 100);
  }
  cluster_bits = isc_be32 (h + 20);
  if (cluster_bits < QCOW2_MIN_CLUSTER_BITS ||
      cluster_bits > QCOW2_MAX_CLUSTER_BITS)
    return isc_error (err, img->path,
                      "corrupt qcow2: invalid cluster size (2^%" PRIu32
                      " bytes)", cluster_bits);
  cluster_size = UINT64_C (1) << cluster_bits;
  if (header_length < (version == 3 ? QCOW2_V3_HEADER_LENGTH
                       : QCOW2_V2_HEADER_LENGTH) ||
      header_length > cluster_size)
    return isc_error (err, img->path,
                      "corrupt qcow2: invalid header length %" PRIu32,
                      header_length);
  if (header_length > img->size)
    return isc_error (err, img->path,
                      "truncated qcow2: header shorter than its header "
                      "length (%" PRIu32 " bytes)", header_length);

  backing_offset = isc_be64 (h + 8);
  backing_size = isc_be32 (h + 16);
  if (backing_offset != 0 || backing_size != 0) {
    name = read_name (img, backing_offset, backing_size);
    return refuse_qcow2_reference (err, img, "a backing file", name);
  }
  if (qcow2_find_data_file (err, img, header_length, cluster_size,
                            &data_file, &name) == -1)
    return -1;
  if (data_file || (incompatible & QCOW2_INCOMPAT_DATA_FILE))
    return refuse_qcow2_reference (err, img, "an external data file", name);
  if (isc_be32 (h + 32) != 0)
    return isc_error (err, img->path,
                      "encrypted qcow2 images are not supported");

  l1_size = isc_be32 (h + 36);
  l1_offset = isc_be64 (h + 40);
  if (l1_size > 0 &&
      (l1_offset > img->size || (uint64_t) l1_size * 8 > img->size - l1_offset))
    return isc_error (err, img->path,
                      "truncated qcow2: L1 table beyond end of file");
  refcount_offset = isc_be64 (h + 48);
  refcount_clusters = isc_be32 (h + 56);
  if (refcount_offset > img->size ||
      (uint64_t) refcount_clusters << cluster_bits >
      img->size - refcount_offset)
    return isc_error (err, img->path,
                      "truncated qcow2: refcount table beyond end of file");
  info->virtual_size = isc_be64 (h + 24);
  return 0;
}

/* ---- VHDX ------------------------------------------------------------- */

static int
check_vhdx (struct isc_err *err, const struct image *img,
            struct isc_image_info *info)
{
  static const struct {
    uint64_t offset;
    const char *signature;
    const char *what;
  } parts[] = {
    { 64 * 1024, "head", "header" },
    { 128 * 1024, "head", "header" },
    { 192 * 1024, "regi", "region table" },
    { 256 * 1024, "regi", "region table" },
  };
  unsigned char sig[4];
  bool found[2] = { false, false };
  size_t i;

  if (!has_magic (img->head, img->head_len, "vhdxfile", 8))
    return isc_error (err, img->path, "not a VHDX image: no VHDX header");
  if (img->size < VHDX_HEADER_SECTION)
    return isc_error (err, img->path,
                      "truncated VHDX: header section incomplete");
  /* Each structure has two copies; qemu needs one of each. */
  for (i = 0; i < sizeof parts / sizeof parts[0]; ++i) {
    ssize_t r = read_fully (img->fd, sig, sizeof sig, parts[i].offset);

    if (r == -1)
      return isc_error_errno (err, img->path, "read");
    if (r == (ssize_t) sizeof sig && memcmp (sig, parts[i].signature, 4) == 0)
      found[i / 2] = true;
  }
  for (i = 0; i < 2; ++i)
    if (!found[i])
      return isc_error (err, img->path, "corrupt VHDX: no valid %s",
                        parts[i * 2].what);
  (void) info;                  /* the size is in metadata: qemu-img tells */
  return 0;
}

/* ---- VMDK ------------------------------------------------------------- */

/* One extent line as qemu parses it, with
 *   sscanf (p, "%10s %" SCNd64 " %10s \"%511[^\n\r\"]\" %" SCNd64, ...)
 * reproduced here so the check cannot disagree with qemu (and runs in
 * linear time: glibc's sscanf measures the whole rest of the text on
 * every call). */
struct vmdk_extent {
  char access[11];
  char type[11];
  char name[512];
};

static const char *
skip_c_space (const char *p)
{
  while (is_c_space ((unsigned char) *p))
    ++p;
  return p;
}

/* %10s */
static const char *
scan_word (const char *p, char word[11])
{
  size_t n = 0;

  p = skip_c_space (p);
  while (*p && !is_c_space ((unsigned char) *p) && n < 10)
    word[n++] = *p++;
  word[n] = '\0';
  return n ? p : NULL;
}

/* %d: the value itself is never used. */
static const char *
scan_integer (const char *p)
{
  p = skip_c_space (p);
  if (*p == '+' || *p == '-')
    ++p;
  if (*p < '0' || *p > '9')
    return NULL;
  while (*p >= '0' && *p <= '9')
    ++p;
  return p;
}

/* Returns how many of the five fields matched, as sscanf would. */
static int
parse_extent_line (const char *p, struct vmdk_extent *e)
{
  size_t n = 0;

  memset (e, 0, sizeof *e);
  p = scan_word (p, e->access);
  if (!p)
    return 0;
  p = scan_integer (p);
  if (!p)
    return 1;
  p = scan_word (p, e->type);
  if (!p)
    return 2;
  p = skip_c_space (p);
  if (*p != '"')
    return 3;
  ++p;
  while (*p && *p != '\n' && *p != '\r' && *p != '"' &&
         n < sizeof e->name - 1)
    e->name[n++] = *p++;
  if (n == 0)
    return 3;
  if (*p != '"')
    return 4;
  return scan_integer (p + 1) ? 5 : 4;
}

static const char *
next_line (const char *p)
{
  const char *nl = strchr (p, '\n');

  return nl ? nl + 1 : p + strlen (p);
}

/* Lines qemu would act on start with an access mode (qemu itself only
 * uses "RW" lines today; the others are checked too). */
static bool
is_extent_access (const char *access)
{
  return strcmp (access, "RW") == 0 || strcmp (access, "RDONLY") == 0 ||
    strcmp (access, "NOACCESS") == 0;
}

static bool
is_allowed_extent_type (const char *type)
{
  return strcmp (type, "FLAT") == 0 || strcmp (type, "SPARSE") == 0 ||
    strcmp (type, "VMFS") == 0 || strcmp (type, "VMFSSPARSE") == 0 ||
    strcmp (type, "ZERO") == 0;
}

/* Call FN for every line of descriptor TEXT that qemu could read as an
 * extent.  A blank line is skipped: sscanf would skip its whitespace
 * and parse the next line, which is visited on its own. */
static int
for_each_extent_line (const char *text,
                      int (*fn) (void *opaque, const char *line, int matches,
                                 const struct vmdk_extent *e),
                      void *opaque)
{
  const char *p;

  for (p = text; *p; p = next_line (p)) {
    const char *q = p;
    struct vmdk_extent e;
    int n;

    while (*q != '\n' && is_c_space ((unsigned char) *q))
      ++q;
    if (*q == '\n' || *q == '\0')
      continue;
    n = parse_extent_line (q, &e);
    if (n < 1 || !is_extent_access (e.access))
      continue;
    if (fn (opaque, q, n, &e) == -1)
      return -1;
  }
  return 0;
}

/* Refuse a descriptor that names a parent image.  Scans every
 * occurrence in AREA (not only the first, as qemu does) so nothing
 * hides behind an earlier harmless one. */
static int
check_vmdk_parent (struct isc_err *err, const char *path,
                   const unsigned char *area, size_t len)
{
  static const char hint[] = "parentFileNameHint";
  static const char cid[] = "parentCID";
  const unsigned char *end = area + len;
  const unsigned char *p;

  for (p = area; (p = memmem (p, (size_t) (end - p), hint, sizeof hint - 1));
       p += sizeof hint - 1) {
    const unsigned char *v = p + sizeof hint - 1;
    CLEANUP_FREE char *name = NULL;
    size_t n = 0;

    /* qemu skips `="` and takes the name up to the next quote. */
    if (end - v >= 3 && memcmp (v, "=\"\"", 3) == 0)
      continue;
    v = end - v >= 2 ? v + 2 : end;
    while (v + n < end && n < 255 && v[n] != '"' && v[n] != '\n' &&
           v[n] != '\0')
      ++n;
    name = isc_escape_n ((const char *) v, n);
    return isc_error (err, path,
                      "refusing VMDK image with a parent ('%s'): qemu would "
                      "open that file", name);
  }

  for (p = area; (p = memmem (p, (size_t) (end - p), cid, sizeof cid - 1));
       p += sizeof cid - 1) {
    const unsigned char *v = p + sizeof cid - 1;
    uint64_t value = 0;
    size_t digits = 0;

    while (v < end && (*v == ' ' || *v == '\t'))
      ++v;
    if (v < end && *v == '=')
      ++v;
    while (v < end && (*v == ' ' || *v == '\t'))
      ++v;
    if (has_magic (v, (size_t) (end - v), "0x", 2) ||
        has_magic (v, (size_t) (end - v), "0X", 2))
      v += 2;
    for (; v < end && digits < 16; ++v, ++digits) {
      const int c = *v;
      unsigned d;

      if (c >= '0' && c <= '9')
        d = (unsigned) (c - '0');
      else if (c >= 'a' && c <= 'f')
        d = (unsigned) (c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        d = (unsigned) (c - 'A' + 10);
      else
        break;
      value = value << 4 | d;
    }
    if (digits == 0)
      return isc_error (err, path, "corrupt VMDK descriptor: unreadable "
                        "parentCID");
    if (value != UINT32_C (0xffffffff))
      return isc_error (err, path,
                        "refusing VMDK image with a parent (parentCID=%"
                        PRIx64 "): its data depends on another disk", value);
  }
  return 0;
}

/* createType, when it is a plain word, for the subformat. */
static void
descriptor_create_type (const char *text, char *buf, size_t size)
{
  const char *p = strstr (text, "createType");
  size_t n = 0;

  if (!p)
    return;
  p += strlen ("createType");
  p = skip_c_space (p);
  if (*p != '=')
    return;
  p = skip_c_space (p + 1);
  if (*p != '"')
    return;
  ++p;
  while (n + 1 < size && ((p[n] >= 'a' && p[n] <= 'z') ||
                          (p[n] >= 'A' && p[n] <= 'Z') ||
                          (p[n] >= '0' && p[n] <= '9') ||
                          p[n] == '_' || p[n] == '-'))
    ++n;
  if (n == 0 || p[n] != '"')
    return;
  memcpy (buf, p, n);
  buf[n] = '\0';
}

/* Record extent file FULL as checked (ST, by lstat) in FILE. */
static int
add_checked_extent (struct isc_checked_file *file, const char *full,
                    const struct stat *st)
{
  struct isc_checked_extent *e;

  e = realloc (file->extents, (file->n_extents + 1) * sizeof *e);
  if (!e)
    return -1;
  file->extents = e;
  e += file->n_extents;
  e->path = strdup (full);
  if (!e->path)
    return -1;
  e->dev = st->st_dev;
  e->ino = st->st_ino;
  e->size = st->st_size;
  e->mtime = st->st_mtim;
  file->n_extents++;
  return 0;
}

struct extent_check {
  struct isc_err *err;
  const struct image *img;
  unsigned count;
};

/* A sparse extent whose header hands over to an embedded descriptor
 * would make qemu parse yet another extent list (or, pointing at
 * itself, recurse until it crashes). */
static int
check_sparse_extent (struct isc_err *err, const struct image *img,
                     const char *full, const char *escaped)
{
  unsigned char header[SECTOR];
  CLEANUP_CLOSE int fd = -1;
  struct stat st;
  ssize_t r;

  fd = open (full, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
  if (fd == -1)
    return isc_error_errno (err, img->path, "cannot open VMDK extent ('%s')",
                            escaped);
  if (fstat (fd, &st) == -1)
    return isc_error_errno (err, img->path, "fstat of VMDK extent ('%s')",
                            escaped);
  if (!S_ISREG (st.st_mode))
    return isc_error (err, img->path,
                      "refusing VMDK extent ('%s'): not a regular file",
                      escaped);
  r = read_fully (fd, header, sizeof header, 0);
  if (r == -1)
    return isc_error_errno (err, img->path, "read of VMDK extent ('%s')",
                            escaped);
  if (r == (ssize_t) sizeof header && memcmp (header, "KDMV", 4) == 0 &&
      isc_le64 (header + 12) == 0 && isc_le64 (header + 28) != 0)
    return isc_error (err, img->path,
                      "refusing VMDK extent ('%s'): its header points to "
                      "another descriptor", escaped);
  return 0;
}

static int
check_extent (void *opaque, const char *line, int matches,
              const struct vmdk_extent *e)
{
  struct extent_check *c = opaque;
  struct isc_err *err = c->err;
  const char *path = c->img->path;
  CLEANUP_FREE char *escaped = NULL;
  CLEANUP_FREE char *full = NULL;
  struct stat st;

  if (++c->count > VMDK_MAX_EXTENTS)
    return isc_error (err, path, "VMDK descriptor lists more than %d extents",
                      VMDK_MAX_EXTENTS);
  if (matches < 3 || (matches < 4 && strcmp (e->type, "ZERO") != 0)) {
    const char *nl = strchr (line, '\n');
    size_t n = nl ? (size_t) (nl - line) : strlen (line);

    escaped = isc_escape_n (line, n < 80 ? n : 80);
    return isc_error (err, path, "malformed VMDK extent line '%s'", escaped);
  }
  if (!is_allowed_extent_type (e->type)) {
    escaped = isc_escape (e->type);
    return isc_error (err, path,
                      "refusing VMDK extent of unsupported type '%s'",
                      escaped);
  }
  if (strcmp (e->type, "ZERO") == 0)
    return 0;                   /* no file */

  escaped = isc_escape (e->name);
  if (e->name[0] == '/')
    return isc_error (err, path,
                      "refusing VMDK extent with an absolute path ('%s'): "
                      "qemu would open that file", escaped);
  if (strstr (e->name, "..") || strchr (e->name, '/'))
    return isc_error (err, path,
                      "refusing VMDK extent outside the image's folder "
                      "('%s')", escaped);
  /* Without a folder in front, qemu could read "proto:..." as a
   * protocol rather than a file name. */
  if (strchr (e->name, ':'))
    return isc_error (err, path,
                      "refusing VMDK extent name with a ':' ('%s')", escaped);
  full = beside_image (c->img, e->name);
  if (!full)
    return isc_error_oom (err, path);
  if (lstat (full, &st) == -1) {
    if (errno == ENOENT)
      return isc_error (err, path, "VMDK extent ('%s') does not exist",
                        escaped);
    return isc_error_errno (err, path, "VMDK extent ('%s')", escaped);
  }
  if (!S_ISREG (st.st_mode))
    return isc_error (err, path,
                      "refusing VMDK extent ('%s'): not a regular file",
                      escaped);
  if (c->img->extent_files &&
      add_checked_extent (c->img->extent_files, full, &st) == -1)
    return isc_error_oom (err, path);
  if (strcmp (e->type, "SPARSE") == 0 || strcmp (e->type, "VMFSSPARSE") == 0)
    return check_sparse_extent (err, c->img, full, escaped);
  return 0;
}

/* Check descriptor TEXT (terminated) the way qemu would read it. */
static int
check_descriptor_text (struct isc_err *err, const struct image *img,
                       const char *text, struct isc_image_info *info)
{
  struct extent_check c = { .err = err, .img = img };

  if (check_vmdk_parent (err, img->path, (const unsigned char *) text,
                         strlen (text)) == -1)
    return -1;
  if (!info->subformat[0])
    descriptor_create_type (text, info->subformat, sizeof info->subformat);
  return for_each_extent_line (text, check_extent, &c);
}

/* What qemu takes as the descriptor at OFFSET: the text up to the
 * first NUL.  Refused when longer than we are willing to check. */
static char *
read_descriptor (struct isc_err *err, const struct image *img,
                 uint64_t offset)
{
  unsigned char *buf;
  size_t got;

  if (offset >= img->size) {
    isc_error (err, img->path,
               "truncated VMDK: descriptor beyond end of file");
    return NULL;
  }
  buf = read_region (err, img, offset, HEAD_MAX, &got);
  if (!buf)
    return NULL;
  if (strnlen ((const char *) buf, got) > DESC_MAX) {
    free (buf);
    isc_error (err, img->path, "VMDK descriptor larger than %d KiB",
               DESC_MAX / 1024);
    return NULL;
  }
  return (char *) buf;
}

static int
check_vmdk_descriptor_file (struct isc_err *err, const struct image *img,
                            struct isc_image_info *info)
{
  CLEANUP_FREE char *text = read_descriptor (err, img, 0);

  if (!text)
    return -1;
  return check_descriptor_text (err, img, text, info);
}

/* Sparse VMDK ("KDMV"): monolithicSparse, streamOptimized, or one
 * extent of a split image opened directly. */
static int
check_vmdk4 (struct isc_err *err, const struct image *img,
             struct isc_image_info *info)
{
  const unsigned char *h = img->head;
  CLEANUP_FREE unsigned char *area = NULL;
  CLEANUP_FREE char *desc = NULL;
  uint64_t capacity, granularity, desc_offset, desc_size, gd_offset;
  uint64_t grain_offset, l1_entry_sectors, l1_size;
  uint32_t flags, gtes;
  size_t got;
  bool stream;

  if (img->head_len < SECTOR)
    return isc_error (err, img->path, "truncated VMDK: header incomplete");
  flags = isc_le32 (h + 8);
  capacity = isc_le64 (h + 12);
  granularity = isc_le64 (h + 20);
  desc_offset = isc_le64 (h + 28);
  desc_size = isc_le64 (h + 36);
  gtes = isc_le32 (h + 44);
  gd_offset = isc_le64 (h + 56);
  grain_offset = isc_le64 (h + 64);

  area = read_region (err, img, VMDK_PARENT_AREA_OFFSET,
                      VMDK_PARENT_AREA_SIZE, &got);
  if (!area)
    return -1;
  if (check_vmdk_parent (err, img->path, area, got) == -1)
    return -1;

  if (desc_offset != 0) {
    if (desc_offset > img->size / SECTOR)
      return isc_error (err, img->path,
                        "truncated VMDK: embedded descriptor beyond end of "
                        "file");
    if (capacity == 0)
      /* qemu then opens the embedded descriptor as if it were a
       * descriptor file, extents and all. */
      desc = read_descriptor (err, img, desc_offset * SECTOR);
    else {
      size_t len = desc_size > DESC_MAX / SECTOR ? DESC_MAX
        : (size_t) desc_size * SECTOR;

      desc = (char *) read_region (err, img, desc_offset * SECTOR, len, &got);
    }
    if (!desc)
      return -1;
    if (capacity == 0)
      return check_descriptor_text (err, img, desc, info);
    if (check_vmdk_parent (err, img->path, (const unsigned char *) desc,
                           got) == -1)
      return -1;
    descriptor_create_type (desc, info->subformat, sizeof info->subformat);
  }
  else if (capacity == 0)
    return isc_error (err, img->path, "corrupt VMDK: zero capacity");

  stream = isc_le16 (h + 77) == VMDK_COMPRESSION_DEFLATE ||
    (flags & VMDK_FLAG_COMPRESSED) ||
    strcmp (info->subformat, "streamOptimized") == 0;
  if (stream)
    snprintf (info->subformat, sizeof info->subformat, "streamOptimized");
  else if (!info->subformat[0] ||
           strcmp (info->subformat, "monolithicFlat") == 0)
    snprintf (info->subformat, sizeof info->subformat, "monolithicSparse");

  if (capacity > UINT64_MAX / SECTOR)
    return isc_error (err, img->path, "corrupt VMDK: capacity too large");
  info->virtual_size = capacity * SECTOR;

  if (grain_offset > img->size / SECTOR)
    return isc_error (err, img->path,
                      "truncated VMDK: file shorter than its first grain");
  /* A stream-optimized image keeps its grain directory at the end. */
  if (stream || gd_offset == VMDK_GD_AT_END)
    return 0;
  /* The limits qemu applies, which also keep the sums below small. */
  if (gtes == 0 || gtes > 512 || granularity == 0 ||
      granularity > 0x200000)
    return isc_error (err, img->path,
                      "corrupt VMDK: invalid grain table geometry");
  l1_entry_sectors = (uint64_t) gtes * granularity;
  l1_size = capacity / l1_entry_sectors +
    (capacity % l1_entry_sectors != 0);
  if (gd_offset > img->size / SECTOR ||
      l1_size * 4 > img->size - gd_offset * SECTOR)
    return isc_error (err, img->path,
                      "truncated VMDK: grain directory beyond end of file");
  return 0;
}

static int
check_vmdk (struct isc_err *err, const struct image *img,
            struct isc_image_info *info)
{
  if (has_magic (img->head, img->head_len, "KDMV", 4))
    return check_vmdk4 (err, img, info);
  if (has_magic (img->head, img->head_len, "COWD", 4)) {
    /* VMware's old sparse format: only the parent hint can refer to
     * another file. */
    CLEANUP_FREE unsigned char *area = NULL;
    size_t got;

    area = read_region (err, img, VMDK_PARENT_AREA_OFFSET,
                        VMDK_PARENT_AREA_SIZE, &got);
    if (!area)
      return -1;
    snprintf (info->subformat, sizeof info->subformat, "vmfsSparse");
    return check_vmdk_parent (err, img->path, area, got);
  }
  /* qemu reads anything else as a text descriptor. */
  return check_vmdk_descriptor_file (err, img, info);
}

/* ---- entry points ----------------------------------------------------- */

static void
image_clear (struct image *img)
{
  if (img->fd >= 0)
    close (img->fd);
  img->fd = -1;
  free (img->head);
  img->head = NULL;
  free (img->dir);
  img->dir = NULL;
  free (img->resolved);
  img->resolved = NULL;
}

/* The real path of the file open on FD (PATH is how it was named):
 * what the kernel opened, not what PATH may lead to by now. */
static char *
resolved_path (int fd, const char *path)
{
  char link[64], *buf;
  ssize_t r;

  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  buf = malloc (PATH_MAX + 1);
  if (!buf)
    return NULL;
  r = readlink (link, buf, PATH_MAX);
  if (r > 0 && buf[0] == '/') {
    buf[r] = '\0';
    return buf;
  }
  free (buf);
  return realpath (path, NULL);
}

/* Open PATH without following it anywhere unexpected: a FIFO or device
 * must neither hang us nor be read, and with ISC_CHECK_NOFOLLOW a
 * symlink is refused.  Fills IMG's fd, size, head, tail and folder. */
static int
image_open (struct isc_err *err, const char *path, unsigned flags,
            struct image *img)
{
  struct stat st;
  ssize_t r;

  img->path = path;
  img->fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY |
                  (flags & ISC_CHECK_NOFOLLOW ? O_NOFOLLOW : 0));
  if (img->fd == -1 && errno == ELOOP && (flags & ISC_CHECK_NOFOLLOW))
    return isc_error (err, path, "refusing a symlink found in a folder "
                      "(name the file it points to instead)");
  if (img->fd == -1)
    return isc_error_errno (err, path, "cannot open");
  if (fstat (img->fd, &st) == -1)
    return isc_error_errno (err, path, "fstat");
  if (!S_ISREG (st.st_mode))
    return isc_error (err, path, "not a regular file");
  if (st.st_size <= 0)
    return isc_error (err, path, "empty file");
  img->size = (uint64_t) st.st_size;
  img->resolved = resolved_path (img->fd, path);
  if (!img->resolved)
    return isc_error_errno (err, path, "cannot resolve its path");
  img->dir = folder_of (img->resolved);
  img->head = malloc (HEAD_MAX + 1);
  if (!img->dir || !img->head)
    return isc_error_oom (err, path);
  r = read_fully (img->fd, img->head, HEAD_MAX, 0);
  if (r == -1)
    return isc_error_errno (err, path, "read");
  img->head_len = (size_t) r;
  img->head[img->head_len] = '\0';
  if (img->size >= VHD_FOOTER_SIZE) {
    r = read_fully (img->fd, img->tail, VHD_FOOTER_SIZE,
                    img->size - VHD_FOOTER_SIZE);
    if (r == -1)
      return isc_error_errno (err, path, "read");
    img->has_tail = r == VHD_FOOTER_SIZE;
  }
  return 0;
}

/* Hand the open file of IMG over to *FILE. */
static int
take_checked_file (struct isc_err *err, struct image *img, bool by_name,
                   struct isc_checked_file *file)
{
  struct stat st;

  if (fstat (img->fd, &st) == -1)
    return isc_error_errno (err, img->path, "fstat");
  if (by_name)
    file->qemu_name = strdup (img->resolved);
  else if (asprintf (&file->qemu_name, "/proc/%ld/fd/%d", (long) getpid (),
                     img->fd) == -1)
    file->qemu_name = NULL;
  if (!file->qemu_name)
    return isc_error_oom (err, img->path);
  file->by_name = by_name;
  file->dev = st.st_dev;
  file->ino = st.st_ino;
  file->size = st.st_size;
  file->mtime = st.st_mtim;
  file->resolved = TAKE_PTR (img->resolved);
  file->fd = img->fd;
  img->fd = -1;
  return 0;
}

int
isc_image_check_file (struct isc_err *err, const char *path,
                      enum isc_format forced, unsigned flags,
                      struct isc_image_info *ret,
                      struct isc_checked_file *ret_file)
{
  struct image img = { .fd = -1 };
  struct isc_checked_file file = { .fd = -1 };
  struct isc_image_info info;
  enum isc_format detected, claimed, fmt;
  uint64_t virtual_size;
  int r = -1;

  memset (&info, 0, sizeof info);
  img.extent_files = &file;
  if (image_open (err, path, flags, &img) == -1)
    goto out;
  info.file_size = img.size;
  detected = isc_format_detect (img.head, img.head_len,
                                img.has_tail ? img.tail : NULL, img.size);
  claimed = format_claimed_by_name (path);
  if (forced != ISC_FORMAT_UNKNOWN)
    fmt = forced;
  else if (claimed != ISC_FORMAT_UNKNOWN && claimed != detected) {
    const char *what = formats[claimed].human;

    if (claimed == ISC_FORMAT_VPC)
      /* A fixed VHD cut short has lost its only footer. */
      isc_error (err, path,
                 "file name says VHD but the file has no VHD footer at its "
                 "end: truncated, or not a VHD (use --format to override)");
    else
      isc_error (err, path,
                 "file name says %s but the file has no %s header (use "
                 "--format to override)", what, what);
    goto out;
  }
  else
    fmt = detected;

  switch (fmt) {
  case ISC_FORMAT_RAW:
    /* raw never refers to another file. */
    info.virtual_size = img.size;
    break;
  case ISC_FORMAT_VPC:
    if (check_vpc (err, &img, &info) == -1)
      goto out;
    break;
  case ISC_FORMAT_VMDK:
    if (check_vmdk (err, &img, &info) == -1)
      goto out;
    break;
  case ISC_FORMAT_QCOW2:
    if (check_qcow2 (err, &img, &info) == -1)
      goto out;
    break;
  case ISC_FORMAT_VHDX:
    if (check_vhdx (err, &img, &info) == -1)
      goto out;
    break;
  case ISC_FORMAT_UNKNOWN:
  default:
    isc_error (err, path, "unknown image format");
    goto out;
  }
  info.format = fmt;
  /* qemu opens the checked file itself through /proc, unless it must
   * find extents beside it: then by its resolved name, whose folder is
   * the one the extents were checked in. */
  if (take_checked_file (err, &img, file.n_extents > 0, &file) == -1)
    goto out;

  /* qemu has the last word on what the guest sees (a VHD's size, for
   * one, comes from its geometry unless a known tool made it). */
  if (isc_qemu_img_info_as (err, path, file.qemu_name, isc_format_driver (fmt),
                            &virtual_size) == -1)
    goto out;
  info.virtual_size = virtual_size;
  *ret = info;
  if (ret_file) {
    *ret_file = file;
    memset (&file, 0, sizeof file);
    file.fd = -1;
  }
  r = 0;
 out:
  isc_checked_file_clear (&file);
  image_clear (&img);
  return r;
}

int
isc_image_open_check (struct isc_err *err, const char *path,
                      enum isc_format forced, struct isc_image_info *ret)
{
  return isc_image_check_file (err, path, forced, 0, ret, NULL);
}

int
isc_checked_file_verify (struct isc_err *err, const char *subject,
                         const struct isc_checked_file *file)
{
  struct stat st;
  size_t i;

  if (file->fd < 0)
    return isc_error (err, subject, "the checked file is not open");
  if (fstat (file->fd, &st) == -1)
    return isc_error_errno (err, subject, "fstat");
  if (st.st_size != file->size ||
      st.st_mtim.tv_sec != file->mtime.tv_sec ||
      st.st_mtim.tv_nsec != file->mtime.tv_nsec)
    return isc_error (err, subject,
                      "the file changed after it was checked");
  /* qemu reads the open file, but the user named a path: if that now
   * leads elsewhere (or, for a descriptor, qemu would follow it), the
   * image is not the one they meant. */
  if (stat (file->resolved, &st) == -1 || st.st_dev != file->dev ||
      st.st_ino != file->ino)
    return isc_error (err, subject,
                      "the file was replaced after it was checked");
  for (i = 0; i < file->n_extents; ++i) {
    const struct isc_checked_extent *e = &file->extents[i];

    if (lstat (e->path, &st) == -1 || !S_ISREG (st.st_mode) ||
        st.st_dev != e->dev || st.st_ino != e->ino ||
        st.st_size != e->size || st.st_mtim.tv_sec != e->mtime.tv_sec ||
        st.st_mtim.tv_nsec != e->mtime.tv_nsec) {
      CLEANUP_FREE char *name = isc_escape (e->path);

      return isc_error (err, subject, "VMDK extent '%s' changed after it "
                        "was checked", name);
    }
  }
  return 0;
}

void
isc_checked_file_clear (struct isc_checked_file *file)
{
  if (file->fd >= 0)
    close (file->fd);
  file->fd = -1;
  free (file->resolved);
  file->resolved = NULL;
  free (file->qemu_name);
  file->qemu_name = NULL;
  while (file->n_extents > 0)
    free (file->extents[--file->n_extents].path);
  free (file->extents);
  file->extents = NULL;
}

struct name_list {
  char **names;
  size_t n;
};

static int
collect_extent (void *opaque, const char *line, int matches,
                const struct vmdk_extent *e)
{
  struct name_list *list = opaque;
  char **names;

  (void) line;
  if (matches < 4)
    return 0;
  if (list->n >= VMDK_MAX_EXTENTS)
    return -1;
  names = realloc (list->names, (list->n + 2) * sizeof *names);
  if (!names)
    return -1;
  list->names = names;
  names[list->n] = strdup (e->name);
  if (!names[list->n])
    return -1;
  names[++list->n] = NULL;
  return 0;
}

int
isc_vmdk_descriptor_extents (const char *path, char ***ret_names)
{
  struct isc_err ignored = ISC_ERR_INIT;
  struct image img = { .fd = -1 };
  struct name_list list = { NULL, 0 };
  int r = -1;

  if (image_open (&ignored, path, ISC_CHECK_NOFOLLOW, &img) == -1 ||
      !is_vmdk_descriptor (img.head, img.head_len) ||
      strnlen ((const char *) img.head, img.head_len) > DESC_MAX)
    goto out;
  list.names = calloc (1, sizeof *list.names);
  if (!list.names)
    goto out;
  if (for_each_extent_line ((const char *) img.head, collect_extent,
                            &list) == -1)
    goto out;
  *ret_names = list.names;
  list.names = NULL;
  r = 0;
 out:
  isc_free_string_list (list.names);
  image_clear (&img);
  isc_err_clear (&ignored);
  return r;
}
