/* mkhive: build Windows registry hives for the test fixtures.
 *
 *   mkhive [--dirty] SPEC OUT    a hive holding what SPEC describes
 *   mkhive --pe OUT              a minimal x86-64 PE header (cmd.exe)
 *
 * The hive starts as a minimal regf file written from scratch here (base
 * block, one hbin with a root nk cell and an sk cell) and is then filled
 * through hivex's own API, parents before children.  SPEC is .reg-like:
 *
 *   [Key\Sub]                    create the key (and missing parents)
 *   "Name"=sz:text               also expand_sz:, multi_sz:a|b|c,
 *   "Name"=dword:0x2a            qword:0x..., hex:01,02,ff
 *   @=sz:text                    the key's default value
 *   # comment
 *
 * --dirty makes the base block's two sequence numbers differ, as when
 * Windows did not shut down cleanly.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hivex.h>

#define BLOCK 4096

static void
put16 (unsigned char *p, uint16_t v)
{
  p[0] = v;
  p[1] = v >> 8;
}

static void
put32 (unsigned char *p, uint32_t v)
{
  put16 (p, v);
  put16 (p + 2, v >> 16);
}

static uint32_t
get32 (const unsigned char *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t) p[3] << 24;
}

static void
set_checksum (unsigned char *base)
{
  uint32_t sum = 0;
  int i;

  for (i = 0; i < 508; i += 4)
    sum ^= get32 (base + i);
  put32 (base + 508, sum);
}

/* Offsets of the cells inside the first hbin (relative to its start). */
enum { ROOT_NK = 0x20, ROOT_NK_SIZE = 88, SK = ROOT_NK + ROOT_NK_SIZE,
       SK_SIZE = 48, FREE = SK + SK_SIZE };

static int
write_empty_hive (const char *path)
{
  static unsigned char buf[2 * BLOCK];
  unsigned char *base = buf, *hbin = buf + BLOCK, *nk, *sk;
  static const char name[] = "ROOT";
  FILE *fp;

  memset (buf, 0, sizeof buf);
  memcpy (base, "regf", 4);
  put32 (base + 4, 1);                  /* primary sequence number */
  put32 (base + 8, 1);                  /* secondary: equal = clean */
  put32 (base + 20, 1);                 /* major version */
  put32 (base + 24, 3);                 /* minor version */
  put32 (base + 28, 0);                 /* primary file */
  put32 (base + 32, 1);                 /* direct memory load format */
  put32 (base + 36, ROOT_NK);
  put32 (base + 40, BLOCK);             /* hive bins data size */
  put32 (base + 44, 1);                 /* clustering factor */
  set_checksum (base);

  memcpy (hbin, "hbin", 4);
  put32 (hbin + 4, 0);                  /* offset from the first hbin */
  put32 (hbin + 8, BLOCK);

  nk = hbin + ROOT_NK;
  put32 (nk, (uint32_t) -ROOT_NK_SIZE); /* negative: allocated */
  nk += 4;
  memcpy (nk, "nk", 2);
  put16 (nk + 2, 0x2c);                 /* HIVE_ENTRY|NO_DELETE|COMP_NAME */
  put32 (nk + 28, 0xffffffff);          /* no subkey list */
  put32 (nk + 32, 0xffffffff);          /* no volatile subkey list */
  put32 (nk + 40, 0xffffffff);          /* no value list */
  put32 (nk + 44, SK);
  put32 (nk + 48, 0xffffffff);          /* no class name */
  put16 (nk + 72, sizeof name - 1);
  memcpy (nk + 76, name, sizeof name - 1);

  sk = hbin + SK;
  put32 (sk, (uint32_t) -SK_SIZE);
  sk += 4;
  memcpy (sk, "sk", 2);
  put32 (sk + 4, SK);                   /* flink and blink: itself */
  put32 (sk + 8, SK);
  put32 (sk + 12, 1);                   /* reference count */
  put32 (sk + 16, 20);                  /* descriptor size */
  /* Self-relative security descriptor, revision 1, DACL present but
   * null (everyone has access), no owner, group or SACL. */
  sk[20] = 1;
  put16 (sk + 22, 0x8004);

  put32 (hbin + FREE, BLOCK - FREE);    /* positive: free */

  fp = fopen (path, "wb");
  if (!fp || fwrite (buf, sizeof buf, 1, fp) != 1 || fclose (fp) != 0) {
    fprintf (stderr, "mkhive: %s: %s\n", path, strerror (errno));
    return -1;
  }
  return 0;
}

