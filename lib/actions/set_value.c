/* set-value: set a registry value, of type sz, expand_sz, multi_sz,
 * dword, qword or binary.  The data is encoded when the profile is read,
 * so a bad number or hex string is a profile error, not a failed image. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hivex.h>

#include "util/cleanups.h"
#include "guest/private.h"
#include "profiles/profile.h"
#include "windows/winpath.h"
#include "guest/reg.h"
#include "util/status.h"
#include "util/error.h"
#include "util/oom.h"
#include "guest/change.h"
#include "profiles/action.h"

struct data {
  char *value;
  hive_type type;
  char *bytes;                      /* encoded data */
  size_t len;
  int create;
};

/* Largest value written (Windows recommends under 2 KiB; 1 MiB is ample). */
#define MAX_DATA (1024 * 1024)

static cfg_opt_t opts[] = {
  CFG_STR ("value", NULL, CFGF_NODEFAULT),
  CFG_STR ("type", NULL, CFGF_NODEFAULT),
  CFG_STR_LIST ("data", NULL, CFGF_NODEFAULT),
  CFG_BOOL ("create", cfg_false, CFGF_NONE),
  CFG_END ()
};

static const char *const docs[] = {
  "key", "registry key holding the value (required)",
  "value", "name of the value (required); \"\" is the key's default value",
  "type", "sz, expand_sz, multi_sz, dword, qword or binary (required; "
  "REG_SZ etc. accepted too)",
  "data", "sz, expand_sz: one string; multi_sz: a list {\"a\", \"b\"}; dword, "
  "qword: a number, decimal or 0x hex; binary: hex bytes (\"de ad be ef\", "
  "separators ' ', ',' or ':' optional).  Required except for multi_sz and "
  "binary, where it defaults to empty",
  "create", "create the key (and missing parents) when absent (default "
  "false: an absent key is left alone, \"absent\")",
  NULL
};

static const struct {
  const char *name;
  hive_type type;
} types[] = {
  { "sz", hive_t_REG_SZ },
  { "expand_sz", hive_t_REG_EXPAND_SZ },
  { "binary", hive_t_REG_BINARY },
  { "dword", hive_t_REG_DWORD },
  { "multi_sz", hive_t_REG_MULTI_SZ },
  { "qword", hive_t_REG_QWORD },
};

static void
free_data (void *opaque)
{
  struct data *d = opaque;

  if (!d)
    return;
  free (d->value);
  free (d->bytes);
  free (d);
}

/* Append LEN bytes to D->bytes. */
static int
put (struct isc_err *err, struct data *d, const void *p, size_t len)
{
  char *b;

  if (d->len + len > MAX_DATA)
    return isc_error (err, NULL, "data longer than %d bytes", MAX_DATA);
  b = realloc (d->bytes, d->len + len + 1);
  if (!b)
    return isc_error_oom (err, NULL);
  memcpy (b + d->len, p, len);
  d->bytes = b;
  d->len += len;
  return 0;
}

static int
put_u16 (struct isc_err *err, struct data *d, unsigned u)
{
  unsigned char le[2] = { u & 0xff, u >> 8 };

  return put (err, d, le, 2);
}

