/* imgscrub: audit --merge: identity tables of many shards joined into
 * one, with the identities more than one image shares. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outputs/audit-merge.h"
#include "util/cleanups.h"
#include "util/escape.h"
#include "outputs/shard.h"
#include "util/error.h"
#include "util/hostfile.h"

/* One open-addressing table serves three purposes: identity names
 * (DATA: the name's number), images (TAG: the shard, DATA: the image's
 * number) and (identity, value) pairs (TAG: the identity's number, the
 * images in ONE or MANY). */
struct entry {
  char *key;                        /* NULL: free slot */
  uint32_t hash;
  uint32_t tag;
  uint32_t n;                       /* images listed */
  uint32_t cap;                     /* of MANY; 0: the one image in DATA */
  union {
    uint32_t data;
    uint32_t *many;
  } u;
};

struct table {
  struct entry *slots;
  size_t size, used;                /* size: a power of two */
};

struct isc_audit_merge {
  struct table kinds, images, values;
  const char **kind_names;          /* by number, keys of KINDS */
  const char **image_paths;         /* by number, keys of IMAGES */
  size_t n_kinds, n_images, rows;
  unsigned count;                   /* N, once a file was read */
  json_int_t inputs;
  json_t *profiles;                 /* the first file's */
  char *first_path;
  char **seen;                      /* path of each shard read, 1..N */
  json_t *errors;
};

static uint32_t
hash_key (uint32_t tag, const char *key)
{
  uint32_t h = 2166136261u ^ tag;
  const unsigned char *p;

  for (p = (const unsigned char *) key; *p; ++p)
    h = (h ^ *p) * 16777619u;
  return h ^ (h >> 15);
}

static int
table_grow (struct table *t)
{
  size_t size = t->size ? 2 * t->size : 1024, i;
  struct entry *slots = calloc (size, sizeof *slots);

  if (!slots)
    return -1;
  for (i = 0; i < t->size; ++i) {
    size_t j;

    if (!t->slots[i].key)
      continue;
    for (j = t->slots[i].hash & (size - 1); slots[j].key; j = (j + 1) & (size - 1))
      ;
    slots[j] = t->slots[i];
  }
  free (t->slots);
  t->slots = slots;
  t->size = size;
  return 0;
}

/* The entry for (TAG, KEY) when MATCH_TAG, else for KEY whatever its
 * tag; added (key copied, *RET_NEW set) when missing.  NULL on out of
 * memory. */
static struct entry *
table_get (struct table *t, uint32_t tag, int match_tag, const char *key,
           int *ret_new)
{
  uint32_t h = hash_key (match_tag ? tag : 0, key);
  size_t j;

  *ret_new = 0;
  if ((t->used + 1) * 4 > t->size * 3 && table_grow (t) == -1)
    return NULL;
  for (j = h & (t->size - 1); t->slots[j].key; j = (j + 1) & (t->size - 1))
    if (t->slots[j].hash == h && (!match_tag || t->slots[j].tag == tag) &&
        strcmp (t->slots[j].key, key) == 0)
      return &t->slots[j];
  if (!(t->slots[j].key = strdup (key)))
    return NULL;
  t->slots[j].hash = h;
  t->slots[j].tag = tag;
  t->used++;
  *ret_new = 1;
  return &t->slots[j];
}

static void
table_clear (struct table *t)
{
  size_t i;

  for (i = 0; i < t->size; ++i) {
    free (t->slots[i].key);
    if (t->slots[i].cap)
      free (t->slots[i].u.many);
  }
  free (t->slots);
}

/* Add a name to NAMES (a growing array of N). */
static int
push_name (const char ***names, size_t n, const char *name)
{
  if ((n & (n - 1)) == 0) {     /* 0, 1, 2, 4, ...: grow */
    const char **p = realloc (*names, (n ? 2 * n : 1) * sizeof *p);

    if (!p)
      return -1;
    *names = p;
  }
  (*names)[n] = name;
  return 0;
}

struct isc_audit_merge *
isc_audit_merge_new (void)
{
  struct isc_audit_merge *m = calloc (1, sizeof *m);

  if (m && !(m->errors = json_array ())) {
    free (m);
    return NULL;
  }
  return m;
}

