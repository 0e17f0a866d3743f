/* imgscrub: recovery of a dirty registry hive from its transaction logs
 * (.LOG1/.LOG2, or a single .LOG), as Windows does when it loads a hive.
 *
 * A hive is dirty when the two sequence numbers of its base block differ
 * or the base block checksum is wrong: Windows wrote the changes to a
 * log but not (all) to the hive.  Two log formats exist:
 *  - new (Windows 8.1 and later): a 512-byte base block, then "HvLE" log
 *    entries, each with a sequence number, a hive bins data size, page
 *    references and pages, and two Marvin32 hashes;
 *  - old (Windows XP to 8): a 512-byte base block, a "DIRT" bitmap of the
 *    dirty 512-byte pages of the hive bins data, then those pages.
 * New-format entries are applied in sequence-number order across the
 * logs, each entry expected to follow the previous one, and recovery
 * stops at the first entry that is invalid (signature, size, hashes,
 * page bounds) or out of sequence.  The result has equal sequence
 * numbers, the hive bins data size of the last entry and a fresh
 * checksum.  The hive may grow, but only as far as the dirty pages of
 * the entry (or dirty vector) that grows it reach, and by no more than
 * the bytes they write past the old end (each rounded up to a 4 KiB
 * bin): an entry claiming more is invalid, as Windows logs every bin it
 * adds.
 *
 * Pure and in memory: buffers in, a buffer out, nothing printed, no file
 * touched.  Every size read from a log is checked against the buffers
 * and against ISC_HIVELOG_MAX_SIZE (the logs are hostile data). */
#ifndef ISC_HIVELOG_H
#define ISC_HIVELOG_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Largest hive or log accepted, the recovered hive included (its hive
 * bins data at most this less the 4 KiB base block). */
#define ISC_HIVELOG_MAX_SIZE (1024LL * 1024 * 1024)
/* Most logs considered (.LOG, .LOG1, .LOG2). */
#define ISC_HIVELOG_MAX_LOGS 3
/* The Marvin32 seed of registry log entries. */
#define ISC_HIVELOG_MARVIN_SEED UINT64_C (0x82EF4D887A4E55C5)

/* What imgscrub does with a dirty hive it reads (--dirty-hives). */
enum isc_dirty_hives {
  ISC_DIRTY_HIVES_REPLAY = 0,       /* apply its logs first (default) */
  ISC_DIRTY_HIVES_REFUSE,           /* the image fails */
  ISC_DIRTY_HIVES_DISCARD,          /* read and edit it as is: the changes
                                       only in its logs are lost */
};

/* "replay", "refuse", "discard". */
const char *isc_dirty_hives_name (enum isc_dirty_hives v);

/* Parse one of those names; -1 when S is none of them. */
int isc_dirty_hives_parse (const char *s, enum isc_dirty_hives *ret);

/* One transaction log, in memory.  NAME is for messages ("SYSTEM.LOG1"). */
struct isc_hivelog_file {
  const char *name;
  const unsigned char *data;
  size_t len;
};

enum isc_hivelog_format {
  ISC_HIVELOG_FORMAT_NONE = 0,      /* nothing applied */
  ISC_HIVELOG_FORMAT_NEW,           /* HvLE log entries */
  ISC_HIVELOG_FORMAT_OLD            /* dirty vector and pages */
};

/* What recovery found and did. */
struct isc_hivelog_summary {
  int dirty;                        /* the hive needed recovery */
  int base_block_valid;             /* the hive's base block checksum */
  enum isc_hivelog_format format;
  unsigned entries;                 /* log entries applied (old format: 1
                                       per log applied) */
  unsigned pages;                   /* dirty pages written */
  uint32_t seq_primary;             /* the hive's sequence numbers before */
  uint32_t seq_secondary;
  uint32_t seq;                     /* both sequence numbers after */
  uint32_t size_before;             /* hive bins data size before, after */
  uint32_t size_after;
  struct {
    unsigned entries;               /* entries (or old-format logs) applied */
    unsigned pages;
    char status[160];               /* e.g. "3 entries applied, stopped at
                                       offset 9728: wrong hash" */
  } log[ISC_HIVELOG_MAX_LOGS];
};

/* Is the hive dirty (sequence numbers differ, or a wrong checksum)?
 * Returns 1, 0, or -1 when HIVE is not a registry hive (error in ERR,
 * naming NAME). */
int isc_hivelog_is_dirty (struct isc_err *err, const char *name,
                          const unsigned char *hive, size_t hive_len);

/* Recover HIVE (HIVE_LEN bytes; NAME for messages) from LOGS (N_LOGS, at
 * most ISC_HIVELOG_MAX_LOGS, in any order; a log may be empty).
 * A clean hive: returns 0, *RET_HIVE NULL, SUMMARY->dirty 0.
 * A dirty hive and at least one log entry (or old-format log) applied:
 * returns 0, *RET_HIVE a new malloc'd buffer of *RET_LEN bytes (caller
 * frees).  A dirty hive with no usable log: -1, ERR says so and why each
 * log was not used.  SUMMARY (may be NULL) is filled in every case. */
int isc_hivelog_recover (struct isc_err *err, const char *name,
                         const unsigned char *hive, size_t hive_len,
                         const struct isc_hivelog_file *logs, size_t n_logs,
                         unsigned char **ret_hive, size_t *ret_len,
                         struct isc_hivelog_summary *summary);

/* 1 when NAME is HIVE_NAME's ".LOG1", 2 its ".LOG2", in any letter case
 * (Windows names are case-insensitive: SYSTEM.LOG1, system.log1), else 0.
 * Both are file names, not paths. */
int isc_hivelog_log_number (const char *hive_name, const char *name);

/* The registry's XOR-32 checksum of the first 508 bytes of BLOCK. */
uint32_t isc_hivelog_checksum (const unsigned char *block);

/* Marvin32 of LEN bytes at DATA with SEED. */
uint64_t isc_hivelog_marvin32 (const unsigned char *data, size_t len,
                               uint64_t seed);

#endif