/* S as UTF-16LE with its terminating NUL. */
static int
put_utf16 (struct isc_err *err, struct data *d, const char *s)
{
  const unsigned char *p = (const unsigned char *) s;

  while (*p) {
    uint32_t cp;
    size_t n, i;

    if (*p < 0x80)
      cp = *p, n = 1;
    else if (*p >= 0xc2 && *p <= 0xdf)
      cp = *p & 0x1f, n = 2;
    else if (*p >= 0xe0 && *p <= 0xef)
      cp = *p & 0x0f, n = 3;
    else if (*p >= 0xf0 && *p <= 0xf4)
      cp = *p & 0x07, n = 4;
    else
      return isc_error (err, NULL, "data is not valid UTF-8");
    for (i = 1; i < n; ++i) {
      if ((p[i] & 0xc0) != 0x80)
        return isc_error (err, NULL, "data is not valid UTF-8");
      cp = cp << 6 | (p[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return isc_error (err, NULL, "data is not valid UTF-8");
    p += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      if (put_u16 (err, d, 0xd800 | (cp >> 10)) == -1 ||
          put_u16 (err, d, 0xdc00 | (cp & 0x3ff)) == -1)
        return -1;
    }
    else if (put_u16 (err, d, cp) == -1)
      return -1;
  }
  return put_u16 (err, d, 0);
}

static int
put_number (struct isc_err *err, struct data *d, const char *s, int bytes)
{
  unsigned long long n;
  unsigned char le[8];
  char *end;
  int i;

  errno = 0;
  while (isspace ((unsigned char) *s))
    s++;
  if (*s == '-' || *s == '+' || *s == '\0')
    return isc_error_text (err, s, "not a %s number", bytes == 4 ? "dword" : "qword");
  n = strtoull (s, &end, 0);
  if (errno || *end != '\0' || (bytes == 4 && n > 0xffffffffULL))
    return isc_error_text (err, s, "not a %s number (0 to %s)",
                      bytes == 4 ? "dword" : "qword",
                      bytes == 4 ? "4294967295" : "18446744073709551615");
  for (i = 0; i < bytes; ++i)
    le[i] = (n >> (8 * i)) & 0xff;
  return put (err, d, le, bytes);
}

static int
put_hex (struct isc_err *err, struct data *d, const char *s)
{
  const char *p = s;

  while (*p) {
    unsigned char byte;
    char pair[3];

    if (strchr (" ,:", *p)) {
      p++;
      continue;
    }
    if (!isxdigit ((unsigned char) p[0]) || !isxdigit ((unsigned char) p[1]))
      return isc_error_text (err, s, "not hex bytes");
    pair[0] = p[0], pair[1] = p[1], pair[2] = '\0';
    byte = strtoul (pair, NULL, 16);
    if (put (err, d, &byte, 1) == -1)
      return -1;
    p += 2;
  }
  return 0;
}

static int
encode (struct isc_err *err, struct data *d, cfg_t *sec)
{
  unsigned n = cfg_size (sec, "data"), i;

  switch (d->type) {
  case hive_t_REG_SZ:
  case hive_t_REG_EXPAND_SZ:
  case hive_t_REG_DWORD:
  case hive_t_REG_QWORD:
    if (n == 0)
      return isc_error (err, NULL, "missing required option 'data'");
    if (n > 1)
      return isc_error (err, NULL, "'data' must be a single value for this "
                        "type (a list is for multi_sz)");
    if (d->type == hive_t_REG_DWORD)
      return put_number (err, d, cfg_getnstr (sec, "data", 0), 4);
    if (d->type == hive_t_REG_QWORD)
      return put_number (err, d, cfg_getnstr (sec, "data", 0), 8);
    return put_utf16 (err, d, cfg_getnstr (sec, "data", 0));
  case hive_t_REG_MULTI_SZ:
    for (i = 0; i < n; ++i) {
      if (*cfg_getnstr (sec, "data", i) == '\0')
        return isc_error (err, NULL, "a multi_sz cannot hold an empty string "
                          "(it would end the list)");
      if (put_utf16 (err, d, cfg_getnstr (sec, "data", i)) == -1)
        return -1;
    }
    return put_u16 (err, d, 0);
  case hive_t_REG_BINARY:
    for (i = 0; i < n; ++i)
      if (put_hex (err, d, cfg_getnstr (sec, "data", i)) == -1)
        return -1;
    /* An empty value still needs a buffer to point at. */
    return d->bytes ? 0 : put (err, d, "", 0);
  default:
    return isc_error (err, NULL, "unsupported type");
  }
}

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  struct data *d;
  const char *value, *type, *t;
  char *target;
  size_t i;

  if (isc_action_opt_string (err, sec, "value", 1, &value) == -1 ||
      isc_action_opt_string (err, sec, "type", 1, &type) == -1 ||
      isc_regvalue_check (err, value) == -1)
    return -1;
  d = calloc (1, sizeof *d);
  if (!d)
    return isc_error_oom (err, NULL);
  a->data = d;
  t = strncasecmp (type, "REG_", 4) == 0 ? type + 4 : type;
  for (i = 0; i < sizeof types / sizeof types[0]; ++i)
    if (strcasecmp (t, types[i].name) == 0)
      break;
  if (i == sizeof types / sizeof types[0])
    return isc_error_text (err, type, "bad value type: use sz, expand_sz, "
                      "multi_sz, dword, qword or binary");
  d->type = types[i].type;
  d->create = cfg_getbool (sec, "create");
  d->value = strdup (value);
  target = isc_reg_value_display (a->target, value);
  if (!d->value || !target) {
    free (target);
    return isc_error_oom (err, NULL);
  }
  free (a->target);
  a->target = target;
  return encode (err, d, sec);
}

struct setting {
  const struct data *d;
  struct isc_regtarget *t;
};

static int
set_it (struct isc_guest *gu, struct isc_err *reason, void *opaque)
{
  const struct setting *s = opaque;
  hive_set_value sv = {
    .key = s->d->value, .t = s->d->type, .len = s->d->len,
    .value = s->d->bytes,
  };

  if (!s->t->node && isc_reg_create (gu, reason, s->t) == -1)
    return -1;
  if (hivex_node_set_value (s->t->hf->h, s->t->node, &sv, 0) == -1)
    return isc_error_errno (reason, NULL, "cannot set the value");
  return 0;
}

static int
on_key (struct isc_guest *gu, const struct isc_action *a,
        struct isc_regtarget *t, void *opaque)
{
  const struct data *d = opaque;
  CLEANUP_FREE char *target = isc_reg_value_display (t->key, d->value);
  CLEANUP_FREE char *id = NULL;

  if (!target || asprintf (&id, "%s|%s", t->id, d->value) == -1)
    isc_oom ();
  if (!t->node && !d->create) {
    isc_guest_report (gu, a, target, ISC_RESULT_ABSENT, NULL);
    return 0;
  }
  return isc_guest_change (gu, a, &(struct isc_change) {
      .target = target, .type = ISC_ITEM_REGISTRY, .id = id, .creates = 1, .reg = t,
      .fn = set_it, .opaque = &(struct setting) { d, t } });
}

const struct isc_action_kind isc_action_set_value = {
  .name = "set-value",
  .summary = "set a registry value (sz, expand_sz, multi_sz, dword, qword, "
  "binary)",
  .os = ISC_OS_WINDOWS,
  .opts = opts,
  .option_docs = docs,
  .example =
  "set-value \"no-auto-reboot\" {\n"
  "  key = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU'\n"
  "  value = \"NoAutoRebootWithLoggedOnUsers\"\n"
  "  type = \"dword\"\n"
  "  data = 1\n"
  "  create = true\n"
  "}\n",
  .has_key = 1,
  .parse = parse,
  .on_key = on_key,
  .free_data = free_data,
};
