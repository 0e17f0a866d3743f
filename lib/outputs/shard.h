/* imgscrub: split one run over several machines.  Each task of an
 * array job (Slurm, Kubernetes Indexed Job, AWS Batch) is told K of N
 * and takes its part of the same sorted input list: every node computes
 * the same partition from the same inputs, with no coordinator. */
#ifndef ISC_SHARD_H
#define ISC_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/error.h"

#define ISC_SHARD_MAX 100000        /* N: tasks of one array */

/* Parse "K/N" (1 <= K <= N <= ISC_SHARD_MAX) into *RET_K, *RET_N. */
int isc_shard_parse (struct isc_err *err, const char *arg,
                     unsigned *ret_k, unsigned *ret_n);

/* --shard auto: K and N from the engine's variables, read through
 * GETENV (getenv, or a test's own):
 *   Slurm       SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1 of
 *               SLURM_ARRAY_TASK_COUNT
 *   Kubernetes  JOB_COMPLETION_INDEX + 1
 *   AWS Batch   AWS_BATCH_JOB_ARRAY_INDEX + 1
 * For the last two N is COUNT (--shard-count; 0: none given), else
 * IMGSCRUB_SHARD_COUNT.  COUNT, when given, must agree with Slurm's.
 * Fails, saying what is missing, when no engine variable is set: a
 * shard is never picked silently. */
int isc_shard_from_env (struct isc_err *err, const char *(*getenv_fn) (const char *),
                        unsigned count, unsigned *ret_k, unsigned *ret_n);

/* Partition the N_ITEMS items (NAMES[i], SIZES[i] bytes) into COUNT
 * shards, balanced by size: items in order of decreasing size (equal
 * sizes by name, strcmp), each to the shard holding the fewest bytes so
 * far (the lowest-numbered on a tie).  Every shard's bytes end within
 * the largest item of the mean.  The result depends only on the
 * (name, size) pairs, not on their order.  RET_SHARD[i] gets item i's
 * shard, 1..COUNT. */
int isc_shard_partition (struct isc_err *err, char *const *names,
                         const uint64_t *sizes, size_t n_items,
                         unsigned count, unsigned *ret_shard);

/* The manifest name of shard K of N: "manifest.shard-K-of-N.json".  The
 * caller frees it; NULL on out of memory. */
char *isc_shard_manifest_name (unsigned k, unsigned n);

/* Parse a name made by isc_shard_manifest_name; 0, or -1 when NAME is
 * not one. */
int isc_shard_manifest_name_parse (const char *name, unsigned *ret_k,
                                   unsigned *ret_n);

/* PATH with ".shard-K-of-N" inserted before its archive extension
 * (".tar.zst", ".zip", ...; else at the end), so that the
 * tasks of one array, given the same --archive FILE, each write their
 * own.  The caller frees it; NULL on out of memory. */
char *isc_shard_path (const char *path, unsigned k, unsigned n);

/* Do the shards' profile lists A and B ([{"name", "sha256", ...}], as
 * in manifests and identity tables) hold the same profiles in the same
 * order, by SHA-256?  1 or 0. */
int isc_shard_same_profiles (json_t *a, json_t *b);

#endif
