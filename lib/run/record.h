/* imgscrub: the record of one action result that a worker sends its
 * parent and the manifest keeps ("profile", "action", "title", "source",
 * "target", "result", "reason"). */
#ifndef ISC_RECORD_H
#define ISC_RECORD_H

#include "guest/guest.h"

/* An isc_guest_result_fn: append the record to the JSON array ACTIONS. */
isc_guest_result_fn isc_record_action;

#endif
