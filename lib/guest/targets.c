/* imgscrub: the targets one action path names: variables, users and
 * globs expanded, each target looked up. */
#include <config.h>

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/targets.h"
#include "guest/path.h"
#include "guest/reg.h"
#include "profiles/action.h"
#include "util/cleanups.h"
#include "util/error.h"
#include "util/path.h"
#include "util/status.h"
#include "windows/winpath.h"
#include "guest/private.h"

/* Most paths one glob names. */
#define MAX_GLOB_MATCHES 100000

int
isc_guest_lookup (struct isc_guest *gu, const struct isc_action *a,
                  const char *path, int need, char **resolved,
                  enum isc_ftype *type, int64_t *ret_size)
{
  struct isc_err reason = ISC_ERR_INIT;

  *resolved = NULL;
  *type = ISC_FT_ABSENT;
  if (isc_guest_resolve (gu, &reason, path, resolved) == -1 ||
      (*resolved &&
       (isc_action_depth_check (&reason, a, *resolved) == -1 ||
        isc_guest_ftype (gu, &reason, *resolved, type, ret_size) == -1)))
    isc_guest_report_failed (gu, a, *resolved ? *resolved : path, &reason);
  else if (!*resolved || (need && *type == ISC_FT_ABSENT))
    /* A link not followed on the way is named: the rule did nothing
     * because of it, not because nothing was there. */
    isc_guest_report (gu, a, *resolved ? *resolved : path, ISC_RESULT_ABSENT,
                      *resolved ? NULL : isc_guest_unfollowed (gu));
  else
    return 0;
  isc_err_clear (&reason);
  free (*resolved);
  *resolved = NULL;
  return 1;
}

static int
has_glob (const char *s, size_t len)
{
  size_t i;

  for (i = 0; i < len; ++i)
    if (strchr ("*?[", s[i]))
      return 1;
  return 0;
}

static int
add_path (struct isc_err *reason, char ***list, size_t *n, char *path)
{
  char **l;

  if (!path)
    return isc_error_oom (reason, NULL);
  if (*n >= MAX_GLOB_MATCHES) {
    free (path);
    return isc_error (reason, NULL, "a glob naming more than %d paths: "
                      "a folder this full is beyond imgscrub (only root "
                      "in the guest can fill a folder the stock rules "
                      "glob)", MAX_GLOB_MATCHES);
  }
  l = realloc (*list, (*n + 2) * sizeof *l);
  if (!l) {
    free (path);
    return isc_error_oom (reason, NULL);
  }
  *list = l;
  l[(*n)++] = path;
  l[*n] = NULL;
  return 0;
}

/* The entries PATTERN (normalised, with a glob) names, in *RET
 * (NULL-terminated, possibly NULL; caller frees). */
