/* imgscrub: the guest's registry: hive copies on the host (dirty ones
 * replayed or refused), users, Windows variables, edits and the commit. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <guestfs.h>
#include <hivex.h>

#include "util/atomic.h"
#include "util/cleanups.h"
#include "util/escape.h"
#include "guest/path.h"
#include "windows/hivelog.h"
#include "profiles/profile.h"
#include "guest/reg.h"
#include "util/steps.h"
#include "guest/transfer.h"
#include "util/time.h"
#include "util/path.h"
#include "util/hostfile.h"
#include "util/error.h"
#include "guest/private.h"

static const char *
last_error (guestfs_h *g)
{
  const char *msg = guestfs_last_error (g);

  return msg ? msg : "unknown error";
}

/* HF's .LOG1 and .LOG2 beside it in the guest, in any letter case
 * (regular files only), into hf->logs. */
static int
find_logs (struct isc_guest *gu, struct isc_err *reason,
           struct isc_hivefile *hf)
{
  const char *slash = strrchr (hf->guest_path, '/');
  CLEANUP_FREE char *dir = NULL;
  CLEANUP_FREE_STRING_LIST char **names = NULL;
  size_t i;

  dir = slash == hf->guest_path ? strdup ("/")
    : strndup (hf->guest_path, slash - hf->guest_path);
  if (!dir)
    return isc_error_oom (reason, NULL);
  names = guestfs_ls (gu->g, dir);
  if (!names)
    return isc_error (reason, dir, "cannot list the hive's folder: %s",
                      last_error (gu->g));
  for (i = 0; names[i]; ++i) {
    int k = isc_hivelog_log_number (slash + 1, names[i]);
    CLEANUP_FREE char *path = NULL;
    enum isc_ftype type;

    if (k == 0 || hf->logs[k - 1])
      continue;
    path = isc_path_join (dir, names[i]);
    if (!path)
      return isc_error_oom (reason, NULL);
    if (isc_guest_ftype (gu, reason, path, &type, NULL) == -1)
      return -1;
    if (type == ISC_FT_FILE)
      hf->logs[k - 1] = TAKE_PTR (path);
  }
  return 0;
}

/* Read guest file PATH (a log) into memory through a host copy. */
static int
read_guest_file (struct isc_guest *gu, struct isc_err *reason,
                 const char *path, unsigned char **ret, size_t *ret_len)
{
  CLEANUP_FREE char *host = isc_guest_tmpname (gu, "log");
  struct isc_err cause = ISC_ERR_INIT;
  enum isc_ftype type;
  int64_t size = 0;
  int r;

  if (!host)
    return isc_error_oom (reason, NULL);
  if (isc_guest_ftype (gu, reason, path, &type, &size) == -1)
    return -1;
  if (size > ISC_HIVELOG_MAX_SIZE)
    return isc_error (reason, path, "transaction log larger than %lld bytes",
                      ISC_HIVELOG_MAX_SIZE);
  if (isc_copy_out (&cause, gu->g, path, size, host) == -1) {
    isc_error (reason, path, "cannot copy the transaction log: %s",
               isc_err_msg (&cause));
    isc_err_clear (&cause);
    unlink (host);
    return -1;
  }
  r = isc_read_host_file (reason, host, ISC_HIVELOG_MAX_SIZE, ret, ret_len);
  unlink (host);
  return r;
}

/* Apply HF's logs to the hive DATA (LEN bytes, its host copy's content)
 * and write the recovered hive over the host copy. */
static int
replay (struct isc_guest *gu, struct isc_err *reason, struct isc_hivefile *hf,
        const unsigned char *data, size_t len, struct isc_hivelog_summary *s)
{
  struct isc_hivelog_file files[2];
  unsigned char *bufs[2] = { NULL, NULL };
  CLEANUP_FREE unsigned char *out = NULL;
  CLEANUP_CLOSE int fd = -1;
  size_t n = 0, out_len = 0, k;
  int r = -1;

  for (k = 0; k < 2; ++k) {
    if (!hf->logs[k])
      continue;
    if (read_guest_file (gu, reason, hf->logs[k], &bufs[n],
                         &files[n].len) == -1)
      goto out;
    files[n].name = strrchr (hf->logs[k], '/') + 1;
    files[n].data = bufs[n];
    n++;
  }
  if (isc_hivelog_recover (reason, hf->guest_path, data, len, files, n,
                           &out, &out_len, s) == -1)
    goto out;
  /* Held to the cap of any hive: the logs are guest data too. */
  if (out_len > ISC_MAX_HIVE_SIZE) {
    isc_error (reason, hf->guest_path, "registry hive recovered from "
               "'%s'%s%s%s would be %zu bytes, larger than %lld", files[0].name,
               n > 1 ? " and '" : "", n > 1 ? files[1].name : "",
               n > 1 ? "'" : "", out_len, ISC_MAX_HIVE_SIZE);
    goto out;
  }
  fd = open (hf->host_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd == -1 || isc_write_all (fd, out, out_len) == -1) {
    isc_error_errno (reason, hf->host_path, "cannot write the recovered hive");
    goto out;
  }
  r = 0;
 out:
  free (bufs[0]);
  free (bufs[1]);
  return r;
}

