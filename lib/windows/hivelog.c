/* imgscrub: registry transaction log recovery.  The format facts are
 * from Maxim Suhanov's "Windows registry file format specification"
 * (sections "Format of transaction log files", "Dirty state of a hive",
 * "Multiple transaction log files"). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "windows/hivelog.h"
#include "util/error.h"
#include "util/bytes.h"

#define BASE_BLOCK 4096                 /* in the hive */
#define LOG_BASE_BLOCK 512              /* in a log: the first sector */
#define HBIN_ALIGN 4096
#define SECTOR 512
#define ENTRY_HEADER 40                 /* HvLE header before page refs */

/* Base block fields. */
#define BB_SEQ1 4
#define BB_SEQ2 8
#define BB_TIMESTAMP 12
#define BB_FILE_TYPE 28
#define BB_FILE_FORMAT 32
#define BB_HBINS_SIZE 40
#define BB_FLAGS 144
#define BB_CHECKSUM 508

#define FILE_TYPE_PRIMARY 0
#define FILE_TYPE_LOG_OLD 1
#define FILE_TYPE_LOG_VERYOLD 2
#define FILE_TYPE_LOG_NEW 6

static void
put32 (unsigned char *p, uint32_t v)
{
  p[0] = v;
  p[1] = v >> 8;
  p[2] = v >> 16;
  p[3] = v >> 24;
}

/* A precedes B, sequence numbers wrapping at 2^32. */
static int
seq_before (uint32_t a, uint32_t b)
{
  return (int32_t) (a - b) < 0;
}

uint32_t
isc_hivelog_checksum (const unsigned char *block)
{
  uint32_t c = 0;
  size_t i;

  for (i = 0; i < BB_CHECKSUM; i += 4)
    c ^= isc_le32 (block + i);
  if (c == UINT32_MAX)
    c = UINT32_MAX - 1;
  if (c == 0)
    c = 1;
  return c;
}

static uint32_t
rotl32 (uint32_t x, unsigned n)
{
  return x << n | x >> (32 - n);
}

static void
marvin_mix (uint32_t *lo, uint32_t *hi, uint32_t v)
{
  *lo += v;
  *hi ^= *lo;
  *lo = rotl32 (*lo, 20) + *hi;
  *hi = rotl32 (*hi, 9) ^ *lo;
  *lo = rotl32 (*lo, 27) + *hi;
  *hi = rotl32 (*hi, 19);
}

uint64_t
isc_hivelog_marvin32 (const unsigned char *data, size_t len, uint64_t seed)
{
  uint32_t lo = (uint32_t) seed, hi = (uint32_t) (seed >> 32);
  uint32_t final = 0x80;
  size_t i;

  for (i = 0; len - i >= 4; i += 4)
    marvin_mix (&lo, &hi, isc_le32 (data + i));
  /* The 0-3 bytes left, then 0x80, as one little-endian word. */
  switch (len - i) {
  case 3: final = final << 8 | data[i + 2]; /* fall through */
  case 2: final = final << 8 | data[i + 1]; /* fall through */
  case 1: final = final << 8 | data[i];
  }
  marvin_mix (&lo, &hi, final);
  marvin_mix (&lo, &hi, 0);
  return (uint64_t) hi << 32 | lo;
}

/* A hive bins data size as a base block or a log entry holds it: the
 * whole hive, base block included, within ISC_HIVELOG_MAX_SIZE. */
static int
hbins_size_ok (uint32_t size)
{
  return size >= HBIN_ALIGN && size % HBIN_ALIGN == 0 &&
    size <= ISC_HIVELOG_MAX_SIZE - BASE_BLOCK;
}

static uint64_t
round_bin (uint64_t n)
{
  return (n + HBIN_ALIGN - 1) / HBIN_ALIGN * HBIN_ALIGN;
}

/* Windows grows a hive only by what it logs: the new bins are dirty and
 * written to the log with the entry (or dirty vector) that grows it.  So
 * a hive bins size NEW beyond the current CUR must be reached by the
 * dirty pages (REACH: the end of the last one), and the growth must not
 * exceed the bytes those pages write at or past CUR (PAST), each rounded
 * up to a bin.  Otherwise a few logged bytes could claim a hive of any
 * size up to the cap (the data between would be zeros). */
static int
growth_ok (uint32_t cur, uint32_t new, uint64_t reach, uint64_t past)
{
  return new <= cur || (new <= round_bin (reach) &&
                        new - cur <= round_bin (past));
}

