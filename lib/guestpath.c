#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <guestfs.h>

#include "cleanups.h"
#include "guestpath.h"
#include "inputs.h"
#include "profile.h"
#include "registry.h"
#include "result.h"

char *
isc_path_join (const char *dir, const char *name)
{
  char *s;

  if (asprintf (&s, "%s/%s", dir, name) == -1)
    return NULL;
  isc_path_normalise (s);
  return s;
}

int
isc_guest_path_eq (const struct isc_guest *gu, const char *a, const char *b)
{
  return gu->os == ISC_OS_WINDOWS ? strcasecmp (a, b) == 0 : strcmp (a, b) == 0;
}

int
isc_guest_expand (struct isc_guest *gu, struct isc_err *reason,
                  const char *text, const struct isc_user *user, char **ret)
{
  const char *values[ISC_VAR_COUNT] = { NULL };
  int windows = gu->os == ISC_OS_WINDOWS;

  if (windows && text[0] == '%' && text[1] != '%') {
    const char *end = strchr (text + 1, '%');
    int v = end ? isc_winvar_lookup (text + 1, end - text - 1) : -1;
    int need_registry = v == ISC_VAR_PROGRAMFILES || v == ISC_VAR_PROGRAMDATA;
    size_t i;

    if (isc_reg_vars (gu, reason, need_registry) == -1)
      return -1;
    for (i = 0; i < ISC_VAR_COUNT; ++i)
      values[i] = gu->priv->vars[i];
    values[ISC_VAR_USERPROFILE] = user ? user->dir : NULL;
  }
  return isc_winpath_expand (reason, text, windows, values, ret);
}

/* Errors the guest returns for a path that is simply not there. */
static int
is_absent_errno (int e)
{
  return e == ENOENT || e == ENOTDIR;
}

int
isc_guest_resolve (struct isc_guest *gu, struct isc_err *reason,
                   const char *path, char **ret)
{
  guestfs_h *g = gu->g;
  CLEANUP_FREE char *cased = NULL, *parent = NULL, *real = NULL;
  const char *p = path, *slash;
  int e;

  if (path[0] != '/')
    return isc_error (reason, path, "not an absolute guest path");
  if (strlen (path) > ISC_MAX_GUEST_PATH)
    return isc_error (reason, NULL, "guest path longer than %d bytes",
                      ISC_MAX_GUEST_PATH);
  if (strcmp (path, "/") == 0) {
    *ret = strdup ("/");
    return *ret ? 0 : isc_error_errno (reason, NULL, "strdup");
  }
  if (gu->os == ISC_OS_WINDOWS) {
    /* It fails when a folder on the way is missing: nothing is there. */
    guestfs_push_error_handler (g, NULL, NULL);
    cased = guestfs_case_sensitive_path (g, path);
    guestfs_pop_error_handler (g);
    if (!cased) {
      *ret = NULL;
      return 0;
    }
    p = cased;
  }
  slash = strrchr (p, '/');
  parent = slash == p ? strdup ("/") : strndup (p, slash - p);
  if (!parent)
    return isc_error_errno (reason, NULL, "strdup");
  guestfs_push_error_handler (g, NULL, NULL);
  real = guestfs_realpath (g, parent);
  e = guestfs_last_errno (g);
  guestfs_pop_error_handler (g);
  if (!real) {
    if (is_absent_errno (e)) {
      *ret = NULL;
      return 0;
    }
    return isc_error (reason, parent, "cannot resolve: %s",
                      guestfs_last_error (g) ? guestfs_last_error (g) : "error");
  }
  /* The daemon resolves inside the guest's root; check anyway. */
  if (real[0] != '/' || strstr (real, "/../") || strcmp (slash + 1, "..") == 0)
    return isc_error (reason, path, "resolves outside the guest");
  *ret = isc_path_join (real, slash + 1);
  return *ret ? 0 : isc_error_errno (reason, NULL, "asprintf");
}

int
isc_guest_ftype (struct isc_guest *gu, struct isc_err *reason,
                 const char *path, enum isc_ftype *ret, int64_t *ret_size)
{
  guestfs_h *g = gu->g;
  struct guestfs_statns *st;
  int e;

  guestfs_push_error_handler (g, NULL, NULL);
  st = guestfs_lstatns (g, path);
  e = guestfs_last_errno (g);
  guestfs_pop_error_handler (g);
  if (!st) {
    if (is_absent_errno (e)) {
      *ret = ISC_FT_ABSENT;
      return 0;
    }
    return isc_error (reason, path, "cannot stat: %s",
                      guestfs_last_error (g) ? guestfs_last_error (g) : "error");
  }
  switch (st->st_mode & S_IFMT) {
  case S_IFREG: *ret = ISC_FT_FILE; break;
  case S_IFDIR: *ret = ISC_FT_DIR; break;
  case S_IFLNK: *ret = ISC_FT_SYMLINK; break;
  default: *ret = ISC_FT_OTHER; break;
  }
  if (ret_size)
    *ret_size = st->st_size;
  guestfs_free_statns (st);
  return 0;
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
    if (isc_guest_expand (gu, &reason, text, NULL, &path) == -1)
      isc_guest_report_failed (gu, a, text, &reason);
    else
      r = fn (gu, a, path, opaque);
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
    if (isc_guest_expand (gu, &reason, text, &users[i], &path) == -1)
      isc_guest_report_failed (gu, a, text, &reason);
    else
      r = fn (gu, a, path, opaque);
    free (path);
    path = NULL;
    isc_err_clear (&reason);
  }
  return r;
}

void
isc_guest_walk_forget (struct isc_guest *gu)
{
  struct isc_guest_private *priv = gu->priv;

  if (priv->walk_file)
    unlink (priv->walk_file);
  free (priv->walk_file);
  free (priv->walk_dir);
  priv->walk_file = priv->walk_dir = NULL;
}

int
isc_guest_walk (struct isc_guest *gu, struct isc_err *reason,
                const char *dir, const char **ret)
{
  struct isc_guest_private *priv = gu->priv;
  CLEANUP_FREE char *file = NULL, *copy = NULL;

  if (priv->walk_dir && strcmp (priv->walk_dir, dir) == 0) {
    *ret = priv->walk_file;
    return 0;
  }
  file = isc_guest_tmpname (gu, "walk");
  copy = strdup (dir);
  if (!file || !copy)
    return isc_error_errno (reason, NULL, "malloc");
  if (guestfs_find0 (gu->g, dir, file) == -1) {
    unlink (file);
    return isc_error (reason, dir, "cannot list: %s",
                      guestfs_last_error (gu->g) ? guestfs_last_error (gu->g)
                      : "error");
  }
  isc_guest_walk_forget (gu);
  priv->walk_dir = TAKE_PTR (copy);
  priv->walk_file = TAKE_PTR (file);
  *ret = priv->walk_file;
  return 0;
}

int
isc_read_entry (FILE *fp, struct isc_err *reason, char **line, size_t *size)
{
  ssize_t n;

  errno = 0;
  n = getdelim (line, size, '\0', fp);
  if (n == -1) {
    if (ferror (fp))
      return isc_error_errno (reason, NULL, "reading a guest listing");
    return 0;
  }
  if (n > ISC_MAX_GUEST_PATH)
    return isc_error (reason, NULL, "guest listing holds a path longer "
                      "than %d bytes", ISC_MAX_GUEST_PATH);
  /* The last entry may lack its terminator; getdelim keeps it a string. */
  return 1;
}
