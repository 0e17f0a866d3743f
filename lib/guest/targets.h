/* imgscrub: what an action's path names in a guest: variables expanded
 * (per user for %USERPROFILE%), globs listed, each target looked up. */
#ifndef ISC_TARGETS_H
#define ISC_TARGETS_H

#include <stdint.h>

#include "guest/path.h"

/* Resolve PATH (isc_guest_resolve) and find what it is
 * (isc_guest_ftype).  Returns 1 when A's result on it is recorded
 * already: "absent" when its folder is missing (or, with NEED, when it
 * is), "failed" on an error.  Otherwise 0 with *RESOLVED (caller frees),
 * *TYPE and, when RET_SIZE is not NULL, its size. */
int isc_guest_lookup (struct isc_guest *gu, const struct isc_action *a,
                      const char *path, int need, char **resolved,
                      enum isc_ftype *type, int64_t *ret_size);

/* Call FN with each guest path TEXT names: once, or once per user when
 * it uses %USERPROFILE% (nothing to do without users: "absent").  When
 * A's kind takes globs, a path with '*', '?' or '[' in any component
 * names every existing entry that matches (in path order; '*' never
 * matches '/', nor a leading '.'; symlinked folders are never entered;
 * A's exclude patterns are left out; none at all: "absent").  A path
 * that cannot be expanded is reported failed.  Stops on FN's -1 (the
 * image fails as a whole). */
int isc_guest_foreach_path (struct isc_guest *gu, const struct isc_action *a,
                            const char *text,
                            int (*fn) (struct isc_guest *gu,
                                       const struct isc_action *a,
                                       const char *path, void *opaque),
                            void *opaque);

#endif
