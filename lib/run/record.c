/* imgscrub: the JSON record of one action result, as a worker sends it
 * and the manifest keeps it. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "profiles/action.h"
#include "run/record.h"
#include "util/cleanups.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/oom.h"

void
isc_record_action (void *actions, const struct isc_action *a,
                   const char *target, enum isc_result result,
                   const char *reason)
{
  CLEANUP_FREE char *source = NULL;
  json_t *o;

  if (asprintf (&source, "%s:%d", a->profile_path ? a->profile_path : a->file, a->line) == -1)
    isc_oom ();
  o = json_pack ("{s:o, s:o, s:o, s:o, s:o, s:s}",
                 "profile", isc_json_string (a->profile),
                 "action", isc_json_string (a->kind->name),
                 "title", isc_json_string (a->title),
                 "source", isc_json_string (source),
                 "target", isc_json_string (target),
                 "result", isc_result_name (result));
  if (!o)
    isc_oom ();
  if (result == ISC_RESULT_FAILED || reason)
    json_object_set_new (o, "reason",
                         isc_json_string (reason ? reason : "unknown error"));
  if (json_array_append_new (actions, o) == -1)
    isc_oom ();
}