/* The part of the page OFF..OFF+LEN at or past CUR. */
static uint64_t
bytes_past (uint32_t cur, uint64_t off, uint64_t len)
{
  if (off + len <= cur)
    return 0;
  return off >= cur ? len : off + len - cur;
}

/* NULL when the base block at B is a valid one of a primary file. */
static const char *
check_primary_base (const unsigned char *b)
{
  if (isc_hivelog_checksum (b) != isc_le32 (b + BB_CHECKSUM))
    return "wrong base block checksum";
  if (isc_le32 (b + BB_FILE_TYPE) != FILE_TYPE_PRIMARY)
    return "not a primary hive file";
  if (!hbins_size_ok (isc_le32 (b + BB_HBINS_SIZE)))
    return "invalid hive bins data size";
  return NULL;
}

int
isc_hivelog_is_dirty (struct isc_err *err, const char *name,
                      const unsigned char *hive, size_t hive_len)
{
  if (hive_len < BASE_BLOCK || memcmp (hive, "regf", 4) != 0)
    return isc_error (err, name, "not a registry hive");
  return check_primary_base (hive) ||
    isc_le32 (hive + BB_SEQ1) != isc_le32 (hive + BB_SEQ2);
}

/* One log as a candidate: its base block checked. */
struct cand {
  size_t index;                         /* in the caller's LOGS */
  const struct isc_hivelog_file *f;
  uint32_t seq;                         /* of its first entry */
  uint64_t timestamp;                   /* old format */
};

/* The log's type (FILE_TYPE_LOG_*) when its base block is valid, else
 * -1 and *WHY. */
static int
check_log_base (const struct isc_hivelog_file *f, const char **why)
{
  const unsigned char *b = f->data;
  uint32_t type;

  if (f->len == 0)
    *why = "empty";
  else if (f->len < LOG_BASE_BLOCK)
    *why = "too short for a base block";
  else if (f->len > ISC_HIVELOG_MAX_SIZE)
    *why = "larger than the largest log accepted";
  else if (memcmp (b, "regf", 4) != 0)
    *why = "not a registry transaction log";
  else if (isc_hivelog_checksum (b) != isc_le32 (b + BB_CHECKSUM))
    *why = "wrong base block checksum";
  else if (isc_le32 (b + BB_SEQ1) != isc_le32 (b + BB_SEQ2))
    *why = "its base block was not completely written";
  else if (!hbins_size_ok (isc_le32 (b + BB_HBINS_SIZE)))
    *why = "invalid hive bins data size";
  else {
    type = isc_le32 (b + BB_FILE_TYPE);
    if (type == FILE_TYPE_LOG_NEW || type == FILE_TYPE_LOG_OLD ||
        type == FILE_TYPE_LOG_VERYOLD)
      return type;
    *why = "not a transaction log (file type)";
  }
  return -1;
}

/* The hive being recovered. */
struct work {
  unsigned char *buf;                   /* base block + hive bins data */
  size_t cap;
  uint32_t hbins;                       /* current hive bins data size */
  uint32_t flags;                       /* base block flags */
  uint32_t seq;                         /* last entry applied */
  int have_seq;
  struct isc_hivelog_summary *s;
};

/* Make W hold at least LEN bytes (new bytes zero). */
static int
grow (struct work *w, size_t len)
{
  unsigned char *p;

  if (len <= w->cap)
    return 0;
  p = realloc (w->buf, len);
  if (!p)
    return -1;
  memset (p + w->cap, 0, len - w->cap);
  w->buf = p;
  w->cap = len;
  return 0;
}

/* NULL when the log entry at P (AVAIL bytes left in the log) is valid
 * and is entry EXPECT, applied to a hive of CUR bytes of hive bins data;
 * *RET_SIZE its size. */