void
isc_audit_merge_free (struct isc_audit_merge *m)
{
  unsigned k;

  if (!m)
    return;
  table_clear (&m->kinds);
  table_clear (&m->images);
  table_clear (&m->values);
  free (m->kind_names);
  free (m->image_paths);
  json_decref (m->profiles);
  json_decref (m->errors);
  free (m->first_path);
  for (k = 0; m->seen && k <= m->count; ++k)
    free (m->seen[k]);
  free (m->seen);
  free (m);
}

/* The header's count of the images its shard lists ("shard": {"images"}),
 * -1 when absent (older tables, checked by their total only) or not a
 * count. */
static json_int_t
header_images (json_t *h)
{
  json_t *v = json_object_get (json_object_get (h, "shard"), "images");

  return json_is_integer (v) && json_integer_value (v) >= 0 ?
    json_integer_value (v) : -1;
}

/* The first line: which shard, and does it go with the others? */
static int
read_header (struct isc_err *err, struct isc_audit_merge *m, const char *path,
             json_t *h, unsigned *ret_k)
{
  json_t *shard = json_object_get (h, "shard");
  json_int_t k = json_integer_value (json_object_get (shard, "index"));
  json_int_t n = json_integer_value (json_object_get (shard, "count"));
  json_int_t inputs = json_integer_value (json_object_get (shard, "inputs"));
  json_t *profiles = json_object_get (h, "profiles");

  if (json_integer_value (json_object_get (h, "identities")) != 1 ||
      n < 1 || n > ISC_SHARD_MAX || k < 1 || k > n || !json_is_array (profiles))
    return isc_error (err, path, "not an identity table (audit "
                      "--identities-out): its first line says no shard K "
                      "of N and profiles");
  if (!m->count) {
    m->count = n;
    m->inputs = inputs;
    m->profiles = json_incref (profiles);
    if (!(m->first_path = strdup (path)) ||
        !(m->seen = calloc (n + 1, sizeof *m->seen)))
      return isc_error_oom (err, path);
  }
  else if ((unsigned) n != m->count)
    return isc_error (err, path, "the shards disagree on N: this is shard "
                      "%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
                      ", '%s' was of %u", k, n, m->first_path, m->count);
  else if (inputs != m->inputs)
    return isc_error (err, path, "the shards disagree on the inputs: this "
                      "split %" JSON_INTEGER_FORMAT " images, '%s' split %"
                      JSON_INTEGER_FORMAT, inputs, m->first_path, m->inputs);
  else if (!isc_shard_same_profiles (profiles, m->profiles))
    return isc_error (err, path, "the shards disagree on the profiles (by "
                      "SHA-256) with '%s'", m->first_path);
  if (m->seen[k])
    return isc_error (err, path, "shard %" JSON_INTEGER_FORMAT " of %u was "
                      "read already", k, m->count);
  if (!(m->seen[k] = strdup (path)))
    return isc_error_oom (err, path);
  *ret_k = k;
  return 0;
}

/* An image line, or the first row of an image: its number.  An image
 * another shard listed is refused. */
static int
image_number (struct isc_err *err, struct isc_audit_merge *m,
              const char *path, unsigned k, const char *input,
              uint32_t *ret)
{
  int added;
  struct entry *e = table_get (&m->images, k, 0, input, &added);

  if (!e)
    return isc_error_oom (err, path);
  if (added) {
    if (m->n_images >= UINT32_MAX ||
        push_name (&m->image_paths, m->n_images, e->key) == -1)
      return isc_error_oom (err, path);
    e->u.data = m->n_images++;
  }
  else if (e->tag != k)
    return isc_error (err, input, "listed by two shards: %u ('%s') and %u "
                      "('%s') of %u", e->tag, m->seen[e->tag], k, path,
                      m->count);
  *ret = e->u.data;
  return 0;
}

static int
kind_number (struct isc_audit_merge *m, const char *name, uint32_t *ret)
{
  int added;
  struct entry *e = table_get (&m->kinds, 0, 1, name, &added);

  if (!e)
    return -1;
  if (added) {
    if (push_name (&m->kind_names, m->n_kinds, e->key) == -1)
      return -1;
    e->u.data = m->n_kinds++;
  }
  *ret = e->u.data;
  return 0;
}

