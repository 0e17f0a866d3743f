/* imgscrub: the manifest: what was done to each image, as JSON written
 * atomically (doc/manifest.schema.json). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "profiles/action.h"
#include "util/atomic.h"
#include "util/cleanups.h"
#include "util/escape.h"
#include "util/hostfile.h"
#include "image/format.h"
#include "image/target.h"
#include "outputs/manifest.h"
#include "profiles/profile.h"
#include "util/status.h"
#include "util/error.h"

/* A previous manifest larger than this is not one we wrote for a batch
 * we could hold in memory. */
#define MAX_PREVIOUS (256 * 1024 * 1024)

const char *
isc_manifest_mode_name (enum isc_manifest_mode mode)
{
  switch (mode) {
  case ISC_MANIFEST_IN_PLACE: return "in-place";
  case ISC_MANIFEST_DRY_RUN: return "dry-run";
  case ISC_MANIFEST_OUTPUT: break;
  }
  return "output";
}

const char *
isc_written_name (enum isc_written w)
{
  switch (w) {
  case ISC_WRITTEN_YES: return "yes";
  case ISC_WRITTEN_UNKNOWN: return "unknown";
  case ISC_WRITTEN_NO: break;
  }
  return "no";
}

static void
add_profile (json_t *list, const struct isc_profile *p)
{
  size_t i;

  for (i = 0; i < p->n_includes; ++i)
    add_profile (list, p->includes[i]);
  json_array_append_new (list,
                         json_pack ("{s:o, s:o, s:o, s:s}",
                                    "name", isc_json_string (p->name),
                                    "path", isc_json_string (p->path),
                                    "reference", isc_json_string (p->reference),
                                    "sha256", p->sha256));
}

json_t *
isc_manifest_new (enum isc_manifest_mode mode, const char *started,
                  struct isc_profile *const *profiles, size_t n_profiles)
{
  json_t *list = json_array ();
  size_t i;

  for (i = 0; i < n_profiles; ++i)
    add_profile (list, profiles[i]);
  return json_pack ("{s:i, s:s, s:s, s:s, s:s, s:o}",
                    "schema", ISC_MANIFEST_SCHEMA,
                    "tool", PACKAGE_NAME, "version", PACKAGE_VERSION,
                    "mode", isc_manifest_mode_name (mode), "started", started,
                    "profiles", list);
}

enum isc_written
isc_manifest_written (const struct isc_image *img, enum isc_manifest_mode mode)
{
  switch (mode) {
  case ISC_MANIFEST_DRY_RUN:
    return ISC_WRITTEN_NO;
  case ISC_MANIFEST_OUTPUT:
    /* An output (an image, or its tree for --export-tree) exists only
     * for an image that ended ok: it is renamed into place last, and a
     * failed image leaves none. */
    return img->status == ISC_IMAGE_OK && (img->output_sha256[0] || img->tree)
      ? ISC_WRITTEN_YES : ISC_WRITTEN_NO;
  case ISC_MANIFEST_IN_PLACE:
    break;
  }
  if (img->resumed || img->attempts == 0)
    return ISC_WRITTEN_NO;            /* no appliance ever opened it */
  if (img->status == ISC_IMAGE_OK)
    return ISC_WRITTEN_YES;
  /* Failed in place: what the one appliance that held it did is on the
   * disk if it shut down cleanly; an appliance that died (or a second
   * attempt after one did) leaves the input in an unknown state. */
  if (img->attempts == 1 && img->group_clean == 1)
    return ISC_WRITTEN_YES;
  return ISC_WRITTEN_UNKNOWN;
}

/* RESULT as true of an image in state W. */
static const char *
true_result (const char *result, enum isc_written w)
{
  int deleted = strcmp (result, "deleted") == 0;
  int changed = strcmp (result, "changed") == 0;

  if (w == ISC_WRITTEN_YES || (!deleted && !changed))
    return result;
  if (w == ISC_WRITTEN_NO)
    return deleted ? "would-delete" : "would-change";
  return deleted ? "maybe-deleted" : "maybe-changed";
}

static json_t *
true_actions (const json_t *actions, enum isc_written w)
{
  json_t *list = json_array (), *a;
  size_t i;

  json_array_foreach (actions, i, a) {
    json_t *copy = json_copy (a);
    const char *r = json_string_value (json_object_get (a, "result"));

    if (r)
      json_object_set_new (copy, "result", json_string (true_result (r, w)));
    json_array_append_new (list, copy);
  }
  return list;
}