static const char *
check_entry (const unsigned char *p, size_t avail, uint32_t expect,
             uint32_t cur, uint32_t *ret_size)
{
  uint32_t size, hbins, count, i;
  uint64_t total = 0, reach = 0, past = 0;

  if (avail < ENTRY_HEADER)
    return "truncated entry";
  if (memcmp (p, "HvLE", 4) != 0)
    return "no log entry signature";
  size = isc_le32 (p + 4);
  if (size < SECTOR || size % SECTOR != 0)
    return "invalid entry size";
  if (size > avail)
    return "entry runs past the end of the log";
  hbins = isc_le32 (p + 16);
  if (!hbins_size_ok (hbins))
    return "invalid hive bins data size";
  count = isc_le32 (p + 20);
  if (count == 0 || count > (size - ENTRY_HEADER) / 8)
    return "invalid dirty page count";
  if (isc_hivelog_marvin32 (p, 32, ISC_HIVELOG_MARVIN_SEED) != isc_le64 (p + 32) ||
      isc_hivelog_marvin32 (p + ENTRY_HEADER, size - ENTRY_HEADER,
                            ISC_HIVELOG_MARVIN_SEED) != isc_le64 (p + 24))
    return "wrong hash";
  if (isc_le32 (p + 12) != expect)
    return "out of sequence";
  for (i = 0; i < count; ++i) {
    uint32_t off = isc_le32 (p + ENTRY_HEADER + 8 * i);
    uint32_t len = isc_le32 (p + ENTRY_HEADER + 8 * i + 4);

    if (len == 0 || len % SECTOR != 0 || off % SECTOR != 0 ||
        (uint64_t) off + len > hbins)
      return "dirty page outside the hive bins data";
    total += len;
    if ((uint64_t) off + len > reach)
      reach = (uint64_t) off + len;
    past += bytes_past (cur, off, len);
  }
  if (total > size - ENTRY_HEADER - (uint64_t) count * 8)
    return "dirty pages run past the end of the entry";
  if (!growth_ok (cur, hbins, reach, past))
    return "the hive bins data grows past the dirty pages the entry writes";
  *ret_size = size;
  return NULL;
}

/* Apply the valid entry at P. */
static int
apply_entry (struct work *w, const unsigned char *p, unsigned *pages)
{
  uint32_t hbins = isc_le32 (p + 16), count = isc_le32 (p + 20), i;
  const unsigned char *data = p + ENTRY_HEADER + (size_t) count * 8;

  if (grow (w, (size_t) BASE_BLOCK + hbins) == -1)
    return -1;
  for (i = 0; i < count; ++i) {
    uint32_t off = isc_le32 (p + ENTRY_HEADER + 8 * i);
    uint32_t len = isc_le32 (p + ENTRY_HEADER + 8 * i + 4);

    memcpy (w->buf + BASE_BLOCK + off, data, len);
    data += len;
  }
  *pages += count;
  w->hbins = hbins;
  w->flags = (w->flags & ~UINT32_C (1)) | (isc_le32 (p + 8) & 1);
  w->seq = isc_le32 (p + 12);
  w->have_seq = 1;
  return 0;
}

/* Apply C's entries from its first, to the first invalid one.  Returns
 * the number applied, -1 when out of memory. */
static int
apply_new_log (struct work *w, const struct cand *c)
{
  const struct isc_hivelog_file *f = c->f;
  char *status = w->s->log[c->index].status;
  const size_t status_len = sizeof w->s->log[c->index].status;
  unsigned n = 0, pages = 0;
  uint32_t expect = c->seq;
  size_t pos = LOG_BASE_BLOCK;
  const char *why = NULL;

  while (pos < f->len) {
    uint32_t size;

    why = check_entry (f->data + pos, f->len - pos, expect, w->hbins, &size);
    if (why)
      break;
    if (apply_entry (w, f->data + pos, &pages) == -1)
      return -1;
    n++;
    pos += size;
    expect++;
  }
  if (why)
    snprintf (status, status_len, "%u entries applied (sequence %u on), "
              "stopped at offset %zu: %s", n, c->seq, pos, why);
  else
    snprintf (status, status_len, "%u entries applied (sequence %u on), "
              "to the end of the log", n, c->seq);
  w->s->log[c->index].entries = n;
  w->s->log[c->index].pages = pages;
  w->s->entries += n;
  w->s->pages += pages;
  return n;
}

/* New format: the logs in sequence order; each next log only when it
 * continues the last entry applied.  With an invalid base block only the
 * latest log is used (as Windows does).  Returns the number of entries
 * applied, -1 when out of memory; *RET_BASE the log whose base block
 * replaces an invalid one. */
