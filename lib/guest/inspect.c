/* imgscrub: quick inspection of one drive in the appliance: its root,
 * operating system and the facts the manifest records. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util/cleanups.h"
#include "util/escape.h"
#include "windows/hivelog.h"
#include "guest/inspect.h"
#include "guest/transfer.h"
#include "guest/reg.h"

/* Largest /etc/os-release read. */
#define MAX_OS_RELEASE 65536

/* Where Windows keeps its system root, as libguestfs looks for it. */
static const char *const systemroots[] = { "/windows", "/winnt", NULL };

/* What PATH is, without following it: S_IFREG, S_IFDIR, ...; 0 when
 * it cannot be stat'ed. */
static unsigned
lstat_type (guestfs_h *g, const char *path)
{
  struct guestfs_statns *st = guestfs_lstatns (g, path);
  unsigned type = st ? (unsigned) (st->st_mode & S_IFMT) : 0;

  guestfs_free_statns (st);
  return type;
}

/* PATH (absolute, normalised) exists inside the guest as a folder
 * (WANT_DIR) or regular file reached without any symlink.  Each
 * component is lstat'ed: a fraction of a millisecond each under TCG,
 * where guestfs_realpath and guestfs_is_dir cost some 11 ms. */
static int
plain_path (guestfs_h *g, const char *path, int want_dir)
{
  CLEANUP_FREE char *prefix = strdup (path);
  char *p;

  if (!prefix || path[0] != '/' || !path[1])
    return 0;
  for (p = prefix + 1;;) {
    char *slash = strchr (p, '/');
    unsigned type;

    if (slash)
      *slash = '\0';
    type = lstat_type (g, prefix);
    if (!slash)
      return type == (want_dir ? S_IFDIR : S_IFREG);
    if (type != S_IFDIR)
      return 0;
    *slash = '/';
    p = slash + 1;
  }
}

/* The entry of folder DIR named NAME (LEN bytes) in any ASCII letter
 * case (the exact name first), as guestfs_case_sensitive_path compares,
 * and its type as guestfs_readdir gives it ('d' folder, 'r' regular
 * file, 'l' symlink, 'f' FIFO, 'u' unknown, ...); NULL
 * when there is none.  One guestfs_readdir: under a millisecond under
 * TCG, where guestfs_case_sensitive_path costs some 17 ms. */
static char *
entry_any_case (guestfs_h *g, const char *dir, const char *name, size_t len,
                char *type)
{
  struct guestfs_dirent_list *l = guestfs_readdir (g, dir);
  char *found = NULL;
  size_t i;

  for (i = 0; l && i < l->len; ++i) {
    const char *n = l->val[i].name;

    if (strlen (n) == len && strncasecmp (n, name, len) == 0 &&
        (!found || strncmp (n, name, len) == 0)) {
      free (found);
      found = strdup (n);
      *type = l->val[i].ftyp;
    }
  }
  guestfs_free_dirent_list (l);
  return found;
}

/* The guest path for PATH (absolute, normalised) in any letter case,
 * reached without any symlink, a folder (WANT_DIR) or a regular file;
 * or NULL. */
static char *
case_path (guestfs_h *g, const char *path, int want_dir)
{
  CLEANUP_FREE char *cased = malloc (strlen (path) + 1);
  const char *p = path + 1;
  size_t used = 1;

  if (!cased || path[0] != '/' || !path[1])
    return NULL;
  strcpy (cased, "/");
  while (*p) {
    size_t len = strcspn (p, "/");
    int last = p[len] == '\0';
    char type = '?', want = last && !want_dir ? 'r' : 'd';
    CLEANUP_FREE char *name = entry_any_case (g, cased, p, len, &type);

    if (!name)
      return NULL;
    if (used > 1)
      cased[used++] = '/';
    memcpy (cased + used, name, len);
    used += len;
    cased[used] = '\0';
    /* readdir may not know the type (FUSE): then lstat says. */
    if (type == 'u' || type == '?') {
      unsigned t = lstat_type (g, cased);

      type = t == S_IFDIR ? 'd' : t == S_IFREG ? 'r' : '?';
    }
    if (type != want)
      return NULL;
    p += len + !last;
  }
  return TAKE_PTR (cased);
}

