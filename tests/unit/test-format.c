/* Format detection and the refusals that keep qemu from opening any
 * file but the image: crafted and qemu-made images of every format,
 * images naming host files, FIFOs and parents, truncated and mislabelled
 * files, the --format override, and the qemu-img runner's timeout.
 *
 * Needs qemu-img; a FIFO stands in for "a host file qemu must not
 * open", so anything that opened one would hang and alarm() fails the
 * test instead.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanups.h"
#include "util/error.h"
#include "image/format.h"
#include "image/qemu.h"
#include "util/sha256.h"
#include "unit.h"

#define MiB (1024 * 1024)

static char dir[] = "/tmp/isc-test-format-XXXXXX";

/* DIR/NAME in one of a few rotating buffers. */
static const char *
at (const char *name)
{
  static char bufs[8][512];
  static unsigned next;
  char *b = bufs[next++ % 8];

  snprintf (b, sizeof bufs[0], "%s/%s", dir, name);
  return b;
}

static int
sh (const char *fmt, ...) __attribute__((format (printf, 1, 2)));

static int
sh (const char *fmt, ...)
{
  char cmd[4096];
  va_list args;
  int r;

  va_start (args, fmt);
  vsnprintf (cmd, sizeof cmd, fmt, args);
  va_end (args);
  r = system (cmd);
  if (r != 0)
    fprintf (stderr, "command failed (%d): %s\n", r, cmd);
  CHECK (r == 0);
  return r;
}

static void
write_at (const char *name, uint64_t offset, const void *data, size_t len,
          int flags)
{
  int fd = open (at (name), O_WRONLY | O_CREAT | flags, 0644);

  CHECK (fd >= 0);
  if (fd < 0)
    return;
  CHECK (pwrite (fd, data, len, (off_t) offset) == (ssize_t) len);
  close (fd);
}

static void
write_file (const char *name, const void *data, size_t len)
{
  write_at (name, 0, data, len, O_TRUNC);
}

static void
write_text (const char *name, const char *text)
{
  write_file (name, text, strlen (text));
}

static void
patch (const char *name, uint64_t offset, const void *data, size_t len)
{
  write_at (name, offset, data, len, 0);
}

static uint64_t
read_be64 (const char *name, uint64_t offset)
{
  unsigned char b[8] = { 0 };
  uint64_t v = 0;
  int fd = open (at (name), O_RDONLY);
  int i;

  CHECK (fd >= 0);
  if (fd >= 0) {
    CHECK (pread (fd, b, 8, (off_t) offset) == 8);
    close (fd);
  }
  for (i = 0; i < 8; ++i)
    v = v << 8 | b[i];
  return v;
}

static uint64_t
file_size (const char *name)
{
  struct stat st;

  return stat (at (name), &st) == 0 ? (uint64_t) st.st_size : 0;
}

/* qemu shows a raw file rounded up to whole sectors. */
static uint64_t
raw_size (const char *name)
{
  return (file_size (name) + 511) / 512 * 512;
}

static void
copy (const char *from, const char *to)
{
  sh ("cp '%s' '%s'", at (from), at (to));
}

static void
expect_ok (const char *name, enum isc_format forced, enum isc_format want,
           const char *subformat, uint64_t virtual_size)
{
  struct isc_err err = ISC_ERR_INIT;
  struct isc_image_info info;
  int r;

  memset (&info, 0xaa, sizeof info);
  r = isc_image_open_check (&err, at (name), forced, &info);
  if (r != 0)
    fprintf (stderr, "%s: unexpectedly refused: %s\n", name,
             isc_err_msg (&err));
  CHECK (r == 0);
  if (r == 0) {
    CHECK (info.format == want);
    if (subformat)
      CHECK_STREQ (info.subformat, subformat);
    CHECK (info.file_size == file_size (name));
    if (virtual_size && info.virtual_size != virtual_size)
      fprintf (stderr, "%s: virtual size %llu, want %llu\n", name,
               (unsigned long long) info.virtual_size,
               (unsigned long long) virtual_size);
    if (virtual_size)
      CHECK (info.virtual_size == virtual_size);
    else
      CHECK (info.virtual_size > 0);
  }
  isc_err_clear (&err);
}

/* Refused, with a message that names the file and contains CAUSE (and
 * DETAIL, when not NULL). */
static void
expect_refused (const char *name, enum isc_format forced, const char *cause,
                const char *detail)
{
  struct isc_err err = ISC_ERR_INIT;
  struct isc_image_info info;
  char quoted[600];
  const char *msg;
  int r;

  memset (&info, 0, sizeof info);
  r = isc_image_open_check (&err, at (name), forced, &info);
  msg = isc_err_msg (&err);
  snprintf (quoted, sizeof quoted, "'%s': ", at (name));
  if (r != -1 || !strstr (msg, quoted) || !strstr (msg, cause) ||
      (detail && !strstr (msg, detail)))
    fprintf (stderr, "%s: want refusal with \"%s\"%s%s, got %d: %s\n",
             name, cause, detail ? " and " : "", detail ? detail : "", r,
             msg);
  if (getenv ("TEST_VERBOSE"))
    printf ("%s\n", msg);
  CHECK (r == -1);
  CHECK (strstr (msg, quoted) == msg);
  CHECK (strstr (msg, cause) != NULL);
  if (detail)
    CHECK (strstr (msg, detail) != NULL);
  isc_err_clear (&err);
}

/* ---- pure detection ------------------------------------------------- */

static enum isc_format
detect_str (const char *s)
{
  return isc_format_detect ((const unsigned char *) s, strlen (s), NULL,
                            strlen (s));
}