static const char *
package_name (enum isc_package p)
{
  switch (p) {
  case ISC_PACKAGE_OVA: return "ova";
  case ISC_PACKAGE_GCE_TAR: return "tar.gz";
  case ISC_PACKAGE_NONE: break;
  }
  return "none";
}

/* What target T made of an output of an input of VIRTUAL_SIZE bytes,
 * and the rules it was checked against before it was committed (an
 * output that broke one was not committed). */
static json_t *
target_json (const struct isc_target *t, uint64_t virtual_size)
{
  json_t *checks = json_array ();
  unsigned rules = t->disk_rules | t->package_rules, i;

  for (i = 0; i < ISC_RULE_COUNT; ++i)
    if (rules & (1u << i))
      json_array_append_new (checks,
                             json_string (isc_rule_name (1u << i)));
  return json_pack ("{s:s, s:s, s:s, s:s, s:I, s:o}",
                    "name", t->name,
                    "kind", t->preset ? "target" : "output-format",
                    "disk_format", t->disk_format,
                    "package", package_name (t->package),
                    "virtual_size",
                    (json_int_t) isc_target_disk_size (t, virtual_size),
                    "checks", checks);
}

json_t *
isc_manifest_image (const struct isc_image *img, enum isc_manifest_mode mode,
                    int kept)
{
  enum isc_written w = isc_manifest_written (img, mode);
  json_t *j = isc_manifest_image_info (img);

  if (img->input_sha256[0])
    json_object_set_new (j, "input_sha256", json_string (img->input_sha256));
  if (w == ISC_WRITTEN_YES && img->output_sha256[0]) {
    if (kept && img->output)
      json_object_set_new (j, "output", isc_json_string (img->output));
    /* A packaged output (an OVA, a tar.gz) is no disk image: its disk's
     * format is the target's. */
    if (mode == ISC_MANIFEST_OUTPUT &&
        (!img->target || img->target->package == ISC_PACKAGE_NONE))
      json_object_set_new (j, "output_format",
                           json_string (isc_format_name (img->output_format)));
    if (mode == ISC_MANIFEST_OUTPUT && img->target)
      json_object_set_new (j, "target",
                           target_json (img->target,
                                        img->info.virtual_size));
    json_object_set_new (j, "output_sha256", json_string (img->output_sha256));
  }
  json_object_set_new (j, "written", json_string (isc_written_name (w)));
  json_object_set_new (j, "actions", true_actions (img->actions, w));
  if (img->snapshots)
    json_object_set_new (j, "snapshots", true_actions (img->snapshots, w));
  /* Retried after its first appliance died. */
  if (img->attempts > 1)
    json_object_set_new (j, "attempts", json_integer (img->attempts));
  json_object_set_new (j, "seconds", json_real (img->seconds));
  return j;
}

void
isc_manifest_image_lost (json_t *entry)
{
  json_t *actions = json_object_get (entry, "actions");

  const char *written = json_string_value (json_object_get (entry,
                                                           "written"));

  if (!written || strcmp (written, "yes") != 0)
    return;
  json_object_del (entry, "output");
  json_object_del (entry, "output_format");
  json_object_del (entry, "target");
  json_object_del (entry, "output_sha256");
  json_object_del (entry, "archive_member");
  json_object_set_new (entry, "written",
                       json_string (isc_written_name (ISC_WRITTEN_NO)));
  json_object_set_new (entry, "actions",
                       true_actions (actions, ISC_WRITTEN_NO));
  if (json_object_get (entry, "snapshots"))
    json_object_set_new (entry, "snapshots",
                         true_actions (json_object_get (entry, "snapshots"),
                                       ISC_WRITTEN_NO));
}

const char *
isc_manifest_summarise (const json_t *entry, char *buf, size_t len)
{
  static const char *const names[] = {
    "deleted", "changed", "would-delete", "would-change", "maybe-deleted",
    "maybe-changed", "absent", "skipped", "failed",
  };
  size_t counts[sizeof names / sizeof names[0]] = { 0 };
  size_t i, k, off = 0;
  json_t *a;

  buf[0] = '\0';
  json_array_foreach (json_object_get (entry, "actions"), i, a) {
    const char *r = json_string_value (json_object_get (a, "result"));

    for (k = 0; r && k < sizeof names / sizeof names[0]; ++k)
      if (strcmp (r, names[k]) == 0)
        counts[k]++;
  }
  for (k = 0; k < sizeof names / sizeof names[0] && off < len; ++k)
    if (counts[k])
      off += snprintf (buf + off, len - off, "%s%zu %s", off ? ", " : "",
                       counts[k], names[k]);
  return buf;
}

