/* Unit tests for lib/windows/hivelog.c on hives and logs built here: both log
 * formats, the order of entries across two logs, growth, and logs cut
 * or corrupted at every point (recovery stops at the first bad entry,
 * never reads outside the buffers: run under valgrind by
 * `make check-valgrind`).  The real Windows hives are in
 * tests/test-hive-recover.sh. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "windows/hivelog.h"
#include "unit.h"

#define SEED ISC_HIVELOG_MARVIN_SEED

static void
put32 (unsigned char *p, uint32_t v)
{
  p[0] = v;
  p[1] = v >> 8;
  p[2] = v >> 16;
  p[3] = v >> 24;
}

static uint32_t
get32 (const unsigned char *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t) p[3] << 24;
}

static void
put64 (unsigned char *p, uint64_t v)
{
  put32 (p, (uint32_t) v);
  put32 (p + 4, (uint32_t) (v >> 32));
}

/* A base block: SEQ1/SEQ2, TYPE, HBINS bytes of hive bins data. */
static void
base_block (unsigned char *b, uint32_t seq1, uint32_t seq2, uint32_t type,
            uint32_t hbins, uint64_t timestamp)
{
  memcpy (b, "regf", 4);
  put32 (b + 4, seq1);
  put32 (b + 8, seq2);
  put64 (b + 12, timestamp);
  put32 (b + 20, 1);
  put32 (b + 24, 5);
  put32 (b + 28, type);
  put32 (b + 32, 1);
  put32 (b + 36, 0x20);
  put32 (b + 40, hbins);
  put32 (b + 44, 1);
  put32 (b + 508, isc_hivelog_checksum (b));
}

/* A hive of one 4096-byte bin filled with FILL, sequence numbers
 * SEQ1/SEQ2; 8192 bytes. */
static unsigned char *
make_hive (uint32_t seq1, uint32_t seq2)
{
  unsigned char *h = calloc (1, 8192);

  base_block (h, seq1, seq2, 0, 4096, 1000);
  memcpy (h + 4096, "hbin", 4);
  put32 (h + 4096 + 8, 4096);
  memset (h + 4096 + 32, 'A', 4096 - 32);
  return h;
}

/* A new-format log: base block with first sequence SEQ, then entries
 * appended by add_entry. */
struct log {
  unsigned char *data;
  size_t len;
};

static void
log_init (struct log *l, uint32_t seq)
{
  l->data = calloc (1, 512);
  l->len = 512;
  base_block (l->data, seq, seq, 6, 4096, 1000);
}

/* An entry SEQ with hive bins size HBINS writing one PAGE-byte page of
 * FILL at OFFSET. */
static void
add_entry (struct log *l, uint32_t seq, uint32_t hbins, uint32_t offset,
           uint32_t page, int fill)
{
  size_t size = (40 + 8 + page + 511) / 512 * 512;
  unsigned char *e;

  l->data = realloc (l->data, l->len + size);
  e = l->data + l->len;
  memset (e, 0, size);
  memcpy (e, "HvLE", 4);
  put32 (e + 4, size);
  put32 (e + 12, seq);
  put32 (e + 16, hbins);
  put32 (e + 20, 1);
  put32 (e + 40, offset);
  put32 (e + 44, page);
  memset (e + 48, fill, page);
  put64 (e + 24, isc_hivelog_marvin32 (e + 40, size - 40, SEED));
  put64 (e + 32, isc_hivelog_marvin32 (e, 32, SEED));
  l->len += size;
}

static int
recover (const unsigned char *hive, size_t hive_len, struct log *logs,
         size_t n, unsigned char **out, size_t *out_len,
         struct isc_hivelog_summary *s)
{
  struct isc_hivelog_file f[3];
  struct isc_err err = ISC_ERR_INIT;
  size_t i;
  int r;

  for (i = 0; i < n; ++i) {
    f[i].name = i ? "H.LOG2" : "H.LOG1";
    f[i].data = logs[i].data;
    f[i].len = logs[i].len;
  }
  r = isc_hivelog_recover (&err, "H", hive, hive_len, f, n, out, out_len, s);
  isc_err_clear (&err);
  return r;
}

