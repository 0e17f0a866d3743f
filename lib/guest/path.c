/* imgscrub: guest paths resolved inside the guest, folder listings cached
 * for one pass, and the file operations the action kinds share. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <guestfs.h>

#include "profiles/action.h"
#include "util/cleanups.h"
#include "guest/path.h"
#include "profiles/profile.h"
#include "util/result.h"
#include "util/path.h"
#include "util/status.h"
#include "util/error.h"
#include "guest/private.h"

/* The message of the libguestfs call that just failed. */
static int
guestfs_failed (struct isc_guest *gu, struct isc_err *reason)
{
  const char *e = guestfs_last_error (gu->g);

  return isc_error (reason, NULL, "%s", e ? e : "error");
}

int
isc_guest_rm (struct isc_guest *gu, struct isc_err *reason, void *opaque)
{
  return guestfs_rm (gu->g, opaque) == -1 ? guestfs_failed (gu, reason) : 0;
}

/* guestfs_readdir of DIR, NULL (and no message) when it fails: the
 * callers then take another way. */
static struct guestfs_dirent_list *
quiet_readdir (guestfs_h *g, const char *dir)
{
  struct guestfs_dirent_list *d;

  guestfs_push_error_handler (g, NULL, NULL);
  d = guestfs_readdir (g, dir);
  guestfs_pop_error_handler (g);
  return d;
}

/* Most entries a folder may hold to be removed entry by entry. */
#define SMALL_TREE 32

struct tree_entry {
  char *path;
  int dir;
};

/* Add the entries under DIR (one guestfs_readdir a folder, not cached:
 * the caller may be iterating a cached listing) to *E, parents before
 * children.  0 when they are more than SMALL_TREE, or a type is unknown
 * or a folder cannot be read: then rm(1) is the better tool. */
static int
collect_small_tree (guestfs_h *g, const char *dir, struct tree_entry *e,
                    size_t *n)
{
  struct guestfs_dirent_list *d;
  size_t i;
  int ok = 1;

  d = quiet_readdir (g, dir);
  if (!d)
    return 0;
  for (i = 0; i < d->len && ok; ++i) {
    const char *name = d->val[i].name;
    char t = d->val[i].ftyp;

    if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
      continue;
    if (*n >= SMALL_TREE || t == 'u' || t == '?' || strchr (name, '/') ||
        !(e[*n].path = isc_path_join (dir, name))) {
      ok = 0;
      break;
    }
    e[*n].dir = t == 'd';
    (*n)++;
    if (t == 'd')
      ok = collect_small_tree (g, e[*n - 1].path, e, n);
  }
  guestfs_free_dirent_list (d);
  return ok;
}

/* guestfs_rm_rf runs rm(1) in the appliance, some 50 ms under TCG; a
 * small folder goes entry by entry instead (guestfs_rm, guestfs_rmdir:
 * about a millisecond each), children before parents.  Nothing is
 * followed: a symlink is removed itself. */
int
isc_guest_rm_rf (struct isc_guest *gu, struct isc_err *reason, void *opaque)
{
  guestfs_h *g = gu->g;
  const char *path = opaque;
  struct tree_entry e[SMALL_TREE];
  size_t n = 0, i;
  int small, r = 0;

  small = collect_small_tree (g, path, e, &n);
  for (i = n; small && r == 0 && i-- > 0;)
    r = e[i].dir ? guestfs_rmdir (g, e[i].path) : guestfs_rm (g, e[i].path);
  for (i = 0; i < n; ++i)
    free (e[i].path);
  if (small && r == 0)
    r = guestfs_rmdir (g, path);
  else if (!small)
    r = guestfs_rm_rf (g, path);
  return r == -1 ? guestfs_failed (gu, reason) : 0;
}


int
isc_guest_write_aside (struct isc_guest *gu, struct isc_err *reason,
                       const char *path, const char *content, size_t len,
                       long mode)
{
  guestfs_h *g = gu->g;
  CLEANUP_FREE char *tmp = NULL;
  struct guestfs_statns *st = NULL;
  enum isc_ftype type, tmp_type;
  const char *slash = strrchr (path, '/');
  int r = -1;

  if (asprintf (&tmp, "%.*s/.%s.imgscrub-new", (int) (slash - path), path,
                slash + 1) == -1)
    return isc_error_oom (reason, NULL);
  if (isc_guest_ftype (gu, reason, path, &type, NULL) == -1 ||
      isc_guest_ftype (gu, reason, tmp, &tmp_type, NULL) == -1)
    return -1;
  if (tmp_type != ISC_FT_ABSENT)
    return isc_error (reason, tmp, "exists already");
  if (type == ISC_FT_FILE) {
    st = guestfs_lstatns (g, path);
    if (!st)
      return guestfs_failed (gu, reason);
    if (mode == -1)
      mode = st->st_mode & 07777;
  }
  else
    /* A new name in its folder: listings are stale. */
    isc_guest_walk_forget (gu);
  if (mode == -1)
    mode = 0644;
  if (guestfs_write (g, tmp, content, len) == -1 ||
      (gu->os == ISC_OS_LINUX &&
       ((st && guestfs_lchown (g, st->st_uid, st->st_gid, tmp) == -1) ||
        guestfs_chmod (g, mode, tmp) == -1)) ||
      guestfs_rename (g, tmp, path) == -1) {
    guestfs_failed (gu, reason);
    guestfs_push_error_handler (g, NULL, NULL);
    guestfs_rm_f (g, tmp);
    guestfs_pop_error_handler (g);
    goto out;
  }
  r = 0;
 out:
  guestfs_free_statns (st);
  return r;
}