/* Read a string value through the appliance's hivex: NULL when absent. */
static char *
hive_string (guestfs_h *g, const char *const *keys, const char *value)
{
  int64_t node = guestfs_hivex_root (g), v;
  size_t i;

  for (i = 0; node > 0 && keys[i]; ++i)
    node = guestfs_hivex_node_get_child (g, node, keys[i]);
  if (node <= 0)
    return NULL;
  v = guestfs_hivex_node_get_value (g, node, value);
  if (v <= 0)
    return NULL;
  return guestfs_hivex_value_string (g, v);
}

static int64_t
hive_dword (guestfs_h *g, const char *const *keys, const char *value)
{
  int64_t node = guestfs_hivex_root (g), v;
  CLEANUP_FREE char *data = NULL;
  size_t i, len = 0;

  for (i = 0; node > 0 && keys[i]; ++i)
    node = guestfs_hivex_node_get_child (g, node, keys[i]);
  if (node <= 0)
    return -1;
  v = guestfs_hivex_node_get_value (g, node, value);
  if (v <= 0 || guestfs_hivex_value_type (g, v) != 4 /* REG_DWORD */)
    return -1;
  data = guestfs_hivex_value_value (g, v, &len);
  if (!data || len != 4)
    return -1;
  return (int64_t) ((unsigned char) data[0] | (unsigned char) data[1] << 8 |
                    (unsigned char) data[2] << 16 |
                    (uint32_t) (unsigned char) data[3] << 24);
}

/* Open the hive NAME with the appliance's hivex.  A dirty one (its
 * base block says so) is opened all the same, and "registry_unread" set
 * in FACTS: the caller reads it again after applying its logs
 * (isc_reg_windows_facts), since hivex ignores them. */
static int
open_hive (guestfs_h *g, const char *systemroot, const char *name,
           json_t *facts)
{
  CLEANUP_FREE char *want = NULL, *path = NULL, *base = NULL;
  struct isc_err ignored = ISC_ERR_INIT;
  size_t len = 0;

  if (asprintf (&want, "%s/system32/config/%s", systemroot, name) == -1)
    return -1;
  path = case_path (g, want, 0);
  if (!path)
    return -1;
  base = guestfs_pread (g, path, 4096, 0, &len);
  if (base && isc_hivelog_is_dirty (&ignored, path, (unsigned char *) base,
                                    len) == 1)
    json_object_set_new (facts, "registry_unread", json_true ());
  isc_err_clear (&ignored);
  return guestfs_hivex_open (g, path, GUESTFS_HIVEX_OPEN_WRITE, 0, -1);
}

static void
set_string (json_t *facts, const char *key, const char *value)
{
  if (value && *value)
    json_object_set_new (facts, key, isc_json_string (value));
}

/* The architecture a PE image (cmd.exe) is built for, from its COFF
 * header: one small read, where guestfs_file_architecture runs file(1)
 * in the appliance. */
static const char *
pe_architecture (guestfs_h *g, const char *path)
{
  CLEANUP_FREE char *hdr = NULL;
  size_t len = 0;
  uint32_t pe;
  uint16_t machine;

  hdr = guestfs_pread (g, path, 4096, 0, &len);
  if (!hdr || len < 0x40 || hdr[0] != 'M' || hdr[1] != 'Z')
    return NULL;
  pe = (uint8_t) hdr[0x3c] | (uint8_t) hdr[0x3d] << 8 |
    (uint8_t) hdr[0x3e] << 16 | (uint32_t) (uint8_t) hdr[0x3f] << 24;
  if (pe > len - 6 || memcmp (hdr + pe, "PE\0\0", 4) != 0)
    return NULL;
  machine = (uint8_t) hdr[pe + 4] | (uint8_t) hdr[pe + 5] << 8;
  switch (machine) {
  case 0x014c: return "i386";
  case 0x8664: return "x86_64";
  case 0xaa64: return "aarch64";
  case 0x01c4: return "arm";
  case 0x0200: return "ia64";
  }
  return NULL;
}