/* The recovered hive is clean with sequence SEQ and HBINS bytes. */
static void
check_clean (const unsigned char *out, size_t len, uint32_t seq,
             uint32_t hbins)
{
  CHECK (len == 4096 + hbins);
  CHECK (get32 (out + 4) == seq);
  CHECK (get32 (out + 8) == seq);
  CHECK (get32 (out + 28) == 0);
  CHECK (get32 (out + 40) == hbins);
  CHECK (get32 (out + 508) == isc_hivelog_checksum (out));
}

static void
test_marvin32 (void)
{
  static const unsigned char one[] = { 0xaf };

  /* Published test vectors, seed 0x004FB61A001BDBCC. */
  CHECK (isc_hivelog_marvin32 (one, 0, UINT64_C (0x004FB61A001BDBCC)) ==
         UINT64_C (0x30ED35C100CD3C7D));
  CHECK (isc_hivelog_marvin32 (one, 1, UINT64_C (0x004FB61A001BDBCC)) ==
         UINT64_C (0x48E73FC77D75DDC1));
}

static void
test_clean (void)
{
  unsigned char *hive = make_hive (7, 7), *out = NULL;
  struct isc_hivelog_summary s;
  struct log l;
  size_t len = 0;

  log_init (&l, 7);
  add_entry (&l, 7, 4096, 0, 512, 'B');
  CHECK (recover (hive, 8192, &l, 1, &out, &len, &s) == 0);
  CHECK (out == NULL);
  CHECK (s.dirty == 0);
  CHECK (s.entries == 0);
  free (l.data);
  free (hive);
}

static void
test_two_entries_grow (void)
{
  unsigned char *hive = make_hive (10, 9), *out = NULL;
  struct isc_hivelog_summary s;
  struct log l;
  size_t len = 0;

  log_init (&l, 9);
  add_entry (&l, 9, 4096, 512, 512, 'B');
  add_entry (&l, 10, 8192, 4096, 4096, 'C');
  CHECK (recover (hive, 8192, &l, 1, &out, &len, &s) == 0);
  CHECK (out != NULL);
  if (out) {
    check_clean (out, len, 10, 8192);
    CHECK (out[4096 + 511] == 'A' && out[4096 + 512] == 'B' &&
           out[4096 + 1023] == 'B' && out[4096 + 1024] == 'A');
    CHECK (out[8192] == 'C' && out[8192 + 4095] == 'C');
  }
  CHECK (s.dirty == 1 && s.format == ISC_HIVELOG_FORMAT_NEW);
  CHECK (s.entries == 2 && s.pages == 2);
  CHECK (s.size_before == 4096 && s.size_after == 8192);
  free (out);
  free (l.data);
  free (hive);
}

/* Entries split over two logs: applied in sequence order whatever the
 * order the logs are given in; a log that does not continue is not. */
