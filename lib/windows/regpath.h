/* imgscrub: registry paths as written in profiles ('HKLM\SOFTWARE\...'),
 * parsed into a hive and the key names below its root.  Pure functions:
 * no guest is involved. */
#ifndef ISC_REGPATH_H
#define ISC_REGPATH_H

#include <stddef.h>

#include "util/error.h"

/* The hives a profile may name, and where Windows keeps them. */
enum isc_hive {
  ISC_HIVE_SOFTWARE,                /* HKLM\SOFTWARE: config\SOFTWARE */
  ISC_HIVE_SYSTEM,                  /* HKLM\SYSTEM: config\SYSTEM */
  ISC_HIVE_SAM,                     /* HKLM\SAM: config\SAM */
  ISC_HIVE_SECURITY,                /* HKLM\SECURITY: config\SECURITY */
  ISC_HIVE_DEFAULT,                 /* HKU\.DEFAULT: config\DEFAULT */
  ISC_HIVE_USER,                    /* HKCU: every user's NTUSER.DAT */
};

/* Longest key name and value name Windows accepts, in characters. */
#define ISC_REG_MAX_KEY_NAME 255
#define ISC_REG_MAX_VALUE_NAME 16383

struct isc_regpath {
  enum isc_hive hive;
  char **keys;                      /* key names below the hive's root,
                                       NULL-terminated (empty: the root) */
  size_t n_keys;
  /* keys[0] is CurrentControlSet (HKLM\SYSTEM only): resolved through
   * SYSTEM\Select\Current to ControlSetNNN on the guest. */
  int current_control_set;
};

/* Parse TEXT: a root (HKLM\SOFTWARE, HKLM\SYSTEM, HKLM\SAM,
 * HKLM\SECURITY, HKU\.DEFAULT, HKCU, or the same with HKEY_LOCAL_MACHINE,
 * HKEY_USERS, HKEY_CURRENT_USER; any letter case) then key names
 * separated by single backslashes.  *RET is cleared with
 * isc_regpath_clear. */
int isc_regpath_parse (struct isc_err *err, const char *text,
                       struct isc_regpath *ret);

void isc_regpath_clear (struct isc_regpath *rp);

/* Check a value name ("" is the key's default value). */
int isc_regvalue_check (struct isc_err *err, const char *name);

/* "HKLM\SOFTWARE", ..., "HKCU" (static). */
const char *isc_hive_name (enum isc_hive hive);

/* The hive's file name under %SystemRoot%\System32\config ("SOFTWARE"),
 * or NULL for ISC_HIVE_USER (static). */
const char *isc_hive_file (enum isc_hive hive);

/* "ROOT\KEY1\KEY2..." for display, with keys[0] replaced by FIRST when
 * FIRST is not NULL.  ROOT is e.g. "HKLM\SOFTWARE" or "HKU\S-1-5-21-...".
 * The caller frees the result. */
char *isc_regpath_display (const char *root, const struct isc_regpath *rp,
                           const char *first);

#endif