/* Record that IMAGE holds (KIND, VALUE). */
static int
add_value (struct isc_audit_merge *m, uint32_t kind, const char *value,
           uint32_t image)
{
  int added;
  struct entry *e = table_get (&m->values, kind, 1, value, &added);
  uint32_t last;

  if (!e)
    return -1;
  if (added) {
    e->n = 1;
    e->u.data = image;
    return 0;
  }
  last = e->cap ? e->u.many[e->n - 1] : e->u.data;
  if (last == image)
    return 0;                   /* an image's rows come together */
  if (e->n == e->cap || e->cap == 0) {
    uint32_t cap = e->cap ? 2 * e->cap : 4;
    uint32_t *p = malloc (cap * sizeof *p);

    if (!p)
      return -1;
    if (e->cap)
      memcpy (p, e->u.many, e->n * sizeof *p);
    else
      p[0] = e->u.data;
    if (e->cap)
      free (e->u.many);
    e->u.many = p;
    e->cap = cap;
  }
  e->u.many[e->n++] = image;
  return 0;
}

static int
add_line (struct isc_err *err, struct isc_audit_merge *m, const char *path,
          unsigned k, json_t *j)
{
  const char *input = json_string_value (json_object_get (j, "input"));
  const char *identity = json_string_value (json_object_get (j, "identity"));
  const char *value = json_string_value (json_object_get (j, "value"));
  json_t *error = json_object_get (j, "error");
  uint32_t image = 0, kind = 0;

  if (!input)
    return isc_error (err, path, "a line without \"input\"");
  if (image_number (err, m, path, k, input, &image) == -1)
    return -1;
  if (error) {
    json_t *e = json_pack ("{s:s, s:O}", "input", input, "error", error);

    if (!e)
      return isc_error_oom (err, path);
    if (identity) {
      json_object_set (e, "identity", json_object_get (j, "identity"));
      json_object_set (e, "where", json_object_get (j, "where"));
    }
    json_array_append_new (m->errors, e);
    return 0;
  }
  if (!identity)
    return 0;                   /* the image's own line */
  m->rows++;
  /* An emptied machine-id is what scrubbing leaves: no identity. */
  if (!value || !value[0])
    return 0;
  if (kind_number (m, identity, &kind) == -1 ||
      add_value (m, kind, value, image) == -1)
    return isc_error_oom (err, path);
  return 0;
}

int
isc_audit_merge_add_file (struct isc_err *err, struct isc_audit_merge *m,
                          const char *path)
{
  FILE *fp = NULL;
  CLEANUP_FREE char *line = NULL;
  size_t cap = 0, lineno = 0, images_before = m->n_images;
  json_int_t images = -1;
  ssize_t len;
  unsigned k = 0;
  int fd, r = -1;

  fd = isc_host_file_open (err, path, NULL);
  if (fd == -1)
    return -1;
  fp = fdopen (fd, "r");
  if (!fp) {
    close (fd);
    return isc_error_errno (err, path, "cannot open");
  }
  while ((len = getline (&line, &cap, fp)) != -1) {
    json_error_t jerr;
    json_t *j;

    lineno++;
    if (len > ISC_AUDIT_MERGE_MAX_LINE) {
      isc_error (err, path, "line %zu is longer than %d bytes", lineno,
                 ISC_AUDIT_MERGE_MAX_LINE);
      goto out;
    }
    j = json_loadb (line, len, 0, &jerr);
    if (!j || !json_is_object (j)) {
      json_decref (j);
      isc_error (err, path, "line %zu: not a JSON object%s%s", lineno,
                 j ? "" : ": ", j ? "" : jerr.text);
      goto out;
    }
    if (lineno == 1) {
      r = read_header (err, m, path, j, &k);
      images = header_images (j);
    }
    else
      r = add_line (err, m, path, k, j);
    json_decref (j);
    if (r == -1)
      goto out;
    r = -1;
  }
  if (ferror (fp)) {
    isc_error_errno (err, path, "read error");
    goto out;
  }
  if (lineno == 0) {
    isc_error (err, path, "empty: not an identity table");
    goto out;
  }
  /* A table cut at a line boundary still parses: its header says how
   * many images it lists (the images another shard lists are refused
   * above, so those added here are this table's). */
  if (images >= 0 && (size_t) images != m->n_images - images_before) {
    isc_error (err, path, "lists %zu images, its header says %"
               JSON_INTEGER_FORMAT ": the table is cut or was edited",
               m->n_images - images_before, images);
    goto out;
  }
  r = 0;
 out:
  fclose (fp);
  return r;
}