static void
test_two_logs (void)
{
  unsigned char *hive = make_hive (5, 4), *out = NULL;
  struct isc_hivelog_summary s;
  struct log logs[2], swapped[2];
  size_t len = 0;

  log_init (&logs[0], 4);
  add_entry (&logs[0], 4, 4096, 0, 512, 'B');
  add_entry (&logs[0], 5, 4096, 0, 512, 'C');
  log_init (&logs[1], 6);
  add_entry (&logs[1], 6, 4096, 0, 512, 'D');
  swapped[0] = logs[1];
  swapped[1] = logs[0];

  CHECK (recover (hive, 8192, logs, 2, &out, &len, &s) == 0);
  CHECK (s.entries == 3 && s.log[0].entries == 2 && s.log[1].entries == 1);
  if (out) {
    check_clean (out, len, 6, 4096);
    CHECK (out[4096] == 'D');
  }
  free (out);
  CHECK (recover (hive, 8192, swapped, 2, &out, &len, &s) == 0);
  CHECK (s.entries == 3 && s.log[1].entries == 2 && s.log[0].entries == 1);
  CHECK (out && out[4096] == 'D');
  free (out);

  /* The first entry of the earlier log damaged: the later log is not
   * applied either (it would skip entries 4 and 5). */
  logs[0].data[512 + 100] ^= 1;
  CHECK (recover (hive, 8192, logs, 2, &out, &len, &s) == -1);
  CHECK (out == NULL);
  CHECK (strstr (s.log[1].status, "not applied") != NULL);
  logs[0].data[512 + 100] ^= 1;

  /* A second log starting at 8: 6 and 7 are missing, it is not used. */
  free (logs[1].data);
  log_init (&logs[1], 8);
  add_entry (&logs[1], 8, 4096, 0, 512, 'E');
  CHECK (recover (hive, 8192, logs, 2, &out, &len, &s) == 0);
  CHECK (s.entries == 2 && s.log[1].entries == 0);
  CHECK (out && out[4096] == 'C' && get32 (out + 4) == 5);
  free (out);

  /* A log older than the hive (sequence 2 < 4) is not applicable. */
  free (logs[0].data);
  log_init (&logs[0], 2);
  add_entry (&logs[0], 2, 4096, 0, 512, 'F');
  CHECK (recover (hive, 8192, logs, 1, &out, &len, &s) == -1);
  CHECK (out == NULL);
  CHECK (strstr (s.log[0].status, "not applicable") != NULL);
  free (logs[0].data);
  free (logs[1].data);
  free (hive);
}

/* Every truncation and every single-byte corruption of a two-entry log:
 * no crash, and the entries applied are exactly those before the first
 * damaged one. */
static void
test_damaged (void)
{
  unsigned char *hive = make_hive (10, 9), *out = NULL;
  struct isc_hivelog_summary s;
  struct log l, cut;
  size_t len = 0, n, first_end;
  unsigned bad = 0;

  log_init (&l, 9);
  add_entry (&l, 9, 4096, 0, 512, 'B');
  first_end = l.len;
  add_entry (&l, 10, 8192, 4096, 1024, 'C');
  for (n = 0; n <= l.len; ++n) {
    int r;

    cut.data = malloc (n ? n : 1);
    memcpy (cut.data, l.data, n);
    cut.len = n;
    r = recover (hive, 8192, &cut, 1, &out, &len, &s);
    if (n < first_end) {
      if (r != -1 || out)
        bad++;
    }
    else if (n < l.len) {
      if (r != 0 || s.entries != 1 || !out || len != 8192)
        bad++;
    }
    else if (r != 0 || s.entries != 2 || len != 12288)
      bad++;
    free (out);
    out = NULL;
    free (cut.data);
  }
  CHECK (bad == 0);

  /* Flip each byte of the entries (not the padding the hashes cover
   * too: every byte from 512 on is covered). */
  bad = 0;
  for (n = 512; n < l.len; ++n) {
    int r;

    l.data[n] ^= 0x5a;
    r = recover (hive, 8192, &l, 1, &out, &len, &s);
    if (n < first_end ? r != -1 : (r != 0 || s.entries != 1)) {
      fprintf (stderr, "byte %zu flipped: %s\n", n, s.log[0].status);
      bad++;
    }
    free (out);
    out = NULL;
    l.data[n] ^= 0x5a;
  }
  CHECK (bad == 0);

  /* A hostile entry with valid hashes but a page outside its hive bins
   * data: refused, not written. */
  free (l.data);
  log_init (&l, 9);
  add_entry (&l, 9, 4096, 4096, 512, 'B');
  CHECK (recover (hive, 8192, &l, 1, &out, &len, &s) == -1);
  CHECK (strstr (s.log[0].status, "outside") != NULL);
  free (l.data);
  free (hive);
}

/* Issue 22: a small log may not grow a hive beyond the pages it
 * carries.  One valid entry claiming 64 MiB of hive bins data with a
 * single 4 KiB page (a new bin with one free cell spanning the new
 * space, which would open strictly) is refused, naming the log; so is
 * that page placed at the far end, and an old-format log doing the
 * same.  Growth the pages cover still applies. */
