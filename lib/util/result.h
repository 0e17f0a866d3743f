/* imgscrub: graded results of an action on one target.  The manifest
 * and the exit status use the same words. */
#ifndef ISC_RESULT_H
#define ISC_RESULT_H

enum isc_result {
  ISC_RESULT_DELETED,           /* removed from the image */
  ISC_RESULT_CHANGED,           /* value set, file written or truncated */
  ISC_RESULT_ABSENT,            /* nothing to do: the target is not there */
  ISC_RESULT_WOULD_DELETE,      /* --dry-run: would be removed */
  ISC_RESULT_WOULD_CHANGE,      /* --dry-run: would be changed */
  ISC_RESULT_SKIPPED,           /* not for this guest's OS */
  ISC_RESULT_FAILED,            /* with a reason */
};

/* "deleted", "changed", "absent", "would-delete", "would-change",
 * "skipped", "failed"; static. */
const char *isc_result_name (enum isc_result r);

#endif