/* A file with more than one name is replaced by a new empty file (same
 * mode and owner), never truncated in place: truncating empties every
 * name, and a guest user may have hard-linked /etc/shadow as the file a
 * rule empties. */
int
isc_guest_truncate (struct isc_guest *gu, struct isc_err *reason, void *opaque)
{
  const char *path = opaque;
  struct guestfs_statns *st = guestfs_lstatns (gu->g, path);
  int64_t nlink;

  if (!st)
    return guestfs_failed (gu, reason);
  nlink = st->st_nlink;
  guestfs_free_statns (st);
  if (nlink > 1)
    return isc_guest_write_aside (gu, reason, path, "", 0, -1);
  return guestfs_truncate (gu->g, path) == -1 ?
    guestfs_failed (gu, reason) : 0;
}

int
isc_guest_path_eq (const struct isc_guest *gu, const char *a, const char *b)
{
  return gu->os == ISC_OS_WINDOWS ? strcasecmp (a, b) == 0 : strcmp (a, b) == 0;
}

/* Errors the guest returns for a path that is simply not there. */
static int
is_absent_errno (int e)
{
  return e == ENOENT || e == ENOTDIR;
}

/* Keep what PATH resolved to (REAL, NULL when absent; WHY, a link not
 * followed on the way) for this pass. */
static void
remember_folder (struct isc_guest *gu, const char *path, const char *real,
                 const char *why)
{
  struct isc_guest_private *priv = gu->priv;
  struct isc_folder *f;

  if (!priv)
    return;
  f = realloc (priv->folders, (priv->n_folders + 1) * sizeof *f);
  if (!f)
    return;                         /* only a cache */
  priv->folders = f;
  f += priv->n_folders;
  f->path = strdup (path);
  f->real = real ? strdup (real) : NULL;
  f->unfollowed = why ? strdup (why) : NULL;
  if (!f->path || (real && !f->real) || (why && !f->unfollowed)) {
    free (f->path);
    free (f->real);
    free (f->unfollowed);
    return;
  }
  priv->n_folders++;
}

void
isc_guest_folders_forget (struct isc_guest *gu, const char *removed)
{
  struct isc_guest_private *priv = gu->priv;
  size_t i, kept = 0;

  if (!priv)
    return;
  for (i = 0; i < priv->n_folders; ++i) {
    struct isc_folder *f = &priv->folders[i];

    if (!removed || isc_path_at_or_below (f->path, removed) ||
        (f->real && isc_path_at_or_below (f->real, removed))) {
      free (f->path);
      free (f->real);
      free (f->unfollowed);
    }
    else
      priv->folders[kept++] = *f;
  }
  priv->n_folders = kept;
  if (!removed) {
    free (priv->unfollowed);
    priv->unfollowed = NULL;
  }
  if (kept == 0) {
    free (priv->folders);
    priv->folders = NULL;
  }
}

/* Whether PATH lies in a Windows user's profile folder: C:\Users\NAME
 * or a ProfileList folder loaded so far. */
static int
in_user_profile (struct isc_guest *gu, const char *path)
{
  struct isc_guest_private *priv = gu->priv;
  size_t i;

  if (strncasecmp (path, "/Users/", 7) == 0 && path[7] != '\0')
    return 1;
  for (i = 0; priv && i < priv->n_users; ++i)
    if (priv->users[i].dir && strcmp (priv->users[i].dir, "/") != 0 &&
        strlen (path) >= strlen (priv->users[i].dir) &&
        strncasecmp (path, priv->users[i].dir,
                     strlen (priv->users[i].dir)) == 0 &&
        (path[strlen (priv->users[i].dir)] == '/' ||
         path[strlen (priv->users[i].dir)] == '\0'))
      return 1;
  return 0;
}

