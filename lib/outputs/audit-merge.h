/* imgscrub: `audit --merge`: the duplicates across the identity tables
 * the shards of a sharded audit wrote (`audit --shard K/N
 * --identities-out FILE`).  Memory grows with the distinct identity
 * values and the images, not with the rows: each (identity, value) is
 * stored once, in a hash table, with the list of images holding it. */
#ifndef ISC_AUDIT_MERGE_H
#define ISC_AUDIT_MERGE_H

#include <stddef.h>

#include <jansson.h>

#include "util/error.h"

/* The identity table, one JSON object a line:
 *   first  {"identities": 1, "tool", "version",
 *           "shard": {"index": K, "count": N, "inputs": T,
 *                     "images": I},
 *           "profiles": [{"name", "sha256"}...]}
 *   then per image   {"input": PATH, "status": "ok"|"failed"[, "error"]}
 *   and its rows     {"input": PATH, "identity": NAME, "where": W,
 *                     "value": V} (or "error": MSG instead of "value")
 * An unsharded audit writes shard 1 of 1.  T is the inputs split over
 * the N shards, I the images this shard lists (may be absent in older
 * tables): a table cut at a line boundary still parses, so a table
 * listing other than I images is refused, and so are shards that
 * together list other than T. */
#define ISC_AUDIT_MERGE_MAX_LINE (1024 * 1024)

struct isc_audit_merge;

/* NULL on out of memory.  _free accepts NULL. */
struct isc_audit_merge *isc_audit_merge_new (void);
void isc_audit_merge_free (struct isc_audit_merge *m);

/* Read one shard's table at PATH.  Refused (-1, the message names the
 * files and what differs) when it is not such a table, when it
 * disagrees with the files read before on N, on the inputs or on the
 * profiles (by SHA-256), when its shard was read already, when it lists
 * an image another shard listed, or other than its header's I images.
 * PATH is opened by isc_host_file_open: no symbolic link, no FIFO. */
int isc_audit_merge_add_file (struct isc_err *err, struct isc_audit_merge *m,
                              const char *path);

/* Refused (-1, naming the missing shards) unless every shard 1..N was
 * read, and unless they list T images together. */
int isc_audit_merge_check_complete (struct isc_err *err,
                                    const struct isc_audit_merge *m);

/* Every (identity, value) two or more images hold, non-empty values
 * only, sorted by identity then value, images sorted:
 *   [{"identity", "value", "images": [PATH...]}]
 * New reference; NULL on out of memory. */
json_t *isc_audit_merge_duplicates (const struct isc_audit_merge *m);

/* What could not be read: [{"input", "error"[, "identity", "where"]}],
 * in the order read.  Borrowed reference. */
json_t *isc_audit_merge_errors (const struct isc_audit_merge *m);

/* Counts: images, rows read, distinct (identity, value) pairs. */
void isc_audit_merge_counts (const struct isc_audit_merge *m,
                             size_t *ret_images, size_t *ret_rows,
                             size_t *ret_distinct);

#endif