/* The architecture an ELF executable is built for, from its header, in
 * the names guestfs_file_architecture gives: one small read, where that
 * call runs file(1) in the appliance (about 0.2 s under TCG).  PATH may
 * be a symlink (/bin/sh -> dash): it is resolved inside the guest. */
static char *
elf_architecture (guestfs_h *g, const char *path)
{
  CLEANUP_FREE char *real = NULL, *hdr = NULL;
  const unsigned char *h;
  size_t len = 0;
  unsigned machine;
  int is64, little;

  /* Only a regular file is read: a FIFO would block the daemon. */
  real = lstat_type (g, path) == S_IFLNK ? guestfs_realpath (g, path)
    : strdup (path);
  if (!real || lstat_type (g, real) != S_IFREG)
    return NULL;
  hdr = guestfs_pread (g, real, 64, 0, &len);
  h = (const unsigned char *) hdr;
  if (!hdr || len < 20 || memcmp (h, "\177ELF", 4) != 0 ||
      (h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2))
    return NULL;
  is64 = h[4] == 2;
  little = h[5] == 1;
  machine = little ? (unsigned) h[18] | (unsigned) h[19] << 8
    : (unsigned) h[18] << 8 | (unsigned) h[19];
  switch (machine) {
  case 3: return strdup ("i386");
  case 62: return strdup ("x86_64");
  case 183: return strdup ("aarch64");
  case 40: return strdup ("arm");
  case 8: return strdup (is64 ? "mips64" : "mips");
  case 20: return strdup ("ppc");
  case 21: return strdup (little ? "ppc64le" : "ppc64");
  case 22: return strdup ("s390x");
  case 243: return strdup (is64 ? "riscv64" : "riscv32");
  case 2: case 43: return strdup (is64 ? "sparc64" : "sparc");
  case 50: return strdup ("ia64");
  }
  return NULL;
}

static void
windows_facts (guestfs_h *g, const char *systemroot, int host_registry,
               json_t *facts)
{
  static const char *const cv[] = {
    "Microsoft", "Windows NT", "CurrentVersion", NULL
  };
  CLEANUP_FREE char *cmd = NULL;
  const char *arch = NULL;

  json_object_set_new (facts, "os", json_string ("windows"));
  json_object_set_new (facts, "distro", json_string ("windows"));
  set_string (facts, "windows_systemroot", systemroot);
  if (asprintf (&cmd, "%s/system32/cmd.exe", systemroot) != -1) {
    CLEANUP_FREE char *real = case_path (g, cmd, 0);

    if (real)
      arch = pe_architecture (g, real);
  }
  set_string (facts, "arch", arch);
  if (host_registry) {
    json_object_set_new (facts, "registry_unread", json_true ());
    return;
  }

  if (open_hive (g, systemroot, "software", facts) == 0) {
    CLEANUP_FREE char *product = hive_string (g, cv, "ProductName");
    CLEANUP_FREE char *version = hive_string (g, cv, "CurrentVersion");
    int64_t major = hive_dword (g, cv, "CurrentMajorVersionNumber");
    int64_t minor = hive_dword (g, cv, "CurrentMinorVersionNumber");

    set_string (facts, "product_name", product);
    if (major >= 0)
      json_object_set_new (facts, "version",
                           json_sprintf ("%d.%d", (int) major,
                                         minor >= 0 ? (int) minor : 0));
    else
      set_string (facts, "version", version);
    guestfs_hivex_close (g);
  }
  if (open_hive (g, systemroot, "system", facts) == 0) {
    static const char *const select[] = { "Select", NULL };
    int64_t current = hive_dword (g, select, "Current");

    if (current > 0 && current < 1000) {
      char set[16];
      const char *cn[] = {
        set, "Control", "ComputerName", "ComputerName", NULL
      };
      CLEANUP_FREE char *name = NULL;

      snprintf (set, sizeof set, "ControlSet%03d", (int) current);
      json_object_set_new (facts, "windows_current_control_set",
                           json_string (set));
      name = hive_string (g, cn, "ComputerName");
      set_string (facts, "hostname", name);
    }
    guestfs_hivex_close (g);
  }
}