/* Whether the symlink (or junction) LINK, in the resolved folder DIR,
 * may be followed: only when no unprivileged guest user can have made
 * it.  Any user can plant a link in a folder of their own and point it
 * at /, so a link is followed only when root owns it and DIR is root's
 * alone (owned by root, writable by nobody else): the reasoning of the
 * kernel's protected_symlinks and sshd's StrictModes.  ntfs-3g maps no
 * NTFS ownership (every entry reads as root's, mode 0777), so on
 * Windows the place decides: never in a user's profile, else followed
 * (C:\Documents and Settings and other system junctions).  0 with
 * *WHY (caller frees) when not. */
static int
link_trusted (struct isc_guest *gu, struct isc_err *reason, const char *dir,
              const char *link, char **why)
{
  guestfs_h *g = gu->g;
  struct guestfs_statns *lst = NULL, *dst = NULL;
  int r = -1;

  *why = NULL;
  if (gu->os == ISC_OS_WINDOWS) {
    if (!in_user_profile (gu, link))
      return 1;
    if (asprintf (why, "link '%s' not followed: in a user's profile folder",
                  link) == -1)
      return isc_error_oom (reason, NULL);
    return 0;
  }
  lst = guestfs_lstatns (g, link);
  dst = lst ? guestfs_lstatns (g, dir) : NULL;
  if (!lst || !dst) {
    isc_error (reason, link, "cannot stat: %s",
               guestfs_last_error (g) ? guestfs_last_error (g) : "error");
    goto out;
  }
  if (lst->st_uid != 0) {
    if (asprintf (why, "link '%s' not followed: owned by uid %" PRIi64
                  ", not root", link, lst->st_uid) == -1)
      goto oom;
  }
  else if (dst->st_uid != 0 || (dst->st_mode & 022)) {
    if (asprintf (why, "link '%s' not followed: its folder is writable by "
                  "%s", link, dst->st_uid != 0 ? "a user other than root"
                  : "group or others") == -1)
      goto oom;
  }
  r = *why == NULL;
  goto out;
 oom:
  *why = NULL;
  isc_error_oom (reason, NULL);
 out:
  guestfs_free_statns (lst);
  guestfs_free_statns (dst);
  return r;
}

/* Set the link the current resolution did not follow (WHY, taken). */
static void
set_unfollowed (struct isc_guest *gu, char *why)
{
  if (!gu->priv) {
    free (why);
    return;
  }
  free (gu->priv->unfollowed);
  gu->priv->unfollowed = why;
}

const char *
isc_guest_unfollowed (const struct isc_guest *gu)
{
  return gu->priv ? gu->priv->unfollowed : NULL;
}

/* Folders are resolved one component at a time, parent first: the
 * parent's resolution is cached, and each component costs a cached
 * listing or one lstat (half a millisecond under TCG).  Only a symlink
 * is read (guestfs_readlink), and only one link_trusted allows; its
 * target is resolved the same way, component by component, so that a
 * trusted link to a user's link goes no further than the user's link.
 * A link not followed makes the folder absent, never resolved
 * elsewhere. */
static int real_folder (struct isc_guest *gu, struct isc_err *reason,
                        const char *folder, char **ret, unsigned depth);

/* Most links one resolution follows, as the kernel's MAXSYMLINKS. */
#define MAX_LINKS 40

/* Where the trusted link LINK in the real folder DIR leads: *RET, or
 * NULL when the target is not there. */
static int
follow_link (struct isc_guest *gu, struct isc_err *reason, const char *dir,
             const char *link, char **ret, unsigned depth)
{
  CLEANUP_FREE char *target = NULL, *cur = NULL;
  const char *p;

  *ret = NULL;
  if (depth >= MAX_LINKS)
    return isc_error (reason, link, "more than %d symbolic links on the way",
                      MAX_LINKS);
  guestfs_push_error_handler (gu->g, NULL, NULL);
  target = guestfs_readlink (gu->g, link);
  guestfs_pop_error_handler (gu->g);
  if (!target)
    return isc_error (reason, link, "cannot read the link: %s",
                      guestfs_last_error (gu->g) ? guestfs_last_error (gu->g)
                      : "error");
  if (strlen (target) > ISC_MAX_GUEST_PATH)
    return isc_error (reason, link, "link longer than %d bytes",
                      ISC_MAX_GUEST_PATH);
  cur = strdup (target[0] == '/' ? "/" : dir);
  if (!cur)
    return isc_error_oom (reason, NULL);
  for (p = target; *p; ) {
    size_t len = strcspn (p, "/");
    char *next = NULL;

    if (len == 0 || (len == 1 && p[0] == '.'))
      ;
    else if (len == 2 && p[0] == '.' && p[1] == '.') {
      /* CUR is real (no link in it): its parent is lexical. */
      char *slash = strrchr (cur, '/');

      if (slash == cur)
        cur[1] = '\0';
      else
        *slash = '\0';
    }
    else {
      CLEANUP_FREE char *name = strndup (p, len), *joined = NULL;

      if (!name || !(joined = isc_path_join (cur, name)))
        return isc_error_oom (reason, NULL);
      if (real_folder (gu, reason, joined, &next, depth + 1) == -1)
        return -1;
      if (!next)
        return 0;                   /* not there, or not followed */
      free (cur);
      cur = next;
    }
    p += len + (p[len] == '/');
  }
  *ret = TAKE_PTR (cur);
  return 0;
}