/* The manifest object of HF: path, state, what was done with its logs. */
static json_t *
hive_entry (struct isc_guest *gu, struct isc_hivefile *hf,
            const struct isc_hivelog_summary *s)
{
  json_t *e, *files = json_array ();
  size_t k;

  for (k = 0; k < 2; ++k)
    if (hf->logs[k])
      json_array_append_new (files, isc_json_string (hf->logs[k]));
  e = json_pack ("{s:o, s:s, s:s, s:o}",
                 "path", isc_json_string (hf->guest_path),
                 "state", hf->dirty ? "dirty" : "clean",
                 "logs", json_array_size (files) ? "untouched" : "none",
                 "log_files", files);
  if (e && hf->dirty) {
    json_object_set_new (e, "dirty_hives",
                         json_string (isc_dirty_hives_name (gu->dirty_hives)));
    json_object_set_new (e, "log_entries_replayed",
                         json_integer (s ? s->entries : 0));
  }
  if (e && gu->hives)
    json_array_append_new (gu->hives, e);
  return e;
}

/* What gu->dirty_hives says for the dirty hive HF: -1 when the image
 * must fail. */
static int
dirty_policy (struct isc_guest *gu, struct isc_err *reason,
              struct isc_hivefile *hf, struct isc_hivelog_summary *s)
{
  CLEANUP_FREE unsigned char *data = NULL;
  CLEANUP_FREE char *why = NULL;
  size_t len = 0;

  switch (gu->dirty_hives) {
  case ISC_DIRTY_HIVES_REFUSE:
    return isc_error (reason, hf->guest_path, "registry hive is dirty: "
                      "Windows did not shut down cleanly and its transaction "
                      "logs (.LOG1/.LOG2) hold changes it lacks; not read "
                      "(--dirty-hives=refuse; replay applies the logs, "
                      "discard ignores them)");
  case ISC_DIRTY_HIVES_REPLAY:
    if (isc_read_host_file (reason, hf->host_path, ISC_MAX_HIVE_SIZE, &data,
                            &len) == 0 &&
        replay (gu, reason, hf, data, len, s) == 0)
      return 0;
    why = strdup (isc_err_msg (reason));
    return isc_error (reason, NULL, "%s; not read (--dirty-hives=discard "
                      "reads it without its logs)", why ? why : "");
  case ISC_DIRTY_HIVES_DISCARD:
    break;
  }
  return 0;
}

/* HF's host copy was just made: is it dirty, and what gu->dirty_hives
 * says to do then.  Runs before anything reads the hive, so that no
 * answer ("absent") comes from a hive whose logs say otherwise.  A
 * refused or unrecoverable hive fails the image as a whole.  Adds HF's
 * entry to gu->hives. */
static int
check_dirty (struct isc_guest *gu, struct isc_err *reason,
             struct isc_hivefile *hf)
{
  unsigned char base[4096];
  CLEANUP_CLOSE int fd = -1;
  struct isc_hivelog_summary s;
  ssize_t len;
  int r = 0;

