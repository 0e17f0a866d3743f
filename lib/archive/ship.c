/* imgscrub: convert, check and package one output for its target
 * (ship.h).
 *
 * The OVA is ustar (OVF 1.0 section 5.3: no pax or GNU extensions),
 * the descriptor first, the manifest right after it and then the disk,
 * the order ovftool writes; the manifest holds "SHA256(name)= hex"
 * lines, the only form vSphere 8 takes.  The GCE file is a gzip'd GNU
 * tar holding only disk.raw (see archiver.c on why its holes are
 * written out: libarchive cannot write oldgnu sparse headers).
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "archive/archiver.h"
#include "archive/ship.h"
#include "image/format.h"
#include "image/qemu.h"
#include "image/target.h"
#include "util/cleanups.h"
#include "util/error.h"
#include "util/sha256.h"
#include "util/steps.h"
#include "util/time.h"

#define GIB (UINT64_C (1) << 30)
#define GCE_MEMBER "disk.raw"

/* OVF names stay within [A-Za-z0-9._-]: they are XML text, tar member
 * names and .mf entries all at once, and an input's file name may hold
 * anything.  Caller frees. */
static char *
safe_stem (const char *name)
{
  const char *base = strrchr (name, '/') ? strrchr (name, '/') + 1 : name;
  const char *dot = strrchr (base, '.');
  size_t n = dot && dot != base ? (size_t) (dot - base) : strlen (base), i;
  char *s = malloc (n + 5);

  if (!s)
    return NULL;
  for (i = 0; i < n; ++i)
    s[i] = (base[i] >= 'a' && base[i] <= 'z') ||
      (base[i] >= 'A' && base[i] <= 'Z') ||
      (base[i] >= '0' && base[i] <= '9') || base[i] == '_' ||
      base[i] == '-' || base[i] == '.' ? base[i] : '_';
  if (n == 0)
    strcpy (s, "disk");
  else
    s[n] = '\0';
  return s;
}

char *
isc_ship_ovf (const char *name, const char *disk_member, uint64_t file_size,
              uint64_t capacity)
{
  char *ovf;

  /* One VirtualSystem: 1 vCPU, 1 GiB, an LSI Logic SCSI controller and
   * the disk on it; the importer's user sizes the VM.  vmx-13 is the
   * oldest hardware every supported vSphere (7 and 8) still creates. */
  if (asprintf (&ovf,
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
"<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"\n"
"    xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\"\n"
"    xmlns:rasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData\"\n"
"    xmlns:vssd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData\"\n"
"    xmlns:vmw=\"http://www.vmware.com/schema/ovf\"\n"
"    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
"  <References>\n"
"    <File ovf:href=\"%s\" ovf:id=\"file1\" ovf:size=\"%" PRIu64 "\"/>\n"
"  </References>\n"
"  <DiskSection>\n"
"    <Info>Virtual disk information</Info>\n"
"    <Disk ovf:capacity=\"%" PRIu64 "\" ovf:capacityAllocationUnits=\"byte\""
" ovf:diskId=\"vmdisk1\" ovf:fileRef=\"file1\""
" ovf:format=\"http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized\"/>\n"
"  </DiskSection>\n"
"  <VirtualSystem ovf:id=\"%s\">\n"
"    <Info>A virtual machine</Info>\n"
"    <Name>%s</Name>\n"
"    <OperatingSystemSection ovf:id=\"1\">\n"
"      <Info>The kind of installed guest operating system</Info>\n"
"    </OperatingSystemSection>\n"
"    <VirtualHardwareSection>\n"
"      <Info>Virtual hardware requirements</Info>\n"
"      <System>\n"
"        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>\n"
"        <vssd:InstanceID>0</vssd:InstanceID>\n"
"        <vssd:VirtualSystemIdentifier>%s</vssd:VirtualSystemIdentifier>\n"
"        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>\n"
"      </System>\n"
"      <Item>\n"
"        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>\n"
"        <rasd:Description>Number of Virtual CPUs</rasd:Description>\n"
"        <rasd:ElementName>1 virtual CPU(s)</rasd:ElementName>\n"
"        <rasd:InstanceID>1</rasd:InstanceID>\n"
"        <rasd:ResourceType>3</rasd:ResourceType>\n"
"        <rasd:VirtualQuantity>1</rasd:VirtualQuantity>\n"
"      </Item>\n"
"      <Item>\n"
"        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>\n"
"        <rasd:Description>Memory Size</rasd:Description>\n"
"        <rasd:ElementName>1024MB of memory</rasd:ElementName>\n"
"        <rasd:InstanceID>2</rasd:InstanceID>\n"
"        <rasd:ResourceType>4</rasd:ResourceType>\n"
"        <rasd:VirtualQuantity>1024</rasd:VirtualQuantity>\n"
"      </Item>\n"
"      <Item>\n"
"        <rasd:Address>0</rasd:Address>\n"
"        <rasd:Description>SCSI Controller</rasd:Description>\n"
"        <rasd:ElementName>SCSI Controller 0</rasd:ElementName>\n"
"        <rasd:InstanceID>3</rasd:InstanceID>\n"
"        <rasd:ResourceSubType>lsilogic</rasd:ResourceSubType>\n"
"        <rasd:ResourceType>6</rasd:ResourceType>\n"
"      </Item>\n"
"      <Item>\n"
"        <rasd:AddressOnParent>0</rasd:AddressOnParent>\n"
"        <rasd:ElementName>Hard Disk 1</rasd:ElementName>\n"
"        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>\n"
"        <rasd:InstanceID>4</rasd:InstanceID>\n"
"        <rasd:Parent>3</rasd:Parent>\n"
"        <rasd:ResourceType>17</rasd:ResourceType>\n"
"      </Item>\n"
"    </VirtualHardwareSection>\n"
"  </VirtualSystem>\n"
"</Envelope>\n",
                disk_member, file_size, capacity, name, name, name) == -1)
    return NULL;
  return ovf;
}