static int
recover_new (struct work *w, struct cand *c, size_t n, int base_valid,
             uint32_t hive_seq2, const struct cand **ret_base)
{
  size_t i, j;
  int total = 0, tried = 0;

  /* Sort by first sequence number (at most ISC_HIVELOG_MAX_LOGS). */
  for (i = 1; i < n; ++i)
    for (j = i; j > 0 && seq_before (c[j].seq, c[j - 1].seq); --j) {
      struct cand t = c[j];

      c[j] = c[j - 1];
      c[j - 1] = t;
    }
  *ret_base = NULL;
  if (!base_valid) {
    for (i = 0; i + 1 < n; ++i)
      snprintf (w->s->log[c[i].index].status,
                sizeof w->s->log[c[i].index].status,
                "not used: the hive's base block is invalid and another "
                "log is more recent");
    *ret_base = &c[n - 1];
    return apply_new_log (w, &c[n - 1]);
  }
  for (i = 0; i < n; ++i) {
    char *status = w->s->log[c[i].index].status;
    const size_t status_len = sizeof w->s->log[c[i].index].status;
    int r;

    if (!tried && seq_before (c[i].seq, hive_seq2)) {
      snprintf (status, status_len, "not applicable: its entries start at "
                "sequence %u, before the hive (%u)", c[i].seq, hive_seq2);
      continue;
    }
    /* After the first applicable log, only one that continues it: a
     * later log never skips entries that could not be applied. */
    if (tried && !w->have_seq) {
      snprintf (status, status_len, "not applied: no entry of the earlier "
                "log could be applied");
      continue;
    }
    if (tried && c[i].seq != w->seq + 1) {
      snprintf (status, status_len, "not applied: its entries start at "
                "sequence %u, not %u", c[i].seq, w->seq + 1);
      continue;
    }
    tried = 1;
    r = apply_new_log (w, &c[i]);
    if (r == -1)
      return -1;
    total += r;
  }
  return total;
}

/* The dirty pages of an old-format log, in bitmap order. */
struct dirty_pages {
  const struct isc_hivelog_file *f;
  const unsigned char *bitmap;
  size_t n_bits;                    /* a bit per 512 bytes of hive bins */
  size_t pages_at;                  /* where the first page is in the log */
  size_t bit, k;                    /* the next bit to look at; pages seen */
};

/* The next page: 1 with *RET_OFF, its offset in the hive bins data, and
 * *RET_SRC, in the log; 0 at the end, or where the log ends before the
 * page (then P->bit < P->n_bits). */
static int
next_dirty_page (struct dirty_pages *p, uint64_t *ret_off, size_t *ret_src)
{
  for (; p->bit < p->n_bits; ++p->bit) {
    size_t src = p->pages_at + p->k * SECTOR;

    if (!(p->bitmap[p->bit / 8] >> (p->bit % 8) & 1))
      continue;
    if (src > p->f->len || p->f->len - src < SECTOR)
      return 0;
    *ret_off = (uint64_t) p->bit++ * SECTOR;
    *ret_src = src;
    p->k++;
    return 1;
  }
  return 0;
}

/* Old format: the dirty pages of the log C. */
static int
apply_old_log (struct work *w, const struct cand *c)
{
  const struct isc_hivelog_file *f = c->f;
  char *status = w->s->log[c->index].status;
  const size_t status_len = sizeof w->s->log[c->index].status;
  uint32_t hbins = isc_le32 (f->data + BB_HBINS_SIZE);
  size_t bitmap_len = hbins / HBIN_ALIGN;   /* bytes: a bit per 512 */
  struct dirty_pages p = { .f = f, .bitmap = f->data + LOG_BASE_BLOCK + 4 };
  uint64_t reach = 0, past = 0, off;
  size_t src, k;

  if (f->len < LOG_BASE_BLOCK + 4 + bitmap_len ||
      memcmp (f->data + LOG_BASE_BLOCK, "DIRT", 4) != 0) {
    snprintf (status, status_len, "no dirty vector");
    return 0;
  }
  p.n_bits = bitmap_len * 8;
  p.pages_at = (LOG_BASE_BLOCK + 4 + bitmap_len + SECTOR - 1) / SECTOR * SECTOR;
  /* The pages the log holds, before any is applied: the growth they
   * cover (growth_ok). */
  while (next_dirty_page (&p, &off, &src)) {
    reach = off + SECTOR;
    past += bytes_past (w->hbins, off, SECTOR);
  }
  if (!growth_ok (w->hbins, hbins, reach, past)) {
    snprintf (status, status_len, "not applied: the hive bins data grows "
              "past the dirty pages the log writes");
    return 0;
  }
  if (grow (w, (size_t) BASE_BLOCK + hbins) == -1)
    return -1;
  p.bit = p.k = 0;
  while (next_dirty_page (&p, &off, &src))
    memcpy (w->buf + BASE_BLOCK + off, f->data + src, SECTOR);
  k = p.k;
  if (p.bit < p.n_bits)
    snprintf (status, status_len, "%zu dirty pages applied, stopped: the "
              "log ends before the next page", k);
  else
    snprintf (status, status_len, "%zu dirty pages applied", k);
  w->hbins = hbins;
  w->flags = isc_le32 (f->data + BB_FLAGS);
  w->s->log[c->index].entries = 1;
  w->s->log[c->index].pages = k;
  w->s->entries++;
  w->s->pages += k;
  return 1;
}