static int
glob_expand (struct isc_guest *gu, struct isc_err *reason,
             const struct isc_action *a, const char *pattern, char ***ret)
{
  int windows = gu->os == ISC_OS_WINDOWS;
  int flags = FNM_PERIOD | (windows ? FNM_CASEFOLD : 0);
  CLEANUP_FREE_STRING_LIST char **cur = NULL;
  CLEANUP_FREE char *prefix = NULL, *cased = NULL, *real = NULL;
  const char *p = pattern, *comp;
  size_t n_cur = 0;

  *ret = NULL;
  /* The part before the first glob: a folder resolved in the guest. */
  for (comp = p + 1; ; ) {
    size_t len = strcspn (comp, "/");

    if (has_glob (comp, len) || comp[len] == '\0')
      break;
    comp += len + 1;
  }
  prefix = comp - 1 == pattern ? strdup ("/") :
    strndup (pattern, comp - 1 - pattern);
  if (!prefix)
    return isc_error_oom (reason, NULL);
  if (!windows)
    cased = strdup (prefix);
  else if (isc_guest_case_path (gu, reason, prefix, &cased) == -1)
    return -1;
  if (cased && isc_guest_real_folder (gu, reason, cased, &real) == -1)
    return -1;
  if (!real || real[0] != '/' || strstr (real, "/../"))
    return 0;                       /* nothing there */
  if (add_path (reason, &cur, &n_cur, TAKE_PTR (real)) == -1)
    return -1;
  while (*comp) {
    size_t len = strcspn (comp, "/"), i, j;
    int last = comp[len] == '\0';
    CLEANUP_FREE char *pat = strndup (comp, len);
    char **next = NULL;
    size_t n_next = 0;

    if (!pat)
      return isc_error_oom (reason, NULL);
    for (i = 0; i < n_cur; ++i) {
      const struct isc_dirlist *l;

      if (isc_guest_list_dir (gu, reason, cur[i], &l) == -1) {
        isc_free_string_list (next);
        return -1;
      }
      for (j = 0; j < l->n; ++j) {
        unsigned want = l->types[j] == ISC_FT_DIR ? ISC_GLOB_DIRS
          : ISC_GLOB_FILES;
        char *path;

        if (l->types[j] == ISC_FT_ABSENT ||
            fnmatch (pat, l->names[j], flags) != 0 ||
            (!last && l->types[j] != ISC_FT_DIR) ||
            (last && !(a->kind && (a->kind->globs & want))))
          continue;
        path = isc_path_join (cur[i], l->names[j]);
        if (last && path && isc_action_excluded (a, path, windows)) {
          free (path);
          continue;
        }
        if (add_path (reason, &next, &n_next, path) == -1) {
          isc_free_string_list (next);
          return -1;
        }
      }
    }
    isc_free_string_list (cur);
    cur = next;
    n_cur = n_next;
    comp += len + !last;
  }
  *ret = TAKE_PTR (cur);
  return 0;
}

/* FN on PATH, or on each entry it names when it holds a glob. */
static int
visit (struct isc_guest *gu, const struct isc_action *a, const char *path,
       int (*fn) (struct isc_guest *gu, const struct isc_action *a,
                  const char *path, void *opaque),
       void *opaque)
{
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE_STRING_LIST char **paths = NULL;
  size_t i;
  int r = 0;

  if (!a->kind || !a->kind->globs || !has_glob (path, strlen (path)))
    return fn (gu, a, path, opaque);
  if (glob_expand (gu, &reason, a, path, &paths) == -1) {
    isc_guest_report_failed (gu, a, path, &reason);
    isc_err_clear (&reason);
    return 0;
  }
  if (!paths)
    isc_guest_report (gu, a, path, ISC_RESULT_ABSENT,
                      isc_guest_unfollowed (gu));
  for (i = 0; paths && paths[i] && r == 0; ++i)
    r = fn (gu, a, paths[i], opaque);
  return r;
}

int
isc_guest_foreach_path (struct isc_guest *gu, const struct isc_action *a,
                        const char *text,
                        int (*fn) (struct isc_guest *gu,
                                   const struct isc_action *a,
                                   const char *path, void *opaque),
                        void *opaque)
{
  struct isc_err reason = ISC_ERR_INIT;
  const struct isc_user *users = NULL;
  size_t n_users = 0, i;
  unsigned os, vars;
  char *path = NULL;
  int r = 0;

  if (isc_winpath_check (&reason, text, &os, &vars) == -1) {
    isc_guest_report_failed (gu, a, text, &reason);
    isc_err_clear (&reason);
    return 0;
  }
  if (!(vars & (1u << ISC_VAR_USERPROFILE))) {
    if (isc_reg_expand (gu, &reason, text, NULL, &path) == -1)
      isc_guest_report_failed (gu, a, text, &reason);
    else
      r = visit (gu, a, path, fn, opaque);
    free (path);
    isc_err_clear (&reason);
    return r;
  }
  if (isc_reg_users (gu, &reason, &users, &n_users) == -1) {
    isc_guest_report_failed (gu, a, text, &reason);
    isc_err_clear (&reason);
    return 0;
  }
  if (n_users == 0)
    isc_guest_report (gu, a, text, ISC_RESULT_ABSENT, NULL);
  for (i = 0; i < n_users && r == 0; ++i) {
    if (isc_reg_expand (gu, &reason, text, &users[i], &path) == -1)
      isc_guest_report_failed (gu, a, text, &reason);
    else
      r = visit (gu, a, path, fn, opaque);
    free (path);
    path = NULL;
    isc_err_clear (&reason);
  }
  return r;
}