/* IMGSCRUB_TEST_DAMAGE_DISK=1: a test hook (tests/test-targets.sh)
 * that flips the last byte of each converted disk before it is checked,
 * to show that a broken rule fails the image and leaves nothing.  It
 * can only make an output fail, never pass. */
static int
test_damage (struct isc_err *err, const char *path)
{
  const char *v = getenv ("IMGSCRUB_TEST_DAMAGE_DISK");
  CLEANUP_FCLOSE FILE *f = NULL;
  int c;

  if (!v || strcmp (v, "1") != 0)
    return 0;
  f = fopen (path, "r+e");
  if (!f || fseeko (f, -1, SEEK_END) == -1 || (c = fgetc (f)) == EOF ||
      fseeko (f, -1, SEEK_END) == -1 || fputc (c ^ 0xff, f) == EOF ||
      fflush (f) == EOF)
    return isc_error_errno (err, path, "test damage");
  return 0;
}

static int
convert_and_check (struct isc_err *err, const struct isc_ship_job *job,
                   const char *disk)
{
  const struct isc_target *t = job->target;
  double began = isc_now ();

  if (isc_qemu_img_convert (err, job->src, job->src_fmt, disk,
                            isc_format_driver (t->format),
                            t->create_options) == -1)
    return -1;
  began = isc_step_add (job->steps, "convert", began);
  if (test_damage (err, disk) == -1 ||
      isc_target_check_disk (err, t, disk) == -1)
    return -1;
  isc_step_add (job->steps, "check", began);
  return 0;
}