#define BIG (64u << 20)

static void
test_growth (void)
{
  unsigned char *hive = make_hive (10, 9), *out = NULL;
  struct isc_hivelog_summary s;
  struct isc_hivelog_file f;
  struct isc_err err = ISC_ERR_INIT;
  unsigned char *e;
  struct log l;
  size_t len = 0;

  log_init (&l, 9);
  add_entry (&l, 9, BIG, 4096, 4096, 0);
  e = l.data + 512 + 48;
  memcpy (e, "hbin", 4);
  put32 (e + 4, 4096);
  put32 (e + 8, BIG - 4096);
  put32 (e + 32, BIG - 4096 - 32);      /* a free cell: positive size */
  put64 (l.data + 512 + 24, isc_hivelog_marvin32 (l.data + 512 + 40,
                                                  get32 (l.data + 516) - 40,
                                                  SEED));
  put64 (l.data + 512 + 32, isc_hivelog_marvin32 (l.data + 512, 32, SEED));
  f.name = "H.LOG1";
  f.data = l.data;
  f.len = l.len;
  CHECK (isc_hivelog_recover (&err, "H", hive, 8192, &f, 1, &out, &len,
                              &s) == -1);
  CHECK (out == NULL && len == 0);
  CHECK (strstr (isc_err_msg (&err), "H.LOG1") != NULL);
  CHECK (strstr (s.log[0].status, "grows past") != NULL);
  free (out);
  out = NULL;
  free (l.data);

  /* The one page at the end of the claimed space: it reaches, but 4 KiB
   * written do not make 64 MiB. */
  log_init (&l, 9);
  add_entry (&l, 9, BIG, BIG - 4096, 4096, 'C');
  CHECK (recover (hive, 8192, &l, 1, &out, &len, &s) == -1);
  CHECK (out == NULL);
  CHECK (strstr (s.log[0].status, "grows past") != NULL);
  free (l.data);

  /* A valid first entry, then the growing one: the first applies, the
   * hive keeps its size. */
  log_init (&l, 9);
  add_entry (&l, 9, 4096, 0, 512, 'B');
  add_entry (&l, 10, BIG, 4096, 4096, 'C');
  CHECK (recover (hive, 8192, &l, 1, &out, &len, &s) == 0);
  CHECK (s.entries == 1 && len == 8192);
  CHECK (strstr (s.log[0].status, "grows past") != NULL);
  free (out);
  out = NULL;
  free (l.data);

  /* Old format: a 64 MiB dirty vector with one page dirty. */
  l.len = 512 + 512 + 4 + BIG / 4096 + 512;
  l.len = (l.len + 511) / 512 * 512;
  l.data = calloc (1, l.len);
  base_block (l.data, 10, 10, 1, BIG, 2000);
  memcpy (l.data + 512, "DIRT", 4);
  l.data[516 + 1] = 0x01;               /* sector 8: offset 4096 */
  CHECK (recover (hive, 8192, &l, 1, &out, &len, &s) == -1);
  CHECK (out == NULL);
  CHECK (strstr (s.log[0].status, "grows past") != NULL);
  free (l.data);
  isc_err_clear (&err);
  free (hive);
}

/* A dirty hive and no log at all, an empty log, garbage. */
static void
test_no_log (void)
{
  unsigned char *hive = make_hive (3, 2), *out = NULL;
  struct isc_hivelog_file f = { "H.LOG1", (const unsigned char *) "", 0 };
  struct isc_err err = ISC_ERR_INIT;
  size_t len;

  CHECK (isc_hivelog_recover (&err, "H", hive, 8192, NULL, 0, &out, &len,
                              NULL) == -1);
  CHECK (strstr (isc_err_msg (&err), "no transaction log") != NULL);
  CHECK (isc_hivelog_recover (&err, "H", hive, 8192, &f, 1, &out, &len,
                              NULL) == -1);
  CHECK (strstr (isc_err_msg (&err), "H.LOG1: not used: empty") != NULL);
  CHECK (isc_hivelog_recover (&err, "H", hive, 100, &f, 1, &out, &len,
                              NULL) == -1);
  CHECK (strstr (isc_err_msg (&err), "not a registry hive") != NULL);
  CHECK (out == NULL);
  isc_err_clear (&err);
  free (hive);
}

