/* imgscrub: how long each step of one image took, by name ("inspect",
 * "mount", an action kind's name, "flush", "convert", ...), for -v and
 * tests/bench/scaling.sh.  STEPS is a JSON object of name -> seconds;
 * a step that runs several times adds up. */
#ifndef ISC_STEPS_H
#define ISC_STEPS_H

#include <jansson.h>

/* Add the time since BEGAN (an isc_now () reading) to step NAME of
 * STEPS; returns the current reading, to chain steps.  STEPS may be
 * NULL: nothing is recorded. */
double isc_step_add (json_t *steps, const char *name, double began);

/* Add every step of FROM into STEPS. */
void isc_steps_merge (json_t *steps, json_t *from);

#endif