static void
test_detect_buffers (void)
{
  unsigned char tail[512] = "conectix";
  unsigned char zeros[1024] = { 0 };
  static const char *const prefixes[] = {
    "QFI\xfb", "vhdxfile", "KDMV", "COWD", "conectix",
    "# Disk DescriptorFile\n", "\n  # x\n#disk descriptorfile \r\n",
    "version=1\n", "\xef\xbb\xbf# Disk DescriptorFile", "#", "# \n#",
  };
  uint32_t seed = 12345;
  size_t i, len;

  CHECK (isc_format_detect (NULL, 0, NULL, 0) == ISC_FORMAT_UNKNOWN);
  CHECK (isc_format_detect (zeros, 0, NULL, 100) == ISC_FORMAT_UNKNOWN);
  CHECK (isc_format_detect (zeros, 10, NULL, 0) == ISC_FORMAT_UNKNOWN);
  CHECK (detect_str ("QFI\xfb") == ISC_FORMAT_QCOW2);
  CHECK (detect_str ("QFI") == ISC_FORMAT_RAW);
  CHECK (detect_str ("vhdxfile") == ISC_FORMAT_VHDX);
  CHECK (detect_str ("vhdxfil") == ISC_FORMAT_RAW);
  CHECK (detect_str ("KDMV") == ISC_FORMAT_VMDK);
  CHECK (detect_str ("COWD") == ISC_FORMAT_VMDK);
  CHECK (detect_str ("conectix") == ISC_FORMAT_VPC);
  CHECK (detect_str ("conecti") == ISC_FORMAT_RAW);
  CHECK (detect_str ("# Disk DescriptorFile\nversion=1\n") ==
         ISC_FORMAT_VMDK);
  CHECK (detect_str ("\n\n  # made by hand\n#Disk DescriptorFile\r\n") ==
         ISC_FORMAT_VMDK);
  CHECK (detect_str ("# Disk DescriptorFile, not") == ISC_FORMAT_RAW);
  CHECK (detect_str ("# comment\nversion=1\n") == ISC_FORMAT_VMDK);
  CHECK (detect_str ("version=9\n") == ISC_FORMAT_RAW);
  CHECK (detect_str ("hello") == ISC_FORMAT_RAW);
  /* A fixed VHD has its footer only at the end. */
  CHECK (isc_format_detect (zeros, sizeof zeros, tail, 4096) ==
         ISC_FORMAT_VPC);
  CHECK (isc_format_detect (zeros, sizeof zeros, tail, 100) ==
         ISC_FORMAT_RAW);
  CHECK (isc_format_detect (zeros, sizeof zeros, NULL, 4096) ==
         ISC_FORMAT_RAW);
  /* Magic at the start wins over a footer at the end. */
  CHECK (isc_format_detect ((const unsigned char *) "QFI\xfb", 4, tail,
                            4096) == ISC_FORMAT_QCOW2);

  /* Short, truncated and random buffers, each in an allocation of its
   * exact size so that valgrind sees any read past the end. */
  for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; ++i)
    for (len = 0; len <= strlen (prefixes[i]); ++len) {
      unsigned char *b = malloc (len ? len : 1);

      memcpy (b, prefixes[i], len);
      CHECK (isc_format_detect (b, len, NULL, len) <= ISC_FORMAT_VHDX);
      free (b);
    }
  for (i = 0; i < 2000; ++i) {
    const size_t n = i % 700;
    unsigned char *b = malloc (n ? n : 1);
    unsigned char *t = malloc (512);
    size_t k;

    for (k = 0; k < n; ++k) {
      seed = seed * 1103515245 + 12345;
      b[k] = (unsigned char) (seed >> 16);
      /* Plenty of text-like bytes to reach the descriptor parser. */
      if (i % 3 == 0)
        b[k] = (unsigned char) "# \n\rDisk DescriptorFile version=1"[b[k] % 33];
    }
    for (k = 0; k < 512; ++k)
      t[k] = (unsigned char) (seed >> (k % 24));
    CHECK (isc_format_detect (b, n, i % 2 ? t : NULL, n + i) <=
           ISC_FORMAT_VHDX);
    free (b);
    free (t);
  }
}

static void
test_names (void)
{
  enum isc_format f = ISC_FORMAT_UNKNOWN;

  CHECK_STREQ (isc_format_name (ISC_FORMAT_RAW), "raw");
  CHECK_STREQ (isc_format_name (ISC_FORMAT_VPC), "vpc");
  CHECK_STREQ (isc_format_name (ISC_FORMAT_VMDK), "vmdk");
  CHECK_STREQ (isc_format_name (ISC_FORMAT_QCOW2), "qcow2");
  CHECK_STREQ (isc_format_name (ISC_FORMAT_VHDX), "vhdx");
  CHECK_STREQ (isc_format_name ((enum isc_format) 99), "unknown");
  CHECK_STREQ (isc_format_extension (ISC_FORMAT_RAW), "img");
  CHECK_STREQ (isc_format_extension (ISC_FORMAT_VPC), "vhd");
  CHECK_STREQ (isc_format_extension (ISC_FORMAT_VMDK), "vmdk");
  CHECK_STREQ (isc_format_extension (ISC_FORMAT_QCOW2), "qcow2");
  CHECK_STREQ (isc_format_extension (ISC_FORMAT_VHDX), "vhdx");
  CHECK (isc_format_from_name ("vhd", &f) == 0 && f == ISC_FORMAT_VPC);
  CHECK (isc_format_from_name ("vpc", &f) == 0 && f == ISC_FORMAT_VPC);
  CHECK (isc_format_from_name ("VMDK", &f) == 0 && f == ISC_FORMAT_VMDK);
  CHECK (isc_format_from_name ("raw", &f) == 0 && f == ISC_FORMAT_RAW);
  CHECK (isc_format_from_name ("qcow2", &f) == 0 && f == ISC_FORMAT_QCOW2);
  CHECK (isc_format_from_name ("vhdx", &f) == 0 && f == ISC_FORMAT_VHDX);
  CHECK (isc_format_from_name ("unknown", &f) == -1);
  CHECK (isc_format_from_name ("qcow", &f) == -1);
  CHECK (isc_format_from_name ("", &f) == -1);
}

