/* imgscrub: a guest's machine identities, read for `imgscrub audit`.
 *
 * Declared identities are read through the same code the actions use
 * (isc_reg_foreach, isc_guest_foreach_path), each as a read of no
 * action kind; what they report failed becomes an "error" entry through
 * the guest's result callback. */
#include <config.h>

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <guestfs.h>
#include <hivex.h>
#include <openssl/evp.h>

#include "profiles/action.h"
#include "audit/audit.h"
#include "util/cleanups.h"
#include "util/escape.h"
#include "guest/private.h"
#include "guest/path.h"
#include "profiles/profile.h"
#include "guest/reg.h"
#include "util/sha256.h"
#include "util/path.h"
#include "util/status.h"
#include "util/error.h"
#include "util/oom.h"
#include "guest/targets.h"

/* Largest registry value read, and SSH public key file. */
#define MAX_REG_VALUE (16 * 1024 * 1024)
#define MAX_PUBKEY (16 * 1024)

struct seen {
  char *name;
  char *where;
};

struct audit {
  struct isc_guest *gu;
  json_t *identities;
  struct seen *seen;                /* entries added, for duplicates */
  size_t n_seen;
  int full;                         /* ISC_AUDIT_MAX_VALUES reached */
  /* The identity being read. */
  const char *name;
  const char *source;               /* "FILE:LINE" or "built-in" */
  int builtin;
};

static const char *
last_error (guestfs_h *g)
{
  const char *msg = guestfs_last_error (g);

  return msg ? msg : "unknown error";
}

/* ---- values ----------------------------------------------------------- */

static const char hexdigits[] = "0123456789abcdef";

static char *
hex_string (const unsigned char *buf, size_t len)
{
  char *s = malloc (2 * len + 1);
  size_t i;

  if (!s)
    return NULL;
  for (i = 0; i < len; ++i) {
    s[2 * i] = hexdigits[buf[i] >> 4];
    s[2 * i + 1] = hexdigits[buf[i] & 0xf];
  }
  s[2 * len] = '\0';
  return s;
}

static char *
sha256_value (const void *buf, size_t len)
{
  char hex[ISC_SHA256_HEX_LEN + 1];
  char *s;

  isc_sha256_buffer (buf, len, hex);
  if (asprintf (&s, "sha256:%s", hex) == -1)
    return NULL;
  return s;
}

/* Valid UTF-8 without control characters other than tab, CR and LF;
 * overlong forms, surrogates and C1 controls are refused. */
