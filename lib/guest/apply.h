/* imgscrub: applying profiles to one guest, in order, and committing
 * the hives they changed; the top of lib/guest/. */
#ifndef ISC_APPLY_H
#define ISC_APPLY_H

#include <stddef.h>

#include <jansson.h>

#include "guest/guest.h"

struct isc_profile;

/* Apply every action of PROFILES (in order, includes first) to the
 * guest, then commit changed hives back into the guest (not in dry-run).
 * Returns 0 when every action ended without "failed"; -1 otherwise, or
 * when the image must fail as a whole (e.g. a dirty hive), with
 * gu->err set. */
int isc_guest_apply (struct isc_guest *gu,
                     struct isc_profile *const *profiles, size_t n_profiles);

/* Read the Windows facts of FACTS (product name, version, current
 * control set, hostname) again from the guest's registry, through the
 * hive copies this module keeps: a dirty hive is recovered from its
 * logs, refused or taken as is (gu->dirty_hives).  Returns -1 with
 * gu->err set when the image must fail (a dirty hive refused). */
int isc_guest_windows_facts (struct isc_guest *gu, json_t *facts);

/* Release private state (host copies of hives are deleted). */
void isc_guest_clear (struct isc_guest *gu);

#endif
