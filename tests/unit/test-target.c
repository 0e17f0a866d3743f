/* Unit tests for lib/image/target.c: the table, the size rounding, and
 * the rule checks on good and deliberately broken headers. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive/ship.h"
#include "image/target.h"
#include "util/error.h"
#include "unit.h"

#define MIB (UINT64_C (1) << 20)
#define GIB (UINT64_C (1) << 30)

static void
put_be32 (unsigned char *p, uint32_t v)
{
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static void
put_be64 (unsigned char *p, uint64_t v)
{
  put_be32 (p, v >> 32);
  put_be32 (p + 4, (uint32_t) v);
}

static void
put_le32 (unsigned char *p, uint32_t v)
{
  p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

static void
put_le64 (unsigned char *p, uint64_t v)
{
  put_le32 (p, (uint32_t) v);
  put_le32 (p + 4, v >> 32);
}

static void
vhd_checksum (unsigned char f[512])
{
  uint32_t sum = 0;
  unsigned i;

  put_be32 (f + 64, 0);
  for (i = 0; i < 512; ++i)
    sum += f[i];
  put_be32 (f + 64, ~sum);
}

/* A fixed VHD footer for SIZE bytes of data. */
static void
vhd_footer (unsigned char f[512], uint64_t size, uint32_t type)
{
  memset (f, 0, 512);
  memcpy (f, "conectix", 8);
  put_be32 (f + 8, 2);
  put_be32 (f + 12, 0x10000);
  put_be64 (f + 16, UINT64_MAX);
  put_be64 (f + 40, size);
  put_be64 (f + 48, size);
  put_be32 (f + 60, type);
  vhd_checksum (f);
}

/* The failing check's message names RULE. */
static int
fails_with (int r, struct isc_err *err, const char *rule)
{
  int ok = r == -1 && strstr (isc_err_msg (err), rule) != NULL;

  if (!ok)
    fprintf (stderr, "expected a failure naming %s, got %d \"%s\"\n", rule, r,
             r == -1 ? isc_err_msg (err) : "");
  isc_err_clear (err);
  return ok;
}

static void
test_table (void)
{
  const struct isc_target *t, *u;
  size_t n = 0;

  for (t = isc_targets; t->name; ++t, ++n) {
    CHECK (t->disk_format && t->extension && t->wanted_by);
    CHECK (t->format != ISC_FORMAT_UNKNOWN);
    CHECK (t->disk_rules != 0);
    CHECK ((t->package == ISC_PACKAGE_NONE) == (t->package_rules == 0));
    CHECK (isc_target_lookup (t->name, t->preset) == t);
    for (u = t + 1; u->name; ++u)
      CHECK (strcmp (t->name, u->name) != 0 || t->preset != u->preset);
  }
  CHECK (n == 8);
  CHECK (isc_target_lookup ("azure", 0) == NULL);
  CHECK (isc_target_lookup ("vhd-fixed", 1) == NULL);
  CHECK (isc_target_lookup ("nope", 1) == NULL);
  CHECK_STREQ (isc_target_lookup ("vsphere", 1)->extension, "ova");
  CHECK_STREQ (isc_target_lookup ("gce", 1)->extension, "tar.gz");
  CHECK (isc_target_lookup ("gce", 1)->format == ISC_FORMAT_RAW);
  CHECK (isc_target_lookup ("azure", 1)->format == ISC_FORMAT_VPC);
  CHECK (strstr (isc_target_lookup ("aws", 1)->create_options,
                 "streamOptimized") != NULL);
  CHECK (strstr (isc_target_lookup ("vhd-fixed", 0)->create_options,
                 "subformat=fixed") != NULL);
  CHECK_STREQ (isc_rule_name (ISC_RULE_VHD_CHECKSUM), "vhd-checksum");
  CHECK_STREQ (isc_rule_name (ISC_RULE_GCE_LAYOUT), "gce-tar-layout");
  CHECK (isc_rule_name ((enum isc_rule) 3) == NULL);
}

