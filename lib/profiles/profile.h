/* imgscrub: cleanup profiles (libconfuse syntax), found by name on a
 * search path or given by file path.  See profiles/README.md. */
#ifndef ISC_PROFILE_H
#define ISC_PROFILE_H

#include <stddef.h>

#include "util/error.h"
#include "util/status.h"

struct isc_action;                  /* action.h */

/* An identity the profile removes, declared for `audit`: a registry
 * value or a file whose content identifies the machine. */
enum isc_identity_kind {
  ISC_IDENTITY_REGISTRY,
  ISC_IDENTITY_FILE,
};

struct isc_identity {
  char *title;                      /* the section's title */
  unsigned os;                      /* enum isc_os mask */
  enum isc_identity_kind kind;
  char *key;                        /* registry: 'HKLM\...' as written */
  char *value;                      /* registry: value name ("" = default) */
  char *path;                       /* file: guest path as written */
  char *file;                       /* profile file and line */
  int line;
};

struct isc_profile {
  char *name;
  char *description;                /* "" when not given */
  char *reference;                  /* e.g. "KB Q257808"; "" when not given */
  unsigned os;                      /* enum isc_os mask */
  char *path;                       /* absolute path of the file read */
  char *file;                       /* the path as opened, used in messages
                                       and "source" (FILE:LINE) */
  char sha256[65];                  /* hex SHA-256 of that file's bytes */
  /* Included profiles, loaded first; owned.  A profile included twice in
   * one tree is loaded (and applied) once, at its first place. */
  struct isc_profile **includes;
  size_t n_includes;
  /* The profile's own actions in file order (not those of includes). */
  struct isc_action **actions;
  size_t n_actions;
  struct isc_identity **identities;
  size_t n_identities;
};

/* Largest profile file accepted. */
#define ISC_PROFILE_MAX_SIZE (1024 * 1024)
/* Deepest include chain accepted. */
#define ISC_PROFILE_MAX_DEPTH 16

/* Load NAME_OR_PATH: a path when it contains '/' or ends ".conf", else a
 * name looked up on isc_profile_search_path().  Strict: any unknown
 * option, bad value or unresolvable reference is an error naming
 * file:line ("FILE:LINE: message").  On success *RET is owned by the
 * caller (isc_profile_free). */
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
 * $IMGSCRUB_PROFILE_PATH (colon-separated, empty entries ignored), the
 * source tree's profiles/ when the program runs from its build tree (its
 * executable is in BUILD_TREE_DIR/cmd or under BUILD_TREE_DIR/tests),
 * the profiles of the installed tree the program runs from when that
 * tree was moved (DESTDIR, a copied prefix: X/bin/imgscrub finds
 * X/share/imgscrub/profiles), then the installed data directory.  NULL-terminated; the caller frees
 * it (isc_free_string_list). */
char **isc_profile_search_path (void);

/* Names of every profile found on the search path (files NAME.conf),
 * sorted, first found wins; NULL-terminated, caller frees
 * (isc_free_string_list). */
char **isc_profile_list_names (void);

/* Where the profile called NAME is: the first NAME.conf on the search
 * path.  *RET is the caller's to free. */
int isc_profile_find (struct isc_err *err, const char *name, char **ret);

#endif