static int
real_folder (struct isc_guest *gu, struct isc_err *reason,
             const char *folder, char **ret, unsigned depth)
{
  CLEANUP_FREE char *parent = NULL, *parent_real = NULL, *child = NULL;
  const char *slash = strrchr (folder, '/');
  enum isc_ftype type;
  size_t i;

  *ret = NULL;
  if (!slash || strcmp (folder, "/") == 0) {
    *ret = strdup ("/");
    return *ret ? 0 : isc_error_oom (reason, NULL);
  }
  for (i = 0; gu->priv && i < gu->priv->n_folders; ++i)
    if (strcmp (gu->priv->folders[i].path, folder) == 0) {
      const struct isc_folder *f = &gu->priv->folders[i];

      if (f->real && !(*ret = strdup (f->real)))
        return isc_error_oom (reason, NULL);
      if (f->unfollowed) {
        char *why = strdup (f->unfollowed);

        if (!why)
          return isc_error_oom (reason, NULL);
        set_unfollowed (gu, why);
      }
      return 0;
    }
  parent = slash == folder ? strdup ("/") : strndup (folder, slash - folder);
  if (!parent)
    return isc_error_oom (reason, NULL);
  if (real_folder (gu, reason, parent, &parent_real, depth) == -1)
    return -1;
  if (parent_real) {
    child = isc_path_join (parent_real, slash + 1);
    if (!child)
      return isc_error_oom (reason, NULL);
    if (isc_guest_ftype (gu, reason, child, &type, NULL) == -1)
      return -1;
    if (type == ISC_FT_SYMLINK) {
      char *why;
      int t = link_trusted (gu, reason, parent_real, child, &why);

      if (t == -1)
        return -1;
      if (!t)
        set_unfollowed (gu, why);
      else if (follow_link (gu, reason, parent_real, child, ret, depth) == -1)
        return -1;
    }
    else if (type != ISC_FT_ABSENT)
      *ret = TAKE_PTR (child);
  }
  remember_folder (gu, folder, *ret,
                   *ret ? NULL : isc_guest_unfollowed (gu));
  return 0;
}

int
isc_guest_real_folder (struct isc_guest *gu, struct isc_err *reason,
                       const char *folder, char **ret)
{
  set_unfollowed (gu, NULL);
  return real_folder (gu, reason, folder, ret, 0);
}

/* guestfs_case_sensitive_path, NULL when a folder on the way is
 * missing. */
static char *
appliance_case_path (struct isc_guest *gu, const char *path)
{
  char *ret;

  guestfs_push_error_handler (gu->g, NULL, NULL);
  ret = guestfs_case_sensitive_path (gu->g, path);
  guestfs_pop_error_handler (gu->g);
  return ret;
}

/* The entry of L named NAME (LEN bytes) in any ASCII letter case, as
 * guestfs_case_sensitive_path compares; the exact name first.  -1 when
 * there is none (or it was removed in this pass). */
static ssize_t
entry_any_case (const struct isc_dirlist *l, const char *name, size_t len)
{
  ssize_t found = -1;
  size_t j;

  for (j = 0; j < l->n; ++j)
    if (strlen (l->names[j]) == len && strncasecmp (l->names[j], name, len) == 0 &&
        l->types[j] != ISC_FT_ABSENT) {
      found = j;
      if (strncmp (l->names[j], name, len) == 0)
        break;
    }
  return found;
}

int
isc_guest_case_path (struct isc_guest *gu, struct isc_err *reason,
                     const char *path, char **ret)
{
  CLEANUP_FREE char *cased = NULL;
  const char *p = path + 1;
  size_t used = 1;

  *ret = NULL;
  set_unfollowed (gu, NULL);
  cased = malloc (strlen (path) + 1);
  if (!cased)
    return isc_error_oom (reason, NULL);
  strcpy (cased, "/");
  while (*p) {
    size_t len = strcspn (p, "/");
    int last = p[len] == '\0';
    struct isc_err ignored = ISC_ERR_INIT;
    const struct isc_dirlist *l;
    ssize_t j;

    if (isc_guest_list_dir (gu, &ignored, cased, &l) == -1) {
      /* Not a folder we can list here: as the appliance says. */
      isc_err_clear (&ignored);
      *ret = appliance_case_path (gu, path);
      return 0;
    }
    j = entry_any_case (l, p, len);
    if (j < 0 && !last)
      return 0;                     /* a folder on the way is missing */
    if (j >= 0 && !last && l->types[j] == ISC_FT_SYMLINK) {
      *ret = appliance_case_path (gu, path);
      return 0;
    }
    if (j >= 0 && !last && l->types[j] != ISC_FT_DIR)
      return 0;
    if (used > 1)
      cased[used++] = '/';
    memcpy (cased + used, j >= 0 ? l->names[j] : p, len);
    used += len;
    cased[used] = '\0';
    p += len + !last;
  }
  *ret = TAKE_PTR (cased);
  return 0;
}