void
isc_manifest_finish (json_t *manifest, json_t *const *entries,
                     const struct isc_image *images, size_t n,
                     const char *finished, int interrupted)
{
  json_t *list = json_array ();
  json_int_t ok = 0, failed = 0, skipped = 0;
  size_t i;

  for (i = 0; i < n; ++i) {
    json_array_append (list, entries[i]);
    switch (images[i].status) {
    case ISC_IMAGE_OK: ok++; break;
    case ISC_IMAGE_SKIPPED: skipped++; break;
    default: failed++; break;
    }
  }
  json_object_set_new (manifest, "images", list);
  json_object_set_new (manifest, "finished", json_string (finished));
  json_object_set_new (manifest, "summary",
                       json_pack ("{s:I, s:I, s:I}", "ok", ok,
                                  "failed", failed, "skipped", skipped));
  if (interrupted)
    json_object_set_new (manifest, "interrupted", json_true ());
}

void
isc_manifest_set_archive (json_t *manifest, const char *key,
                          const char *path, const char *format)
{
  json_object_set_new (manifest, key,
                       json_pack ("{s:o, s:s}", "path", isc_json_string (path),
                                  "format", format));
}

void
isc_manifest_archive_error (json_t *manifest, const char *key,
                            const char *msg)
{
  json_object_set_new (json_object_get (manifest, key), "error",
                       isc_json_string (msg));
}

void
isc_manifest_archive_member (json_t *entry, const char *member)
{
  json_object_set_new (entry, "archive_member", isc_json_string (member));
}

void
isc_manifest_set_tree (json_t *entry, const char *folder, long long entries,
                       long long bytes, json_t *lost)
{
  json_object_set_new (entry, "tree",
                       json_pack ("{s:o, s:I, s:I, s:o}",
                                  "folder", isc_json_string (folder),
                                  "entries", (json_int_t) entries,
                                  "bytes", (json_int_t) bytes,
                                  "unrepresentable", lost));
}

char *
isc_manifest_dump (const json_t *manifest)
{
  return json_dumps (manifest, JSON_INDENT (2) | JSON_ENSURE_ASCII |
                     JSON_SORT_KEYS);
}

int
isc_manifest_write (struct isc_err *err, const json_t *manifest,
                    const char *path)
{
  CLEANUP_FREE char *text = isc_manifest_dump (manifest);

  if (!text)
    return isc_error (err, path, "cannot serialise the manifest");
  return isc_atomic_write (err, path, text, strlen (text));
}

json_t *
isc_manifest_image_info (const struct isc_image *img)
{
  json_t *j = json_object ();

  json_object_set_new (j, "input", isc_json_string (img->path));
  if (img->info.format != ISC_FORMAT_UNKNOWN) {
    json_object_set_new (j, "input_format",
                         json_string (isc_format_name (img->info.format)));
    if (img->info.subformat[0])
      json_object_set_new (j, "input_subformat",
                           isc_json_string (img->info.subformat));
    json_object_set_new (j, "virtual_size",
                         json_integer ((json_int_t) img->info.virtual_size));
  }
  json_object_set_new (j, "status",
                       json_string (isc_image_status_name (img->status)));
  if (img->error)
    json_object_set_new (j, "error", isc_json_string (img->error));
  if (img->facts)
    json_object_set (j, "os", img->facts);
  if (img->hives && json_array_size (img->hives) > 0)
    json_object_set (j, "hives", img->hives);
  return j;
}

json_t *
isc_manifest_inspect (const struct isc_image *images, size_t n)
{
  json_t *list = json_array ();
  size_t i;

  for (i = 0; i < n; ++i)
    json_array_append_new (list, isc_manifest_image_info (&images[i]));
  return json_pack ("{s:o}", "images", list);
}

