/* libFuzzer target: the format detector and every header and descriptor
 * check behind isc_image_open_check (VHD footers and dynamic headers,
 * VHDX signatures, sparse VMDK headers with their parent area and
 * embedded descriptors, VMDK text descriptors and their extent lines,
 * qcow2 headers and header extensions), and isc_vmdk_descriptor_extents.
 *
 * An input is a 6-byte prefix and the file's first bytes:
 *   byte 0, bits 0-2: format forced as --format does (1 raw ... 5 vhdx;
 *           0, 6, 7: detected from the bytes); bits 3-5: the file name's
 *           extension ("img", "vhd", "vmdk", "qcow2", "vhdx", "raw",
 *           "bin", none), which the check compares with the bytes;
 *   byte 1, bits 0-3: write the VHDX signatures "head" at 64 and 128 KiB
 *           and "regi" at 192 and 256 KiB; bit 4: copy the last 512
 *           bytes of the input to the end of the file (a VHD footer);
 *   bytes 2-5: the file size in 512-byte sectors, little-endian (at
 *           most 64 MiB, sparse; 0 or less than the input: the input's).
 * The image sits in a private folder beside extents of every kind the
 * check must tell apart ("ext.img" a flat file, "sparse.vmdk" a sparse
 * one, "embedded.vmdk" a sparse one handing over to a descriptor,
 * "short", "link" a symlink, "dir", "fifo").
 *
 * qemu-img is not run: this file defines isc_qemu_img_info_as, which the
 * linker then takes instead of lib/image/qemu.c's.  The checks must give
 * either success with a sane isc_image_info or one printable message.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "util/cleanups.h"
#include "util/error.h"
#include "image/format.h"
#include "image/qemu.h"

#include "fuzz.h"

#define PREFIX 6
#define MAX_SECTORS (64 * 2048)

int
isc_qemu_img_info_as (struct isc_err *err, const char *path,
                      const char *file_name, const char *fmt,
                      uint64_t *ret_virtual_size)
{
  (void) err; (void) path; (void) file_name; (void) fmt;
  *ret_virtual_size = 0;
  return 0;
}

static const char *const env_files[] = {
  "ext.img", "sparse.vmdk", "embedded.vmdk", "short", "link", "dir", "fifo",
  NULL,
};

static const char *const extensions[8] = {
  "img", "vhd", "vmdk", "qcow2", "vhdx", "raw", "bin", NULL,
};

static void
put_le32 (unsigned char *p, uint32_t v)
{
  p[0] = v & 0xff; p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff; p[3] = v >> 24;
}

static void
put_le64 (unsigned char *p, uint64_t v)
{
  put_le32 (p, (uint32_t) v);
  put_le32 (p + 4, (uint32_t) (v >> 32));
}

/* A KDMV header: CAPACITY sectors, embedded descriptor at DESC. */
static void
write_sparse_vmdk (const char *path, uint64_t capacity, uint64_t desc)
{
  unsigned char h[1024] = "KDMV";

  put_le32 (h + 4, 1);
  put_le64 (h + 12, capacity);
  put_le64 (h + 20, 128);
  put_le64 (h + 28, desc);
  put_le64 (h + 36, desc ? 1 : 0);
  put_le32 (h + 44, 512);
  put_le64 (h + 56, 1);
  put_le64 (h + 64, 1);
  if (desc)
    memcpy (h + 512, "# Disk DescriptorFile\nRW 8 FLAT \"/etc/passwd\" 0\n",
            48);
  fuzz_write_file (path, h, sizeof h);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *dir = fuzz_private_dir (env_files);
  char path[4096 + 64];

  (void) argc; (void) argv;
  snprintf (path, sizeof path, "%s/ext.img", dir);
  fuzz_write_file (path, NULL, 0);
  if (truncate (path, 1024 * 1024) == -1)
    abort ();
  snprintf (path, sizeof path, "%s/sparse.vmdk", dir);
  write_sparse_vmdk (path, 2048, 0);
  snprintf (path, sizeof path, "%s/embedded.vmdk", dir);
  write_sparse_vmdk (path, 0, 1);
  snprintf (path, sizeof path, "%s/short", dir);
  fuzz_write_file (path, "KDMV", 4);
  snprintf (path, sizeof path, "%s/link", dir);
  if (symlink ("ext.img", path) == -1 && errno != EEXIST)
    abort ();
  snprintf (path, sizeof path, "%s/dir", dir);
  if (mkdir (path, 0700) == -1 && errno != EEXIST)
    abort ();
  snprintf (path, sizeof path, "%s/fifo", dir);
  if (mkfifo (path, 0600) == -1 && errno != EEXIST)
    abort ();
  return 0;
}

