/* imgscrub: action kinds.  Each kind lives in lib/actions/<kind>.c and
 * exports one descriptor; lib/actions/table.c lists them, sorted.
 * Adding a kind touches no other kind.
 *
 * The core (lib/profiles/action.c, lib/guest/apply.c) does what every kind
 * shares: it reads the kind's guest path or registry key and the options
 * every action takes (guards, exclude), checks the guards, expands the
 * path (variables, each user, globs) and calls the kind once per target;
 * isc_guest_change() then decides dry run against real, refuses to
 * re-create what the pass removed, and records the result. */
#ifndef ISC_ACTION_H
#define ISC_ACTION_H

#include <confuse.h>

#include "util/error.h"
#include "windows/regpath.h"
#include "util/result.h"

struct isc_guest;                   /* guest/guest.h */
struct isc_action;
struct isc_regpath;                 /* windows/regpath.h */
struct isc_regtarget;               /* guest/reg.h */
struct isc_file;                    /* guest/path.h */

/* What a kind with on_file takes at its path (isc_action_kind.takes):
 * the core reports anything else "failed", and a missing target
 * "absent" unless the kind takes ISC_TAKES_ABSENT. */
enum isc_takes {
  ISC_TAKES_FILE = 1 << 0,          /* a regular file */
  ISC_TAKES_DIR = 1 << 1,           /* a folder */
  ISC_TAKES_SYMLINK = 1 << 2,       /* a symlink, acted on itself */
  ISC_TAKES_OTHER = 1 << 3,         /* a device, FIFO or socket */
  ISC_TAKES_ABSENT = 1 << 4,        /* nothing (write-file creates it) */
  ISC_TAKES_SIZE = 1 << 5,          /* reads isc_file.size (else 0): a
                                       cached listing answers faster
                                       without it */
};

/* What a glob in a kind's path may match (isc_action_kind.globs). */
enum isc_glob_match {
  ISC_GLOB_FILES = 1 << 0,          /* files, symlinks and other non-folders */
  ISC_GLOB_DIRS = 1 << 1,           /* folders (never a symlink to one) */
};

struct isc_action_kind {
  const char *name;                 /* section name in a profile: "delete-value" */
  const char *summary;              /* one line for `profiles actions` */
  unsigned os;                      /* enum isc_os mask it can apply to */
  cfg_opt_t *opts;                  /* its own options (CFG_END-terminated):
                                       the core adds "path" or "key" and
                                       isc_action_common_opts */
  const char *const *option_docs;   /* "name", "doc", ... pairs, NULL-terminated:
                                       every option in OPTS is documented */
  const char *example;              /* a complete section, for the reference */
  /* A kind with on_file acts on the guest path of its required option
   * "path", which the core adds to its schema and reads into A->path.
   * With a path: the fewest components it must have, written and
   * resolved (1: not "/"; 2: not a top folder either). */
  unsigned min_depth;
  /* With a path: what a glob in it may match (enum isc_glob_match); 0
   * when the path takes no glob. */
  unsigned globs;
  /* The kind has a required option "key", added and read by the core
   * into A->key. */
  int has_key;
  /* Validate SEC and store the parsed form in A->data; set A->target and
   * narrow A->os (preset to the profile's os) when the section's paths
   * only make sense on one OS.  Messages need no file:line: the caller
   * adds it. */
  int (*parse) (struct isc_err *err, cfg_t *sec, struct isc_action *a);
  /* Do it (or, with gu->dry_run, say what would be done), reporting each
   * target through isc_guest_report().  Returns -1 only when the image
   * must fail as a whole (gu->err set).  One of the three: apply when
   * the kind finds its own targets, on_file once per guest path A->path
   * names (looked up and checked against TAKES by the core; the kind
   * then has a "path"), on_key
   * once per place A->key names. */
  int (*apply) (struct isc_guest *gu, const struct isc_action *a);
  int (*on_file) (struct isc_guest *gu, const struct isc_action *a,
                  const struct isc_file *f, void *opaque);
  unsigned takes;                   /* with on_file: enum isc_takes mask */
  int (*on_key) (struct isc_guest *gu, const struct isc_action *a,
                 struct isc_regtarget *t, void *opaque);
  void (*free_data) (void *data);
};

