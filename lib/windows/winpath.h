/* imgscrub: guest paths as written in profiles.  Pure functions: they
 * validate a path when the profile is loaded and expand it once the
 * guest's values are known.
 *
 * Windows syntax (a path starting with a %Variable%, a drive letter, or
 * holding a backslash) makes a path Windows-only: backslashes separate,
 * "C:" is the system volume mounted at "/", and a variable may only
 * begin the path.  "%%" is a literal percent sign.  ".." is refused. */
#ifndef ISC_WINPATH_H
#define ISC_WINPATH_H

#include "util/error.h"
#include "util/status.h"

enum isc_winvar {
  ISC_VAR_SYSTEMROOT,               /* %SystemRoot%: from inspection */
  ISC_VAR_WINDIR,                   /* %WINDIR%: the same */
  ISC_VAR_SYSTEMDRIVE,              /* %SystemDrive%: C:, i.e. "/" */
  ISC_VAR_PROGRAMFILES,             /* %ProgramFiles%: registry ProgramFilesDir */
  ISC_VAR_PROGRAMDATA,              /* %ProgramData%: registry ProfileList */
  ISC_VAR_USERPROFILE,              /* %USERPROFILE%: each user in turn */
  ISC_VAR_COUNT
};

/* The variable's name as documented ("SystemRoot"); static. */
const char *isc_winvar_name (enum isc_winvar v);

/* The variable called NAME (LEN bytes, any letter case), or -1. */
int isc_winvar_lookup (const char *name, size_t len);

/* Validate TEXT.  *RET_OS is ISC_OS_WINDOWS for Windows syntax, else
 * ISC_OS_ANY; *RET_VARS the mask (1 << enum isc_winvar) of the variables
 * used. */
int isc_winpath_check (struct isc_err *err, const char *text,
                       unsigned *ret_os, unsigned *ret_vars);

/* Expand TEXT (already checked) into a normalised absolute guest path
 * ("/a/b", or "/").  VALUES holds each variable's value, a Windows or
 * guest path ("C:\Windows", "/Windows"), NULL when the guest has none.
 * With WINDOWS, backslashes separate and "C:" is stripped; a value on
 * another drive or climbing with ".." is an error (values come from the
 * guest).  The caller frees *RET. */
int isc_winpath_expand (struct isc_err *err, const char *text, int windows,
                        const char *const values[ISC_VAR_COUNT], char **ret);

/* Normalise PATH as isc_winpath_expand does, without variables. */
int isc_winpath_normalise (struct isc_err *err, const char *path, int windows,
                           char **ret);

/* Validate a file name pattern for delete-files: a name or fnmatch(3)
 * glob without a separator, not matching every name ("*"). */
int isc_name_pattern_check (struct isc_err *err, const char *pattern);

#endif