/* Old format: the valid log with the latest timestamp not older than the
 * hive's. */
static int
recover_old (struct work *w, struct cand *c, size_t n, uint64_t hive_time,
             const struct cand **ret_base)
{
  const struct cand *best = NULL;
  size_t i;

  for (i = 0; i < n; ++i) {
    if (c[i].timestamp < hive_time)
      snprintf (w->s->log[c[i].index].status,
                sizeof w->s->log[c[i].index].status,
                "not applicable: older than the hive");
    else if (!best || c[i].timestamp > best->timestamp)
      best = &c[i];
  }
  *ret_base = best;
  if (!best)
    return 0;
  for (i = 0; i < n; ++i)
    if (&c[i] != best && c[i].timestamp >= hive_time)
      snprintf (w->s->log[c[i].index].status,
                sizeof w->s->log[c[i].index].status,
                "not used: another log is more recent");
  return apply_old_log (w, best);
}

/* "LOG1: status; LOG2: status" for the error message; caller frees. */
static char *
statuses (const struct isc_hivelog_file *logs, size_t n_logs,
          const struct isc_hivelog_summary *s)
{
  char *text = NULL;
  size_t len = 0, i;
  FILE *fp = open_memstream (&text, &len);

  if (!fp)
    return NULL;
  for (i = 0; i < n_logs; ++i)
    fprintf (fp, "%s%s: %s", i ? "; " : "",
             logs[i].name ? logs[i].name : "log", s->log[i].status);
  if (fclose (fp) != 0) {
    free (text);
    return NULL;
  }
  return text;
}

int
isc_hivelog_recover (struct isc_err *err, const char *name,
                     const unsigned char *hive, size_t hive_len,
                     const struct isc_hivelog_file *logs, size_t n_logs,
                     unsigned char **ret_hive, size_t *ret_len,
                     struct isc_hivelog_summary *summary)
{
  struct isc_hivelog_summary local;
  struct isc_hivelog_summary *s = summary ? summary : &local;
  struct cand new_logs[ISC_HIVELOG_MAX_LOGS], old_logs[ISC_HIVELOG_MAX_LOGS];
  size_t n_new = 0, n_old = 0, i;
  const struct cand *base_from = NULL;
  struct work w = { .s = s };
  uint64_t hive_time;
  unsigned char *bb;
  char *why_all;
  int r = 0;

  memset (s, 0, sizeof *s);
  *ret_hive = NULL;
  *ret_len = 0;
  if (n_logs > ISC_HIVELOG_MAX_LOGS)
    return isc_error (err, name, "more than %d transaction logs",
                      ISC_HIVELOG_MAX_LOGS);
  if (hive_len > ISC_HIVELOG_MAX_SIZE)
    return isc_error (err, name, "registry hive larger than %lld bytes",
                      ISC_HIVELOG_MAX_SIZE);
  r = isc_hivelog_is_dirty (err, name, hive, hive_len);
  if (r == -1)
    return -1;
  s->base_block_valid = check_primary_base (hive) == NULL;
  s->seq_primary = isc_le32 (hive + BB_SEQ1);
  s->seq_secondary = isc_le32 (hive + BB_SEQ2);
  s->seq = s->seq_primary;
  /* An invalid base block: the size the file can hold. */
  s->size_before = s->base_block_valid ? isc_le32 (hive + BB_HBINS_SIZE) :
    (hive_len - BASE_BLOCK) / HBIN_ALIGN * HBIN_ALIGN;
  s->size_after = s->size_before;
  if (!r)
    return 0;
  s->dirty = 1;

  for (i = 0; i < n_logs; ++i) {
    const char *why = NULL;
    int type = check_log_base (&logs[i], &why);
    struct cand c = { .index = i, .f = &logs[i] };

    if (type == -1) {
      snprintf (s->log[i].status, sizeof s->log[i].status, "not used: %s",
                why);
      continue;
    }
    c.seq = isc_le32 (logs[i].data + BB_SEQ1);
    c.timestamp = isc_le64 (logs[i].data + BB_TIMESTAMP);
    if (type == FILE_TYPE_LOG_NEW)
      new_logs[n_new++] = c;
    else
      old_logs[n_old++] = c;
    snprintf (s->log[i].status, sizeof s->log[i].status, "not used");
  }

