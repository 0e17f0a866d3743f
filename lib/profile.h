/* imgscrub: cleanup profiles (libconfuse syntax), found by name on a
 * search path or given by file path.  See profiles/README.md. */
#ifndef ISC_PROFILE_H
#define ISC_PROFILE_H

#include <stddef.h>

#include "error.h"

/* Operating systems, as a mask: a profile or action applies to these. */
enum isc_os {
  ISC_OS_WINDOWS = 1 << 0,
  ISC_OS_LINUX = 1 << 1,
  ISC_OS_ANY = ISC_OS_WINDOWS | ISC_OS_LINUX,
};

struct isc_action;                  /* action.h */
struct isc_identity;                /* identities for `audit`, profile.c */

struct isc_profile {
  char *name;
  char *description;
  char *reference;                  /* e.g. "KB Q257808" */
  unsigned os;                      /* enum isc_os mask */
  char *path;                       /* absolute path of the file read */
  char sha256[65];                  /* hex SHA-256 of that file's bytes */
  /* Included profiles, loaded first; owned. */
  struct isc_profile **includes;
  size_t n_includes;
  /* The profile's own actions in file order (not those of includes). */
  struct isc_action **actions;
  size_t n_actions;
  struct isc_identity **identities;
  size_t n_identities;
};

/* Load NAME_OR_PATH: a path when it contains '/' or ends ".conf", else a
 * name looked up on isc_profile_search_path().  Strict: any unknown
 * option, bad value or unresolvable reference is an error naming
 * file:line.  On success *RET is owned by the caller
 * (isc_profile_free). */
int isc_profile_load (struct isc_err *err, const char *name_or_path,
                      struct isc_profile **ret);

void isc_profile_free (struct isc_profile *p);

/* Call FN on every action of P, includes first (depth first), in order.
 * Stops and returns FN's result when it is not 0. */
int isc_profile_foreach_action (const struct isc_profile *p,
                                int (*fn) (const struct isc_profile *owner,
                                           const struct isc_action *a,
                                           void *opaque),
                                void *opaque);

/* Directories searched for profiles by name, in order:
 * $IMGSCRUB_PROFILE_PATH (colon-separated), the source tree's profiles/
 * when the program runs from its build tree, then the installed data
 * directory.  NULL-terminated; the caller frees it (isc_free_string_list). */
char **isc_profile_search_path (void);

/* Names of every profile found on the search path, sorted, first found
 * wins; NULL-terminated, caller frees. */
char **isc_profile_list_names (void);

#endif
