/* imgscrub: one change an action makes to a guest, decided once for
 * dry run against real, and what this pass removed so that no later
 * action re-creates it. */
#ifndef ISC_CHANGE_H
#define ISC_CHANGE_H

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

#endif