/* Old format: base block, "DIRT" and a bitmap, the dirty pages. */
static void
test_old_format (void)
{
  unsigned char *hive = make_hive (4, 3), *out = NULL;
  struct isc_hivelog_summary s;
  struct log l;
  size_t len = 0;

  /* 8192 bytes of hive bins data: 16 pages, a 2-byte bitmap; pages 1
   * and 9 dirty (the second is in a new bin). */
  l.len = 512 + 512 + 2 * 512;
  l.data = calloc (1, l.len);
  base_block (l.data, 4, 4, 1, 8192, 1000);
  memcpy (l.data + 512, "DIRT", 4);
  l.data[516] = 0x02;
  l.data[517] = 0x02;
  memset (l.data + 1024, 'P', 512);
  memset (l.data + 1536, 'Q', 512);
  CHECK (recover (hive, 8192, &l, 1, &out, &len, &s) == 0);
  CHECK (s.format == ISC_HIVELOG_FORMAT_OLD && s.pages == 2);
  if (out) {
    check_clean (out, len, 4, 8192);
    CHECK (out[4096 + 511] == 'A' && out[4096 + 512] == 'P' &&
           out[4096 + 1024] == 'A');
    CHECK (out[4096 + 9 * 512] == 'Q' && out[4096 + 8 * 512] == 0);
  }
  free (out);

  /* Cut before the second page: that page was the new bin's, so the
   * log no longer covers the growth it claims and is not applied. */
  l.len = 512 + 512 + 512;
  CHECK (recover (hive, 8192, &l, 1, &out, &len, &s) == -1);
  CHECK (out == NULL);
  CHECK (strstr (s.log[0].status, "grows past") != NULL);
  /* Without the growth (8192 -> 4096 bytes of hive bins data, a 1-byte
   * bitmap), cut before its second page: the first only. */
  base_block (l.data, 4, 4, 1, 4096, 1000);
  l.data[516] = 0x06;                   /* pages 1 and 2 */
  l.data[517] = 0;
  CHECK (recover (hive, 8192, &l, 1, &out, &len, &s) == 0);
  CHECK (s.pages == 1);
  free (out);
  l.data[516] = 0x02;
  l.data[517] = 0x02;
  base_block (l.data, 4, 4, 1, 8192, 1000);

  /* An older log than the hive is not applied. */
  l.len = 512 + 512 + 2 * 512;
  base_block (l.data, 4, 4, 1, 8192, 999);
  CHECK (recover (hive, 8192, &l, 1, &out, &len, &s) == -1);
  free (l.data);
  free (hive);
}

static void
test_log_names (void)
{
  CHECK (isc_hivelog_log_number ("SYSTEM", "SYSTEM.LOG1") == 1);
  CHECK (isc_hivelog_log_number ("SYSTEM", "system.log2") == 2);
  CHECK (isc_hivelog_log_number ("system", "SYSTEM.Log1") == 1);
  CHECK (isc_hivelog_log_number ("SYSTEM", "SYSTEM.LOG") == 0);
  CHECK (isc_hivelog_log_number ("SYSTEM", "SYSTEM.LOG12") == 0);
  CHECK (isc_hivelog_log_number ("SYSTEM", "SOFTWARE.LOG1") == 0);
}

int
main (void)
{
  test_marvin32 ();
  test_clean ();
  test_two_entries_grow ();
  test_two_logs ();
  test_damaged ();
  test_no_log ();
  test_old_format ();
  test_growth ();
  test_log_names ();
  return unit_finish ("test-hivelog");
}