/* ---- images qemu-img makes ----------------------------------------- */

static void
make_images (void)
{
  char data[4096];
  size_t i;

  for (i = 0; i < sizeof data; ++i)
    data[i] = (char) (i * 7);
  write_file ("disk.img", "", 0);
  for (i = 0; i < MiB / sizeof data; ++i)
    write_at ("disk.img", i * sizeof data, data, sizeof data, 0);
  sh ("qemu-img create -q -f vpc -o subformat=fixed '%s' 8M",
      at ("fixed.vhd"));
  sh ("qemu-img create -q -f vpc -o subformat=dynamic '%s' 8M",
      at ("dynamic.vhd"));
  sh ("qemu-img create -q -f vmdk -o subformat=monolithicSparse '%s' 8M",
      at ("sparse.vmdk"));
  sh ("qemu-img create -q -f vmdk -o subformat=streamOptimized '%s' 8M",
      at ("stream.vmdk"));
  sh ("qemu-img create -q -f vmdk -o subformat=monolithicFlat '%s' 8M",
      at ("flat.vmdk"));
  sh ("qemu-img create -q -f vmdk -o subformat=twoGbMaxExtentSparse '%s' 8M",
      at ("split.vmdk"));
  sh ("qemu-img create -q -f qcow2 '%s' 8M", at ("disk.qcow2"));
  sh ("qemu-img create -q -f qcow2 -o compat=0.10 '%s' 8M", at ("v2.qcow2"));
  sh ("qemu-img create -q -f vhdx '%s' 8M", at ("disk.vhdx"));
  copy ("disk.qcow2", "qcow2-named.img");
}

static void
test_good_images (void)
{
  char cwd[4096];

  expect_ok ("disk.img", ISC_FORMAT_UNKNOWN, ISC_FORMAT_RAW, "", MiB);
  expect_ok ("fixed.vhd", ISC_FORMAT_UNKNOWN, ISC_FORMAT_VPC, "fixed", 0);
  expect_ok ("dynamic.vhd", ISC_FORMAT_UNKNOWN, ISC_FORMAT_VPC, "dynamic",
             0);
  expect_ok ("sparse.vmdk", ISC_FORMAT_UNKNOWN, ISC_FORMAT_VMDK,
             "monolithicSparse", 8 * MiB);
  expect_ok ("stream.vmdk", ISC_FORMAT_UNKNOWN, ISC_FORMAT_VMDK,
             "streamOptimized", 8 * MiB);
  /* A descriptor and its flat extent side by side. */
  expect_ok ("flat.vmdk", ISC_FORMAT_UNKNOWN, ISC_FORMAT_VMDK,
             "monolithicFlat", 8 * MiB);
  expect_ok ("split.vmdk", ISC_FORMAT_UNKNOWN, ISC_FORMAT_VMDK,
             "twoGbMaxExtentSparse", 8 * MiB);
  expect_ok ("disk.qcow2", ISC_FORMAT_UNKNOWN, ISC_FORMAT_QCOW2, "",
             8 * MiB);
  expect_ok ("v2.qcow2", ISC_FORMAT_UNKNOWN, ISC_FORMAT_QCOW2, "", 8 * MiB);
  expect_ok ("disk.vhdx", ISC_FORMAT_UNKNOWN, ISC_FORMAT_VHDX, "", 8 * MiB);
  /* .img is trusted to the magic. */
  expect_ok ("qcow2-named.img", ISC_FORMAT_UNKNOWN, ISC_FORMAT_QCOW2, "",
             8 * MiB);

  /* A relative path, and a relative extent, from the image's folder. */
  if (getcwd (cwd, sizeof cwd) && chdir (dir) == 0) {
    struct isc_err err = ISC_ERR_INIT;
    struct isc_image_info info;

    CHECK (isc_image_open_check (&err, "flat.vmdk", ISC_FORMAT_UNKNOWN,
                                 &info) == 0);
    CHECK (info.format == ISC_FORMAT_VMDK);
    CHECK (isc_image_open_check (&err, "disk.qcow2", ISC_FORMAT_UNKNOWN,
                                 &info) == 0);
    CHECK (info.format == ISC_FORMAT_QCOW2);
    isc_err_clear (&err);
    CHECK (chdir (cwd) == 0);
  }
}

/* ---- qcow2 that would open other files ----------------------------- */

