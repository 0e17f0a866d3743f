/* imgscrub: every JSON document the program writes about a run, built
 * in one place.
 *
 *   scrub manifest   {"schema", "tool", "version", "mode", "started",
 *                     "finished", "profiles", "images", "summary", ...}:
 *                    OUTDIR/manifest.json, --manifest FILE, and the
 *                    manifest.json inside --archive and --export-tree;
 *                    described by doc/manifest.schema.json, whose
 *                    version is ISC_MANIFEST_SCHEMA;
 *   inspect --json   {"images": [...]}
 *   audit --json     {"images": [...], "duplicates": [...]}
 *
 * Guest-controlled strings go in through isc_json_string (escape.h).
 * A manifest states only what is true of the output: an action result
 * "deleted" or "changed" appears only for an image whose changes were
 * written (see isc_manifest_image). */
#ifndef ISC_MANIFEST_H
#define ISC_MANIFEST_H

#include <stddef.h>

#include <jansson.h>

#include "run/engine.h"
#include "util/error.h"
#include "util/result.h"

struct isc_action;
struct isc_profile;

/* The "schema" number of every scrub manifest: raised whenever a field
 * changes meaning or a required field is added. */
#define ISC_MANIFEST_SCHEMA 1

enum isc_manifest_mode {
  ISC_MANIFEST_OUTPUT,              /* -o, --archive, --export-tree */
  ISC_MANIFEST_IN_PLACE,
  ISC_MANIFEST_DRY_RUN,
};

/* "output", "in-place", "dry-run"; static. */
const char *isc_manifest_mode_name (enum isc_manifest_mode mode);

/* A new scrub manifest: schema, tool, version, MODE, STARTED (ISO 8601)
 * and every profile (includes first, as applied).  New reference. */
json_t *isc_manifest_new (enum isc_manifest_mode mode, const char *started,
                          struct isc_profile *const *profiles,
                          size_t n_profiles);

/* What an image's run left in the image itself ("written" in its
 * entry). */
enum isc_written {
  ISC_WRITTEN_NO,                   /* no output, input untouched */
  ISC_WRITTEN_YES,                  /* the recorded changes are in the
                                       output (or, in place, the input) */
  ISC_WRITTEN_UNKNOWN,              /* in place, and an appliance holding
                                       the input writable died: the input
                                       may hold part of the changes */
};

/* "no", "yes", "unknown"; static. */
const char *isc_written_name (enum isc_written w);

/* What IMG's run left in an image, in MODE. */
enum isc_written isc_manifest_written (const struct isc_image *img,
                                       enum isc_manifest_mode mode);

/* IMG's entry in a scrub manifest: the common description
 * (isc_manifest_image_info), hashes, output (when KEPT: the outputs stay
 * under their paths, not only inside an archive), "written" and the
 * action results.  Where the image was not written a result "deleted"
 * or "changed" becomes "would-delete" or "would-change"; where it is
 * unknown, "maybe-deleted" or "maybe-changed".  New reference. */
json_t *isc_manifest_image (const struct isc_image *img,
                            enum isc_manifest_mode mode, int kept);

/* The outputs of ENTRY's image were not kept after all (a run without
 * -o whose archives failed or were not written): drop "output*" and
 * mark it not written. */
void isc_manifest_image_lost (json_t *entry);

/* Count ENTRY's action results by name into BUF of LEN bytes ("3
 * deleted, 1 skipped"; "" when there are none).  Returns BUF. */
const char *isc_manifest_summarise (const json_t *entry, char *buf,
                                    size_t len);

/* The end of a scrub run: "images" (ENTRIES[0..N-1], references taken),
 * "summary" counted from IMAGES, "finished" and, if INTERRUPTED,
 * "interrupted". */
void isc_manifest_finish (json_t *manifest, json_t *const *entries,
                          const struct isc_image *images, size_t n,
                          const char *finished, int interrupted);

/* "archive" or "export_tree" (KEY) of MANIFEST: {"path", "format"}. */
void isc_manifest_set_archive (json_t *manifest, const char *key,
                               const char *path, const char *format);

/* The archive KEY could not be written: record MSG as its "error". */
void isc_manifest_archive_error (json_t *manifest, const char *key,
                                 const char *msg);

/* ENTRY's image is stored as MEMBER in the --archive bundle. */
void isc_manifest_archive_member (json_t *entry, const char *member);

/* ENTRY's tree in the --export-tree archive: under FOLDER, ENTRIES
 * entries of BYTES bytes, and LOST (consumed) the entries left out. */
void isc_manifest_set_tree (json_t *entry, const char *folder,
                            long long entries, long long bytes,
                            json_t *lost);

/* The manifest as written everywhere: indented, ASCII, sorted keys.
 * Caller frees; NULL when out of memory. */
char *isc_manifest_dump (const json_t *manifest);

/* Write MANIFEST to PATH atomically. */
int isc_manifest_write (struct isc_err *err, const json_t *manifest,
                        const char *path);

/* The common description of an image after the engine ran: input,
 * format, sizes, status, error, inspection facts ("os").  New
 * reference. */
json_t *isc_manifest_image_info (const struct isc_image *img);

/* inspect --json: {"images": [image_info...]}.  New reference. */
json_t *isc_manifest_inspect (const struct isc_image *images, size_t n);

/* audit --json: {"images": [{"input", "status", "error", "identities"}],
 * "duplicates": DUPS (reference taken)}.  New reference. */
json_t *isc_manifest_audit (const struct isc_image *images, size_t n,
                            json_t *dups);

/* ---- reading: --resume ------------------------------------------------ */

/* Parse TEXT (LEN bytes), a manifest an earlier run left, and set the
 * resume_* fields of each of IMAGES that it records as ok with both
 * hashes.  *RET_PREVIOUS keeps the strings those fields point to
 * (json_decref it after the images are done with).  Returns 0, or -1
 * when TEXT is not a manifest (nothing set). */
int isc_manifest_parse_previous (struct isc_err *err, const char *text,
                                 size_t len, struct isc_image *images,
                                 size_t n, json_t **ret_previous);

/* As isc_manifest_parse_previous, reading the file PATH.  A missing file
 * is no error: *RET_PREVIOUS is then NULL. */
int isc_manifest_read_previous (struct isc_err *err, const char *path,
                                struct isc_image *images, size_t n,
                                json_t **ret_previous);

/* The entry of a resumed IMG: a copy of what PREVIOUS recorded for it,
 * marked "resumed".  New reference; NULL when PREVIOUS has none. */
json_t *isc_manifest_resumed (const json_t *previous,
                              const struct isc_image *img);

#endif