/* KEY=value or KEY="value" from os-release text. */
static char *
os_release_field (const char *text, const char *key)
{
  size_t klen = strlen (key);
  const char *line = text;

  while (line && *line) {
    const char *end = strchr (line, '\n');
    size_t len = end ? (size_t) (end - line) : strlen (line);

    if (len > klen && strncmp (line, key, klen) == 0 && line[klen] == '=') {
      const char *v = line + klen + 1;
      size_t vlen = len - klen - 1;

      if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
        v++;
        vlen -= 2;
      }
      return strndup (v, vlen);
    }
    line = end ? end + 1 : NULL;
  }
  return NULL;
}

static int
linux_facts (guestfs_h *g, json_t *facts)
{
  CLEANUP_FREE char *text = NULL, *id = NULL, *pretty = NULL;
  CLEANUP_FREE char *version = NULL, *arch = NULL, *hostname = NULL;
  struct isc_err ignored = ISC_ERR_INIT;
  size_t len = 0;

  if (!plain_path (g, "/etc/os-release", 0) ||
      isc_read_guest_file (&ignored, g, "/etc/os-release", MAX_OS_RELEASE,
                           &text, &len) == -1 || memchr (text, '\0', len)) {
    isc_err_clear (&ignored);
    return 0;
  }
  id = os_release_field (text, "ID");
  pretty = os_release_field (text, "PRETTY_NAME");
  version = os_release_field (text, "VERSION_ID");
  json_object_set_new (facts, "os", json_string ("linux"));
  set_string (facts, "distro", id);
  set_string (facts, "product_name", pretty);
  set_string (facts, "version", version);
  if (plain_path (g, "/etc/hostname", 0) &&
      isc_read_guest_file (&ignored, g, "/etc/hostname", 255, &hostname,
                           &len) == 0) {
    hostname[strcspn (hostname, "\n")] = '\0';
    set_string (facts, "hostname", hostname);
  }
  isc_err_clear (&ignored);
  arch = elf_architecture (g, "/bin/sh");
  set_string (facts, "arch", arch);
  return 1;
}

/* The filesystems one drive holds: its partitions and, when LVM sees
 * only this drive (lvm_set_filter), the logical volumes. */
struct candidates {
  guestfs_h *g;
  const char *drive_dev;
  unsigned flags;                   /* isc_fast_inspect's */
  char **devs;                      /* borrowed strings */
  char **uuids, **labels;           /* blkid's answers, asked once each */
  size_t n;
};

static int
is_candidate (const struct candidates *c, const char *dev)
{
  size_t i;

  for (i = 0; i < c->n; ++i)
    if (strcmp (c->devs[i], dev) == 0)
      return 1;
  return 0;
}

/* Candidate I's UUID (or label), "" when it has none: blkid is slow
 * under TCG, so each is asked once however many fstab lines look. */
static const char *
candidate_id (struct candidates *c, size_t i, int label)
{
  char **cache = label ? c->labels : c->uuids;

  if (!cache[i]) {
    cache[i] = label ? guestfs_vfs_label (c->g, c->devs[i])
      : guestfs_vfs_uuid (c->g, c->devs[i]);
    if (!cache[i])
      cache[i] = strdup ("");
  }
  return cache[i] ? cache[i] : "";
}

/* The candidate whose UUID (or label) is VALUE: looked up among this
 * drive's filesystems only, since clones share UUIDs and labels. */
static const char *
candidate_by (struct candidates *c, int label, const char *value)
{
  size_t i;

  for (i = 0; i < c->n; ++i) {
    const char *v = candidate_id (c, i, label);

    if (*v && (label ? strcmp (v, value) : strcasecmp (v, value)) == 0)
      return c->devs[i];
  }
  return NULL;
}

/* What an fstab device field names, on this drive; NULL when it names
 * nothing here or a form this does not map (the full inspection then
 * decides). */