static int
printable_text (const unsigned char *s, size_t len)
{
  size_t i = 0;

  while (i < len) {
    uint32_t cp;
    size_t n, k;

    if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
        (s[i] >= 0x20 && s[i] < 0x7f)) {
      i++;
      continue;
    }
    if (s[i] >= 0xc2 && s[i] <= 0xdf)
      n = 2, cp = s[i] & 0x1f;
    else if (s[i] >= 0xe0 && s[i] <= 0xef)
      n = 3, cp = s[i] & 0x0f;
    else if (s[i] >= 0xf0 && s[i] <= 0xf4)
      n = 4, cp = s[i] & 0x07;
    else
      return 0;
    if (n > len - i)
      return 0;
    for (k = 1; k < n; ++k) {
      if ((s[i + k] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
        (cp >= 0x80 && cp < 0xa0))
      return 0;
    i += n;
  }
  return 1;
}

static int
is_space (unsigned char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
    c == '\f';
}

char *
isc_audit_content_value (const void *buf, size_t len)
{
  const unsigned char *s = buf;
  size_t start = 0, end = len;

  while (start < end && is_space (s[start]))
    start++;
  while (end > start && is_space (s[end - 1]))
    end--;
  if (end - start <= ISC_AUDIT_MAX_TEXT &&
      printable_text (s + start, end - start))
    return strndup ((const char *) s + start, end - start);
  return sha256_value (buf, len);
}

/* A registry string as an identity value: kept when short, else hashed. */
static char *
text_value (char *s)
{
  char *r;

  if (strlen (s) <= ISC_AUDIT_MAX_TEXT)
    return s;
  r = sha256_value (s, strlen (s));
  free (s);
  return r;
}

static char *
raw_value (const char *buf, size_t len)
{
  /* Hex doubles the length. */
  if (len <= ISC_AUDIT_MAX_TEXT / 2)
    return hex_string ((const unsigned char *) buf, len);
  return sha256_value (buf, len);
}

static char *
join_strings (char **list)
{
  size_t len = 0, i;
  char *s, *p;

  for (i = 0; list[i]; ++i)
    len += strlen (list[i]) + 1;
  s = p = malloc (len + 1);
  if (!s)
    return NULL;
  *p = '\0';
  for (i = 0; list[i]; ++i)
    p += sprintf (p, "%s%s", i ? "\n" : "", list[i]);
  *p = '\0';
  return s;
}

/* The identity value of registry value V. */
static int
reg_value (struct isc_err *reason, hive_h *h, hive_value_h v, char **ret)
{
  CLEANUP_FREE char *raw = NULL;
  hive_type t;
  size_t len;
  char *s = NULL;

  if (hivex_value_type (h, v, &t, &len) == -1)
    return isc_error_errno (reason, NULL, "reading the registry value");
  if (len > MAX_REG_VALUE)
    return isc_error (reason, NULL, "registry value larger than %d bytes",
                      MAX_REG_VALUE);
  switch (t) {
  case hive_t_REG_SZ:
  case hive_t_REG_EXPAND_SZ:
    /* Up to the first NUL: Windows often stores junk after it. */
    s = hivex_value_string (h, v);
    if (s)
      s = text_value (s);
    break;
  case hive_t_REG_MULTI_SZ: {
    char **list = hivex_value_multiple_strings (h, v);

    if (list) {
      s = join_strings (list);
      isc_free_string_list (list);
      if (s)
        s = text_value (s);
    }
    break;
  }
  case hive_t_REG_DWORD:
  case hive_t_REG_DWORD_BIG_ENDIAN:
    if (len == 4 &&
        asprintf (&s, "%" PRIu32, (uint32_t) hivex_value_dword (h, v)) == -1)
      s = NULL;
    break;
  case hive_t_REG_QWORD:
    if (len == 8 &&
        asprintf (&s, "%" PRIu64, (uint64_t) hivex_value_qword (h, v)) == -1)
      s = NULL;
    break;
  default:
    break;
  }
  if (s) {
    *ret = s;
    return 0;
  }
  /* Binary, or a string or number hivex cannot decode: the bytes. */
  raw = hivex_value_value (h, v, &t, &len);
  if (!raw)
    return isc_error_errno (reason, NULL, "reading the registry value");
  *ret = raw_value (raw, len);
  return *ret ? 0 : isc_error_oom (reason, NULL);
}

/* ---- SSH fingerprints --------------------------------------------------- */

static int
b64_digit (unsigned char c)
{
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* Strict base64 (padding optional) of S, N bytes, into OUT, which holds
 * at least 3 * N / 4 bytes.  Returns the decoded length or -1. */
static ssize_t
b64_decode (const char *s, size_t n, unsigned char *out)
{
  uint32_t acc = 0;
  size_t i, bits = 0, o = 0;

  while (n > 0 && s[n - 1] == '=')
    n--;
  for (i = 0; i < n; ++i) {
    int d = b64_digit (s[i]);

    if (d < 0)
      return -1;
    acc = (acc << 6) | d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return bits >= 6 ? -1 : (ssize_t) o;
}

int
isc_ssh_fingerprint (struct isc_err *err, const char *text, size_t len,
                     char **ret)
{
  const char *p = text, *end = text + len, *type, *b64;
  size_t type_len, b64_len, blob_len, name_len;
  CLEANUP_FREE unsigned char *blob = NULL;
  unsigned char md[32];
  unsigned md_len = 0;
  char enc[4 * ((sizeof md + 2) / 3) + 1];
  ssize_t n;
  int k;

  while (p < end && is_space (*p))
    p++;
  type = p;
  while (p < end && !is_space (*p))
    p++;
  type_len = p - type;
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  b64 = p;
  while (p < end && !is_space (*p))
    p++;
  b64_len = p - b64;
  if (type_len == 0 || b64_len == 0)
    return isc_error (err, NULL, "not an OpenSSH public key");
  blob = malloc (b64_len);
  if (!blob)
    return isc_error_oom (err, NULL);
  n = b64_decode (b64, b64_len, blob);
  if (n < 4)
    return isc_error (err, NULL, "not an OpenSSH public key (bad base64)");
  blob_len = n;
  /* The key blob starts with its own type name: the file's first word. */
  name_len = (size_t) blob[0] << 24 | blob[1] << 16 | blob[2] << 8 | blob[3];
  if (name_len != type_len || name_len > blob_len - 4 ||
      memcmp (blob + 4, type, type_len) != 0)
    return isc_error (err, NULL, "not an OpenSSH public key (type mismatch)");
  if (!EVP_Digest (blob, blob_len, md, &md_len, EVP_sha256 (), NULL) ||
      md_len != sizeof md)
    return isc_error (err, NULL, "SHA-256 failed");
  k = EVP_EncodeBlock ((unsigned char *) enc, md, sizeof md);
  while (k > 0 && enc[k - 1] == '=')
    k--;
  enc[k] = '\0';
  if (asprintf (ret, "SHA256:%s", enc) == -1)
    return isc_error_oom (err, NULL);
  return 0;
}

/* ---- entries ------------------------------------------------------------ */

static int
where_eq (const struct audit *au, const char *a, const char *b)
{
  /* Registry names and Windows paths ignore letter case. */
  return au->gu->os == ISC_OS_WINDOWS ? strcasecmp (a, b) == 0
    : strcmp (a, b) == 0;
}

/* Add an entry for the current identity: VALUE, or ERROR when it could
 * not be read.  The same identity at the same place is listed once (two
 * profiles may declare it); a built-in one not at all when a declared
 * identity names the same place. */
static void
add_entry (struct audit *au, const char *where, const char *value,
           const char *error)
{
  struct seen *seen;
  json_t *o;
  size_t i;

  for (i = 0; i < au->n_seen; ++i)
    if (where_eq (au, au->seen[i].where, where) &&
        (au->builtin || strcmp (au->seen[i].name, au->name) == 0))
      return;
  if (au->full)
    return;
  if (au->n_seen >= ISC_AUDIT_MAX_VALUES) {
    au->full = 1;
    o = json_pack ("{s:s, s:s, s:s, s:s}", "identity", "*",
                   "source", "built-in", "where", "*",
                   "error", "more identity values than the audit reads "
                   "from one guest: the rest are not listed");
    if (!o)
      isc_oom ();
    json_array_append_new (au->identities, o);
    return;
  }
  seen = realloc (au->seen, (au->n_seen + 1) * sizeof *seen);
  if (!seen)
    isc_oom ();
  au->seen = seen;
  seen[au->n_seen].name = strdup (au->name);
  seen[au->n_seen].where = strdup (where);
  if (!seen[au->n_seen].name || !seen[au->n_seen].where)
    isc_oom ();
  au->n_seen++;
  o = json_object ();
  if (!o)
    isc_oom ();
  json_object_set_new (o, "identity", isc_json_string (au->name));
  json_object_set_new (o, "source", isc_json_string (au->source));
  json_object_set_new (o, "where", isc_json_string (where));
  if (error)
    json_object_set_new (o, "error", isc_json_string (error));
  else
    json_object_set_new (o, "value", isc_json_string (value));
  json_array_append_new (au->identities, o);
}

/* The shared lookups (isc_reg_foreach, isc_guest_foreach_path) report
 * what they could not read as failed: each becomes an error entry of
 * the identity being read. */
static void
take_failure (void *opaque, const struct isc_action *a, const char *target,
              enum isc_result result, const char *reason)
{
  struct audit *au = opaque;

  (void) a;
  if (result == ISC_RESULT_FAILED)
    add_entry (au, target ? target : "?", NULL, reason ? reason : "failed");
}

/* Read at most ISC_AUDIT_MAX_FILE bytes of the regular file PATH (SIZE
 * bytes by lstat).  *RET is NULL when the file is larger. */
static int
read_small_file (struct isc_guest *gu, struct isc_err *reason,
                 const char *path, int64_t size, char **ret, size_t *ret_len)
{
  char *buf;
  size_t len = 0;

  *ret = NULL;
  *ret_len = 0;
  if (size > ISC_AUDIT_MAX_FILE)
    return 0;
  if (size == 0) {
    *ret = strdup ("");
    return *ret ? 0 : isc_error_oom (reason, NULL);
  }
  buf = guestfs_pread (gu->g, path, ISC_AUDIT_MAX_FILE + 1, 0, &len);
  if (!buf)
    return isc_error (reason, path, "cannot read: %s", last_error (gu->g));
  if (len > ISC_AUDIT_MAX_FILE) {
    free (buf);
    return 0;
  }
  *ret = buf;
  *ret_len = len;
  return 0;
}

/* The regular file PATH (resolved) and *RET_SIZE; *RET_RESOLVED stays
 * NULL when it is absent or not a regular file.  A symbolic link is
 * never followed, and is reported (-1): the identity may live behind
 * it, and the audit must not say nothing. */
static int
find_file (struct isc_guest *gu, struct isc_err *reason, const char *path,
           char **ret_resolved, int64_t *ret_size)
{
  CLEANUP_FREE char *resolved = NULL;
  enum isc_ftype type;

  *ret_resolved = NULL;
  if (isc_guest_resolve (gu, reason, path, &resolved) == -1)
    return -1;
  if (!resolved)
    return 0;
  if (isc_guest_ftype (gu, reason, resolved, &type, ret_size) == -1)
    return -1;
  if (type == ISC_FT_SYMLINK)
    return isc_error (reason, resolved,
                      "a symbolic link, not followed: not audited");
  if (type == ISC_FT_FILE)
    *ret_resolved = TAKE_PTR (resolved);
  return 0;
}

/* isc_guest_foreach_path callback: the content of one file identity. */
static int
file_identity (struct isc_guest *gu, const struct isc_action *a,
               const char *path, void *opaque)
{
  struct audit *au = opaque;
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE char *resolved = NULL, *buf = NULL, *value = NULL;
  int64_t size = 0;
  size_t len;

  if (find_file (gu, &reason, path, &resolved, &size) == -1)
    goto failed;
  if (!resolved)
    return 0;
  if (read_small_file (gu, &reason, resolved, size, &buf, &len) == -1)
    goto failed;
  if (buf)
    value = isc_audit_content_value (buf, len);
  else {
    /* Too large to fetch: hashed in the appliance.  The final component
     * was checked to be a regular file, not a link. */
    CLEANUP_FREE char *sum = guestfs_checksum (gu->g, "sha256", resolved);

    if (!sum) {
      isc_error (&reason, resolved, "cannot read: %s", last_error (gu->g));
      goto failed;
    }
    if (asprintf (&value, "sha256:%s", sum) == -1)
      value = NULL;
  }
  if (!value)
    isc_oom ();
  add_entry (au, resolved, value, NULL);
  return 0;

 failed:
  isc_guest_report_failed (gu, a, resolved ? resolved : path, &reason);
  isc_err_clear (&reason);
  return 0;
}

struct reg_ctx {
  struct audit *au;
  const char *value;
};

/* isc_reg_foreach callback: one registry value identity. */
static int
reg_identity (struct isc_guest *gu, const struct isc_action *a,
              struct isc_regtarget *t, void *opaque)
{
  struct reg_ctx *c = opaque;
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE char *where = NULL, *value = NULL;
  hive_value_h v;

  if (!t->node)
    return 0;
  where = isc_reg_value_display (t->key, c->value);
  if (!where)
    isc_oom ();
  errno = 0;
  v = hivex_node_get_value (t->hf->h, t->node, c->value);
  if (!v) {
    if (errno) {
      isc_error_errno (&reason, NULL, "reading the registry");
      goto failed;
    }
    return 0;
  }
  if (reg_value (&reason, t->hf->h, v, &value) == -1)
    goto failed;
  add_entry (c->au, where, value, NULL);
  return 0;

 failed:
  isc_guest_report_failed (gu, a, where, &reason);
  isc_err_clear (&reason);
  return 0;
}

/* Read identity ID (declared in a profile, or built-in). */
static int
audit_identity (struct audit *au, const char *profile,
                const struct isc_identity *id, int builtin)
{
  struct isc_guest *gu = au->gu;
  CLEANUP_FREE char *source = NULL;
  struct isc_action a = {
    .profile = profile,
    .title = id->title,
    .file = id->file,
    .line = id->line,
    .os = id->os,
  };
  int r;

  if (!(id->os & gu->os))
    return 0;
  if (builtin)
    source = strdup ("built-in");
  else if (asprintf (&source, "%s:%d", id->file, id->line) == -1)
    source = NULL;
  if (!source)
    return isc_error_oom (gu->err, NULL);
  au->name = id->title;
  au->source = source;
  au->builtin = builtin;
  if (id->kind == ISC_IDENTITY_REGISTRY) {
    struct isc_err reason = ISC_ERR_INIT;
    struct reg_ctx c = { .au = au, .value = id->value };
    struct isc_regpath rp;

    /* Checked when the profile was read. */
    if (isc_regpath_parse (&reason, id->key, &rp) == -1) {
      add_entry (au, id->key, NULL, isc_err_msg (&reason));
      isc_err_clear (&reason);
      return 0;
    }
    a.target = id->key;
    r = isc_reg_foreach (gu, &a, &rp, reg_identity, &c);
    isc_regpath_clear (&rp);
  }
  else {
    a.target = id->path;
    r = isc_guest_foreach_path (gu, &a, id->path, file_identity, au);
  }
  return r;
}

static int
audit_profile (struct audit *au, const struct isc_profile *p)
{
  size_t i;

  for (i = 0; i < p->n_includes; ++i)
    if (audit_profile (au, p->includes[i]) == -1)
      return -1;
  for (i = 0; i < p->n_identities; ++i)
    if (audit_identity (au, p->name, p->identities[i], 0) == -1)
      return -1;
  return 0;
}

/* ---- built-ins ---------------------------------------------------------- */

/* Stand-in identities; the strings are never written to. */
#define BUILTIN_REG(n, k, v) \
  { .title = (char *) (n), .os = ISC_OS_WINDOWS, \
    .kind = ISC_IDENTITY_REGISTRY, .key = (char *) (k), .value = (char *) (v), \
    .file = (char *) "built-in" }
#define BUILTIN_FILE(n, o, p) \
  { .title = (char *) (n), .os = (o), .kind = ISC_IDENTITY_FILE, \
    .path = (char *) (p), .file = (char *) "built-in" }

static const struct isc_identity builtins[] = {
  BUILTIN_REG ("computer-name",
               "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName",
               "ComputerName"),
  BUILTIN_FILE ("computer-name", ISC_OS_LINUX, "/etc/hostname"),
  BUILTIN_FILE ("machine-id", ISC_OS_LINUX, "/etc/machine-id"),
};

/* The value of the first "SMS Unique Identifier=" line of an INI file's
 * content, or NULL.  Windows may write it as UTF-16LE with a BOM; such
 * content is narrowed first (the identifier is ASCII). */
static char *
ini_sms_uid (const char *buf, size_t len)
{
  static const char key[] = "SMS Unique Identifier";
  CLEANUP_FREE char *narrow = NULL;
  const char *p, *end;

  if (len >= 2 && (unsigned char) buf[0] == 0xff &&
      (unsigned char) buf[1] == 0xfe) {
    size_t i, n = 0;

    narrow = malloc (len / 2 + 1);
    if (!narrow)
      return NULL;
    for (i = 2; i + 1 < len; i += 2)
      narrow[n++] = buf[i + 1] ? '?' : buf[i];
    buf = narrow;
    len = n;
  }
  for (p = buf, end = buf + len; p < end; ) {
    const char *eol = memchr (p, '\n', end - p), *v, *e;

    if (!eol)
      eol = end;
    while (p < eol && is_space (*p))
      p++;
    if ((size_t) (eol - p) > sizeof key - 1 &&
        strncasecmp (p, key, sizeof key - 1) == 0) {
      v = p + sizeof key - 1;
      while (v < eol && (*v == ' ' || *v == '\t'))
        v++;
      if (v < eol && *v == '=') {
        v++;
        e = eol;
        while (v < e && is_space (*v))
          v++;
        while (e > v && is_space (e[-1]))
          e--;
        if (e > v && (size_t) (e - v) <= ISC_AUDIT_MAX_TEXT &&
            printable_text ((const unsigned char *) v, e - v))
          return strndup (v, e - v);
        return NULL;
      }
    }
    p = eol + 1;
  }
  return NULL;
}

/* Configuration Manager keeps its client's identity only in SMSCFG.ini
 * (and WMI): the file as a whole is declared by sccm-client and
 * sms2-clone-prep; the identifier itself is compared here, so that
 * clones are found even when other lines of the file differ. */
static int
audit_sccm_client_id (struct audit *au)
{
  static const struct isc_identity id =
    BUILTIN_FILE ("sccm-client-id", ISC_OS_WINDOWS, "%WINDIR%\\SMSCFG.ini");
  struct isc_guest *gu = au->gu;
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE char *path = NULL, *resolved = NULL, *buf = NULL;
  CLEANUP_FREE char *where = NULL, *value = NULL;
  int64_t size = 0;
  size_t len;

  au->name = id.title;
  au->source = "built-in";
  au->builtin = 1;
  if (isc_reg_expand (gu, &reason, id.path, NULL, &path) == -1 ||
      find_file (gu, &reason, path, &resolved, &size) == -1)
    goto failed;
  if (!resolved)
    return 0;
  if (asprintf (&where, "%s: SMS Unique Identifier", resolved) == -1)
    isc_oom ();
  if (read_small_file (gu, &reason, resolved, size, &buf, &len) == -1)
    goto failed;
  value = buf ? ini_sms_uid (buf, len) : NULL;
  if (value)
    add_entry (au, where, value, NULL);
  return 0;

 failed:
  add_entry (au, where ? where : resolved ? resolved : id.path, NULL,
             isc_err_msg (&reason));
  isc_err_clear (&reason);
  return 0;
}

/* SSH host keys: the public halves, fingerprinted. */
static int
audit_ssh_host_keys (struct audit *au)
{
  struct isc_guest *gu = au->gu;
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE char *dir = NULL, *resolved = NULL;
  CLEANUP_FREE_STRING_LIST char **names = NULL;
  enum isc_ftype type;
  size_t i, n_keys = 0;

  au->name = "ssh-host-key";
  au->source = "built-in";
  au->builtin = 1;
  if (isc_reg_expand (gu, &reason, gu->os == ISC_OS_WINDOWS
                        ? "%ProgramData%\\ssh" : "/etc/ssh",
                        NULL, &dir) == -1 ||
      isc_guest_resolve (gu, &reason, dir, &resolved) == -1)
    goto failed;
  if (!resolved)
    return 0;
  if (isc_guest_ftype (gu, &reason, resolved, &type, NULL) == -1)
    goto failed;
  if (type != ISC_FT_DIR)
    return 0;
  names = guestfs_ls (gu->g, resolved);
  if (!names) {
    isc_error (&reason, resolved, "cannot list: %s", last_error (gu->g));
    goto failed;
  }
  for (i = 0; i < ISC_AUDIT_MAX_LISTING && names[i]; ++i) {
    CLEANUP_FREE char *path = NULL, *buf = NULL, *fp = NULL;
    int64_t size = 0;
    size_t len;

    if (fnmatch ("ssh_host_*_key.pub", names[i],
                 gu->os == ISC_OS_WINDOWS ? FNM_CASEFOLD : 0) != 0)
      continue;
    if (n_keys++ >= ISC_AUDIT_MAX_HOST_KEYS)
      break;
    path = isc_path_join (resolved, names[i]);
    if (!path)
      isc_oom ();
    if (isc_guest_ftype (gu, &reason, path, &type, &size) == -1 ||
        (type == ISC_FT_FILE && size <= MAX_PUBKEY &&
         read_small_file (gu, &reason, path, size, &buf, &len) == -1) ||
        (buf && isc_ssh_fingerprint (&reason, buf, len, &fp) == -1)) {
      add_entry (au, path, NULL, isc_err_msg (&reason));
      isc_err_clear (&reason);
      continue;
    }
    if (fp)
      add_entry (au, path, fp, NULL);
  }
  return 0;

 failed:
  add_entry (au, resolved ? resolved : dir ? dir : "/etc/ssh", NULL,
             isc_err_msg (&reason));
  isc_err_clear (&reason);
  return 0;
}

static int
compare_pairs (const void *a, const void *b)
{
  const char *const *pa = a, *const *pb = b;

  return strcmp (pa[1], pb[1]);
}

/* The UUID of each of the guest's mounted filesystems: clones share
 * them, and fstab or the boot loader may find a filesystem by it. */
static int
audit_filesystems (struct audit *au)
{
  struct isc_guest *gu = au->gu;
  CLEANUP_FREE_STRING_LIST char **mps = NULL;
  size_t n = 0, i;

  au->name = "filesystem-uuid";
  au->source = "built-in";
  au->builtin = 0;                  /* "where" is a mount point, no path */
  mps = guestfs_mountpoints (gu->g);
  if (!mps) {
    add_entry (au, "/", NULL, last_error (gu->g));
    return 0;
  }
  while (mps[2 * n])
    n++;
  qsort (mps, n, 2 * sizeof *mps, compare_pairs);
  for (i = 0; i < n && i < ISC_AUDIT_MAX_MOUNTS; ++i) {
    CLEANUP_FREE char *uuid = guestfs_vfs_uuid (gu->g, mps[2 * i]);

    if (!uuid)
      add_entry (au, mps[2 * i + 1], NULL, last_error (gu->g));
    else if (uuid[0])
      add_entry (au, mps[2 * i + 1], uuid, NULL);
  }
  return 0;
}

int
isc_audit_guest (struct isc_guest *gu, struct isc_profile *const *profiles,
                 size_t n_profiles, json_t *identities)
{
  struct audit au = { .gu = gu, .identities = identities };
  isc_guest_result_fn *saved_fn = gu->on_result;
  void *saved_opaque = gu->on_result_opaque;
  size_t i;
  int r = -1;

  if (isc_guest_private_init (gu) == -1)
    return isc_error_oom (gu->err, NULL);
  gu->on_result = take_failure;
  gu->on_result_opaque = &au;
  for (i = 0; i < n_profiles; ++i)
    if (audit_profile (&au, profiles[i]) == -1)
      goto out;
  for (i = 0; i < sizeof builtins / sizeof builtins[0]; ++i)
    if (audit_identity (&au, "built-in", &builtins[i], 1) == -1)
      goto out;
  if ((gu->os == ISC_OS_WINDOWS && audit_sccm_client_id (&au) == -1) ||
      audit_ssh_host_keys (&au) == -1 ||
      audit_filesystems (&au) == -1)
    goto out;
  r = gu->priv->fatal ? -1 : 0;     /* a dirty hive refused */
 out:
  if (r == -1 && !gu->err->msg)
    isc_error (gu->err, NULL, "cannot read the guest's identities");
  gu->on_result = saved_fn;
  gu->on_result_opaque = saved_opaque;
  for (i = 0; i < au.n_seen; ++i) {
    free (au.seen[i].name);
    free (au.seen[i].where);
  }
  free (au.seen);
  return r;
}
