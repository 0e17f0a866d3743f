/* imgscrub: --archive bundles: scrubbed images and the manifest in one
 * archive, and the exported trees of a run. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outputs/bundle.h"
#include "util/cleanups.h"
#include "outputs/manifest.h"
#include "util/status.h"
#include "util/error.h"

const char *
isc_bundle_member (const struct isc_image *img)
{
  const char *slash = img->output ? strrchr (img->output, '/') : NULL;

  return slash ? slash + 1 : img->output;
}

static int
add_manifest (struct isc_err *err, struct isc_archiver *ar,
              const json_t *manifest)
{
  CLEANUP_FREE char *text = isc_manifest_dump (manifest);

  if (!text)
    return isc_error (err, NULL, "cannot serialise the manifest");
  return isc_archiver_add_buffer (err, ar, "manifest.json", text,
                                  strlen (text));
}

static int
shipped (const struct isc_image *img)
{
  return img->status == ISC_IMAGE_OK && img->output && img->output_sha256[0];
}

int
isc_bundle_write (struct isc_err *err, const char *final,
                  const struct isc_archive_opts *opts,
                  const struct isc_image *images, size_t n,
                  const json_t *manifest)
{
  struct isc_archiver *ar = NULL;
  CLEANUP_FREE char *sums = NULL;
  size_t len = 0, i;
  FILE *f = open_memstream (&sums, &len);

  if (!f)
    return isc_error_oom (err, final);
  /* sha256sum's own format: "HASH  NAME".  Member names come from our
   * output names (no newline or backslash can reach them unescaped:
   * the engine names outputs after inputs the user chose). */
  for (i = 0; i < n; ++i)
    if (shipped (&images[i]))
      fprintf (f, "%s  %s\n", images[i].output_sha256,
               isc_bundle_member (&images[i]));
  if (fclose (f) == EOF)
    return isc_error_errno (err, final, "cannot list the checksums");

  if (isc_archiver_open (err, final, opts, &ar) == -1)
    return -1;
  if (isc_archiver_add_buffer (err, ar, "SHA256SUMS", sums, len) == -1)
    goto fail;
  for (i = 0; i < n; ++i)
    if (shipped (&images[i]) &&
        isc_archiver_add_file (err, ar, isc_bundle_member (&images[i]),
                               images[i].output) == -1)
      goto fail;
  if (add_manifest (err, ar, manifest) == -1)
    goto fail;
  return isc_archiver_commit (err, ar);
 fail:
  isc_archiver_abort (ar);
  return -1;
}

char *
isc_bundle_tree_folder (const char *path, char *const *used, size_t n_used)
{
  const char *base = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
  const char *dot = strrchr (base, '.');
  int stem = dot && dot != base ? (int) (dot - base) : (int) strlen (base);
  char *name = NULL;
  unsigned k;

  /* "...raw" has the stem "..": every member would climb out of the
   * extraction folder.  "", "." and ".." are no folder names. */
  if (stem == 0 || (stem == 1 && base[0] == '.') ||
      (stem == 2 && base[0] == '.' && base[1] == '.')) {
    base = "image";
    stem = strlen (base);
  }
  for (k = 1;; ++k) {
    size_t i;
    int clash = 0;

    if ((k == 1 ? asprintf (&name, "%.*s", stem, base)
         : asprintf (&name, "%.*s-%u", stem, base, k)) == -1)
      return NULL;
    for (i = 0; i < n_used && !clash; ++i)
      clash = strcmp (used[i], name) == 0;
    if (!clash)
      return name;
    free (name);
  }
}

int
isc_bundle_write_trees (struct isc_err *err, const char *final,
                        const struct isc_archive_opts *opts,
                        const struct isc_image *images, size_t n,
                        json_t *const *entries, const json_t *manifest)
{
  struct isc_archiver *ar = NULL;
  char **used = calloc (n ? n : 1, sizeof *used);
  size_t n_used = 0, i;
  int r = -1;

  if (!used)
    return isc_error_oom (err, final);
  if (isc_archiver_open (err, final, opts, &ar) == -1)
    goto out;
  for (i = 0; i < n; ++i) {
    const json_t *tree = images[i].tree;
    const char *part = json_string_value (json_object_get (tree, "path"));
    const char *folder;
    json_t *lost;

    if (images[i].status != ISC_IMAGE_OK || !part)
      continue;
    used[n_used] = isc_bundle_tree_folder (images[i].path, used, n_used);
    if (!used[n_used]) {
      isc_error_oom (err, final);
      goto out;
    }
    folder = used[n_used++];
    lost = json_deep_copy (json_object_get (tree, "skipped"));
    if (!json_is_array (lost)) {
      json_decref (lost);
      lost = json_array ();
    }
    if (isc_archiver_add_archive (err, ar, part, folder, lost) == -1) {
      json_decref (lost);
      goto out;
    }
    isc_manifest_set_tree (entries[i], folder,
                           json_integer_value (json_object_get (tree,
                                                                "entries")),
                           json_integer_value (json_object_get (tree, "bytes")),
                           lost);
  }
  if (add_manifest (err, ar, manifest) == -1)
    goto out;
  r = isc_archiver_commit (err, ar);
  ar = NULL;
 out:
  isc_archiver_abort (ar);
  for (i = 0; i < n_used; ++i)
    free (used[i]);
  free (used);
  return r;
}
