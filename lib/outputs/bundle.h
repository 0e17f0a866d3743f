/* imgscrub: what a scrub run ships as archives.
 *
 *   --archive FILE      the scrubbed images, SHA256SUMS (checkable with
 *                       `sha256sum -c`) and manifest.json;
 *   --export-tree FILE  each scrubbed guest's filesystems under a folder
 *                       named after its image, then manifest.json.
 *
 * Both are written after the run from what the engine left: the finished
 * outputs (streamed, not copied again) and the per-image trees the
 * appliances wrote (lib/guest/tree.h). */
#ifndef ISC_BUNDLE_H
#define ISC_BUNDLE_H

#include <stddef.h>

#include <jansson.h>

#include "archive/archiver.h"
#include "run/engine.h"

/* IMG's name inside a bundle: its output's file name. */
const char *isc_bundle_member (const struct isc_image *img);

/* Write FINAL holding every ok image with an output, SHA256SUMS and
 * MANIFEST (serialised last, so it may be changed up to this call). */
int isc_bundle_write (struct isc_err *err, const char *final,
                      const struct isc_archive_opts *opts,
                      const struct isc_image *images, size_t n,
                      const json_t *manifest);

/* The folder of the tree of the image at PATH in a tree export: its
 * file name without the extension ("image" when that would be "", "."
 * or ".."), made unique among USED (N_USED names) with "-2", "-3"...
 * The caller frees it; NULL on out of memory. */
char *isc_bundle_tree_folder (const char *path, char *const *used,
                            size_t n_used);

/* Write FINAL holding the tree of every ok image that has one, each
 * under its own folder, then MANIFEST.  ENTRIES[i] is image i's object
 * in the manifest: "tree" is added to it (folder, counts, and as
 * "unrepresentable" every entry left out or stored with a loss, with
 * the reason). */
int isc_bundle_write_trees (struct isc_err *err, const char *final,
                            const struct isc_archive_opts *opts,
                            const struct isc_image *images, size_t n,
                            json_t *const *entries, const json_t *manifest);

#endif
