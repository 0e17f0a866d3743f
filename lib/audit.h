/* imgscrub: read a guest's machine identities, for `imgscrub audit`.
 * Runs inside the appliance worker on a guest mounted read-only. */
#ifndef ISC_AUDIT_H
#define ISC_AUDIT_H

#include <jansson.h>

#include "guest.h"

struct isc_profile;

/* Append to IDENTITIES (a JSON array) one object per identity value
 * found in the guest GU (mounted read-only at "/", gu->dry_run set):
 *   {"identity": NAME, "source": "FILE:LINE" or "built-in",
 *    "where": "HKLM\\...\\Value" or "/etc/machine-id",
 *    "value": TEXT}
 * where NAME is the identity section's title for those declared in
 * PROFILES, and built-in names for the ones every audit reads
 * ("computer-name", "filesystem-uuid", "ssh-host-key" fingerprints,
 * "machine-id").  Values are guest-controlled: stored with
 * isc_json_string.  An identity that is absent is simply not listed.
 * Returns -1 (gu->err set) only when the guest cannot be read at all. */
int isc_audit_guest (struct isc_guest *gu,
                     struct isc_profile *const *profiles, size_t n_profiles,
                     json_t *identities);

#endif
