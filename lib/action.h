/* imgscrub: action kinds.  Each kind lives in lib/actions/<kind>.c and
 * exports one descriptor; lib/actions/registry.c lists them, sorted.
 * Adding a kind touches no other kind. */
#ifndef ISC_ACTION_H
#define ISC_ACTION_H

#include <confuse.h>

#include "error.h"
#include "result.h"

struct isc_guest;                   /* guest.h */
struct isc_action;

struct isc_action_kind {
  const char *name;                 /* section name in a profile: "delete-value" */
  const char *summary;              /* one line for `profiles actions` */
  unsigned os;                      /* enum isc_os mask it can apply to */
  cfg_opt_t *opts;                  /* schema of its section (CFG_END-terminated) */
  const char *const *option_docs;   /* "name", "doc", ... pairs, NULL-terminated:
                                       every option in OPTS is documented */
  /* Validate SEC and store the parsed form in A->data. */
  int (*parse) (struct isc_err *err, cfg_t *sec, struct isc_action *a);
  /* Do it (or, with gu->dry_run, say what would be done), reporting each
   * target through isc_guest_report().  Returns -1 only when the image
   * must fail as a whole. */
  int (*apply) (struct isc_guest *gu, const struct isc_action *a);
  void (*free_data) (void *data);
};

struct isc_action {
  const struct isc_action_kind *kind;
  const char *profile;              /* name of the profile it came from (borrowed) */
  char *title;                      /* the section's title, may be NULL */
  char *file;                       /* profile file and line, for messages */
  int line;
  void *data;                       /* owned; kind->free_data */
};

/* The registered kinds, sorted by name, NULL-terminated. */
extern const struct isc_action_kind *const isc_action_kinds[];

const struct isc_action_kind *isc_action_kind_lookup (const char *name);

void isc_action_free (struct isc_action *a);

#endif
