/* imgscrub: Windows paths of profiles: syntax checked, variables
 * expanded, normalised to guest paths. */
#include <config.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cleanups.h"
#include "util/escape.h"
#include "windows/winpath.h"
#include "util/status.h"
#include "util/error.h"

static const char *const var_names[ISC_VAR_COUNT] = {
  [ISC_VAR_SYSTEMROOT] = "SystemRoot",
  [ISC_VAR_WINDIR] = "WINDIR",
  [ISC_VAR_SYSTEMDRIVE] = "SystemDrive",
  [ISC_VAR_PROGRAMFILES] = "ProgramFiles",
  [ISC_VAR_PROGRAMDATA] = "ProgramData",
  [ISC_VAR_USERPROFILE] = "USERPROFILE",
};

const char *
isc_winvar_name (enum isc_winvar v)
{
  return v < ISC_VAR_COUNT ? var_names[v] : "?";
}

int
isc_winvar_lookup (const char *name, size_t len)
{
  int i;

  for (i = 0; i < ISC_VAR_COUNT; ++i)
    if (strlen (var_names[i]) == len && strncasecmp (name, var_names[i], len) == 0)
      return i;
  return -1;
}

static int
has_drive (const char *s)
{
  return isalpha ((unsigned char) s[0]) && s[1] == ':';
}

int
isc_winpath_check (struct isc_err *err, const char *text,
                   unsigned *ret_os, unsigned *ret_vars)
{
  const char *p;
  unsigned vars = 0;
  int windows = 0, absolute = 0;
  CLEANUP_FREE char *norm = NULL;

  if (*text == '\0')
    return isc_error (err, NULL, "empty path");
  if (has_drive (text)) {
    windows = 1;
    if (toupper ((unsigned char) text[0]) != 'C')
      return isc_error_text (err, text, "only drive C: (the system volume) can be "
                        "named");
    if (text[2] != '\0' && text[2] != '\\' && text[2] != '/')
      return isc_error_text (err, text, "drive-relative path: write C:\\...");
    absolute = 1;
  }
  if (strchr (text, '\\'))
    windows = 1;
  for (p = text; *p; ++p) {
    const char *end;
    int v;

    if (*p != '%')
      continue;
    windows = 1;
    if (p[1] == '%') {          /* "%%": a literal '%' */
      p++;
      continue;
    }
    end = strchr (p + 1, '%');
    if (!end)
      return isc_error_text (err, text, "unterminated variable (a literal '%%' "
                        "is written '%%%%')");
    v = isc_winvar_lookup (p + 1, end - p - 1);
    if (v == -1) {
      CLEANUP_FREE char *name = strndup (p, end - p + 1);
      CLEANUP_FREE char *shown = name ? isc_msg_text (name) : NULL;

      return isc_error_text (err, text, "unknown variable '%s' (known: "
                        "%%SystemRoot%%, %%WINDIR%%, %%SystemDrive%%, "
                        "%%ProgramFiles%%, %%ProgramData%%, %%USERPROFILE%%)",
                        shown ? shown : "?");
    }
    if (p != text)
      return isc_error_text (err, text, "variable '%.*s' must begin the path",
                        (int) (end - p + 1), p);
    if (end[1] != '\0' && end[1] != '\\' && end[1] != '/')
      return isc_error_text (err, text, "expected a backslash after '%.*s'",
                        (int) (end - p + 1), p);
    vars |= 1u << v;
    absolute = 1;
    p = end;
  }
  if (text[0] == '/' || (windows && text[0] == '\\'))
    absolute = 1;
  if (!absolute)
    return isc_error_text (err, text, "not an absolute path");
  /* The rest must normalise: no "..".  Variables stand for "/" here. */
  if (isc_winpath_normalise (err, vars ? strchr (text + 1, '%') + 1 : text,
                             windows, &norm) == -1)
    return -1;
  *ret_os = windows ? ISC_OS_WINDOWS : ISC_OS_ANY;
  *ret_vars = vars;
  return 0;
}

int
isc_winpath_normalise (struct isc_err *err, const char *path, int windows,
                       char **ret)
{
  const char *p = path, *seps = windows ? "/\\" : "/";
  char *out, *o;

  if (windows && has_drive (p)) {
    if (toupper ((unsigned char) p[0]) != 'C')
      return isc_error_text (err, path, "not on the system drive C:");
    p += 2;
  }
  if (*p != '\0' && !strchr (seps, *p))
    return isc_error_text (err, path, "not an absolute path");
  out = malloc (strlen (p) + 2);
  if (!out)
    return isc_error_oom (err, NULL);
  o = out;
  while (*p) {
    size_t len;

    p += strspn (p, seps);
    len = strcspn (p, seps);
    if (len == 0)
      break;
    if (len == 1 && p[0] == '.') {
      p += len;
      continue;
    }
    if (len == 2 && p[0] == '.' && p[1] == '.') {
      free (out);
      return isc_error_text (err, path, "'..' is not allowed in paths");
    }
    *o++ = '/';
    memcpy (o, p, len);
    o += len;
    p += len;
  }
  if (o == out)
    *o++ = '/';
  *o = '\0';
  *ret = out;
  return 0;
}

int
isc_winpath_expand (struct isc_err *err, const char *text, int windows,
                    const char *const values[ISC_VAR_COUNT], char **ret)
{
  CLEANUP_FREE char *joined = NULL;
  const char *rest = text, *value = "";
  char *o;
  size_t i;

  if (windows && text[0] == '%' && text[1] != '%') {
    const char *end = strchr (text + 1, '%');
    int v = end ? isc_winvar_lookup (text + 1, end - text - 1) : -1;

    if (v == -1)
      return isc_error_text (err, text, "unknown variable");
    if (!values[v])
      return isc_error_text (err, text, "%%%s%% has no value on this guest",
                        var_names[v]);
    value = values[v];
    rest = end + 1;
  }
  joined = malloc (strlen (value) + strlen (rest) + 2);
  if (!joined)
    return isc_error_oom (err, NULL);
  o = stpcpy (joined, value);
  for (i = 0; rest[i]; ++i) {
    *o++ = rest[i];
    if (windows && rest[i] == '%' && rest[i + 1] == '%')
      i++;
  }
  *o = '\0';
  return isc_winpath_normalise (err, joined, windows, ret);
}

int
isc_name_pattern_check (struct isc_err *err, const char *pattern)
{
  const char *p;

  if (*pattern == '\0')
    return isc_error (err, NULL, "empty file name");
  if (strpbrk (pattern, "/\\"))
    return isc_error_text (err, pattern, "a file name cannot hold '/' or '\\' "
                      "(use 'under' for the folder)");
  if (strcmp (pattern, ".") == 0 || strcmp (pattern, "..") == 0)
    return isc_error_text (err, pattern, "not a file name");
  /* A pattern of nothing but wildcards matches every file on the disk. */
  for (p = pattern; *p; ++p)
    if (*p != '*' && *p != '?')
      return 0;
  return isc_error_text (err, pattern, "pattern matches every file name");
}