static char *
resolve_fstab_device (struct candidates *c, const char *spec)
{
  const char *found = NULL;

  if (strncmp (spec, "UUID=", 5) == 0)
    found = candidate_by (c, 0, spec + 5);
  else if (strncmp (spec, "LABEL=", 6) == 0)
    found = candidate_by (c, 1, spec + 6);
  else if (strncmp (spec, "/dev/disk/by-uuid/", 18) == 0)
    found = candidate_by (c, 0, spec + 18);
  else if (strncmp (spec, "/dev/disk/by-label/", 19) == 0)
    found = candidate_by (c, 1, spec + 19);
  else if (strncmp (spec, "/dev/", 5) == 0) {
    const char *name = spec + 5;
    size_t letters = strspn (name, "abcdefghijklmnopqrstuvwxyz");

    /* sdXN, vdXN, hdXN, xvdXN: the partition number, on this drive. */
    if (strncmp (name, "xvd", 3) == 0 || strncmp (name, "sd", 2) == 0 ||
        strncmp (name, "vd", 2) == 0 || strncmp (name, "hd", 2) == 0) {
      const char *num = name + letters;

      if (*num && strspn (num, "0123456789") == strlen (num)) {
        char *dev = NULL;

        if (asprintf (&dev, "%s%s", c->drive_dev, num) == -1)
          return NULL;
        if (is_candidate (c, dev))
          return dev;
        free (dev);
        return NULL;
      }
    }
    else {
      /* /dev/VG/LV or /dev/mapper/VG-LV: an LV LVM shows for this drive. */
      CLEANUP_FREE char *lv = guestfs_lvm_canonical_lv_name (c->g, spec);

      if (lv && is_candidate (c, lv))
        return strdup (lv);
    }
  }
  return found ? strdup (found) : NULL;
}

/* A mountpoint from a guest's fstab that is safe to use as given: an
 * absolute path without empty, "." or ".." components. */
static int
plain_mountpoint (const char *mp)
{
  const char *p = mp;

  if (*p != '/')
    return 0;
  while (*p == '/') {
    const char *next = strchrnul (p + 1, '/');
    size_t len = next - (p + 1);

    if (len == 0 || (len == 1 && p[1] == '.') ||
        (len == 2 && p[1] == '.' && p[2] == '.'))
      return 0;
    p = next;
  }
  return 1;
}

/* Map the other filesystems /etc/fstab mounts onto this drive's own
 * (MOUNTS gets mountpoint -> device).  Returns 0 when some entry cannot
 * be mapped: the full inspection is needed. */
static int
fstab_mounts (struct candidates *c, json_t *mounts)
{
  CLEANUP_FREE char *text = NULL;
  struct isc_err ignored = ISC_ERR_INIT;
  const char *line;
  size_t len = 0;

  if (!plain_path (c->g, "/etc/fstab", 0))
    return 1;
  if (isc_read_guest_file (&ignored, c->g, "/etc/fstab", MAX_OS_RELEASE,
                           &text, &len) == -1 || memchr (text, '\0', len)) {
    isc_err_clear (&ignored);
    return 0;
  }
  for (line = text; line && *line;) {
    const char *end = strchr (line, '\n');
    char dev[256], mp[256], type[64], opts[256] = "";

    if (line[0] != '#' &&
        sscanf (line, "%255s %255s %63s %255s", dev, mp, type, opts) >= 3 &&
        mp[0] == '/' && strcmp (mp, "/") != 0 &&
        strcmp (type, "swap") && strcmp (type, "tmpfs") &&
        strcmp (type, "proc") && strcmp (type, "sysfs") &&
        strcmp (type, "devpts") && strcmp (type, "none") &&
        !strstr (opts, "noauto")) {
      CLEANUP_FREE char *found = resolve_fstab_device (c, dev);

      if (!found || !plain_mountpoint (mp))
        return 0;
      json_object_set_new (mounts, mp, json_string (found));
    }
    line = end ? end + 1 : NULL;
  }
  return 1;
}

/* Is DEV, mounted at "/", a guest's root?  Fills FACTS and MOUNTS.
 * Mounted read-write when WRITABLE (falling back to read-only), and
 * left mounted when found and KEEP; *RW says how it was mounted. */
