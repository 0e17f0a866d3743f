/* imgscrub: command-line inputs (files and folders) turned into the list
 * of images. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanups.h"
#include "image/format.h"
#include "image/inputs.h"
#include "util/error.h"

struct list {
  char **items;
  size_t n, cap;
};

static int
list_add (struct list *l, const char *s)
{
  return isc_string_list_add (&l->items, &l->n, &l->cap, s, strlen (s));
}

int
isc_inputs_is_image_name (const char *name)
{
  static const char *const exts[] = {
    ".img", ".raw", ".vhd", ".vmdk", ".qcow2", ".vhdx",
  };
  size_t len = strlen (name), i;

  for (i = 0; i < sizeof exts / sizeof exts[0]; ++i) {
    size_t elen = strlen (exts[i]);

    if (len > elen && strcasecmp (name + len - elen, exts[i]) == 0)
      return 1;
  }
  return 0;
}

static int
excluded (const struct isc_inputs_opts *opts, const char *path,
          const char *name)
{
  size_t i;

  for (i = 0; opts->excludes && opts->excludes[i]; ++i)
    if (fnmatch (opts->excludes[i], path, 0) == 0 ||
        fnmatch (opts->excludes[i], name, 0) == 0)
      return 1;
  return 0;
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Extent file names a VMDK text descriptor in DIR names, and which
 * descriptor claims each (EXTENTS and OWNERS stay parallel).  Only a
 * descriptor that passes the checks qemu's input must pass may claim
 * files: a refused one is reported as failed, and hides nothing. */
static void
collect_extents (const char *dir, const char *name, struct list *extents,
                 struct list *owners)
{
  struct isc_err ignored = ISC_ERR_INIT;
  struct isc_image_info info;
  CLEANUP_FREE char *path = NULL;
  CLEANUP_FREE_STRING_LIST char **names = NULL;
  size_t i;
  int ok;

  if (asprintf (&path, "%s/%s", dir, name) == -1)
    return;
  ok = isc_image_check_file (&ignored, path, ISC_FORMAT_UNKNOWN,
                             ISC_CHECK_NOFOLLOW, &info, NULL) == 0 &&
    info.format == ISC_FORMAT_VMDK;
  isc_err_clear (&ignored);
  if (!ok || isc_vmdk_descriptor_extents (path, &names) == -1)
    return;
  for (i = 0; names && names[i]; ++i)
    if (list_add (extents, names[i]) == 0 && list_add (owners, path) == -1)
      extents->n--;
}

/* Index of S in L, or -1. */
static ssize_t
list_find (const struct list *l, const char *s)
{
  size_t i;

  for (i = 0; i < l->n; ++i)
    if (strcmp (l->items[i], s) == 0)
      return (ssize_t) i;
  return -1;
}

static int
scan_dir (struct isc_err *err, const char *dir,
          const struct isc_inputs_opts *opts, struct list *out, int depth)
{
  struct list files = { 0 }, subdirs = { 0 }, extents = { 0 }, owners = { 0 };
  DIR *d;
  struct dirent *e;
  size_t i;
  int r = -1;

  if (depth > 64)
    return isc_error (err, dir, "folders nested too deeply");
  d = opendir (dir);
  if (!d)
    return isc_error_errno (err, dir, "cannot read folder");
  while ((e = readdir (d)) != NULL) {
    CLEANUP_FREE char *path = NULL;
    struct stat st;

    if (e->d_name[0] == '.')
      continue;                 /* hidden, ".", "..", our own scratch */
    if (asprintf (&path, "%s/%s", dir, e->d_name) == -1)
      goto out;
    if (lstat (path, &st) == -1)
      continue;
    if (S_ISDIR (st.st_mode)) {
      if (opts->recursive && !excluded (opts, path, e->d_name) &&
          list_add (&subdirs, path) == -1)
        goto out;
    }
    else if (!isc_inputs_is_image_name (e->d_name) ||
             excluded (opts, path, e->d_name))
      continue;
    else if (S_ISLNK (st.st_mode)) {
      /* Never followed: it could lead to any file on the host. */
      if (opts->left_out)
        opts->left_out (opts->opaque, path, NULL);
    }
    else if (S_ISREG (st.st_mode)) {
      if (list_add (&files, e->d_name) == -1)
        goto out;
      if (strcasecmp (e->d_name + strlen (e->d_name) - 5, ".vmdk") == 0)
        collect_extents (dir, e->d_name, &extents, &owners);
    }
  }
  if (files.n)
    qsort (files.items, files.n, sizeof (char *), compare_strings);
  for (i = 0; i < files.n; ++i) {
    CLEANUP_FREE char *path = NULL;
    ssize_t owner = list_find (&extents, files.items[i]);

    if (asprintf (&path, "%s/%s", dir, files.items[i]) == -1)
      goto out;
    if (owner >= 0) {
      /* Part of a descriptor VMDK, not an image. */
      if (opts->left_out)
        opts->left_out (opts->opaque, path, owners.items[owner]);
      continue;
    }
    if (list_add (out, path) == -1)
      goto out;
  }
  if (subdirs.n)
    qsort (subdirs.items, subdirs.n, sizeof (char *), compare_strings);
  for (i = 0; i < subdirs.n; ++i)
    if (scan_dir (err, subdirs.items[i], opts, out, depth + 1) == -1)
      goto out_quiet;
  r = 0;
  goto out_quiet;
 out:
  isc_error_oom (err, dir);
 out_quiet:
  closedir (d);
  isc_free_string_list (files.items);
  isc_free_string_list (subdirs.items);
  isc_free_string_list (extents.items);
  isc_free_string_list (owners.items);
  return r;
}

int
isc_inputs_expand (struct isc_err *err, char *const *args, size_t n_args,
                   const struct isc_inputs_opts *opts, char ***ret_paths,
                   size_t *ret_n, unsigned char **ret_scanned)
{
  struct list out = { 0 };
  unsigned char *scanned = NULL;
  size_t i;

  for (i = 0; i < n_args; ++i) {
    struct stat st;
    size_t before = out.n;
    int folder = stat (args[i], &st) == 0 && S_ISDIR (st.st_mode);
    unsigned char *p;

    if (folder) {
      if (scan_dir (err, args[i], opts, &out, 0) == -1)
        goto fail;
    }
    else if (list_add (&out, args[i]) == -1)
      goto oom;
    p = realloc (scanned, out.n + 1);
    if (!p)
      goto oom;
    scanned = p;
    memset (scanned + before, folder, out.n - before);
  }
  if (!out.items && !(out.items = calloc (1, sizeof (char *))))
    goto oom;
  if (!scanned && !(scanned = calloc (1, 1)))
    goto oom;
  *ret_paths = out.items;
  *ret_n = out.n;
  if (ret_scanned)
    *ret_scanned = scanned;
  else
    free (scanned);
  return 0;
 oom:
  isc_error_oom (err, NULL);
 fail:
  free (scanned);
  isc_free_string_list (out.items);
  return -1;
}