static void
test_qcow2_references (void)
{
  unsigned char byte;

  /* Backing file a FIFO: made while it was still a regular file. */
  sh ("truncate -s 1M '%s'", at ("fifo-backing"));
  sh ("qemu-img create -q -f qcow2 -F raw -b '%s' '%s' 1M",
      at ("fifo-backing"), at ("backed-fifo.img"));
  CHECK (unlink (at ("fifo-backing")) == 0);
  CHECK (mkfifo (at ("fifo-backing"), 0600) == 0);
  expect_refused ("backed-fifo.img", ISC_FORMAT_UNKNOWN,
                  "refusing qcow2 image with a backing file", "fifo-backing");

  sh ("qemu-img create -q -f qcow2 -F raw -b /etc/hostname '%s' 1M",
      at ("backed-host.img"));
  expect_refused ("backed-host.img", ISC_FORMAT_UNKNOWN,
                  "refusing qcow2 image with a backing file ('/etc/hostname')"
                  ": qemu would open that file", NULL);
  /* Forcing qcow2 changes nothing; forcing raw is safe. */
  expect_refused ("backed-host.img", ISC_FORMAT_QCOW2, "backing file", NULL);
  expect_ok ("backed-host.img", ISC_FORMAT_RAW, ISC_FORMAT_RAW, "",
             raw_size ("backed-host.img"));

  sh ("qemu-img create -q -f qcow2 '%s' 1M", at ("base.qcow2"));
  sh ("cd '%s' && qemu-img create -q -f qcow2 -F qcow2 -b base.qcow2 "
      "top.qcow2", dir);
  expect_refused ("top.qcow2", ISC_FORMAT_UNKNOWN, "backing file",
                  "base.qcow2");

  sh ("qemu-img create -q -f qcow2 -o data_file='%s' '%s' 1M",
      at ("data.raw"), at ("datafile.qcow2"));
  expect_refused ("datafile.qcow2", ISC_FORMAT_UNKNOWN,
                  "refusing qcow2 image with an external data file",
                  "data.raw");
  /* The header extension alone, without the feature bit... */
  copy ("datafile.qcow2", "data-ext.qcow2");
  byte = 0;
  patch ("data-ext.qcow2", 79, &byte, 1);
  CHECK ((read_be64 ("data-ext.qcow2", 72) & 4) == 0);
  expect_refused ("data-ext.qcow2", ISC_FORMAT_UNKNOWN,
                  "external data file", "data.raw");
  /* ...and the feature bit alone. */
  copy ("disk.qcow2", "data-bit.qcow2");
  byte = 4;
  patch ("data-bit.qcow2", 79, &byte, 1);
  expect_refused ("data-bit.qcow2", ISC_FORMAT_UNKNOWN, "external data file",
                  NULL);

  copy ("disk.qcow2", "crypt.qcow2");
  byte = 1;
  patch ("crypt.qcow2", 35, &byte, 1);
  expect_refused ("crypt.qcow2", ISC_FORMAT_UNKNOWN, "encrypted", NULL);

  copy ("disk.qcow2", "v1.qcow2");
  patch ("v1.qcow2", 4, "\0\0\0\1", 4);
  expect_refused ("v1.qcow2", ISC_FORMAT_UNKNOWN, "unsupported qcow2 version",
                  NULL);

  /* A header extension that claims more than the cluster holds. */
  copy ("disk.qcow2", "ext.qcow2");
  patch ("ext.qcow2", 112, "\x12\x34\x56\x78\x7f\xff\xff\xff", 8);
  expect_refused ("ext.qcow2", ISC_FORMAT_UNKNOWN, "header extension", NULL);
}

/* ---- VMDK that would open other files ------------------------------ */

static const char desc_head[] =
  "# Disk DescriptorFile\n"
  "version=1\n"
  "CID=fffffffe\n"
  "parentCID=ffffffff\n"
  "createType=\"monolithicFlat\"\n";

static void
write_descriptor (const char *name, const char *extents)
{
  char text[2048];

  snprintf (text, sizeof text, "%s%s\n", desc_head, extents);
  write_text (name, text);
}

