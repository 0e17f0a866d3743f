/* imgscrub: registry paths of profiles parsed: hive, key, value. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cleanups.h"
#include "windows/regpath.h"
#include "windows/winpath.h"
#include "util/error.h"

static const struct {
  const char *names[2];             /* short and full root */
  const char *sub;                  /* the second component, or NULL */
  enum isc_hive hive;
} roots[] = {
  { { "HKLM", "HKEY_LOCAL_MACHINE" }, "SOFTWARE", ISC_HIVE_SOFTWARE },
  { { "HKLM", "HKEY_LOCAL_MACHINE" }, "SYSTEM", ISC_HIVE_SYSTEM },
  { { "HKLM", "HKEY_LOCAL_MACHINE" }, "SAM", ISC_HIVE_SAM },
  { { "HKLM", "HKEY_LOCAL_MACHINE" }, "SECURITY", ISC_HIVE_SECURITY },
  { { "HKU", "HKEY_USERS" }, ".DEFAULT", ISC_HIVE_DEFAULT },
  { { "HKCU", "HKEY_CURRENT_USER" }, NULL, ISC_HIVE_USER },
};

const char *
isc_hive_name (enum isc_hive hive)
{
  switch (hive) {
  case ISC_HIVE_SOFTWARE: return "HKLM\\SOFTWARE";
  case ISC_HIVE_SYSTEM: return "HKLM\\SYSTEM";
  case ISC_HIVE_SAM: return "HKLM\\SAM";
  case ISC_HIVE_SECURITY: return "HKLM\\SECURITY";
  case ISC_HIVE_DEFAULT: return "HKU\\.DEFAULT";
  case ISC_HIVE_USER: return "HKCU";
  }
  return "?";
}

const char *
isc_hive_file (enum isc_hive hive)
{
  switch (hive) {
  case ISC_HIVE_SOFTWARE: return "SOFTWARE";
  case ISC_HIVE_SYSTEM: return "SYSTEM";
  case ISC_HIVE_SAM: return "SAM";
  case ISC_HIVE_SECURITY: return "SECURITY";
  case ISC_HIVE_DEFAULT: return "DEFAULT";
  case ISC_HIVE_USER: return NULL;
  }
  return NULL;
}

/* Characters (not bytes) of UTF-8 text, for Windows' name limits. */
static size_t
utf8_chars (const char *s, size_t len)
{
  size_t i, n = 0;

  for (i = 0; i < len; ++i)
    if (((unsigned char) s[i] & 0xc0) != 0x80)
      n++;
  return n;
}

static int
component_eq (const char *s, size_t len, const char *name)
{
  return strlen (name) == len && strncasecmp (s, name, len) == 0;
}

void
isc_regpath_clear (struct isc_regpath *rp)
{
  isc_free_string_list (rp->keys);
  rp->keys = NULL;
  rp->n_keys = 0;
}

int
isc_regpath_parse (struct isc_err *err, const char *text,
                   struct isc_regpath *ret)
{
  struct isc_regpath rp = { 0 };
  const char *p = text, *sep;
  size_t i, len, n_roots = sizeof roots / sizeof roots[0];
  int matched = -1;

  /* Split at most the first two components to find the root. */
  sep = strchr (p, '\\');
  len = sep ? (size_t) (sep - p) : strlen (p);
  for (i = 0; i < n_roots && matched == -1; ++i) {
    if (!component_eq (p, len, roots[i].names[0]) &&
        !component_eq (p, len, roots[i].names[1]))
      continue;
    if (!roots[i].sub) {
      matched = i;
      p = sep ? sep + 1 : p + len;
      break;
    }
    if (sep) {
      const char *q = sep + 1, *sep2 = strchr (q, '\\');
      size_t len2 = sep2 ? (size_t) (sep2 - q) : strlen (q);

      if (component_eq (q, len2, roots[i].sub)) {
        matched = i;
        p = sep2 ? sep2 + 1 : q + len2;
      }
    }
  }
  if (matched == -1)
    return isc_error_text (err, text, "bad hive root: use HKLM\\SOFTWARE, "
                      "HKLM\\SYSTEM, HKLM\\SAM, HKLM\\SECURITY, "
                      "HKU\\.DEFAULT or HKCU (or HKEY_LOCAL_MACHINE, "
                      "HKEY_USERS, HKEY_CURRENT_USER)");
  rp.hive = roots[matched].hive;
  /* A separator right after the root with nothing behind it, or two in
   * a row, would name a key with an empty name. */
  if (p > text && p[-1] == '\\' && *p == '\0')
    return isc_error_text (err, text, "empty key name in registry path");

  rp.keys = calloc (1, sizeof *rp.keys);
  if (!rp.keys)
    return isc_error_oom (err, NULL);
  while (*p) {
    char **keys;

    sep = strchr (p, '\\');
    len = sep ? (size_t) (sep - p) : strlen (p);
    if (len == 0 || (sep && sep[1] == '\0')) {
      isc_regpath_clear (&rp);
      return isc_error_text (err, text, "empty key name in registry path");
    }
    if (utf8_chars (p, len) > ISC_REG_MAX_KEY_NAME) {
      isc_regpath_clear (&rp);
      return isc_error_text (err, text, "key name longer than %d characters",
                        ISC_REG_MAX_KEY_NAME);
    }
    keys = realloc (rp.keys, (rp.n_keys + 2) * sizeof *keys);
    if (!keys) {
      isc_regpath_clear (&rp);
      return isc_error_oom (err, NULL);
    }
    rp.keys = keys;
    rp.keys[rp.n_keys] = strndup (p, len);
    if (!rp.keys[rp.n_keys]) {
      isc_regpath_clear (&rp);
      return isc_error_oom (err, NULL);
    }
    rp.keys[++rp.n_keys] = NULL;
    p = sep ? sep + 1 : p + len;
  }
  rp.current_control_set = rp.hive == ISC_HIVE_SYSTEM && rp.n_keys > 0 &&
    strcasecmp (rp.keys[0], "CurrentControlSet") == 0;
  *ret = rp;
  return 0;
}

int
isc_regvalue_check (struct isc_err *err, const char *name)
{
  if (utf8_chars (name, strlen (name)) > ISC_REG_MAX_VALUE_NAME)
    return isc_error (err, NULL, "value name longer than %d characters",
                      ISC_REG_MAX_VALUE_NAME);
  return 0;
}

char *
isc_regpath_display (const char *root, const struct isc_regpath *rp,
                     const char *first)
{
  size_t i, len = strlen (root) + 1;
  char *s, *p;

  for (i = 0; i < rp->n_keys; ++i)
    len += 1 + strlen (i == 0 && first ? first : rp->keys[i]);
  s = malloc (len);
  if (!s)
    return NULL;
  p = stpcpy (s, root);
  for (i = 0; i < rp->n_keys; ++i) {
    *p++ = '\\';
    p = stpcpy (p, i == 0 && first ? first : rp->keys[i]);
  }
  return s;
}