json_t *
isc_manifest_audit (const struct isc_image *images, size_t n, json_t *dups)
{
  json_t *list = json_array ();
  size_t i;

  for (i = 0; i < n; ++i) {
    json_t *j = json_pack ("{s:o, s:s}",
                           "input", isc_json_string (images[i].path),
                           "status", isc_image_status_name (images[i].status));

    if (images[i].error)
      json_object_set_new (j, "error", isc_json_string (images[i].error));
    json_object_set_new (j, "identities", images[i].identities
                         ? json_incref (images[i].identities) : json_array ());
    if (images[i].hives && json_array_size (images[i].hives) > 0)
      json_object_set (j, "hives", images[i].hives);
    json_array_append_new (list, j);
  }
  return json_pack ("{s:o, s:O}", "images", list, "duplicates", dups);
}

/* ---- reading: --resume ------------------------------------------------ */

static int
is_sha256 (const char *s)
{
  size_t i;

  if (!s || strlen (s) != ISC_SHA256_HEX_LEN)
    return 0;
  for (i = 0; i < ISC_SHA256_HEX_LEN; ++i)
    if (!strchr ("0123456789abcdef", s[i]))
      return 0;
  return 1;
}

/* PREVIOUS's entry for INPUT that ended ok with both hashes, or NULL. */
static json_t *
previous_entry (const json_t *previous, const char *input)
{
  json_t *entry;
  size_t i;

  json_array_foreach (json_object_get (previous, "images"), i, entry) {
    const char *in = json_string_value (json_object_get (entry, "input"));
    const char *st = json_string_value (json_object_get (entry, "status"));

    if (in && st && strcmp (in, input) == 0 && strcmp (st, "ok") == 0 &&
        is_sha256 (json_string_value (json_object_get (entry,
                                                       "input_sha256"))) &&
        is_sha256 (json_string_value (json_object_get (entry,
                                                       "output_sha256"))))
      return entry;
  }
  return NULL;
}

int
isc_manifest_parse_previous (struct isc_err *err, const char *text,
                             size_t len, struct isc_image *images, size_t n,
                             json_t **ret_previous)
{
  json_error_t jerr;
  json_t *previous = json_loadb (text, len, JSON_REJECT_DUPLICATES, &jerr);
  json_t *schema;
  size_t i;

  if (!previous)
    return isc_error (err, NULL, "not JSON: line %d: %s", jerr.line,
                      jerr.text);
  schema = json_object_get (previous, "schema");
  if (!json_is_object (previous) ||
      !json_is_array (json_object_get (previous, "images"))) {
    json_decref (previous);
    return isc_error (err, NULL, "not an imgscrub manifest");
  }
  /* Manifests before "schema" existed have the same fields. */
  if (schema && (!json_is_integer (schema) ||
                 json_integer_value (schema) != ISC_MANIFEST_SCHEMA)) {
    json_decref (previous);
    return isc_error (err, NULL, "a manifest of another schema version "
                      "(this imgscrub writes %d)", ISC_MANIFEST_SCHEMA);
  }
  for (i = 0; i < n; ++i) {
    json_t *entry = previous_entry (previous, images[i].path);

    if (entry) {
      images[i].resume_input_sha256 =
        json_string_value (json_object_get (entry, "input_sha256"));
      images[i].resume_output_sha256 =
        json_string_value (json_object_get (entry, "output_sha256"));
    }
  }
  *ret_previous = previous;
  return 0;
}

int
isc_manifest_read_previous (struct isc_err *err, const char *path,
                            struct isc_image *images, size_t n,
                            json_t **ret_previous)
{
  CLEANUP_FREE unsigned char *text = NULL;
  struct stat st;
  size_t len;

  *ret_previous = NULL;
  if (lstat (path, &st) == -1 && errno == ENOENT)
    return 0;                       /* nothing done yet */
  if (isc_read_host_file (err, path, MAX_PREVIOUS, &text, &len) == -1)
    return -1;
  if (isc_manifest_parse_previous (err, (const char *) text, len, images, n,
                                   ret_previous) == -1) {
    CLEANUP_FREE char *msg = strdup (isc_err_msg (err));

    return isc_error (err, path, "%s", msg ? msg : "not a manifest");
  }
  return 0;
}

json_t *
isc_manifest_resumed (const json_t *previous, const struct isc_image *img)
{
  json_t *entry = json_deep_copy (previous_entry (previous, img->path));

  if (entry)
    json_object_set_new (entry, "resumed", json_true ());
  return entry;
}