static void
test_vmdk_references (void)
{
  char text[2048];

  CHECK (mkfifo (at ("fifo-flat.vmdk"), 0600) == 0);
  CHECK (symlink (at ("flat-flat.vmdk"), at ("link-flat.vmdk")) == 0);

  write_descriptor ("good.vmdk", "RW 16384 FLAT \"flat-flat.vmdk\" 0");
  expect_ok ("good.vmdk", ISC_FORMAT_UNKNOWN, ISC_FORMAT_VMDK,
             "monolithicFlat", 8 * MiB);

  write_descriptor ("hostfile.vmdk", "RW 2048 FLAT \"/etc/hostname\" 0");
  expect_refused ("hostfile.vmdk", ISC_FORMAT_UNKNOWN,
                  "refusing VMDK extent with an absolute path "
                  "('/etc/hostname')", NULL);
  write_descriptor ("dotdot.vmdk", "RW 2048 FLAT \"../x\" 0");
  expect_refused ("dotdot.vmdk", ISC_FORMAT_UNKNOWN,
                  "extent outside the image's folder", "../x");
  write_descriptor ("subdir.vmdk", "RW 2048 FLAT \"sub/x\" 0");
  expect_refused ("subdir.vmdk", ISC_FORMAT_UNKNOWN,
                  "extent outside the image's folder", NULL);
  write_descriptor ("fifo.vmdk", "RW 2048 FLAT \"fifo-flat.vmdk\" 0");
  expect_refused ("fifo.vmdk", ISC_FORMAT_UNKNOWN, "extent",
                  "not a regular file");
  write_descriptor ("link.vmdk", "RW 2048 FLAT \"link-flat.vmdk\" 0");
  expect_refused ("link.vmdk", ISC_FORMAT_UNKNOWN, "extent",
                  "not a regular file");
  write_descriptor ("missing.vmdk", "RW 2048 FLAT \"nope-flat.vmdk\" 0");
  expect_refused ("missing.vmdk", ISC_FORMAT_UNKNOWN, "extent",
                  "does not exist");
  write_descriptor ("type.vmdk", "RW 2048 SESPARSE \"flat-flat.vmdk\"");
  expect_refused ("type.vmdk", ISC_FORMAT_UNKNOWN, "unsupported type",
                  "SESPARSE");
  write_descriptor ("proto.vmdk", "RW 2048 FLAT \"nbd:localhost:10809\" 0");
  expect_refused ("proto.vmdk", ISC_FORMAT_UNKNOWN, "extent", "':'");
  /* qemu's sscanf runs across line ends and skips indentation. */
  write_descriptor ("lines.vmdk", "RW\n2048\nFLAT\n\"/etc/hostname\" 0");
  expect_refused ("lines.vmdk", ISC_FORMAT_UNKNOWN, "absolute path", NULL);
  write_descriptor ("indent.vmdk", "  \tRW 2048 FLAT \"/etc/hostname\" 0");
  expect_refused ("indent.vmdk", ISC_FORMAT_UNKNOWN, "absolute path", NULL);
  write_descriptor ("rdonly.vmdk", "RDONLY 2048 FLAT \"/etc/hostname\" 0");
  expect_refused ("rdonly.vmdk", ISC_FORMAT_UNKNOWN, "absolute path", NULL);
  write_descriptor ("second.vmdk", "RW 16384 FLAT \"flat-flat.vmdk\" 0\n"
                    "RW 2048 FLAT \"/etc/hostname\" 0");
  expect_refused ("second.vmdk", ISC_FORMAT_UNKNOWN, "absolute path", NULL);
  write_descriptor ("malformed.vmdk", "RW 2048 FLAT");
  expect_refused ("malformed.vmdk", ISC_FORMAT_UNKNOWN, "malformed", NULL);

  /* Parents, in a descriptor file... */
  snprintf (text, sizeof text, "%sparentFileNameHint=\"base.vmdk\"\n"
            "RW 16384 FLAT \"flat-flat.vmdk\" 0\n", desc_head);
  write_text ("hint.vmdk", text);
  expect_refused ("hint.vmdk", ISC_FORMAT_UNKNOWN,
                  "refusing VMDK image with a parent ('base.vmdk')", NULL);
  write_text ("cid.vmdk", "# Disk DescriptorFile\nversion=1\n"
              "parentCID=1234abcd\ncreateType=\"monolithicFlat\"\n"
              "RW 16384 FLAT \"flat-flat.vmdk\" 0\n");
  expect_refused ("cid.vmdk", ISC_FORMAT_UNKNOWN, "parentCID=1234abcd",
                  NULL);

  /* ...in a sparse file made by qemu-img... */
  sh ("qemu-img create -q -f vmdk '%s' 8M", at ("vbase.vmdk"));
  sh ("cd '%s' && qemu-img create -q -f vmdk -F vmdk -b vbase.vmdk "
      "child.vmdk", dir);
  expect_refused ("child.vmdk", ISC_FORMAT_UNKNOWN,
                  "refusing VMDK image with a parent", "vbase.vmdk");
  expect_refused ("child.vmdk", ISC_FORMAT_VMDK, "parent", NULL);

  /* ...and crafted into a sparse file's embedded descriptor. */
  copy ("sparse.vmdk", "sparse-hint.vmdk");
  snprintf (text, sizeof text, "%sparentFileNameHint=\"/etc/hostname\"\n"
            "RW 16384 SPARSE \"sparse.vmdk\"\n", desc_head);
  patch ("sparse-hint.vmdk", 512, text, strlen (text) + 1);
  expect_refused ("sparse-hint.vmdk", ISC_FORMAT_UNKNOWN,
                  "with a parent ('/etc/hostname')", NULL);

  /* A sparse header with no capacity makes qemu read its embedded
   * descriptor as a descriptor file, extents included. */
  copy ("sparse.vmdk", "delegate.vmdk");
  patch ("delegate.vmdk", 12, "\0\0\0\0\0\0\0\0", 8);
  snprintf (text, sizeof text, "%sRW 2048 FLAT \"/etc/hostname\" 0\n",
            desc_head);
  patch ("delegate.vmdk", 512, text, strlen (text) + 1);
  expect_refused ("delegate.vmdk", ISC_FORMAT_UNKNOWN, "absolute path",
                  NULL);
  /* Pointing at itself, qemu would recurse until it crashed. */
  copy ("delegate.vmdk", "self.vmdk");
  snprintf (text, sizeof text, "%sRW 2048 SPARSE \"self.vmdk\"\n",
            desc_head);
  patch ("self.vmdk", 512, text, strlen (text) + 1);
  expect_refused ("self.vmdk", ISC_FORMAT_UNKNOWN, "another descriptor",
                  NULL);

  /* A descriptor without its title line is raw until forced: then it
   * is checked exactly as qemu would read it. */
  write_text ("untitled.img", "createType=\"monolithicFlat\"\n"
              "RW 2048 FLAT \"/etc/hostname\" 0\n");
  expect_ok ("untitled.img", ISC_FORMAT_UNKNOWN, ISC_FORMAT_RAW, "", 0);
  expect_refused ("untitled.img", ISC_FORMAT_VMDK, "absolute path", NULL);
  expect_refused ("hostfile.vmdk", ISC_FORMAT_VMDK, "absolute path", NULL);
  expect_refused ("fifo.vmdk", ISC_FORMAT_VMDK, "not a regular file", NULL);

  /* Larger than anything we would check in full. */
  {
    size_t n = 70 * 1024, hl = strlen (desc_head);
    char *big = malloc (n + 1);

    memcpy (big, desc_head, hl);
    memset (big + hl, '#', n - hl);
    big[n] = '\0';
    write_text ("big.vmdk", big);
    free (big);
    expect_refused ("big.vmdk", ISC_FORMAT_UNKNOWN, "larger than 64 KiB",
                    NULL);
  }
}

/* ---- broken and mislabelled files ---------------------------------- */