/* The file the input describes, at PATH. */
static void
write_image (const char *path, const uint8_t *data, size_t size)
{
  static const struct { uint64_t offset; const char *sig; } vhdx[] = {
    { 64 * 1024, "head" }, { 128 * 1024, "head" },
    { 192 * 1024, "regi" }, { 256 * 1024, "regi" },
  };
  const uint8_t *content = data + PREFIX;
  const size_t len = size - PREFIX;
  uint64_t file_size = (uint64_t) (data[2] | data[3] << 8 | data[4] << 16 |
                                   (uint32_t) data[5] << 24);
  int fd;
  size_t i;

  if (file_size > MAX_SECTORS)
    file_size = MAX_SECTORS;
  file_size *= 512;
  if (file_size < len)
    file_size = len;
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd == -1 ||
      (len && pwrite (fd, content, len, 0) != (ssize_t) len) ||
      ftruncate (fd, (off_t) file_size) == -1)
    abort ();
  for (i = 0; i < 4; ++i)
    if ((data[1] & (1u << i)) && vhdx[i].offset + 4 <= file_size &&
        pwrite (fd, vhdx[i].sig, 4, (off_t) vhdx[i].offset) != 4)
      abort ();
  if ((data[1] & 0x10) && len >= 512 && file_size > len &&
      pwrite (fd, content + len - 512, 512, (off_t) (file_size - 512)) != 512)
    abort ();
  close (fd);
}

static bool
is_plain_word (const char *s)
{
  return strspn (s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 "0123456789_-") == strlen (s);
}

static void
check_file (const uint8_t *data, size_t size)
{
  const char *ext = extensions[(data[0] >> 3) & 7];
  const unsigned forced_bits = data[0] & 7;
  const enum isc_format forced = forced_bits >= 1 && forced_bits <= 5
    ? (enum isc_format) forced_bits : ISC_FORMAT_UNKNOWN;
  struct isc_err err = ISC_ERR_INIT;
  struct isc_image_info info;
  char path[4096 + 64];
  char **names = NULL;
  struct stat st;
  size_t i;

  snprintf (path, sizeof path, "%s/disk%s%s", fuzz_dir, ext ? "." : "",
            ext ? ext : "");
  write_image (path, data, size);
  if (stat (path, &st) == -1)
    abort ();

  memset (&info, 0xa5, sizeof info);
  if (isc_image_open_check (&err, path, forced, &info) == 0) {
    FUZZ_ASSERT (info.format != ISC_FORMAT_UNKNOWN);
    FUZZ_ASSERT (forced == ISC_FORMAT_UNKNOWN || info.format == forced);
    FUZZ_ASSERT (info.file_size == (uint64_t) st.st_size);
    FUZZ_ASSERT (memchr (info.subformat, '\0', sizeof info.subformat));
    FUZZ_ASSERT (is_plain_word (info.subformat));
  }
  else {
    fuzz_check_message (err.msg);
  }
  isc_err_clear (&err);

  if (isc_vmdk_descriptor_extents (path, &names) == 0) {
    FUZZ_ASSERT (names);
    for (i = 0; names[i]; ++i)
      FUZZ_ASSERT (names[i][0]);
    isc_free_string_list (names);
  }
  unlink (path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* The pure detector, on the whole input as the head of a file of its
   * own size, and with its last 512 bytes as the footer (copied, so
   * that the sanitizer sees a read past them). */
  isc_format_detect (data, size, NULL, size);
  if (size >= 512) {
    unsigned char *tail = malloc (512);

    if (!tail)
      return 0;
    memcpy (tail, data + size - 512, 512);
    isc_format_detect (data, size, tail, size);
    isc_format_detect (data, size - 512, tail, size);
    free (tail);
  }

  if (size >= PREFIX)
    check_file (data, size);
  return 0;
}