  w.cap = hive_len;
  w.buf = malloc (hive_len);
  if (!w.buf)
    return isc_error_oom (err, name);
  memcpy (w.buf, hive, hive_len);
  w.hbins = s->size_before;
  w.flags = isc_le32 (hive + BB_FLAGS);
  /* Prefer the new format; the old one only when no new log is valid. */
  r = 0;
  if (n_new > 0) {
    s->format = ISC_HIVELOG_FORMAT_NEW;
    r = recover_new (&w, new_logs, n_new, s->base_block_valid,
                     s->seq_secondary, &base_from);
  }
  else if (n_old > 0) {
    s->format = ISC_HIVELOG_FORMAT_OLD;
    if (s->base_block_valid)
      hive_time = isc_le64 (hive + BB_TIMESTAMP);
    else if (hive_len >= BASE_BLOCK + 32 &&
             memcmp (hive + BASE_BLOCK, "hbin", 4) == 0)
      hive_time = isc_le64 (hive + BASE_BLOCK + 20);
    else
      hive_time = 0;
    r = recover_old (&w, old_logs, n_old, hive_time, &base_from);
  }
  if (r == -1) {
    free (w.buf);
    return isc_error_oom (err, name);
  }
  if (r == 0) {
    s->format = ISC_HIVELOG_FORMAT_NONE;
    free (w.buf);
    if (n_logs == 0)
      return isc_error (err, name, "registry hive is dirty and has no "
                        "transaction log (.LOG1/.LOG2) to recover it from");
    why_all = statuses (logs, n_logs, s);
    isc_error (err, name, "registry hive is dirty and no transaction log "
               "can recover it (%s)", why_all ? why_all : "out of memory");
    free (why_all);
    return -1;
  }

  /* The hive bins data of the last entry, the base block updated. */
  if (grow (&w, (size_t) BASE_BLOCK + w.hbins) == -1) {
    free (w.buf);
    return isc_error_oom (err, name);
  }
  bb = w.buf;
  if (!s->base_block_valid && base_from) {
    memset (bb, 0, BASE_BLOCK);
    memcpy (bb, base_from->f->data, LOG_BASE_BLOCK);
  }
  if (w.have_seq)
    s->seq = w.seq;
  else if (!s->base_block_valid && base_from)
    s->seq = isc_le32 (bb + BB_SEQ1);
  put32 (bb + BB_SEQ1, s->seq);
  put32 (bb + BB_SEQ2, s->seq);
  put32 (bb + BB_FILE_TYPE, FILE_TYPE_PRIMARY);
  put32 (bb + BB_FILE_FORMAT, 1);
  put32 (bb + BB_HBINS_SIZE, w.hbins);
  put32 (bb + BB_FLAGS, w.flags);
  put32 (bb + BB_CHECKSUM, isc_hivelog_checksum (bb));
  s->size_after = w.hbins;
  *ret_len = (size_t) BASE_BLOCK + w.hbins;
  *ret_hive = w.buf;
  return 0;
}

int
isc_hivelog_log_number (const char *hive_name, const char *name)
{
  size_t n = strlen (hive_name);

  if (strncasecmp (name, hive_name, n) != 0 || strlen (name) != n + 5)
    return 0;
  if (strcasecmp (name + n, ".LOG1") == 0)
    return 1;
  if (strcasecmp (name + n, ".LOG2") == 0)
    return 2;
  return 0;
}

static const char *const dirty_hives_names[] = {
  [ISC_DIRTY_HIVES_REPLAY] = "replay",
  [ISC_DIRTY_HIVES_REFUSE] = "refuse",
  [ISC_DIRTY_HIVES_DISCARD] = "discard",
};

const char *
isc_dirty_hives_name (enum isc_dirty_hives v)
{
  return dirty_hives_names[v];
}

int
isc_dirty_hives_parse (const char *s, enum isc_dirty_hives *ret)
{
  size_t i;

  for (i = 0; i < sizeof dirty_hives_names / sizeof dirty_hives_names[0]; ++i)
    if (strcmp (s, dirty_hives_names[i]) == 0) {
      *ret = i;
      return 0;
    }
  return -1;
}