static void
test_bad_files (void)
{
  unsigned char random[64 * 1024];
  uint32_t seed = 4242;
  uint64_t l1;
  size_t i;

  write_file ("empty.img", "", 0);
  expect_refused ("empty.img", ISC_FORMAT_UNKNOWN, "empty file", NULL);
  expect_refused ("empty.img", ISC_FORMAT_RAW, "empty file", NULL);
  CHECK (mkfifo (at ("pipe.img"), 0600) == 0);
  expect_refused ("pipe.img", ISC_FORMAT_UNKNOWN, "not a regular file", NULL);
  expect_refused ("pipe.img", ISC_FORMAT_RAW, "not a regular file", NULL);
  CHECK (mkdir (at ("folder.img"), 0700) == 0);
  expect_refused ("folder.img", ISC_FORMAT_UNKNOWN, "not a regular file",
                  NULL);
  expect_refused ("no-such.img", ISC_FORMAT_UNKNOWN, "cannot open", NULL);

  copy ("dynamic.vhd", "trunc-dynamic.vhd");
  sh ("truncate -s %llu '%s'",
      (unsigned long long) file_size ("dynamic.vhd") / 2,
      at ("trunc-dynamic.vhd"));
  expect_refused ("trunc-dynamic.vhd", ISC_FORMAT_UNKNOWN,
                  "truncated VHD: footer missing at end of file", NULL);
  copy ("fixed.vhd", "trunc-fixed.vhd");
  sh ("truncate -s 4M '%s'", at ("trunc-fixed.vhd"));
  /* Cut short, a fixed VHD has no footer left anywhere. */
  expect_refused ("trunc-fixed.vhd", ISC_FORMAT_UNKNOWN,
                  "no VHD footer at its end", "truncated");
  /* A block allocation table past the end. */
  copy ("dynamic.vhd", "bat.vhd");
  patch ("bat.vhd", 512 + 16, "\0\0\0\0\x10\0\0\0", 8);
  expect_refused ("bat.vhd", ISC_FORMAT_UNKNOWN,
                  "truncated VHD: block allocation table", NULL);
  copy ("dynamic.vhd", "diff.vhd");
  patch ("diff.vhd", 60, "\0\0\0\4", 4);
  patch ("diff.vhd", file_size ("diff.vhd") - 512 + 60, "\0\0\0\4", 4);
  expect_refused ("diff.vhd", ISC_FORMAT_UNKNOWN, "differencing VHD", NULL);

  copy ("disk.qcow2", "trunc-header.qcow2");
  sh ("truncate -s 100 '%s'", at ("trunc-header.qcow2"));
  expect_refused ("trunc-header.qcow2", ISC_FORMAT_UNKNOWN,
                  "truncated qcow2", "header");
  copy ("disk.qcow2", "trunc-length.qcow2");
  sh ("truncate -s 108 '%s'", at ("trunc-length.qcow2"));
  expect_refused ("trunc-length.qcow2", ISC_FORMAT_UNKNOWN,
                  "truncated qcow2: header shorter than its header length",
                  NULL);
  copy ("disk.qcow2", "trunc-l1.qcow2");
  l1 = read_be64 ("disk.qcow2", 40);
  CHECK (l1 > 0 && l1 < file_size ("disk.qcow2"));
  sh ("truncate -s %llu '%s'", (unsigned long long) l1, at ("trunc-l1.qcow2"));
  expect_refused ("trunc-l1.qcow2", ISC_FORMAT_UNKNOWN,
                  "truncated qcow2: L1 table beyond end of file", NULL);

  copy ("sparse.vmdk", "trunc.vmdk");
  sh ("truncate -s 4096 '%s'", at ("trunc.vmdk"));
  expect_refused ("trunc.vmdk", ISC_FORMAT_UNKNOWN, "truncated VMDK", NULL);
  copy ("sparse.vmdk", "gd.vmdk");
  patch ("gd.vmdk", 56, "\0\0\0\0\1\0\0\0", 8);
  expect_refused ("gd.vmdk", ISC_FORMAT_UNKNOWN,
                  "truncated VMDK: grain directory beyond end of file", NULL);
  copy ("disk.vhdx", "trunc.vhdx");
  sh ("truncate -s 300K '%s'", at ("trunc.vhdx"));
  expect_refused ("trunc.vhdx", ISC_FORMAT_UNKNOWN, "truncated VHDX", NULL);

  for (i = 0; i < sizeof random; ++i) {
    seed = seed * 1103515245 + 12345;
    random[i] = (unsigned char) (seed >> 16);
  }
  write_file ("random.vmdk", random, sizeof random);
  expect_refused ("random.vmdk", ISC_FORMAT_UNKNOWN,
                  "file name says VMDK but the file has no VMDK header "
                  "(use --format to override)", NULL);
  write_file ("random.vhd", random, sizeof random);
  expect_refused ("random.vhd", ISC_FORMAT_UNKNOWN,
                  "file name says VHD but the file has no VHD footer",
                  "--format");
  write_file ("random.QCOW2", random, sizeof random);
  expect_refused ("random.QCOW2", ISC_FORMAT_UNKNOWN,
                  "file name says qcow2", "--format");
  write_file ("random.vhdx", random, sizeof random);
  expect_refused ("random.vhdx", ISC_FORMAT_UNKNOWN, "file name says VHDX",
                  "--format");
  /* A qcow2 header in a file named .vmdk is a mislabelled file too. */
  copy ("disk.qcow2", "qcow2-named.vmdk");
  expect_refused ("qcow2-named.vmdk", ISC_FORMAT_UNKNOWN,
                  "file name says VMDK", NULL);
  write_file ("random.img", random, sizeof random);
  expect_ok ("random.img", ISC_FORMAT_UNKNOWN, ISC_FORMAT_RAW, "",
             sizeof random);
}

