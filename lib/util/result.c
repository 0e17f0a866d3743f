/* imgscrub: the names of action results. */
#include <config.h>

#include "util/result.h"

const char *
isc_result_name (enum isc_result r)
{
  switch (r) {
  case ISC_RESULT_DELETED: return "deleted";
  case ISC_RESULT_CHANGED: return "changed";
  case ISC_RESULT_ABSENT: return "absent";
  case ISC_RESULT_WOULD_DELETE: return "would-delete";
  case ISC_RESULT_WOULD_CHANGE: return "would-change";
  case ISC_RESULT_SKIPPED: return "skipped";
  case ISC_RESULT_FAILED: return "failed";
  }
  return "failed";
}