  fd = open (hf->host_path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return isc_error_errno (reason, hf->host_path, "open");
  len = pread (fd, base, sizeof base, 0);
  if (len == -1)
    return isc_error_errno (reason, hf->host_path, "read");
  hf->dirty = isc_hivelog_is_dirty (reason, hf->guest_path, base, len);
  if (hf->dirty == -1 || find_logs (gu, reason, hf) == -1)
    return -1;
  memset (&s, 0, sizeof s);
  if (hf->dirty)
    r = dirty_policy (gu, reason, hf, &s);
  hf->entry = hive_entry (gu, hf, r == 0 && hf->dirty ? &s : NULL);
  if (r == -1) {
    isc_error (gu->err, NULL, "%s", isc_err_msg (reason));
    isc_guest_fatal (gu);
  }
  return r;
}

/* Close HF, remove its host copy and free it. */
static void
hivefile_free (struct isc_hivefile *hf)
{
  if (hf->h)
    hivex_close (hf->h);
  if (hf->host_path)
    unlink (hf->host_path);
  free (hf->host_path);
  free (hf->guest_path);
  free (hf->logs[0]);
  free (hf->logs[1]);
  free (hf);
}

/* The hive at PATH (resolved guest path), downloaded and opened once. */
static int
hive_open (struct isc_guest *gu, struct isc_err *reason, const char *path,
           struct isc_hivefile **ret)
{
  struct isc_guest_private *priv = gu->priv;
  struct isc_err cause = ISC_ERR_INIT;
  struct isc_hivefile *hf, **hives;
  enum isc_ftype type;
  int64_t size = 0;
  double began;
  size_t i;

  for (i = 0; i < priv->n_hives; ++i)
    if (strcmp (priv->hives[i]->guest_path, path) == 0) {
      *ret = priv->hives[i];
      return 0;
    }
  if (isc_guest_ftype (gu, reason, path, &type, &size) == -1)
    return -1;
  if (type != ISC_FT_FILE)
    return isc_error (reason, path, "registry hive is not a regular file");
  if (size > ISC_MAX_HIVE_SIZE)
    return isc_error (reason, path, "registry hive larger than %lld bytes",
                      ISC_MAX_HIVE_SIZE);
  hives = realloc (priv->hives, (priv->n_hives + 1) * sizeof *hives);
  if (!hives)
    return isc_error_oom (reason, NULL);
  priv->hives = hives;
  hf = calloc (1, sizeof *hf);
  if (!hf)
    return isc_error_oom (reason, NULL);
  hf->guest_path = strdup (path);
  hf->host_path = isc_guest_tmpname (gu, "hive");
  if (!hf->guest_path || !hf->host_path) {
    isc_error_oom (reason, NULL);
    goto fail;
  }
  began = isc_now ();
  if (isc_copy_out (&cause, gu->g, path, size, hf->host_path) == -1) {
    isc_error (reason, path, "cannot copy the hive: %s", isc_err_msg (&cause));
    goto fail;
  }
  if (check_dirty (gu, reason, hf) == -1)
    goto fail;
  /* Strict: no HIVEX_OPEN_UNSAFE.  WRITE only allows edits in memory;
   * nothing reaches the file before isc_reg_commit. */
  hf->h = hivex_open (hf->host_path, HIVEX_OPEN_WRITE);
  if (!hf->h) {
    isc_error_errno (reason, path, "cannot open registry hive");
    goto fail;
  }
  priv->nested_seconds += isc_step_add (gu->steps, "hive-open", began) - began;
  priv->hives[priv->n_hives++] = hf;
  *ret = hf;
  return 0;

 fail:
  isc_err_clear (&cause);
  hivefile_free (hf);
  return -1;
}

/* %SystemRoot%\System32\config\NAME, or *RET NULL when absent. */
static int
system_hive (struct isc_guest *gu, struct isc_err *reason, const char *name,
             struct isc_hivefile **ret)
{
  CLEANUP_FREE char *path = NULL, *resolved = NULL;
  struct isc_guest_private *priv = gu->priv;
  enum isc_ftype type;
  size_t i;