static int
inspect_filesystem (struct candidates *c, const char *dev,
                    json_t *facts, json_t *mounts, int writable, int keep,
                    int *rw)
{
  guestfs_h *g = c->g;
  size_t i;
  int found = 0;

  *rw = writable && guestfs_mount (g, dev, "/") == 0;
  if (!*rw && guestfs_mount_ro (g, dev, "/") == -1)
    return 0;
  for (i = 0; systemroots[i] && !found; ++i) {
    CLEANUP_FREE char *root = case_path (g, systemroots[i], 1);
    CLEANUP_FREE char *config = NULL;

    if (root && asprintf (&config, "%s/system32/config", root) != -1) {
      CLEANUP_FREE char *real = case_path (g, config, 1);

      if (real) {
        windows_facts (g, root, (c->flags & ISC_INSPECT_HOST_REGISTRY) != 0,
                       facts);
        found = 1;
      }
    }
  }
  if (!found)
    found = linux_facts (g, facts) && fstab_mounts (c, mounts);
  if (!found || !keep)
    guestfs_umount_all (g);
  return found;
}

int
isc_partition_of (const char *part, const char *drive_dev)
{
  size_t len = strlen (drive_dev);

  return strncmp (part, drive_dev, len) == 0 && part[len] &&
    strspn (part + len, "0123456789") == strlen (part + len);
}

int
isc_fast_inspect (guestfs_h *g, const char *drive_dev,
                  char *const *partitions, char *const *types,
                  char *const *lvs, unsigned flags, json_t **ret_facts,
                  int *ret_mounted)
{
  int writable = (flags & ISC_INSPECT_WRITABLE) != 0;
  struct candidates c = { .g = g, .drive_dev = drive_dev, .flags = flags };
  const char **known = NULL;
  size_t n = 0, i;
  int found = 0;

  for (i = 0; partitions && partitions[i]; ++i)
    n++;
  for (i = 0; lvs && lvs[i]; ++i)
    n++;
  c.devs = calloc (n + 1, sizeof *c.devs);
  c.uuids = calloc (n + 1, sizeof *c.uuids);
  c.labels = calloc (n + 1, sizeof *c.labels);
  known = calloc (n + 1, sizeof *known);
  if (!c.devs || !c.uuids || !c.labels || !known) {
    free (c.devs);
    free (c.uuids);
    free (c.labels);
    free (known);
    return 0;
  }
  for (i = 0; partitions && partitions[i]; ++i)
    if (isc_partition_of (partitions[i], drive_dev)) {
      known[c.n] = types ? types[i] : NULL;
      c.devs[c.n++] = partitions[i];
    }
  for (i = 0; lvs && lvs[i]; ++i)
    c.devs[c.n++] = lvs[i];

  /* Probing mounts each candidate: read-only, so filesystems that are
   * not the root are not touched.  A drive with a single filesystem
   * holds the root if anything: mount it once, as the caller needs it. */
  if (c.n != 1)
    writable = 0;
  *ret_mounted = 0;
  guestfs_push_error_handler (g, NULL, NULL);
  for (i = 0; i < c.n && !found; ++i) {
    const char *type = known[i];
    json_t *facts, *mounts;
    int rw = 0;

    if (type && (!*type || strcmp (type, "LVM2_member") == 0 ||
                 strcmp (type, "swap") == 0))
      continue;
    facts = json_object ();
    mounts = json_object ();
    if (inspect_filesystem (&c, c.devs[i], facts, mounts, writable,
                            (flags & ISC_INSPECT_KEEP_MOUNTED) != 0, &rw)) {
      /* Kept only when mounted the way the caller will use it. */
      if (flags & ISC_INSPECT_KEEP_MOUNTED) {
        if (rw == ((flags & ISC_INSPECT_WRITABLE) != 0))
          *ret_mounted = 1;
        else
          guestfs_umount_all (g);
      }
      json_object_set_new (facts, "root", json_string (c.devs[i]));
      json_object_set_new (mounts, "/", json_string (c.devs[i]));
      json_object_set_new (facts, "mountpoints", mounts);
      *ret_facts = facts;
      found = 1;
    }
    else {
      json_decref (facts);
      json_decref (mounts);
    }
  }
  guestfs_pop_error_handler (g);
  /* The caches have gaps where nothing was asked: free each slot. */
  for (i = 0; i < c.n; ++i) {
    free (c.uuids[i]);
    free (c.labels[i]);
  }
  free (c.devs);
  free (c.uuids);
  free (c.labels);
  free (known);
  return found;
}