static int
write_pe (const char *path)
{
  static unsigned char buf[1024];
  unsigned char *pe = buf + 0x80, *opt;
  FILE *fp;

  memcpy (buf, "MZ", 2);
  put32 (buf + 0x3c, 0x80);
  memcpy (pe, "PE\0\0", 4);
  put16 (pe + 4, 0x8664);               /* AMD64 */
  put16 (pe + 20, 0xf0);                /* size of the optional header */
  put16 (pe + 22, 0x22);                /* executable, large address aware */
  opt = pe + 24;
  put16 (opt, 0x20b);                   /* PE32+ */
  put32 (opt + 32, 0x1000);             /* section alignment */
  put32 (opt + 36, 0x200);              /* file alignment */
  put16 (opt + 40, 6);                  /* OS version 6.1 */
  put16 (opt + 42, 1);
  put16 (opt + 48, 6);                  /* subsystem version */
  put16 (opt + 50, 1);
  put16 (opt + 68, 3);                  /* console subsystem */
  put32 (opt + 108, 16);                /* data directories */

  fp = fopen (path, "wb");
  if (!fp || fwrite (buf, sizeof buf, 1, fp) != 1 || fclose (fp) != 0) {
    fprintf (stderr, "mkhive: %s: %s\n", path, strerror (errno));
    return -1;
  }
  return 0;
}

static int
make_dirty (const char *path)
{
  unsigned char base[512];
  int fd = open (path, O_RDWR);

  if (fd == -1 || pread (fd, base, sizeof base, 0) != (ssize_t) sizeof base) {
    fprintf (stderr, "mkhive: %s: %s\n", path, strerror (errno));
    return -1;
  }
  put32 (base + 8, get32 (base + 4) + 1);
  set_checksum (base);
  if (pwrite (fd, base, sizeof base, 0) != (ssize_t) sizeof base ||
      fsync (fd) == -1 || close (fd) == -1) {
    fprintf (stderr, "mkhive: %s: %s\n", path, strerror (errno));
    return -1;
  }
  return 0;
}

/* ---- filling the hive from the spec ------------------------------------ */

struct value {
  char *key;
  int type;
  size_t len;
  char *data;
};

struct state {
  hive_h *h;
  const char *spec;
  int lineno;
  hive_node_h node;                     /* current key, 0 before the first */
  hive_set_value values[256];
  size_t n_values;
};

static int
bad (struct state *st, const char *msg)
{
  fprintf (stderr, "mkhive: %s:%d: %s\n", st->spec, st->lineno, msg);
  return -1;
}

/* UTF-8 to UTF-16LE, appended to *DATA (with a terminating NUL). */
static int
append_utf16 (const char *s, char **data, size_t *len)
{
  iconv_t cd = iconv_open ("UTF-16LE", "UTF-8");
  size_t inleft = strlen (s), outleft = 2 * inleft + 2;
  char *in = (char *) s, *out, *p;

  if (cd == (iconv_t) -1)
    return -1;
  p = realloc (*data, *len + outleft + 2);
  if (!p) {
    iconv_close (cd);
    return -1;
  }
  *data = p;
  out = p + *len;
  if (iconv (cd, &in, &inleft, &out, &outleft) == (size_t) -1) {
    iconv_close (cd);
    return -1;
  }
  iconv_close (cd);
  out[0] = out[1] = 0;
  *len = out + 2 - p;
  return 0;
}

static int
flush_values (struct state *st)
{
  size_t i;
  int r = 0;

  if (st->node && hivex_node_set_values (st->h, st->node, st->n_values,
                                         st->values, 0) == -1)
    r = bad (st, "hivex_node_set_values failed");
  for (i = 0; i < st->n_values; ++i) {
    free (st->values[i].key);
    free (st->values[i].value);
  }
  st->n_values = 0;
  return r;
}

static int
open_key (struct state *st, char *path)
{
  hive_node_h node = hivex_root (st->h);
  char *part, *save = NULL;

  if (flush_values (st) == -1)
    return -1;
  for (part = strtok_r (path, "\\", &save); part;
       part = strtok_r (NULL, "\\", &save)) {
    hive_node_h child = hivex_node_get_child (st->h, node, part);

    if (!child)
      child = hivex_node_add_child (st->h, node, part);
    if (!child)
      return bad (st, "cannot add key");
    node = child;
  }
  st->node = node;
  return 0;
}

static int
parse_hex (struct state *st, const char *s, char **data, size_t *len)
{
  while (*s) {
    char *end;
    unsigned long b = strtoul (s, &end, 16);
    char *p;

    if (end == s || b > 255)
      return bad (st, "bad hex byte");
    p = realloc (*data, *len + 1);
    if (!p)
      return -1;
    *data = p;
    p[(*len)++] = b;
    s = *end == ',' ? end + 1 : end;
    if (*end && *end != ',')
      return bad (st, "bad hex list");
  }
  return 0;
}