  *ret = NULL;
  if (!gu->systemroot)
    return isc_error (reason, NULL, "the guest has no Windows system root");
  if (asprintf (&path, "%s/System32/config/%s", gu->systemroot, name) == -1)
    return isc_error_oom (reason, NULL);
  /* Open already: every registry action asks for its hive, and each
   * guestfs_case_sensitive_path costs some 17 ms under TCG.  The letter
   * case is Windows's own business; a path resolved through a link
   * does not match and is looked up again. */
  for (i = 0; i < priv->n_hives; ++i)
    if (strcasecmp (priv->hives[i]->guest_path, path) == 0) {
      *ret = priv->hives[i];
      return 0;
    }
  if (isc_guest_resolve (gu, reason, path, &resolved) == -1)
    return -1;
  if (!resolved)
    return 0;
  if (isc_guest_ftype (gu, reason, resolved, &type, NULL) == -1)
    return -1;
  if (type == ISC_FT_ABSENT)
    return 0;
  return hive_open (gu, reason, resolved, ret);
}

/* Follow NAMES (N of them) from NODE.  *RET is 0 when a key is missing;
 * *RET_FOUND / *RET_N_FOUND the deepest existing one. */
static int
lookup (struct isc_err *reason, hive_h *h, hive_node_h node,
        char *const *names, size_t n, const char *first,
        hive_node_h *ret, hive_node_h *ret_found, size_t *ret_n_found)
{
  size_t i;

  for (i = 0; i < n; ++i) {
    hive_node_h child;

    errno = 0;
    child = hivex_node_get_child (h, node, i == 0 && first ? first : names[i]);
    if (!child) {
      if (errno)
        return isc_error_errno (reason, NULL, "reading the registry");
      break;
    }
    node = child;
  }
  if (ret_found)
    *ret_found = node;
  if (ret_n_found)
    *ret_n_found = i;
  *ret = i == n ? node : 0;
  return 0;
}

/* The string value NAME of NODE, or NULL (absent, not a string). */
static char *
reg_string (hive_h *h, hive_node_h node, const char *name)
{
  hive_value_h v;
  hive_type t;
  size_t len;

  errno = 0;
  v = hivex_node_get_value (h, node, name);
  if (!v || hivex_value_type (h, v, &t, &len) == -1)
    return NULL;
  if ((t != hive_t_REG_SZ && t != hive_t_REG_EXPAND_SZ) || len > 65536)
    return NULL;
  return hivex_value_string (h, v);
}

static char *const profile_list[] = {
  "Microsoft", "Windows NT", "CurrentVersion", "ProfileList", NULL
};

static int
add_user (struct isc_guest *gu, const char *sid, const char *ntuser)
{
  struct isc_guest_private *priv = gu->priv;
  struct isc_user *users, *u;
  size_t i;

  for (i = 0; i < priv->n_users; ++i)
    if (strcmp (priv->users[i].ntuser, ntuser) == 0)
      return 0;                 /* two SIDs, one profile folder */
  users = realloc (priv->users, (priv->n_users + 1) * sizeof *users);
  if (!users)
    return -1;
  priv->users = users;
  u = &users[priv->n_users];
  u->sid = strdup (sid);
  u->ntuser = strdup (ntuser);
  u->dir = strndup (ntuser, strrchr (ntuser, '/') - ntuser);
  if (!u->sid || !u->ntuser || !u->dir) {
    free (u->sid);
    free (u->ntuser);
    free (u->dir);
    return -1;
  }
  if (u->dir[0] == '\0') {
    free (u->dir);
    u->dir = strdup ("/");
  }
  priv->n_users++;
  return 0;
}

/* Add the user of ProfileList subkey NODE when its NTUSER.DAT exists. */
static int
load_user (struct isc_guest *gu, struct isc_err *reason, hive_h *h,
           hive_node_h node)
{
  CLEANUP_FREE char *sid = NULL, *image = NULL, *dir = NULL, *ntuser = NULL;
  CLEANUP_FREE char *resolved = NULL;
  struct isc_err ignored = ISC_ERR_INIT;
  enum isc_ftype type;
  int r;

  sid = hivex_node_name (h, node);
  image = reg_string (h, node, "ProfileImagePath");
  if (!sid || !image)
    return 0;
  /* A folder this guest cannot name (another drive, an unknown
   * variable) holds no profile imgscrub can edit. */
  r = isc_reg_expand (gu, &ignored, image, NULL, &dir);
  isc_err_clear (&ignored);
  if (r == -1)
    return 0;
  ntuser = isc_path_join (dir, "NTUSER.DAT");
  if (!ntuser)
    return isc_error_oom (reason, NULL);
  if (isc_guest_resolve (gu, reason, ntuser, &resolved) == -1)
    return -1;
  if (!resolved)
    return 0;
  if (isc_guest_ftype (gu, reason, resolved, &type, NULL) == -1)
    return -1;
  if (type != ISC_FT_FILE)
    return 0;
  if (add_user (gu, sid, resolved) == -1)
    return isc_error_oom (reason, NULL);
  return 0;
}

int
isc_reg_users (struct isc_guest *gu, struct isc_err *reason,
               const struct isc_user **ret, size_t *ret_n)
{
  struct isc_guest_private *priv = gu->priv;
  struct isc_hivefile *hf;
  CLEANUP_FREE hive_node_h *children = NULL;
  hive_node_h node;

  if (!priv->users_loaded) {
    if (system_hive (gu, reason, "SOFTWARE", &hf) == -1)
      return -1;
    if (!hf)
      return isc_error (reason, NULL, "the guest has no SOFTWARE hive");
    if (lookup (reason, hf->h, hivex_root (hf->h), profile_list, 4, NULL,
                &node, NULL, NULL) == -1)
      return -1;
    if (node) {
      size_t i;

      children = hivex_node_children (hf->h, node);
      if (!children)
        return isc_error_errno (reason, NULL, "reading ProfileList");
      for (i = 0; children[i]; ++i) {
        if (i >= ISC_MAX_USERS)
          return isc_error (reason, NULL, "more than %d users in ProfileList",
                            ISC_MAX_USERS);
        if (load_user (gu, reason, hf->h, children[i]) == -1)
          return -1;
      }
    }
    priv->users_loaded = 1;
    /* Folders resolved before the profiles were known may have gone
     * through a link in one (isc_guest_real_folder). */
    isc_guest_folders_forget (gu, NULL);
  }
  *ret = priv->users;
  *ret_n = priv->n_users;
  return 0;
}

/* Store VALUE (a Windows path from the guest, may start with a
 * variable) as variable V, or FALLBACK when absent; NULL when this guest
 * cannot name it. */
static int
set_var (struct isc_guest *gu, enum isc_winvar v, const char *value,
         const char *fallback)
{
  struct isc_err ignored = ISC_ERR_INIT;
  char *path = NULL;

  if (isc_reg_expand (gu, &ignored, value ? value : fallback, NULL,
                        &path) == -1)
    path = NULL;
  isc_err_clear (&ignored);
  gu->priv->vars[v] = path;
  return 0;
}

int
isc_reg_vars (struct isc_guest *gu, struct isc_err *reason, int need_registry)
{
  static char *const current_version[] = {
    "Microsoft", "Windows", "CurrentVersion", NULL
  };
  struct isc_guest_private *priv = gu->priv;
  struct isc_hivefile *hf;
  hive_node_h node;
  CLEANUP_FREE char *pf = NULL, *pd = NULL;

  if (!priv->vars[ISC_VAR_SYSTEMDRIVE]) {
    if (!gu->systemroot)
      return isc_error (reason, NULL, "the guest has no Windows system root");
    priv->vars[ISC_VAR_SYSTEMROOT] = strdup (gu->systemroot);
    priv->vars[ISC_VAR_WINDIR] = strdup (gu->systemroot);
    priv->vars[ISC_VAR_SYSTEMDRIVE] = strdup ("/");
    if (!priv->vars[ISC_VAR_SYSTEMROOT] || !priv->vars[ISC_VAR_WINDIR] ||
        !priv->vars[ISC_VAR_SYSTEMDRIVE])
      return isc_error_oom (reason, NULL);
  }
  if (!need_registry || priv->vars_loaded)
    return 0;
  if (system_hive (gu, reason, "SOFTWARE", &hf) == -1)
    return -1;
  if (hf) {
    if (lookup (reason, hf->h, hivex_root (hf->h), current_version, 3, NULL,
                &node, NULL, NULL) == -1)
      return -1;
    if (node)
      pf = reg_string (hf->h, node, "ProgramFilesDir");
    if (lookup (reason, hf->h, hivex_root (hf->h), profile_list, 4, NULL,
                &node, NULL, NULL) == -1)
      return -1;
    if (node)
      pd = reg_string (hf->h, node, "ProgramData");
  }
  /* Windows' own defaults when the registry does not say.  Marked loaded
   * first: a value naming %ProgramData% itself must not recurse. */
  priv->vars_loaded = 1;
  set_var (gu, ISC_VAR_PROGRAMFILES, pf, "C:\\Program Files");
  set_var (gu, ISC_VAR_PROGRAMDATA, pd, "C:\\ProgramData");
  return 0;
}

/* SYSTEM\Select\Current as "ControlSetNNN". */
static int
current_control_set (struct isc_guest *gu, struct isc_err *reason,
                     struct isc_hivefile *hf, const char **ret)
{
  static char *const select_key[] = { "Select", NULL };
  struct isc_guest_private *priv = gu->priv;
  hive_node_h node;
  hive_value_h v;
  hive_type t;
  size_t len;