int
isc_guest_resolve (struct isc_guest *gu, struct isc_err *reason,
                   const char *path, char **ret)
{
  CLEANUP_FREE char *cased = NULL, *parent = NULL, *real = NULL;
  const char *p = path, *slash;

  set_unfollowed (gu, NULL);
  if (path[0] != '/')
    return isc_error (reason, path, "not an absolute guest path");
  if (strlen (path) > ISC_MAX_GUEST_PATH)
    return isc_error (reason, NULL, "guest path longer than %d bytes",
                      ISC_MAX_GUEST_PATH);
  if (strcmp (path, "/") == 0) {
    *ret = strdup ("/");
    return *ret ? 0 : isc_error_oom (reason, NULL);
  }
  if (gu->os == ISC_OS_WINDOWS) {
    if (isc_guest_case_path (gu, reason, path, &cased) == -1)
      return -1;
    if (!cased) {
      *ret = NULL;                  /* a folder on the way is missing */
      return 0;
    }
    p = cased;
  }
  slash = strrchr (p, '/');
  parent = slash == p ? strdup ("/") : strndup (p, slash - p);
  if (!parent)
    return isc_error_oom (reason, NULL);
  *ret = NULL;
  if (isc_guest_real_folder (gu, reason, parent, &real) == -1)
    return -1;
  if (!real)
    return 0;
  /* The daemon resolves inside the guest's root; check anyway. */
  if (real[0] != '/' || strstr (real, "/../") || strcmp (slash + 1, "..") == 0)
    return isc_error (reason, path, "resolves outside the guest");
  *ret = isc_path_join (real, slash + 1);
  return *ret ? 0 : isc_error_oom (reason, NULL);
}

static int compare_names (const void *x, const void *y);

/* The live cached listing of the folder holding PATH, or NULL; *NAME is
 * PATH's last component. */
static struct isc_dirlist *
parent_listing (struct isc_guest_private *priv, const char *path,
                const char **name)
{
  const char *slash = strrchr (path, '/');
  size_t dlen, i;

  if (!priv || !slash || !slash[1])
    return NULL;
  *name = slash + 1;
  dlen = slash == path ? 1 : (size_t) (slash - path);
  for (i = 0; i < priv->n_dirs; ++i) {
    struct isc_dirlist *l = &priv->dirs[i];

    if (!l->gone && strlen (l->dir) == dlen && strncmp (l->dir, path, dlen) == 0)
      return l;
  }
  return NULL;
}

/* The index of NAME in listing L (names sorted), or -1. */
static ssize_t
listed_index (const struct isc_dirlist *l, const char *name)
{
  char *const *found = l->n ? bsearch (&name, l->names, l->n,
                                       sizeof *l->names, compare_names) : NULL;

  return found ? found - l->names : -1;
}

/* What a cached listing of PATH's folder says of it: 1 with *RET and
 * *RET_SIZE, or 0 when no listing answers.  A name absent from a
 * listing is absent: every new name the pass makes drops the listings
 * (isc_guest_walk_forget). */
static int
listed_type (struct isc_guest *gu, const char *path, enum isc_ftype *ret,
             int64_t *ret_size, int want_size)
{
  const char *name;
  const struct isc_dirlist *l = parent_listing (gu->priv, path, &name);
  ssize_t j;

  if (!l)
    return 0;
  j = listed_index (l, name);
  if (j < 0) {
    *ret = ISC_FT_ABSENT;
    *ret_size = 0;
    return 1;
  }
  if (l->types[j] == ISC_FT_STALE || (want_size && l->sizes[j] < 0))
    return 0;
  *ret = l->types[j];
  *ret_size = l->sizes[j];
  return 1;
}

