/* imgscrub: one change an action makes to a guest, decided once for
 * dry run against real, and what this pass removed so that no later
 * action re-creates it. */
#ifndef ISC_CHANGE_H
#define ISC_CHANGE_H

#include "guest/path.h"
#include "guest/private.h"

struct isc_regtarget;

/* One change an action makes to one target.  isc_guest_change() decides
 * dry run against real, refuses to re-create what this pass removed and
 * records the result. */
struct isc_change {
  const char *target;               /* reported */
  int deletes;                      /* "deleted"/"would-delete", else
                                       "changed"/"would-change" */
  enum isc_item type;               /* what ID names */
  const char *id;                   /* for the removed list (NULL: TARGET) */
  int note;                         /* note ID removed (dry run too) */
  int subtree;                      /* with NOTE: what lies under it too */
  int creates;                      /* refuse when ID was removed earlier */
  struct isc_regtarget *reg;        /* registry: isc_reg_edit() first */
  /* Make the change (never called in a dry run); -1 with REASON. */
  int (*fn) (struct isc_guest *gu, struct isc_err *reason, void *opaque);
  void *opaque;
};

/* Do C for A.  Returns -1 only when the image fails as a whole. */
int isc_guest_change (struct isc_guest *gu, const struct isc_action *a,
                      const struct isc_change *c);

/* Note that A removed (or, in a dry run, would remove) WHAT: a registry
 * item ("HIVEFILE|KEY\PATH" or "HIVEFILE|KEY\PATH|VALUE") or a guest
 * file; SUBTREE when what lies under it goes too. */
void isc_guest_note_removed (struct isc_guest *gu, const struct isc_action *a,
                             enum isc_item type, const char *what,
                             int subtree);

/* The action that removed WHAT (or something above it) earlier in this
 * pass, or NULL. */
const struct isc_action *isc_guest_removed_by (struct isc_guest *gu,
                                               enum isc_item type,
                                               const char *what);

/* Largest text file isc_guest_edit_text edits. */
#define ISC_MAX_TEXT_EDIT (2 * 1024 * 1024)

/* Rewrites TEXT of *LEN bytes in place, setting *LEN; returns how many
 * edits it made (0: the file stays as it is). */
typedef size_t isc_text_filter (const void *opaque, char *text, size_t *len);

/* Edit the text file F for A: read it whole (at most ISC_MAX_TEXT_EDIT
 * bytes: a larger one is reported failed), let FILTER rewrite it, and
 * write it back beside itself and renamed over it (isc_guest_change)
 * when it changed; "absent" when nothing matched.  Returns -1 only when
 * the image fails as a whole. */
int isc_guest_edit_text (struct isc_guest *gu, const struct isc_action *a,
                         const struct isc_file *f, isc_text_filter *filter,
                         const void *opaque);

#endif