static void
test_rounding (void)
{
  const struct isc_target *az = isc_target_lookup ("azure", 1);
  const struct isc_target *gce = isc_target_lookup ("gce", 1);
  const struct isc_target *aws = isc_target_lookup ("aws", 1);
  char *p;

  CHECK (isc_target_disk_size (az, 64 * MIB) == 64 * MIB);
  CHECK (isc_target_disk_size (az, 64 * MIB + 512) == 65 * MIB);
  CHECK (isc_target_disk_size (gce, 64 * MIB) == GIB);
  CHECK (isc_target_disk_size (gce, GIB + 1) == 2 * GIB);
  CHECK (isc_target_disk_size (aws, 12345) == 12345);
  CHECK (isc_target_disk_size (gce, UINT64_MAX - 5) == 0);
  p = isc_target_output_path (gce, "/out", "/in/win.2008.vmdk");
  CHECK_STREQ (p, "/out/win.2008.tar.gz");
  free (p);
  p = isc_target_output_path (az, "/out/", "disk");
  CHECK_STREQ (p, "/out/disk.vhd");
  free (p);
}

static void
test_vhd (void)
{
  const struct isc_target *az = isc_target_lookup ("azure", 1);
  const struct isc_target *fixed = isc_target_lookup ("vhd-fixed", 0);
  struct isc_err err = ISC_ERR_INIT;
  unsigned char f[512];

  vhd_footer (f, 64 * MIB, 2);
  CHECK (isc_check_vhd_footer (&err, "a.vhd", az->disk_rules, f,
                               64 * MIB + 512) == 0);
  /* A checksum off by one bit. */
  f[64 + 3] ^= 1;
  CHECK (fails_with (isc_check_vhd_footer (&err, "a.vhd", az->disk_rules, f,
                                           64 * MIB + 512),
                     &err, "vhd-checksum"));
  /* A byte changed elsewhere, the checksum left stale. */
  vhd_footer (f, 64 * MIB, 2);
  f[500] = 1;
  CHECK (fails_with (isc_check_vhd_footer (&err, "a.vhd", az->disk_rules, f,
                                           64 * MIB + 512),
                     &err, "vhd-checksum"));
  /* Not a MiB multiple: fine for vhd-fixed, not for Azure. */
  vhd_footer (f, 64 * MIB + 512, 2);
  CHECK (isc_check_vhd_footer (&err, "a.vhd", fixed->disk_rules, f,
                               64 * MIB + 1024) == 0);
  CHECK (fails_with (isc_check_vhd_footer (&err, "a.vhd", az->disk_rules, f,
                                           64 * MIB + 1024),
                     &err, "size-mib-multiple"));
  /* Dynamic. */
  vhd_footer (f, 64 * MIB, 3);
  CHECK (fails_with (isc_check_vhd_footer (&err, "a.vhd", az->disk_rules, f,
                                           64 * MIB + 512),
                     &err, "vhd-fixed"));
  /* The data is not what the footer says. */
  vhd_footer (f, 64 * MIB, 2);
  CHECK (fails_with (isc_check_vhd_footer (&err, "a.vhd", az->disk_rules, f,
                                           65 * MIB + 512),
                     &err, "vhd-current-size"));
  CHECK (fails_with (isc_check_vhd_footer (&err, "a.vhd", az->disk_rules, f,
                                           100),
                     &err, "vhd-current-size"));
  /* No footer at all. */
  memset (f, 0, 512);
  CHECK (fails_with (isc_check_vhd_footer (&err, "a.vhd", az->disk_rules, f,
                                           64 * MIB + 512),
                     &err, "vhd-cookie"));
  /* The message names the file, escaped. */
  CHECK (isc_check_vhd_footer (&err, "we\nird.vhd", az->disk_rules, f,
                               512) == -1);
  CHECK (strchr (isc_err_msg (&err), '\n') == NULL);
  isc_err_clear (&err);
}

/* A stream VMDK's first 4 KiB: header, then the descriptor at sector 1. */
static void
vmdk_head (unsigned char *h, size_t len, const char *create)
{
  char desc[256];

  memset (h, 0, len);
  memcpy (h, "KDMV", 4);
  put_le32 (h + 4, 3);
  put_le32 (h + 8, 1u | 1u << 16 | 1u << 17);
  put_le64 (h + 12, 131072);
  put_le64 (h + 20, 128);
  put_le64 (h + 28, 1);
  put_le64 (h + 36, 2);
  h[77] = 1;
  snprintf (desc, sizeof desc, "# Disk DescriptorFile\nversion=1\n"
            "createType=\"%s\"\n", create);
  memcpy (h + 512, desc, strlen (desc));
}

