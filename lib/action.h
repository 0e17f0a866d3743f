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
  const char *example;              /* a complete section, for the reference */
  /* Validate SEC and store the parsed form in A->data; set A->target and
   * narrow A->os (preset to the profile's os) when the section's paths
   * only make sense on one OS.  Messages need no file:line: the caller
   * adds it. */
  int (*parse) (struct isc_err *err, cfg_t *sec, struct isc_action *a);
  /* Do it (or, with gu->dry_run, say what would be done), reporting each
   * target through isc_guest_report().  Returns -1 only when the image
   * must fail as a whole (gu->err set). */
  int (*apply) (struct isc_guest *gu, const struct isc_action *a);
  void (*free_data) (void *data);
};

struct isc_action {
  const struct isc_action_kind *kind;
  const char *profile;              /* name of the profile it came from (borrowed) */
  char *title;                      /* the section's title, may be NULL */
  char *file;                       /* profile file and line, for messages */
  int line;
  const char *path;                 /* absolute path of that file, for the
                                       manifest (the profile's, borrowed) */
  unsigned os;                      /* enum isc_os mask it applies to */
  char *target;                     /* what it acts on, as written in the
                                       profile ("skipped" results, `show`) */
  void *data;                       /* owned; kind->free_data */
};

/* The registered kinds, sorted by name, NULL-terminated. */
extern const struct isc_action_kind *const isc_action_kinds[];

/* The kind called NAME, or NULL. */
const struct isc_action_kind *isc_action_kind_lookup (const char *name);

/* The documentation of option OPT of KIND, or NULL when it has none. */
const char *isc_action_option_doc (const struct isc_action_kind *kind,
                                   const char *opt);

void isc_action_free (struct isc_action *a);

#endif