struct isc_action {
  /* NULL for a read that is no kind of a profile (audit's identities):
   * it takes no globs and has no depth limit. */
  const struct isc_action_kind *kind;
  const char *profile;              /* name of the profile it came from (borrowed) */
  char *title;                      /* the section's title, may be NULL */
  char *file;                       /* profile file and line, for messages */
  int line;
  const char *profile_path;         /* absolute path of that file, for the
                                       manifest (the profile's, borrowed) */
  unsigned os;                      /* enum isc_os mask it applies to */
  char *target;                     /* what it acts on, as written in the
                                       profile ("skipped" results, `show`) */
  void *data;                       /* owned; kind->free_data */
  char *path;                       /* with kind->on_file, or NULL */
  struct isc_regpath *key;          /* with kind->has_key */
  char **excludes;                  /* "exclude" patterns, NULL-terminated
                                       or NULL */
  char **distros;                   /* guard "distro", or NULL */
  char *package_format;             /* guard "package-format", or NULL */
  char **machine_ids;               /* guard "machine-id": the modes it is
                                       for (isc_machine_id_modes), or NULL */
};

/* The values of --machine-id and of the guard "machine-id", first the
 * default, NULL-terminated. */
extern const char *const isc_machine_id_modes[];

/* 1 when MODE is one of isc_machine_id_modes. */
int isc_machine_id_mode_valid (const char *mode);

/* Options every action takes besides its kind's (CFG_END-terminated),
 * with their "name", "doc" pairs. */
extern cfg_opt_t isc_action_common_opts[];
extern const char *const isc_action_common_docs[];

/* The whole schema of KIND's section: "path" or "key", its own options,
 * then the common ones; built once, NULL on out of memory. */
cfg_opt_t *isc_action_schema (const struct isc_action_kind *kind);

/* Read the options the core handles ("path", "key", guards,
 * "exclude") of SEC into A, before kind->parse; A->target defaults to
 * the path or key as written. */
int isc_action_parse_common (struct isc_err *err, cfg_t *sec,
                             struct isc_action *a);

/* 1 when NAME (a path's last component, or the whole PATH for a
 * pattern holding '/') matches one of A's exclude patterns. */
int isc_action_excluded (const struct isc_action *a, const char *path,
                         int nocase);

/* The registered kinds, sorted by name, NULL-terminated. */
extern const struct isc_action_kind *const isc_action_kinds[];

/* The kind called NAME, or NULL. */
const struct isc_action_kind *isc_action_kind_lookup (const char *name);

/* The documentation of option OPT of KIND, or NULL when it has none. */
const char *isc_action_option_doc (const struct isc_action_kind *kind,
                                   const char *opt);

void isc_action_free (struct isc_action *a);

/* String option NAME of SEC in *RET (borrowed from SEC), NULL when not
 * given; an error when REQUIRED. */
int isc_action_opt_string (struct isc_err *err, cfg_t *sec, const char *name,
                    int required, const char **ret);

/* Registry key option NAME (required), parsed into *RET. */
int isc_action_opt_regpath (struct isc_err *err, cfg_t *sec, const char *name,
                     struct isc_regpath *ret);

/* Guest path option NAME: checked (variables, no ".."), copied into *RET
 * (NULL when optional and not given; caller frees); narrows A->os to
 * Windows for a Windows path. */
int isc_action_opt_path (struct isc_err *err, cfg_t *sec, const char *name,
                  int required, struct isc_action *a, char **ret);

/* Refuse a path with fewer components than A's kind->min_depth ("/" or
 * a top folder for the kinds that remove or empty folders). */
int isc_action_depth_check (struct isc_err *err, const struct isc_action *a,
                          const char *path);

/* Refuse a glob in PATH's first component (a glob there is every top folder). */
int isc_action_glob_check (struct isc_err *err, const char *path);

#endif
