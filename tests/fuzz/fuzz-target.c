/* libFuzzer target: the rule checks a shipped disk is read back with
 * before it is committed (lib/image/target.c): the VMDK sparse header
 * and the descriptor it points to, the VHD footer, the VHDX headers.
 * They read what qemu-img wrote, but on plain bytes, so any bytes must
 * give 0 or -1, and a refusal must name its rule.  The input's first
 * byte picks the rules; the rest is the file's head (and, for the VHD
 * footer, its last 512 bytes are the footer of a file of the input's
 * size). */
#include <config.h>

#include "image/target.h"
#include "util/error.h"

#include "fuzz.h"

/* Does MSG, "'SUBJECT': breaks the rule RULE: why", name a rule of the
 * table? */
static int
names_a_rule (const char *msg)
{
  static const char lead[] = "': breaks the rule ";
  const char *p = strstr (msg, lead);
  unsigned bit;

  if (!p)
    return 0;
  p += sizeof lead - 1;
  for (bit = 0; bit < ISC_RULE_COUNT; ++bit) {
    const char *name = isc_rule_name (1u << bit);
    size_t len = name ? strlen (name) : 0;

    if (name && strncmp (p, name, len) == 0 && p[len] == ':')
      return 1;
  }
  return 0;
}

static void
expect (int r, struct isc_err *err)
{
  FUZZ_ASSERT (r == 0 || r == -1);
  if (r == -1)
    FUZZ_ASSERT (names_a_rule (isc_err_msg (err)));
  isc_err_clear (err);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct isc_err err = ISC_ERR_INIT;
  unsigned rules;
  unsigned char footer[512] = { 0 };

  if (size < 1)
    return 0;
  /* Every combination of the rules of one byte, and all of them. */
  rules = data[0] == 0xff ? (1u << ISC_RULE_COUNT) - 1 : data[0];
  data++;
  size--;
  expect (isc_check_vmdk_header (&err, "disk.vmdk", rules, data, size), &err);
  expect (isc_check_vhdx_header (&err, "disk.vhdx", data, size), &err);
  memcpy (footer, size >= 512 ? data + size - 512 : data,
          size >= 512 ? 512 : size);
  expect (isc_check_vhd_footer (&err, "disk.vhd", rules, footer, size), &err);
  /* The same footer as that of a file of any size up to 2^40 + 511. */
  if (size >= 520) {
    uint64_t claimed = 0;

    memcpy (&claimed, data, sizeof claimed);
    expect (isc_check_vhd_footer (&err, "disk.vhd", rules, footer,
                                  claimed & ((UINT64_C (1) << 40) - 1)),
            &err);
  }
  return 0;
}
