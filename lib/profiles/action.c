/* imgscrub: what every action kind's descriptor shares: the common
 * options of a section, and the checks of the paths it names. */
#include <config.h>

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/action.h"
#include "util/cleanups.h"
#include "util/error.h"
#include "util/status.h"
#include "windows/winpath.h"

cfg_opt_t isc_action_common_opts[] = {
  CFG_STR_LIST ("distro", NULL, CFGF_NODEFAULT),
  CFG_STR ("package-format", NULL, CFGF_NODEFAULT),
  CFG_STR_LIST ("exclude", NULL, CFGF_NODEFAULT),
  CFG_STR_LIST ("machine-id", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

const char *const isc_action_common_docs[] = {
  "distro", "guard: act only on guests whose distribution (inspection's "
  "distro, the os-release ID on Linux) is one of these, e.g. {\"rhel\", "
  "\"centos\", \"fedora\"}; on any other guest the action is \"skipped\"",
  "package-format", "guard: act only on guests whose packages are \"rpm\" "
  "or \"deb\" (seen from /var/lib/rpm, /usr/lib/sysimage/rpm or "
  "/var/lib/dpkg); otherwise \"skipped\"",
  "exclude", "with a glob (or delete-files): names or, holding '/', whole "
  "guest paths that are kept although they match, fnmatch(3) patterns, "
  "e.g. \"ca-bundle.crt\"",
  "machine-id", "guard: act only when the run's machine-id mode "
  "(imgscrub scrub --machine-id: empty, the default, uninitialized, "
  "absent or keep) is one of these, e.g. {\"empty\", \"absent\"}; "
  "otherwise \"skipped\"",
  NULL
};

const char *const isc_machine_id_modes[] = {
  "empty", "uninitialized", "absent", "keep", NULL
};

int
isc_machine_id_mode_valid (const char *mode)
{
  size_t i;

  for (i = 0; isc_machine_id_modes[i]; ++i)
    if (strcmp (isc_machine_id_modes[i], mode) == 0)
      return 1;
  return 0;
}

int
isc_action_opt_string (struct isc_err *err, cfg_t *sec, const char *name,
                int required, const char **ret)
{
  *ret = cfg_size (sec, name) > 0 ? cfg_getstr (sec, name) : NULL;
  if (!*ret && required)
    return isc_error (err, NULL, "missing required option '%s'", name);
  return 0;
}

int
isc_action_opt_regpath (struct isc_err *err, cfg_t *sec, const char *name,
                 struct isc_regpath *ret)
{
  const char *text;

  if (isc_action_opt_string (err, sec, name, 1, &text) == -1)
    return -1;
  return isc_regpath_parse (err, text, ret);
}

int
isc_action_opt_path (struct isc_err *err, cfg_t *sec, const char *name,
              int required, struct isc_action *a, char **ret)
{
  const char *text;
  unsigned os, vars;

  *ret = NULL;
  if (isc_action_opt_string (err, sec, name, required, &text) == -1)
    return -1;
  if (!text)
    return 0;
  if (isc_winpath_check (err, text, &os, &vars) == -1)
    return -1;
  a->os &= os;
  *ret = strdup (text);
  return *ret ? 0 : isc_error_oom (err, NULL);
}

/* A copy of string list option NAME of SEC, NULL when not given. */
static int
opt_list (struct isc_err *err, cfg_t *sec, const char *name, char ***ret)
{
  unsigned n = cfg_size (sec, name), i;

  *ret = NULL;
  if (n == 0)
    return 0;
  *ret = calloc (n + 1, sizeof **ret);
  if (!*ret)
    return isc_error_oom (err, NULL);
  for (i = 0; i < n; ++i) {
    const char *s = cfg_getnstr (sec, name, i);

    if (!s || !*s)
      return isc_error (err, NULL, "'%s' holds an empty string", name);
    (*ret)[i] = strdup (s);
    if (!(*ret)[i])
      return isc_error_oom (err, NULL);
  }
  return 0;
}

int
isc_action_parse_common (struct isc_err *err, cfg_t *sec,
                         struct isc_action *a)
{
  const struct isc_action_kind *k = a->kind;
  const char *text;
  size_t i;

  if (opt_list (err, sec, "distro", &a->distros) == -1 ||
      opt_list (err, sec, "exclude", &a->excludes) == -1 ||
      opt_list (err, sec, "machine-id", &a->machine_ids) == -1 ||
      isc_action_opt_string (err, sec, "package-format", 0, &text) == -1)
    return -1;
  for (i = 0; a->machine_ids && a->machine_ids[i]; ++i)
    if (!isc_machine_id_mode_valid (a->machine_ids[i]))
      return isc_error_text (err, a->machine_ids[i], "machine-id must be "
                             "empty, uninitialized, absent or keep");
  if (a->excludes && !k->globs)
    return isc_error (err, NULL, "'exclude' goes with a kind that matches "
                      "many files");
  if (text) {
    if (strcmp (text, "rpm") != 0 && strcmp (text, "deb") != 0)
      return isc_error_text (err, text, "package-format must be rpm or deb");
    a->package_format = strdup (text);
    if (!a->package_format)
      return isc_error_oom (err, NULL);
  }
  if (k->on_file) {
    if (isc_action_opt_path (err, sec, "path", 1, a, &a->path) == -1 ||
        isc_action_depth_check (err, a, a->path) == -1)
      return -1;
    if (!k->globs && strpbrk (a->path, "*?["))
      return isc_error_text (err, a->path, "%s takes no glob", k->name);
    if (k->globs && isc_action_glob_check (err, a->path) == -1)
      return -1;
    a->target = strdup (a->path);
    if (!a->target)
      return isc_error_oom (err, NULL);
  }
  if (k->has_key) {
    if (isc_action_opt_string (err, sec, "key", 1, &text) == -1)
      return -1;
    a->key = calloc (1, sizeof *a->key);
    if (!a->key)
      return isc_error_oom (err, NULL);
    if (isc_regpath_parse (err, text, a->key) == -1) {
      free (a->key);
      a->key = NULL;
      return -1;
    }
    a->target = strdup (text);
    if (!a->target)
      return isc_error_oom (err, NULL);
  }
  return 0;
}

int
isc_action_glob_check (struct isc_err *err, const char *path)
{
  const char *first = path + strspn (path, "/\\");
  size_t len = strcspn (first, "/\\"), i;

  if (first[0] == '%')              /* a variable: a folder of its own */
    return 0;
  /* A glob there would name every top folder: never meant. */
  for (i = 0; i < len; ++i)
    if (strchr ("*?[", first[i]))
      return isc_error_text (err, path, "a glob in the first path "
                             "component (every top folder) is refused");
  return 0;
}

/* Components of normalised PATH: 0 for "/". */
static unsigned
depth (const char *path)
{
  unsigned n = 0;

  for (; *path; ++path)
    if (*path == '/' && path[1] && path[1] != '/')
      n++;
  return n;
}

int
isc_action_depth_check (struct isc_err *err, const struct isc_action *a,
                      const char *path)
{
  CLEANUP_FREE char *norm = NULL;
  unsigned min = a->kind ? a->kind->min_depth : 0;

  /* A variable stands for a folder of its own: deep enough. */
  if (min == 0 || path[0] == '%')
    return 0;
  if (isc_winpath_normalise (err, path, a->os == ISC_OS_WINDOWS, &norm) == -1)
    return -1;
  if (depth (norm) < min)
    return isc_error_text (err, path, "refusing to %s %s", a->kind->name,
                           min == 1 ? "the root folder" : "a top folder");
  return 0;
}

int
isc_action_excluded (const struct isc_action *a, const char *path, int nocase)
{
  const char *base = strrchr (path, '/');
  size_t i;

  base = base ? base + 1 : path;
  for (i = 0; a->excludes && a->excludes[i]; ++i) {
    const char *pat = a->excludes[i];

    if (fnmatch (pat, strchr (pat, '/') ? path : base,
                 nocase ? FNM_CASEFOLD : 0) == 0)
      return 1;
  }
  return 0;
}