/* ---- --format ------------------------------------------------------- */

static void
test_forced (void)
{
  expect_ok ("disk.img", ISC_FORMAT_RAW, ISC_FORMAT_RAW, "", MiB);
  expect_ok ("disk.qcow2", ISC_FORMAT_RAW, ISC_FORMAT_RAW, "",
             raw_size ("disk.qcow2"));
  expect_ok ("random.vmdk", ISC_FORMAT_RAW, ISC_FORMAT_RAW, "",
             raw_size ("random.vmdk"));
  expect_ok ("hostfile.vmdk", ISC_FORMAT_RAW, ISC_FORMAT_RAW, "", 0);
  expect_ok ("dynamic.vhd", ISC_FORMAT_VPC, ISC_FORMAT_VPC, "dynamic", 0);
  expect_refused ("disk.img", ISC_FORMAT_VPC, "not a VHD image", NULL);
  expect_refused ("disk.img", ISC_FORMAT_QCOW2, "not a qcow2 image", NULL);
  expect_refused ("disk.img", ISC_FORMAT_VHDX, "not a VHDX image", NULL);
  /* qemu-img has the last word: a raw file is no VMDK descriptor. */
  expect_refused ("disk.img", ISC_FORMAT_VMDK, "qemu-img info failed", NULL);
}

/* ---- isc_vmdk_descriptor_extents ------------------------------------ */

static void
test_descriptor_extents (void)
{
  char **names = NULL;
  size_t i;

  CHECK (isc_vmdk_descriptor_extents (at ("flat.vmdk"), &names) == 0);
  CHECK (names && names[0] && !names[1]);
  if (names && names[0])
    CHECK_STREQ (names[0], "flat-flat.vmdk");
  isc_free_string_list (names);

  names = NULL;
  CHECK (isc_vmdk_descriptor_extents (at ("split.vmdk"), &names) == 0);
  for (i = 0; names && names[i]; ++i)
    CHECK (strncmp (names[i], "split-s", 7) == 0);
  CHECK (i >= 1);
  isc_free_string_list (names);

  names = NULL;
  CHECK (isc_vmdk_descriptor_extents (at ("sparse.vmdk"), &names) == -1);
  CHECK (isc_vmdk_descriptor_extents (at ("disk.img"), &names) == -1);
  CHECK (isc_vmdk_descriptor_extents (at ("pipe.img"), &names) == -1);
  CHECK (isc_vmdk_descriptor_extents (at ("no-such"), &names) == -1);
  CHECK (names == NULL);
}

/* ---- isc_image_check_file: the checked file stays the one used ------ */

static void
test_checked_file (void)
{
  struct isc_err err = ISC_ERR_INIT;
  struct isc_image_info info;
  struct isc_checked_file file = { .fd = -1 };
  char sha_checked[ISC_SHA256_HEX_LEN + 1], sha_after[ISC_SHA256_HEX_LEN + 1];

  /* A plain image: qemu gets its open descriptor, which still reads
   * the checked bytes once another file is renamed over its name. */
  sh ("cp '%s' '%s'", at ("disk.qcow2"), at ("victim.qcow2"));
  CHECK (isc_image_check_file (&err, at ("victim.qcow2"), ISC_FORMAT_UNKNOWN,
                               0, &info, &file) == 0);
  CHECK (file.fd >= 0 && !file.by_name && file.n_extents == 0);
  CHECK (file.qemu_name && strncmp (file.qemu_name, "/proc/", 6) == 0);
  CHECK (isc_checked_file_verify (&err, "victim", &file) == 0);
  CHECK (isc_sha256_file (&err, file.qemu_name, sha_checked) == 0);
  sh ("qemu-img create -q -f qcow2 -F raw -b /etc/hostname '%s' 1M",
      at ("evil.qcow2"));
  CHECK (rename (at ("evil.qcow2"), at ("victim.qcow2")) == 0);
  CHECK (isc_checked_file_verify (&err, "victim", &file) == -1);
  CHECK (strstr (isc_err_msg (&err), "replaced") != NULL);
  CHECK (isc_sha256_file (&err, file.qemu_name, sha_after) == 0);
  CHECK_STREQ (sha_after, sha_checked);
  isc_checked_file_clear (&file);
  CHECK (file.fd == -1 && !file.qemu_name && !file.resolved);

  /* A descriptor: qemu opens it and its extents by name, so an extent
   * replaced after the check fails the verification. */
  CHECK (isc_image_check_file (&err, at ("flat.vmdk"), ISC_FORMAT_UNKNOWN,
                               0, &info, &file) == 0);
  CHECK (file.by_name && file.n_extents == 1);
  CHECK (isc_checked_file_verify (&err, "flat", &file) == 0);
  sh ("cp '%s' '%s.new' && mv '%s.new' '%s'", at ("flat-flat.vmdk"),
      at ("flat-flat.vmdk"), at ("flat-flat.vmdk"), at ("flat-flat.vmdk"));
  CHECK (isc_checked_file_verify (&err, "flat", &file) == -1);
  CHECK (strstr (isc_err_msg (&err), "extent") != NULL);
  isc_checked_file_clear (&file);

  /* A symlink: followed by default, refused with ISC_CHECK_NOFOLLOW. */
  CHECK (symlink (at ("disk.qcow2"), at ("link.qcow2")) == 0);
  CHECK (isc_image_check_file (&err, at ("link.qcow2"), ISC_FORMAT_UNKNOWN,
                               0, &info, &file) == 0);
  CHECK_STREQ (file.resolved, at ("disk.qcow2"));
  isc_checked_file_clear (&file);
  CHECK (isc_image_check_file (&err, at ("link.qcow2"), ISC_FORMAT_UNKNOWN,
                               ISC_CHECK_NOFOLLOW, &info, &file) == -1);
  CHECK (strstr (isc_err_msg (&err), "symlink") != NULL);
  CHECK (file.fd == -1);
  isc_err_clear (&err);
}