static int
write_ova (struct isc_err *err, const struct isc_ship_job *job,
           const char *disk, uint64_t *ret_disk_size)
{
  struct isc_archive_opts aopts = ISC_ARCHIVE_OPTS_INIT;
  struct isc_archiver *ar = NULL;
  CLEANUP_FREE char *stem = safe_stem (job->name);
  CLEANUP_FREE char *ovf = NULL, *mf = NULL;
  CLEANUP_FREE char *ovf_name = NULL, *mf_name = NULL, *disk_name = NULL;
  char disk_sha[ISC_SHA256_HEX_LEN + 1], ovf_sha[ISC_SHA256_HEX_LEN + 1];
  uint64_t capacity;
  struct stat st;

  if (!stem || asprintf (&ovf_name, "%s.ovf", stem) == -1 ||
      asprintf (&mf_name, "%s.mf", stem) == -1 ||
      asprintf (&disk_name, "%s-disk1.vmdk", stem) == -1)
    return isc_error_oom (err, job->dst);
  if (stat (disk, &st) == -1)
    return isc_error_errno (err, disk, "stat");
  /* Our own file, just written by qemu-img from the overlay: safe to
   * give to qemu-img info. */
  if (isc_qemu_img_info (err, disk, "vmdk", &capacity) == -1)
    return -1;
  /* The .mf follows the .ovf, so the disk's hash is needed before the
   * disk is packed: one read of the compressed VMDK, a fraction of the
   * conversion. */
  if (isc_sha256_file (err, disk, disk_sha) == -1)
    return -1;
  ovf = isc_ship_ovf (stem, disk_name, (uint64_t) st.st_size, capacity);
  if (!ovf)
    return isc_error_oom (err, job->dst);
  isc_sha256_buffer (ovf, strlen (ovf), ovf_sha);
  if (asprintf (&mf, "SHA256(%s)= %s\nSHA256(%s)= %s\n", ovf_name, ovf_sha,
                disk_name, disk_sha) == -1)
    return isc_error_oom (err, job->dst);
  aopts.format = ISC_ARCHIVE_USTAR;
  if (isc_archiver_open (err, job->dst, &aopts, &ar) == -1)
    return -1;
  if (isc_archiver_add_buffer (err, ar, ovf_name, ovf, strlen (ovf)) == -1 ||
      isc_archiver_add_buffer (err, ar, mf_name, mf, strlen (mf)) == -1 ||
      isc_archiver_add_file (err, ar, disk_name, disk) == -1) {
    isc_archiver_abort (ar);
    return -1;
  }
  *ret_disk_size = (uint64_t) st.st_size;
  return isc_archiver_commit (err, ar);
}

static int
write_gce (struct isc_err *err, const struct isc_ship_job *job,
           const char *disk)
{
  struct isc_archive_opts aopts = ISC_ARCHIVE_OPTS_INIT;
  struct isc_archiver *ar = NULL;

  aopts.format = ISC_ARCHIVE_GNUTAR_GZ;
  if (isc_archiver_open (err, job->dst, &aopts, &ar) == -1)
    return -1;
  if (isc_archiver_add_file (err, ar, GCE_MEMBER, disk) == -1) {
    isc_archiver_abort (ar);
    return -1;
  }
  return isc_archiver_commit (err, ar);
}

int
isc_ship_write (struct isc_err *err, const struct isc_ship_job *job)
{
  const struct isc_target *t = job->target;
  char *disk = NULL;
  uint64_t disk_size = 0;
  double began;
  int r = -1;

  if (t->package == ISC_PACKAGE_NONE) {
    if (convert_and_check (err, job, job->dst) == -1) {
      unlink (job->dst);
      return -1;
    }
    return 0;
  }
  /* The converted disk, beside the package, until it is packed. */
  if (asprintf (&disk, "%s.disk", job->dst) == -1)
    return isc_error_oom (err, job->dst);
  if (convert_and_check (err, job, disk) == -1)
    goto out;
  began = isc_now ();
  if ((t->package == ISC_PACKAGE_OVA
       ? write_ova (err, job, disk, &disk_size)
       : write_gce (err, job, disk)) == -1)
    goto out;
  began = isc_step_add (job->steps, "package", began);
  if (isc_ship_check_package (err, t, job->dst, disk_size) == -1) {
    unlink (job->dst);
    goto out;
  }
  isc_step_add (job->steps, "check", began);
  r = 0;
 out:
  unlink (disk);
  free (disk);
  return r;
}

/* ---- reading a package back ------------------------------------------- */