static void
test_vmdk (void)
{
  const unsigned rules = isc_target_lookup ("vmdk-stream", 0)->disk_rules;
  struct isc_err err = ISC_ERR_INIT;
  unsigned char h[4096];

  vmdk_head (h, sizeof h, "streamOptimized");
  CHECK (isc_check_vmdk_header (&err, "s.vmdk", rules, h, sizeof h) == 0);
  vmdk_head (h, sizeof h, "monolithicSparse");
  CHECK (fails_with (isc_check_vmdk_header (&err, "s.vmdk", rules, h,
                                            sizeof h),
                     &err, "vmdk-stream-optimized"));
  vmdk_head (h, sizeof h, "streamOptimized");
  put_le32 (h + 8, 1);              /* no compressed grains, no markers */
  CHECK (fails_with (isc_check_vmdk_header (&err, "s.vmdk", rules, h,
                                            sizeof h),
                     &err, "vmdk-stream-optimized"));
  vmdk_head (h, sizeof h, "streamOptimized");
  put_le64 (h + 28, 1000);          /* descriptor past what was read */
  CHECK (fails_with (isc_check_vmdk_header (&err, "s.vmdk", rules, h,
                                            sizeof h),
                     &err, "vmdk-stream-optimized"));
  put_le64 (h + 28, 1);
  put_le64 (h + 36, UINT64_MAX);    /* a size that would overflow */
  CHECK (fails_with (isc_check_vmdk_header (&err, "s.vmdk", rules, h,
                                            sizeof h),
                     &err, "vmdk-stream-optimized"));
  memcpy (h, "COWD", 4);
  CHECK (fails_with (isc_check_vmdk_header (&err, "s.vmdk", rules, h,
                                            sizeof h),
                     &err, "vmdk-magic"));
  CHECK (fails_with (isc_check_vmdk_header (&err, "s.vmdk", rules, h, 100),
                     &err, "vmdk-magic"));
}

static void
test_vhdx (void)
{
  struct isc_err err = ISC_ERR_INIT;
  size_t len = 192 * 1024;
  unsigned char *h = calloc (1, len);

  if (!h)
    abort ();
  memcpy (h, "vhdxfile", 8);
  memcpy (h + 64 * 1024, "head", 4);
  memcpy (h + 128 * 1024, "head", 4);
  CHECK (isc_check_vhdx_header (&err, "x.vhdx", h, len) == 0);
  memset (h + 128 * 1024, 0, 4);
  CHECK (fails_with (isc_check_vhdx_header (&err, "x.vhdx", h, len), &err,
                     "vhdx-signature"));
  CHECK (fails_with (isc_check_vhdx_header (&err, "x.vhdx", h, 4096), &err,
                     "vhdx-signature"));
  h[0] = 'V';
  CHECK (fails_with (isc_check_vhdx_header (&err, "x.vhdx", h, len), &err,
                     "vhdx-signature"));
  free (h);
}

static void
test_ovf (void)
{
  char *ovf = isc_ship_ovf ("linux", "linux-disk1.vmdk", 147968,
                            64 * MIB);

  CHECK (ovf != NULL);
  CHECK (strstr (ovf, "ovf:href=\"linux-disk1.vmdk\"") != NULL);
  CHECK (strstr (ovf, "ovf:size=\"147968\"") != NULL);
  CHECK (strstr (ovf, "ovf:capacity=\"67108864\"") != NULL);
  CHECK (strstr (ovf, "<rasd:ResourceType>6</rasd:ResourceType>") != NULL);
  CHECK (strstr (ovf, "<rasd:ResourceType>17</rasd:ResourceType>") != NULL);
  CHECK (strstr (ovf, "#streamOptimized") != NULL);
  free (ovf);
}

int
main (void)
{
  test_table ();
  test_rounding ();
  test_vhd ();
  test_vmdk ();
  test_vhdx ();
  test_ovf ();
  return unit_finish ("test-target");
}