/* ---- the runner ----------------------------------------------------- */

static void
test_runner (void)
{
  struct isc_err err = ISC_ERR_INIT;
  const char *version[] = { "qemu-img", "--version", NULL };
  const char *hang[] = {
    "qemu-img", "info", "-f", "raw", "--", at ("pipe.img"), NULL,
  };
  const char *fail[] = {
    "qemu-img", "info", "-f", "qcow2", "--", at ("disk.img"), NULL,
  };
  char *out = NULL;
  uint64_t size = 0;
  time_t start;

  CHECK (isc_qemu_img_run (&err, "version", version, 10, &out) == 0);
  CHECK (out && strstr (out, "qemu-img version"));
  free (out);

  /* Opening a FIFO blocks until someone writes to it: never here. */
  start = time (NULL);
  CHECK (isc_qemu_img_run (&err, at ("pipe.img"), hang, 2, NULL) == -1);
  CHECK (strstr (isc_err_msg (&err), "qemu-img info timed out after 2 s"));
  CHECK (strstr (isc_err_msg (&err), "pipe.img"));
  CHECK (time (NULL) - start < 10);

  CHECK (isc_qemu_img_run (&err, at ("disk.img"), fail, 10, NULL) == -1);
  CHECK (strstr (isc_err_msg (&err), "qemu-img info failed: "));
  CHECK (strstr (isc_err_msg (&err), "qcow2"));

  CHECK (isc_qemu_img_info (&err, at ("disk.img"), isc_format_driver (ISC_FORMAT_RAW),
                            &size) == 0);
  CHECK (size == MiB);
  /* The JSON is checked too, in case a reference got past us. */
  CHECK (isc_qemu_img_info (&err, at ("backed-host.img"), isc_format_driver (ISC_FORMAT_QCOW2),
                            &size) == -1);
  CHECK (strstr (isc_err_msg (&err), "backing file ('/etc/hostname')"));
  CHECK (isc_qemu_img_info (&err, at ("datafile.qcow2"), isc_format_driver (ISC_FORMAT_QCOW2),
                            &size) == -1);
  CHECK (strstr (isc_err_msg (&err), "external data file"));
  CHECK (isc_qemu_img_info (&err, at ("disk.img"), isc_format_driver (ISC_FORMAT_UNKNOWN),
                            &size) == -1);
  isc_err_clear (&err);
}

/* ---- overlays and conversions --------------------------------------- */

static void
test_overlay_convert (void)
{
  struct isc_err err = ISC_ERR_INIT;
  static const struct {
    const char *name;
    enum isc_format fmt;
    const char *subformat;
  } outputs[] = {
    { "out.vhd", ISC_FORMAT_VPC, "dynamic" },
    { "out.vmdk", ISC_FORMAT_VMDK, "monolithicSparse" },
    { "out.qcow2", ISC_FORMAT_QCOW2, "" },
    { "out.img", ISC_FORMAT_RAW, "" },
  };
  uint64_t input_size = 0;
  size_t i;

  CHECK (isc_qemu_img_info (&err, at ("dynamic.vhd"), isc_format_driver (ISC_FORMAT_VPC),
                            &input_size) == 0);
  CHECK (isc_qemu_img_create_overlay (&err, at ("overlay.qcow2"),
                                      at ("dynamic.vhd"),
                                      isc_format_driver (ISC_FORMAT_VPC)) == 0);
  /* An overlay has a backing file: fine for us, refused as an input. */
  expect_refused ("overlay.qcow2", ISC_FORMAT_UNKNOWN, "backing file",
                  "dynamic.vhd");
  CHECK (isc_qemu_img_create_overlay (&err, at ("bad-overlay.qcow2"),
                                      "dynamic.vhd",
                                      isc_format_driver (ISC_FORMAT_VPC)) == -1);
  CHECK (strstr (isc_err_msg (&err), "absolute path"));

  for (i = 0; i < sizeof outputs / sizeof outputs[0]; ++i) {
    CHECK (isc_qemu_img_convert (&err, at ("overlay.qcow2"), "qcow2",
                                 at (outputs[i].name),
                                 isc_format_driver (outputs[i].fmt),
                                 isc_format_create_options (outputs[i].fmt))
           == 0);
    /* The size qemu saw in the input is kept exactly. */
    expect_ok (outputs[i].name, ISC_FORMAT_UNKNOWN, outputs[i].fmt,
               outputs[i].subformat, input_size);
  }
  CHECK (isc_qemu_img_convert (&err, at ("overlay.qcow2"), "qcow2",
                               at ("out.qcow2"), "qcow2", NULL) == -1);
  CHECK (strstr (isc_err_msg (&err), "already exists"));
  isc_err_clear (&err);
}

int
main (void)
{
  /* Anything that opened a FIFO would hang: fail instead. */
  alarm (60);
  if (!mkdtemp (dir)) {
    perror ("mkdtemp");
    return 1;
  }
  test_detect_buffers ();
  test_names ();
  make_images ();
  test_good_images ();
  test_qcow2_references ();
  test_vmdk_references ();
  test_bad_files ();
  test_forced ();
  test_descriptor_extents ();
  test_checked_file ();
  test_runner ();
  test_overlay_convert ();
  sh ("rm -rf '%s'", dir);
  return unit_finish ("test-format");
}
