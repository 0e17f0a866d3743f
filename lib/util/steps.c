/* imgscrub: seconds per step, added up in a JSON object. */
#include <config.h>

#include "util/steps.h"
#include "util/time.h"

static void
add_seconds (json_t *steps, const char *name, double seconds)
{
  json_t *have = json_object_get (steps, name);

  json_object_set_new (steps, name,
                       json_real ((have ? json_number_value (have) : 0) +
                                  seconds));
}

double
isc_step_add (json_t *steps, const char *name, double began)
{
  double now = isc_now ();

  if (steps)
    add_seconds (steps, name, now - began);
  return now;
}

void
isc_steps_merge (json_t *steps, json_t *from)
{
  const char *name;
  json_t *v;

  if (!steps)
    return;
  json_object_foreach (from, name, v)
    if (json_is_number (v))
      add_seconds (steps, name, json_number_value (v));
}