  if (!priv->ccs) {
    int32_t current;

    if (lookup (reason, hf->h, hivex_root (hf->h), select_key, 1, NULL,
                &node, NULL, NULL) == -1)
      return -1;
    errno = 0;
    v = node ? hivex_node_get_value (hf->h, node, "Current") : 0;
    if (!v || hivex_value_type (hf->h, v, &t, &len) == -1 ||
        t != hive_t_REG_DWORD || len != 4)
      return isc_error (reason, NULL, "SYSTEM\\Select\\Current is missing: "
                        "cannot resolve CurrentControlSet");
    current = hivex_value_dword (hf->h, v);
    if (current < 1 || current > 999)
      return isc_error (reason, NULL, "SYSTEM\\Select\\Current is %d: "
                        "cannot resolve CurrentControlSet", (int) current);
    if (asprintf (&priv->ccs, "ControlSet%03d", (int) current) == -1) {
      priv->ccs = NULL;
      return isc_error_oom (reason, NULL);
    }
  }
  *ret = priv->ccs;
  return 0;
}

/* The REG_DWORD NAME of NODE, or -1. */
static int64_t
reg_dword (hive_h *h, hive_node_h node, const char *name)
{
  hive_value_h v;
  hive_type t;
  size_t len;

  errno = 0;
  v = node ? hivex_node_get_value (h, node, name) : 0;
  if (!v || hivex_value_type (h, v, &t, &len) == -1 ||
      t != hive_t_REG_DWORD || len != 4)
    return -1;
  return (uint32_t) hivex_value_dword (h, v);
}

int
isc_reg_windows_facts (struct isc_guest *gu, json_t *facts)
{
  static char *const cv[] = { "Microsoft", "Windows NT", "CurrentVersion",
                              NULL };
  struct isc_err reason = ISC_ERR_INIT;
  struct isc_hivefile *hf;
  const char *ccs;
  hive_node_h node = 0;
  int r = -1;

  if (isc_guest_private_init (gu) == -1)
    return isc_error_oom (gu->err, NULL);
  if (system_hive (gu, &reason, "SOFTWARE", &hf) == -1)
    goto out;
  if (hf) {
    CLEANUP_FREE char *product = NULL, *version = NULL;
    int64_t major, minor;

    if (lookup (&reason, hf->h, hivex_root (hf->h), cv, 3, NULL, &node,
                NULL, NULL) == -1)
      goto out;
    product = node ? reg_string (hf->h, node, "ProductName") : NULL;
    version = node ? reg_string (hf->h, node, "CurrentVersion") : NULL;
    major = reg_dword (hf->h, node, "CurrentMajorVersionNumber");
    minor = reg_dword (hf->h, node, "CurrentMinorVersionNumber");
    if (product)
      json_object_set_new (facts, "product_name", isc_json_string (product));
    if (major >= 0)
      json_object_set_new (facts, "version",
                           json_sprintf ("%d.%d", (int) major,
                                         minor >= 0 ? (int) minor : 0));
    else if (version)
      json_object_set_new (facts, "version", isc_json_string (version));
  }
  if (system_hive (gu, &reason, "SYSTEM", &hf) == -1)
    goto out;
  if (hf && current_control_set (gu, &reason, hf, &ccs) == 0) {
    char *const cn[] = { (char *) ccs, "Control", "ComputerName",
                         "ComputerName", NULL };
    CLEANUP_FREE char *name = NULL;

    json_object_set_new (facts, "windows_current_control_set",
                         json_string (ccs));
    if (lookup (&reason, hf->h, hivex_root (hf->h), cn, 4, NULL, &node,
                NULL, NULL) == -1)
      goto out;
    name = node ? reg_string (hf->h, node, "ComputerName") : NULL;
    if (name)
      json_object_set_new (facts, "hostname", isc_json_string (name));
  }
  r = 0;
 out:
  if (r == -1 && !gu->priv->fatal)
    r = 0;                      /* a fact left as the appliance read it */
  isc_err_clear (&reason);
  return r;
}

/* Look RP up in HF (display root ROOT) and call FN. */
static int
one_target (struct isc_guest *gu, const struct isc_action *a,
            const struct isc_regpath *rp, struct isc_hivefile *hf,
            const char *root, const char *declared,
            int (*fn) (struct isc_guest *gu, const struct isc_action *a,
                       struct isc_regtarget *t, void *opaque),
            void *opaque)
{
  struct isc_err reason = ISC_ERR_INIT;
  struct isc_regtarget t = { .hf = hf, .rp = rp };
  CLEANUP_FREE char *below = NULL;
  const char *first = NULL;
  int r = 0;

  if (rp->current_control_set &&
      current_control_set (gu, &reason, hf, &first) == -1)
    goto failed;
  t.key = isc_regpath_display (root, rp, first);
  below = isc_regpath_display ("", rp, first);
  if (!t.key || !below || asprintf (&t.id, "%s|%s", hf->guest_path, below) == -1) {
    t.id = NULL;
    isc_error_oom (&reason, NULL);
    goto failed;
  }
  if (lookup (&reason, hf->h, hivex_root (hf->h), rp->keys, rp->n_keys, first,
              &t.node, &t.found, &t.n_found) == -1)
    goto failed;
  r = fn (gu, a, &t, opaque);
  goto out;

 failed:
  isc_guest_report_failed (gu, a, t.key ? t.key : declared, &reason);
 out:
  isc_err_clear (&reason);
  free (t.key);
  free (t.id);
  return r;
}

int
isc_reg_foreach (struct isc_guest *gu, const struct isc_action *a,
                 const struct isc_regpath *rp,
                 int (*fn) (struct isc_guest *gu, const struct isc_action *a,
                            struct isc_regtarget *t, void *opaque),
                 void *opaque)
{
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE char *declared = isc_regpath_display (isc_hive_name (rp->hive),
                                                     rp, NULL);
  const struct isc_user *users;
  struct isc_hivefile *hf;
  size_t n_users, i;
  int r = 0;

  if (!declared)
    return isc_error_oom (gu->err, NULL);
  if (rp->hive != ISC_HIVE_USER) {
    if (system_hive (gu, &reason, isc_hive_file (rp->hive), &hf) == -1)
      isc_guest_report_failed (gu, a, declared, &reason);
    else if (!hf) {
      isc_error (&reason, NULL, "the guest has no %s hive",
                 isc_hive_file (rp->hive));
      isc_guest_report_failed (gu, a, declared, &reason);
    }
    else
      r = one_target (gu, a, rp, hf, isc_hive_name (rp->hive), declared,
                      fn, opaque);
    isc_err_clear (&reason);
    return r;
  }
  if (isc_reg_users (gu, &reason, &users, &n_users) == -1) {
    isc_guest_report_failed (gu, a, declared, &reason);
    isc_err_clear (&reason);
    return 0;
  }
  if (n_users == 0)
    isc_guest_report (gu, a, declared, ISC_RESULT_ABSENT, NULL);
  for (i = 0; i < n_users && r == 0; ++i) {
    CLEANUP_FREE char *root = NULL;

    if (asprintf (&root, "HKU\\%s", users[i].sid) == -1)
      return isc_error_oom (gu->err, NULL);
    if (hive_open (gu, &reason, users[i].ntuser, &hf) == -1) {
      CLEANUP_FREE char *key = isc_regpath_display (root, rp, NULL);

      isc_guest_report_failed (gu, a, key ? key : declared, &reason);
      isc_err_clear (&reason);
      continue;
    }
    r = one_target (gu, a, rp, hf, root, declared, fn, opaque);
  }
  return r;
}

int
isc_reg_edit (struct isc_guest *gu, struct isc_regtarget *t)
{
  if (!gu->dry_run)
    t->hf->changed = 1;
  return 0;
}

int
isc_reg_create (struct isc_guest *gu, struct isc_err *reason,
                struct isc_regtarget *t)
{
  hive_node_h node = t->found;
  size_t i;