static int
add_value (struct state *st, char *line)
{
  hive_set_value *v;
  char *name, *eq, *type, *text, *end;
  char *data = NULL;
  size_t len = 0;

  if (!st->node)
    return bad (st, "value before any [key]");
  if (st->n_values == sizeof st->values / sizeof st->values[0])
    return bad (st, "too many values in one key");
  if (line[0] == '@') {
    name = strdup ("");
    eq = line + 1;
  }
  else {
    end = strchr (line + 1, '"');
    if (line[0] != '"' || !end)
      return bad (st, "expected \"Name\"=type:data or @=type:data");
    *end = '\0';
    name = strdup (line + 1);
    eq = end + 1;
  }
  if (*eq != '=' || !(text = strchr (eq, ':'))) {
    free (name);
    return bad (st, "expected =type:data");
  }
  type = eq + 1;
  *text++ = '\0';
  v = &st->values[st->n_values];
  if (strcmp (type, "sz") == 0 || strcmp (type, "expand_sz") == 0) {
    v->t = type[0] == 's' ? hive_t_REG_SZ : hive_t_REG_EXPAND_SZ;
    if (append_utf16 (text, &data, &len) == -1)
      goto fail_msg;
  }
  else if (strcmp (type, "multi_sz") == 0) {
    char *item, *save = NULL;

    v->t = hive_t_REG_MULTI_SZ;
    for (item = strtok_r (text, "|", &save); item;
         item = strtok_r (NULL, "|", &save))
      if (append_utf16 (item, &data, &len) == -1)
        goto fail_msg;
    if (append_utf16 ("", &data, &len) == -1)
      goto fail_msg;
  }
  else if (strcmp (type, "dword") == 0 || strcmp (type, "qword") == 0) {
    uint64_t n;
    int i;

    errno = 0;
    n = strtoull (text, &end, 0);
    if (errno || end == text || *end)
      goto fail_msg;
    v->t = type[0] == 'd' ? hive_t_REG_DWORD : hive_t_REG_QWORD;
    len = type[0] == 'd' ? 4 : 8;
    data = malloc (len);
    for (i = 0; data && i < (int) len; ++i)
      data[i] = n >> (8 * i);
  }
  else if (strcmp (type, "hex") == 0) {
    v->t = hive_t_REG_BINARY;
    if (parse_hex (st, text, &data, &len) == -1) {
      free (name);
      free (data);
      return -1;
    }
  }
  else {
    free (name);
    return bad (st, "unknown type (sz, expand_sz, multi_sz, dword, qword, hex)");
  }
  v->key = name;
  v->len = len;
  v->value = data;
  st->n_values++;
  return 0;
 fail_msg:
  free (name);
  free (data);
  return bad (st, "bad value data");
}

static int
fill (hive_h *h, const char *spec)
{
  struct state st = { .h = h, .spec = spec };
  FILE *fp = fopen (spec, "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int r = 0;

  if (!fp) {
    fprintf (stderr, "mkhive: %s: %s\n", spec, strerror (errno));
    return -1;
  }
  while (r == 0 && (n = getline (&line, &cap, fp)) != -1) {
    char *s = line;

    st.lineno++;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
      line[--n] = '\0';
    while (*s == ' ' || *s == '\t')
      s++;
    if (*s == '\0' || *s == '#')
      continue;
    if (*s == '[') {
      char *close = strrchr (s, ']');

      if (!close || close[1])
        r = bad (&st, "expected [Key\\Path]");
      else {
        *close = '\0';
        r = open_key (&st, s + 1);
      }
    }
    else
      r = add_value (&st, s);
  }
  if (r == 0)
    r = flush_values (&st);
  else
    flush_values (&st);
  free (line);
  fclose (fp);
  return r;
}

int
main (int argc, char **argv)
{
  int dirty = 0;
  hive_h *h;

  if (argc == 3 && strcmp (argv[1], "--pe") == 0)
    return write_pe (argv[2]) == 0 ? 0 : 1;
  if (argc > 1 && strcmp (argv[1], "--dirty") == 0) {
    dirty = 1;
    argv++;
    argc--;
  }
  if (argc != 3) {
    fprintf (stderr, "usage: mkhive [--dirty] SPEC OUT | mkhive --pe OUT\n");
    return 2;
  }
  if (write_empty_hive (argv[2]) == -1)
    return 1;
  h = hivex_open (argv[2], HIVEX_OPEN_WRITE);
  if (!h) {
    fprintf (stderr, "mkhive: hivex_open %s: %s\n", argv[2], strerror (errno));
    return 1;
  }
  if (fill (h, argv[1]) == -1 || hivex_commit (h, NULL, 0) == -1) {
    hivex_close (h);
    unlink (argv[2]);
    return 1;
  }
  if (hivex_close (h) == -1)
    return 1;
  if (dirty && make_dirty (argv[2]) == -1)
    return 1;
  return 0;
}
