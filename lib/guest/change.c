/* imgscrub: one change to a guest, with the dry-run decision made once, and
 * the list of what this pass removed. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "guest/change.h"
#include "util/cleanups.h"
#include "guest/transfer.h"
#include "guest/path.h"
#include "guest/reg.h"
#include "profiles/action.h"
#include "util/error.h"
#include "util/oom.h"
#include "util/status.h"
#include "guest/private.h"

void
isc_guest_note_removed (struct isc_guest *gu, const struct isc_action *a,
                        enum isc_item type, const char *what, int subtree)
{
  struct isc_guest_private *priv = gu->priv;
  struct isc_removed *r;

  r = realloc (priv->removed, (priv->n_removed + 1) * sizeof *r);
  if (!r)
    isc_oom ();
  priv->removed = r;
  r[priv->n_removed].type = type;
  r[priv->n_removed].what = strdup (what);
  if (!r[priv->n_removed].what)
    isc_oom ();
  r[priv->n_removed].subtree = subtree;
  r[priv->n_removed].by = a;
  priv->n_removed++;
  if (type == ISC_ITEM_FILE) {
    isc_guest_dirs_mark_entry (gu, what, 1);
    /* What resolved through it (a folder, or a symlink) no longer does. */
    isc_guest_folders_forget (gu, what);
  }
}

const struct isc_action *
isc_guest_removed_by (struct isc_guest *gu, enum isc_item type, const char *what)
{
  struct isc_guest_private *priv = gu->priv;
  /* The registry ignores letter case, and so does Windows for files. */
  int nocase = type == ISC_ITEM_REGISTRY || gu->os == ISC_OS_WINDOWS;
  const char *seps = type == ISC_ITEM_REGISTRY ? "\\|" : "/";
  size_t i, len;

  for (i = 0; i < priv->n_removed; ++i) {
    const struct isc_removed *r = &priv->removed[i];

    if (r->type != type)
      continue;
    len = strlen (r->what);
    if ((nocase ? strncasecmp (r->what, what, len)
         : strncmp (r->what, what, len)) != 0)
      continue;
    if (what[len] == '\0')
      return r->by;
    /* Something under a removed key or folder. */
    if (r->subtree &&
        (strchr (seps, what[len]) || (len > 0 && strchr (seps, r->what[len - 1]))))
      return r->by;
  }
  return NULL;
}

/* "Would re-create X removed earlier by FILE:LINE" when WHAT was removed
 * earlier in this pass: reports A failed on TARGET and returns 1. */
static int
refuse_recreate (struct isc_guest *gu, const struct isc_action *a,
                 enum isc_item type, const char *what, const char *target)
{
  const struct isc_action *by = isc_guest_removed_by (gu, type, what);

  if (!by)
    return 0;
  isc_guest_fail (gu, a, target, "would re-create what %s:%d removed "
                  "earlier in this pass", by->file, by->line);
  return 1;
}

int
isc_guest_change (struct isc_guest *gu, const struct isc_action *a,
                  const struct isc_change *c)
{
  const char *id = c->id ? c->id : c->target;
  struct isc_err reason = ISC_ERR_INIT;
  enum isc_result result;

  if (c->creates && refuse_recreate (gu, a, c->type, id, c->target))
    return 0;
  if (c->reg && isc_reg_edit (gu, c->reg) == -1) {
    isc_guest_report_failed (gu, a, c->target, gu->err);
    return -1;
  }
  if (gu->dry_run)
    result = c->deletes ? ISC_RESULT_WOULD_DELETE : ISC_RESULT_WOULD_CHANGE;
  else if (c->fn (gu, &reason, c->opaque) == -1) {
    isc_guest_report_failed (gu, a, c->target, &reason);
    isc_err_clear (&reason);
    return 0;
  }
  else {
    result = c->deletes ? ISC_RESULT_DELETED : ISC_RESULT_CHANGED;
    /* Its size changed, or it was made: cached listings must not say
     * what it was. */
    if (c->type == ISC_ITEM_FILE && !c->deletes)
      isc_guest_dirs_mark_entry (gu, c->target, 0);
  }
  isc_guest_report (gu, a, c->target, result, NULL);
  if (c->note)
    isc_guest_note_removed (gu, a, c->type, id, c->subtree);
  return 0;
}

struct text_edit {
  const char *path;
  const char *text;
  size_t len;
};

static int
write_text (struct isc_guest *gu, struct isc_err *reason, void *opaque)
{
  const struct text_edit *e = opaque;

  return isc_guest_write_aside (gu, reason, e->path, e->text, e->len, -1);
}

int
isc_guest_edit_text (struct isc_guest *gu, const struct isc_action *a,
                     const struct isc_file *f, isc_text_filter *filter,
                     const void *opaque)
{
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE char *text = NULL;
  size_t len = 0;

  if (f->size > ISC_MAX_TEXT_EDIT) {
    isc_guest_fail (gu, a, f->path, "larger than %d bytes", ISC_MAX_TEXT_EDIT);
    return 0;
  }
  if (f->size > 0 &&
      isc_read_guest_file (&reason, gu->g, f->path, ISC_MAX_TEXT_EDIT, &text,
                           &len) == -1) {
    isc_guest_fail (gu, a, f->path, "cannot read: %s", isc_err_msg (&reason));
    isc_err_clear (&reason);
    return 0;
  }
  if (!text || filter (opaque, text, &len) == 0) {
    isc_guest_report (gu, a, f->path, ISC_RESULT_ABSENT, NULL);
    return 0;
  }
  return isc_guest_change (gu, a, &(struct isc_change) {
      .target = f->path, .type = ISC_ITEM_FILE, .fn = write_text,
      .opaque = &(struct text_edit) { f->path, text, len } });
}
