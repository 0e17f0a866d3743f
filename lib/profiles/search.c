/* imgscrub: where profiles are found: the search path, the names on it,
 * and the file a profile name stands for. */
#include <config.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiles/profile.h"
#include "profiles/search-private.h"
#include "util/cleanups.h"
#include "util/error.h"

#ifndef PROFILES_INSTALL_DIR
#define PROFILES_INSTALL_DIR "/usr/local/share/imgscrub/profiles"
#endif

static int
add_string (char ***list, size_t *n, const char *s)
{
  char **l = realloc (*list, (*n + 2) * sizeof *l);

  if (!l)
    return -1;
  *list = l;
  l[*n] = strdup (s);
  if (!l[*n])
    return -1;
  l[++*n] = NULL;
  return 0;
}

/* The program (or a test) runs from the build tree. */
static int
in_build_tree (void)
{
#ifdef BUILD_TREE_DIR
  char exe[PATH_MAX], *slash;
  CLEANUP_FREE char *tree = realpath (BUILD_TREE_DIR, NULL);
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  size_t len;

  if (n <= 0 || !tree)
    return 0;
  exe[n] = '\0';
  slash = strrchr (exe, '/');
  if (!slash)
    return 0;
  *slash = '\0';
  len = strlen (tree);
  if (strncmp (exe, tree, len) != 0)
    return 0;
  return strcmp (exe + len, "/cmd") == 0 || strcmp (exe + len, "/tests") == 0 ||
    strncmp (exe + len, "/tests/", 7) == 0;
#else
  return 0;
#endif
}

/* The profiles of an installed tree that was moved as a whole (installed
 * with DESTDIR, a prefix copied elsewhere).  ISC_BINDIR and
 * PROFILES_INSTALL_DIR share a leading part P: bindir is P/B, the
 * profiles P/D.  When the program runs as X/B/imgscrub, its profiles are
 * X/D.  NULL when it does not run from such a tree, or when X/D is
 * PROFILES_INSTALL_DIR itself.  The caller frees the result. */
static char *
relocated_profiles_dir (void)
{
#ifdef ISC_BINDIR
  const char *bindir = ISC_BINDIR, *prof = PROFILES_INSTALL_DIR;
  char exe[PATH_MAX], *slash, *ret;
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  size_t i, common = 0, exe_len, tail_len;

  if (n <= 0)
    return NULL;
  exe[n] = '\0';
  slash = strrchr (exe, '/');
  if (!slash)
    return NULL;
  *slash = '\0';
  /* P ends at the last '/' both share (or where bindir ends). */
  for (i = 0; bindir[i] && bindir[i] == prof[i]; ++i)
    if (bindir[i] == '/')
      common = i;
  if (!bindir[i] && prof[i] == '/')
    common = i;
  exe_len = strlen (exe);
  tail_len = strlen (bindir + common);          /* "/B" */
  if (tail_len == 0 || exe_len < tail_len ||
      strcmp (exe + exe_len - tail_len, bindir + common) != 0)
    return NULL;
  if (asprintf (&ret, "%.*s%s", (int) (exe_len - tail_len), exe,
                prof + common) == -1)
    return NULL;
  if (strcmp (ret, prof) == 0) {
    free (ret);
    return NULL;
  }
  return ret;
#else
  return NULL;
#endif
}

char **
isc_profile_search_path (void)
{
  CLEANUP_FREE char *relocated = relocated_profiles_dir ();
  char **list = NULL;
  size_t n = 0;
  const char *env = getenv ("IMGSCRUB_PROFILE_PATH");

  if (add_string (&list, &n, "") == -1)   /* allocate the terminator */
    goto oom;
  free (list[0]);
  list[0] = NULL;
  n = 0;
  if (env) {
    CLEANUP_FREE char *copy = strdup (env);
    char *dir, *save = NULL;

    if (!copy)
      goto oom;
    for (dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
      if (add_string (&list, &n, dir) == -1)
        goto oom;
  }
#ifdef PROFILES_SOURCE_DIR
  if (in_build_tree () && add_string (&list, &n, PROFILES_SOURCE_DIR) == -1)
    goto oom;
#endif
  if (relocated && add_string (&list, &n, relocated) == -1)
    goto oom;
  if (add_string (&list, &n, PROFILES_INSTALL_DIR) == -1)
    goto oom;
  return list;
 oom:
  isc_free_string_list (list);
  return NULL;
}

int
isc_profile_valid_name (const char *name)
{
  size_t i;

  if (!name[0] || strlen (name) > ISC_PROFILE_MAX_NAME || name[0] == '.' ||
      name[0] == '-')
    return 0;
  for (i = 0; name[i]; ++i)
    if (!strchr ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 "0123456789._-", name[i]))
      return 0;
  return 1;
}

static int
is_regular (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 && S_ISREG (st.st_mode);
}

int
isc_profile_find (struct isc_err *err, const char *name, char **ret)
{
  CLEANUP_FREE_STRING_LIST char **dirs = NULL;
  CLEANUP_FREE char *searched = NULL;
  size_t i, len = 0;

  if (!isc_profile_valid_name (name))
    return isc_error (err, name, "not a profile name (letters, digits, '.', "
                      "'_', '-'), nor a path (a path contains '/' or ends "
                      "in .conf)");
  dirs = isc_profile_search_path ();
  if (!dirs)
    return isc_error_oom (err, NULL);
  for (i = 0; dirs[i]; ++i) {
    char *path;

    if (asprintf (&path, "%s/%s.conf", dirs[i], name) == -1)
      return isc_error_oom (err, NULL);
    if (is_regular (path)) {
      *ret = path;
      return 0;
    }
    free (path);
    len += strlen (dirs[i]) + 1;
  }
  searched = calloc (1, len + 1);
  if (!searched)
    return isc_error_oom (err, NULL);
  for (i = 0; dirs[i]; ++i) {
    if (i)
      strcat (searched, ":");
    strcat (searched, dirs[i]);
  }
  return isc_error (err, name, "profile not found (searched %s)", searched);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

char **
isc_profile_list_names (void)
{
  CLEANUP_FREE_STRING_LIST char **dirs = isc_profile_search_path ();
  char **names = NULL;
  size_t n = 0, i, j;

  if (!dirs || add_string (&names, &n, "") == -1)
    goto oom;
  free (names[0]);
  names[0] = NULL;
  n = 0;
  for (i = 0; dirs[i]; ++i) {
    DIR *d = opendir (dirs[i]);
    struct dirent *e;

    if (!d)
      continue;
    while ((e = readdir (d)) != NULL) {
      size_t len = strlen (e->d_name);
      CLEANUP_FREE char *name = NULL, *path = NULL;

      if (len <= 5 || strcmp (e->d_name + len - 5, ".conf") != 0)
        continue;
      name = strndup (e->d_name, len - 5);
      if (!name || asprintf (&path, "%s/%s", dirs[i], e->d_name) == -1) {
        closedir (d);
        goto oom;
      }
      if (!isc_profile_valid_name (name) || !is_regular (path))
        continue;
      for (j = 0; j < n; ++j)
        if (strcmp (names[j], name) == 0)
          break;
      if (j == n && add_string (&names, &n, name) == -1) {
        closedir (d);
        goto oom;
      }
    }
    closedir (d);
  }
  qsort (names, n, sizeof *names, compare_strings);
  return names;
 oom:
  isc_free_string_list (names);
  return NULL;
}