int
isc_guest_ftype (struct isc_guest *gu, struct isc_err *reason,
                 const char *path, enum isc_ftype *ret, int64_t *ret_size)
{
  guestfs_h *g = gu->g;
  struct guestfs_statns *st;
  int64_t size;
  int e;

  if (listed_type (gu, path, ret, &size, ret_size != NULL)) {
    if (ret_size)
      *ret_size = size;
    return 0;
  }

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

/* ---- folder listings and globs ---------------------------------------- */

/* Names looked at in one guestfs_lstatnslist. */
#define STAT_CHUNK 1000
/* Most entries of one folder. */
#define MAX_DIR_ENTRIES 1000000

static int
compare_names (const void *x, const void *y)
{
  return strcmp (*(char *const *) x, *(char *const *) y);
}

static enum isc_ftype
mode_type (int64_t mode)
{
  switch (mode & S_IFMT) {
  case S_IFREG: return ISC_FT_FILE;
  case S_IFDIR: return ISC_FT_DIR;
  case S_IFLNK: return ISC_FT_SYMLINK;
  default: return ISC_FT_OTHER;
  }
}

struct named_type {
  char *name;
  unsigned char type;
};

static int
compare_named (const void *x, const void *y)
{
  return strcmp (((const struct named_type *) x)->name,
                 ((const struct named_type *) y)->name);
}

static unsigned char
dirent_type (char ftyp)
{
  /* guestfs_readdir's letters: 'r' is a regular file, 'f' a FIFO. */
  switch (ftyp) {
  case 'r': return ISC_FT_FILE;
  case 'd': return ISC_FT_DIR;
  case 'l': return ISC_FT_SYMLINK;
  case 'b': case 'c': case 'f': case 's': return ISC_FT_OTHER;
  default: return ISC_FT_STALE;     /* unknown: lstat'ed below */
  }
}

/* List DIR into L with one guestfs_readdir (names and types in one
 * message: about a millisecond under TCG, where guestfs_ls0 and
 * guestfs_lstatnslist cost some 8 ms together).  Sizes are left unknown
 * (-1); entries whose type readdir does not give are lstat'ed.  Returns
 * 1 when done, 0 when readdir failed (a reply too large, say) and L is
 * untouched, -1 on error. */
static int
readdir_list (struct isc_guest *gu, struct isc_err *reason, const char *dir,
              struct isc_dirlist *l)
{
  guestfs_h *g = gu->g;
  struct guestfs_dirent_list *d;
  CLEANUP_FREE struct named_type *e = NULL;
  size_t n = 0, i;

  d = quiet_readdir (g, dir);
  if (!d)
    return 0;
  if (d->len > MAX_DIR_ENTRIES) {
    guestfs_free_dirent_list (d);
    return isc_error (reason, dir, "more than %d entries", MAX_DIR_ENTRIES);
  }
  e = calloc (d->len + 1, sizeof *e);
  l->names = calloc (d->len + 1, sizeof *l->names);
  l->types = calloc (d->len + 1, 1);
  l->sizes = calloc (d->len + 1, sizeof *l->sizes);
  if (!e || !l->names || !l->types || !l->sizes) {
    guestfs_free_dirent_list (d);
    return isc_error_oom (reason, NULL);
  }
  for (i = 0; i < d->len; ++i) {
    const char *name = d->val[i].name;

    if (name[0] == '\0' || strchr (name, '/') || strcmp (name, ".") == 0 ||
        strcmp (name, "..") == 0)
      continue;
    e[n].name = strdup (name);
    if (!e[n].name) {
      guestfs_free_dirent_list (d);
      while (n > 0)
        free (e[--n].name);
      return isc_error_oom (reason, NULL);
    }
    e[n++].type = dirent_type (d->val[i].ftyp);
  }
  guestfs_free_dirent_list (d);
  qsort (e, n, sizeof *e, compare_named);
  for (i = 0; i < n; ++i) {
    l->names[i] = e[i].name;
    l->types[i] = e[i].type;
    l->sizes[i] = -1;
  }
  l->n = n;
  for (i = 0; i < n; ++i) {
    struct guestfs_statns *st;

    if (l->types[i] != ISC_FT_STALE)
      continue;
    {
      CLEANUP_FREE char *path = isc_path_join (dir, l->names[i]);

      if (!path)
        return isc_error_oom (reason, NULL);
      guestfs_push_error_handler (g, NULL, NULL);
      st = guestfs_lstatns (g, path);
      guestfs_pop_error_handler (g);
    }
    l->types[i] = st ? mode_type (st->st_mode) : ISC_FT_ABSENT;
    l->sizes[i] = st ? st->st_size : 0;
    guestfs_free_statns (st);
  }
  return 1;
}

/* List DIR into L (names sorted, types from lstat). */
static int
list_dir (struct isc_guest *gu, struct isc_err *reason, const char *dir,
          struct isc_dirlist *l)
{
  guestfs_h *g = gu->g;
  CLEANUP_FREE char *file = isc_guest_tmpname (gu, "ls"), *line = NULL;
  CLEANUP_FCLOSE FILE *fp = NULL;
  size_t size = 0, i, j;
  int r;

  if (!file)
    return isc_error_oom (reason, NULL);
  r = readdir_list (gu, reason, dir, l);
  if (r != 0)
    return r == 1 ? 0 : -1;
  if (guestfs_ls0 (g, dir, file) == -1) {
    unlink (file);
    return isc_error (reason, dir, "cannot list: %s",
                      guestfs_last_error (g) ? guestfs_last_error (g) : "error");
  }
  fp = fopen (file, "re");
  unlink (file);
  if (!fp)
    return isc_error_errno (reason, dir, "cannot read the listing");
  while ((r = isc_read_entry (fp, reason, &line, &size)) >= 1) {
    char **n;

    if (r == 2 || line[0] == '\0' || strchr (line, '/') || strcmp (line, ".") == 0 ||
        strcmp (line, "..") == 0)
      continue;
    if (l->n >= MAX_DIR_ENTRIES)
      return isc_error (reason, dir, "more than %d entries", MAX_DIR_ENTRIES);
    n = realloc (l->names, (l->n + 2) * sizeof *n);
    if (!n)
      return isc_error_oom (reason, NULL);
    l->names = n;
    if (!(l->names[l->n] = strdup (line)))
      return isc_error_oom (reason, NULL);
    l->names[++l->n] = NULL;
  }
  if (r == -1)
    return -1;
  if (l->names)
    qsort (l->names, l->n, sizeof *l->names, compare_names);
  l->types = calloc (l->n + 1, 1);
  l->sizes = calloc (l->n + 1, sizeof *l->sizes);
  if (!l->types || !l->sizes)
    return isc_error_oom (reason, NULL);
  for (i = 0; i < l->n; i += STAT_CHUNK) {
    size_t n = l->n - i < STAT_CHUNK ? l->n - i : STAT_CHUNK;
    CLEANUP_FREE char **names = calloc (n + 1, sizeof *names);
    struct guestfs_statns_list *st;

    if (!names)
      return isc_error_oom (reason, NULL);
    memcpy (names, l->names + i, n * sizeof *names);
    st = guestfs_lstatnslist (g, dir, names);
    if (!st || st->len != n) {
      if (st)
        guestfs_free_statns_list (st);
      return isc_error (reason, dir, "cannot stat its entries: %s",
                        guestfs_last_error (g) ? guestfs_last_error (g)
                        : "error");
    }
    /* A name gone since the listing has st_ino -1. */
    for (j = 0; j < n; ++j) {
      l->types[i + j] = st->val[j].st_ino == -1 ? ISC_FT_ABSENT :
        mode_type (st->val[j].st_mode);
      l->sizes[i + j] = st->val[j].st_size;
    }
    guestfs_free_statns_list (st);
  }
  return 0;
}

static void
dirlist_clear (struct isc_dirlist *l)
{
  free (l->dir);
  isc_free_string_list (l->names);
  free (l->types);
  free (l->sizes);
}

int
isc_guest_list_dir (struct isc_guest *gu, struct isc_err *reason,
                    const char *dir, const struct isc_dirlist **ret)
{
  struct isc_guest_private *priv = gu->priv;
  struct isc_dirlist l = { 0 }, *d;
  size_t i;

  for (i = 0; i < priv->n_dirs; ++i)
    if (!priv->dirs[i].gone && strcmp (priv->dirs[i].dir, dir) == 0) {
      *ret = &priv->dirs[i];
      return 0;
    }
  l.dir = strdup (dir);
  if (!l.dir || list_dir (gu, reason, dir, &l) == -1) {
    if (!l.dir)
      isc_error_oom (reason, NULL);
    dirlist_clear (&l);
    return -1;
  }
  d = realloc (priv->dirs, (priv->n_dirs + 1) * sizeof *d);
  if (!d) {
    dirlist_clear (&l);
    return isc_error_oom (reason, NULL);
  }
  priv->dirs = d;
  d[priv->n_dirs] = l;
  *ret = &d[priv->n_dirs++];
  return 0;
}

void
isc_guest_dirs_mark_entry (struct isc_guest *gu, const char *path,
                           int removed)
{
  struct isc_guest_private *priv = gu->priv;
  struct isc_dirlist *l;
  const char *name;
  ssize_t j;
  size_t i;

  l = parent_listing (priv, path, &name);
  if (l && (j = listed_index (l, name)) >= 0)
    l->types[j] = removed ? ISC_FT_ABSENT : ISC_FT_STALE;
  /* A folder removed with what it held: its own listings say nothing
   * any more (marked, not freed: a caller may be iterating one). */
  for (i = 0; removed && i < priv->n_dirs; ++i)
    if (isc_path_at_or_below (priv->dirs[i].dir, path))
      priv->dirs[i].gone = 1;
}

void
isc_guest_dirs_forget (struct isc_guest *gu)
{
  struct isc_guest_private *priv = gu->priv;
  size_t i;

  for (i = 0; i < priv->n_dirs; ++i)
    dirlist_clear (&priv->dirs[i]);
  free (priv->dirs);
  priv->dirs = NULL;
  priv->n_dirs = 0;
}

static void
forget_walk_listing (struct isc_guest_private *priv)
{
  if (priv->walk_file)
    unlink (priv->walk_file);
  free (priv->walk_file);
  free (priv->walk_dir);
  priv->walk_file = priv->walk_dir = NULL;
}

void
isc_guest_walk_forget (struct isc_guest *gu)
{
  isc_guest_dirs_forget (gu);
  forget_walk_listing (gu->priv);
}

/* Most folders a walk reads with guestfs_readdir before it leaves the
 * folder to guestfs_find0. */
#define SMALL_WALK 64

/* Write every entry under DIR to FP as guestfs_find0 does ("/sub/name",
 * NUL-terminated; symlinks are not entered), reading one folder per
 * guestfs_readdir: about a millisecond each under TCG, where find0
 * costs some 150 ms however small the tree.  REL is DIR relative to the
 * folder walked ("" at the top).  0 when the tree holds more than
 * *BUDGET folders or cannot be read this way (then find0 walks it). */
static int
walk_small (guestfs_h *g, FILE *fp, const char *dir, const char *rel,
            unsigned *budget)
{
  struct guestfs_dirent_list *d;
  size_t i;
  int ok = 1;

  if ((*budget)-- == 0)
    return 0;
  d = quiet_readdir (g, dir);
  if (!d)
    return 0;
  for (i = 0; i < d->len && ok; ++i) {
    const char *name = d->val[i].name;
    CLEANUP_FREE char *sub_rel = NULL, *sub_dir = NULL;

    if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
      continue;
    if (strchr (name, '/') || d->val[i].ftyp == 'u' || d->val[i].ftyp == '?' ||
        asprintf (&sub_rel, "%s/%s", rel, name) == -1) {
      ok = 0;
      break;
    }
    if (fwrite (sub_rel, strlen (sub_rel) + 1, 1, fp) != 1)
      ok = 0;
    else if (d->val[i].ftyp == 'd')
      ok = (sub_dir = isc_path_join (dir, name)) &&
        walk_small (g, fp, sub_dir, sub_rel, budget);
  }
  guestfs_free_dirent_list (d);
  return ok;
}

/* DIR's walk into the host file FILE: by readdir when small, else
 * guestfs_find0. */
static int
walk_into (struct isc_guest *gu, struct isc_err *reason, const char *dir,
           const char *file)
{
  unsigned budget = SMALL_WALK;
  /* A whole filesystem is never small: no readdir is wasted on it. */
  FILE *fp = strcmp (dir, "/") != 0 ? fopen (file, "we") : NULL;
  int small = fp && walk_small (gu->g, fp, dir, "", &budget);

  if (fp && fclose (fp) != 0)
    small = 0;
  if (small)
    return 0;
  unlink (file);
  if (guestfs_find0 (gu->g, dir, file) == -1) {
    unlink (file);
    return isc_error (reason, dir, "cannot list: %s",
                      guestfs_last_error (gu->g) ? guestfs_last_error (gu->g)
                      : "error");
  }
  return 0;
}

int
isc_guest_walk (struct isc_guest *gu, struct isc_err *reason,
                const char *dir, const char **ret, const char **ret_prefix)
{
  struct isc_guest_private *priv = gu->priv;
  CLEANUP_FREE char *file = NULL, *copy = NULL;

  if (priv->walk_dir && isc_path_at_or_below (dir, priv->walk_dir)) {
    size_t len = strlen (priv->walk_dir);

    /* After "/" the next byte is DIR's own first name already. */
    *ret = priv->walk_file;
    *ret_prefix = dir + len + (dir[len] == '/');
    return 0;
  }
  file = isc_guest_tmpname (gu, "walk");
  copy = strdup (dir);
  if (!file || !copy)
    return isc_error_oom (reason, NULL);
  if (walk_into (gu, reason, dir, file) == -1)
    return -1;
  forget_walk_listing (priv);
  priv->walk_dir = TAKE_PTR (copy);
  priv->walk_file = TAKE_PTR (file);
  *ret = priv->walk_file;
  *ret_prefix = "";
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
  /* Any guest user can make one (deep folders under /var/tmp): the
   * caller skips it, and it never fails the image. */
  if (n > ISC_MAX_GUEST_PATH)
    return 2;
  /* The last entry may lack its terminator; getdelim keeps it a string. */
  return 1;
}