static int
layout_failed (struct isc_err *err, const char *path, enum isc_rule rule,
               const char *why)
{
  return isc_error (err, path, "breaks the rule %s: %s",
                    isc_rule_name (rule), why);
}

static int
ends_with (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);

  return n >= m && strcmp (s + n - m, suffix) == 0;
}

/* OVA: every member ustar, the .ovf first, then the .mf, then the disk
 * of DISK_SIZE bytes, and nothing else.  Skipping a member seeks, so
 * this reads three headers. */
static int
check_ova (struct isc_err *err, struct archive *a, const char *path,
           uint64_t disk_size)
{
  static const char *const want[] = { ".ovf", ".mf", ".vmdk" };
  struct archive_entry *e;
  unsigned n = 0;
  char why[160];
  int r;

  while ((r = archive_read_next_header (a, &e)) == ARCHIVE_OK) {
    const char *name = archive_entry_pathname (e);

    if (archive_format (a) != ARCHIVE_FORMAT_TAR_USTAR)
      return layout_failed (err, path, ISC_RULE_OVA_LAYOUT,
                            "a member without a plain ustar header");
    if (n >= 3 || !name || !ends_with (name, want[n]) ||
        strchr (name, '/')) {
      snprintf (why, sizeof why, "member %u is not the %s", n + 1,
                n < 3 ? want[n] : "end");
      return layout_failed (err, path, ISC_RULE_OVA_LAYOUT, why);
    }
    if (n == 2 && (uint64_t) archive_entry_size (e) != disk_size)
      return layout_failed (err, path, ISC_RULE_OVA_LAYOUT,
                            "the disk's size is not the OVF's ovf:size");
    n++;
  }
  if (r != ARCHIVE_EOF)
    return isc_error (err, path, "cannot read the OVA back: %s",
                      archive_error_string (a));
  if (n != 3)
    return layout_failed (err, path, ISC_RULE_OVA_LAYOUT,
                          "not .ovf, .mf and one disk");
  return 0;
}

/* GCE: the first member is disk.raw, a regular file with GNU tar's
 * header magic, a whole number of GiB.  Only its header is read: going
 * on would inflate the whole disk again.  That it is the only member
 * is how write_gce builds it (and tests/test-targets.sh lists it). */
static int
check_gce (struct isc_err *err, struct archive *a, const char *path)
{
  struct archive_entry *e;
  const char *name;

  if (archive_read_next_header (a, &e) != ARCHIVE_OK)
    return isc_error (err, path, "cannot read the tar.gz back: %s",
                      archive_error_string (a));
  name = archive_entry_pathname (e);
  if (!name || strcmp (name, GCE_MEMBER) != 0 ||
      archive_entry_filetype (e) != AE_IFREG)
    return layout_failed (err, path, ISC_RULE_GCE_LAYOUT,
                          "the first member is not the file disk.raw");
  if (archive_format (a) != ARCHIVE_FORMAT_TAR_GNUTAR)
    return layout_failed (err, path, ISC_RULE_GCE_LAYOUT,
                          "disk.raw has no GNU tar header");
  if ((uint64_t) archive_entry_size (e) % GIB)
    return layout_failed (err, path, ISC_RULE_SIZE_GIB,
                          "disk.raw is not a whole number of GiB");
  return 0;
}

int
isc_ship_check_package (struct isc_err *err, const struct isc_target *t,
                        const char *path, uint64_t disk_size)
{
  struct archive *a = archive_read_new ();
  int r;

  if (!a)
    return isc_error_oom (err, path);
  archive_read_support_filter_gzip (a);
  archive_read_support_format_tar (a);
  if (archive_read_open_filename (a, path, 10240) != ARCHIVE_OK)
    r = isc_error (err, path, "cannot read the package back: %s",
                   archive_error_string (a));
  else if (t->package == ISC_PACKAGE_OVA)
    r = check_ova (err, a, path, disk_size);
  else if (t->package == ISC_PACKAGE_GCE_TAR)
    r = check_gce (err, a, path);
  else
    r = 0;
  archive_read_free (a);
  return r;
}