int
isc_audit_merge_check_complete (struct isc_err *err,
                                const struct isc_audit_merge *m)
{
  CLEANUP_FREE char *list = NULL;
  size_t missing = 0;
  unsigned k;

  if (!m->count)
    return isc_error (err, NULL, "no identity table read");
  for (k = 1; k <= m->count; ++k) {
    char *l;

    if (m->seen[k] || ++missing > 20)
      continue;
    if (asprintf (&l, "%s%s%u", list ? list : "", list ? ", " : "", k) == -1)
      return isc_error_oom (err, NULL);
    free (list);
    list = l;
  }
  if (missing)
    return isc_error (err, NULL, "%zu of %u shards missing: shard%s %s%s "
                      "(audit --shard K/%u --identities-out FILE)", missing,
                      m->count, missing > 1 ? "s" : "", list,
                      missing > 20 ? ", ..." : "", m->count);
  /* Every shard read: together they list every input split, or one of
   * them was cut (a header alone is a valid-looking empty shard). */
  if ((json_int_t) m->n_images != m->inputs)
    return isc_error (err, NULL, "the %u identity tables list %zu images, "
                      "their headers say %" JSON_INTEGER_FORMAT " were "
                      "split: a table is cut or was edited", m->count,
                      m->n_images, m->inputs);
  return 0;
}

static int
compare_ids (const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;

  return x < y ? -1 : x > y;
}

struct dup {
  const char *identity;
  const struct entry *e;
};

static int
compare_dups (const void *a, const void *b)
{
  const struct dup *x = a, *y = b;
  int c = strcmp (x->identity, y->identity);

  return c ? c : strcmp (x->e->key, y->e->key);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* One duplicate: E's images, each once, sorted by path; NULL when they
 * are one image after all (its rows were not together). */
static json_t *
dup_json (const struct isc_audit_merge *m, const struct dup *d, uint32_t *ids,
          const char **paths)
{
  const struct entry *e = d->e;
  json_t *images;
  uint32_t n = 0, i;

  memcpy (ids, e->u.many, e->n * sizeof *ids);
  qsort (ids, e->n, sizeof *ids, compare_ids);
  for (i = 0; i < e->n; ++i)
    if (i == 0 || ids[i] != ids[i - 1])
      paths[n++] = m->image_paths[ids[i]];
  if (n < 2)
    return NULL;
  qsort (paths, n, sizeof *paths, compare_strings);
  images = json_array ();
  for (i = 0; i < n; ++i)
    json_array_append_new (images, json_string (paths[i]));
  return json_pack ("{s:s, s:s, s:o}", "identity", d->identity,
                    "value", e->key, "images", images);
}

json_t *
isc_audit_merge_duplicates (const struct isc_audit_merge *m)
{
  json_t *dups = json_array ();
  struct dup *list = NULL;
  const char **paths = NULL;
  uint32_t *ids = NULL;
  size_t n = 0, i, max = 0;

  if (!dups)
    return NULL;
  for (i = 0; i < m->values.size; ++i)
    n += m->values.slots[i].key && m->values.slots[i].n > 1;
  list = calloc (n ? n : 1, sizeof *list);
  if (!list)
    goto fail;
  for (n = 0, i = 0; i < m->values.size; ++i) {
    const struct entry *e = &m->values.slots[i];

    if (!e->key || e->n < 2)
      continue;
    list[n].identity = m->kind_names[e->tag];
    list[n++].e = e;
    if (e->n > max)
      max = e->n;
  }
  qsort (list, n, sizeof *list, compare_dups);
  ids = calloc (max ? max : 1, sizeof *ids);
  paths = calloc (max ? max : 1, sizeof *paths);
  if (!ids || !paths)
    goto fail;
  for (i = 0; i < n; ++i) {
    json_t *d = dup_json (m, &list[i], ids, paths);

    if (d && json_array_append_new (dups, d) == -1)
      goto fail;
  }
  free (list);
  free (ids);
  free (paths);
  return dups;
 fail:
  free (list);
  free (ids);
  free (paths);
  json_decref (dups);
  return NULL;
}

json_t *
isc_audit_merge_errors (const struct isc_audit_merge *m)
{
  return m->errors;
}

void
isc_audit_merge_counts (const struct isc_audit_merge *m, size_t *ret_images,
                        size_t *ret_rows, size_t *ret_distinct)
{
  *ret_images = m->n_images;
  *ret_rows = m->rows;
  *ret_distinct = m->values.used;
}