  for (i = t->n_found; i < t->rp->n_keys; ++i) {
    node = hivex_node_add_child (t->hf->h, node, t->rp->keys[i]);
    if (!node)
      return isc_error_errno (reason, t->key, "cannot create key");
  }
  t->node = node;
  t->found = node;
  t->n_found = t->rp->n_keys;
  return 0;
}

/* HF was dirty and has just been rewritten, clean (equal sequence
 * numbers): empty its logs, so that nothing stale is ever replayed over
 * it and nothing the logs held (discarded identities too) stays behind.
 * A zero-length .LOG1/.LOG2 is what a fresh Windows installation ships
 * beside its hives; Windows writes a new log base block at its next
 * flush, and never reads the logs of a clean hive. */
static int
reset_logs (struct isc_guest *gu, struct isc_hivefile *hf)
{
  size_t k;

  if (!hf->dirty)
    return 0;
  for (k = 0; k < 2; ++k) {
    struct isc_err reason = ISC_ERR_INIT;

    /* isc_guest_truncate: a log hard-linked elsewhere gets a new empty
     * file, the other name keeps its bytes. */
    if (hf->logs[k] && isc_guest_truncate (gu, &reason, hf->logs[k]) == -1) {
      isc_error (gu->err, hf->logs[k], "cannot empty the transaction log "
                 "of the rewritten hive: %s", isc_err_msg (&reason));
      isc_err_clear (&reason);
      return -1;
    }
  }
  if (hf->entry && (hf->logs[0] || hf->logs[1]))
    json_object_set_new (hf->entry, "logs", json_string ("reset"));
  return 0;
}

static int
commit_one (struct isc_guest *gu, struct isc_hivefile *hf)
{
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE char *host = isc_guest_tmpname (gu, "commit");
  CLEANUP_FREE char *tmp = NULL;
  enum isc_ftype type;
  int r = -1;

  if (!host || asprintf (&tmp, "%s.imgscrub-new", hf->guest_path) == -1) {
    tmp = NULL;
    return isc_error_oom (gu->err, NULL);
  }
  if (hivex_commit (hf->h, host, 0) == -1) {
    isc_error_errno (gu->err, hf->guest_path, "cannot write registry hive");
    goto out;
  }
  if (isc_guest_ftype (gu, &reason, tmp, &type, NULL) == -1) {
    isc_error (gu->err, NULL, "%s", isc_err_msg (&reason));
    goto out;
  }
  if (type != ISC_FT_ABSENT) {
    isc_error (gu->err, tmp, "exists already: registry hive '%s' not written",
               hf->guest_path);
    goto out;
  }
  if (isc_copy_in (&reason, gu->g, host, tmp) == -1) {
    isc_error (gu->err, hf->guest_path, "cannot write registry hive: %s",
               isc_err_msg (&reason));
    guestfs_push_error_handler (gu->g, NULL, NULL);
    guestfs_rm_f (gu->g, tmp);
    guestfs_pop_error_handler (gu->g);
    goto out;
  }
  if (guestfs_rename (gu->g, tmp, hf->guest_path) == -1) {
    isc_error (gu->err, hf->guest_path, "cannot replace registry hive: %s",
               last_error (gu->g));
    guestfs_push_error_handler (gu->g, NULL, NULL);
    guestfs_rm_f (gu->g, tmp);
    guestfs_pop_error_handler (gu->g);
    goto out;
  }
  hf->changed = 0;
  r = reset_logs (gu, hf);
 out:
  unlink (host);
  isc_err_clear (&reason);
  return r;
}

int
isc_reg_commit (struct isc_guest *gu)
{
  struct isc_guest_private *priv = gu->priv;
  size_t i;

  if (!priv || gu->dry_run)
    return 0;
  for (i = 0; i < priv->n_hives; ++i)
    if (priv->hives[i]->changed && commit_one (gu, priv->hives[i]) == -1)
      return isc_guest_fatal (gu);
  return 0;
}

void
isc_reg_close_all (struct isc_guest *gu)
{
  struct isc_guest_private *priv = gu->priv;
  size_t i;

  if (!priv)
    return;
  for (i = 0; i < priv->n_hives; ++i)
    hivefile_free (priv->hives[i]);
  free (priv->hives);
  priv->hives = NULL;
  priv->n_hives = 0;
}

int
isc_reg_expand (struct isc_guest *gu, struct isc_err *reason,
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

char *
isc_reg_value_display (const char *key, const char *value)
{
  char *s;

  if (asprintf (&s, "%s\\%s", key, *value ? value : "(Default)") == -1)
    return NULL;
  return s;
}

int
isc_reg_delete_node (struct isc_guest *gu, struct isc_err *reason,
                     void *opaque)
{
  const struct isc_regnode *n = opaque;

  if (hivex_node_delete_child (n->h, n->node) == -1)
    return isc_error_errno (reason, NULL, "cannot delete the key");
  return 0;
}
