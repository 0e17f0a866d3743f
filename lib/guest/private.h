/* imgscrub: the private state of one pass over a guest, shared by the
 * files of lib/guest/ and the action kinds; not for cmd/. */
#ifndef ISC_GUEST_PRIVATE_H
#define ISC_GUEST_PRIVATE_H

#include <stddef.h>

#include <hivex.h>
#include <jansson.h>

#include "guest/guest.h"
#include "windows/winpath.h"

/* One hive file of the guest, copied to the host and opened there. */
struct isc_hivefile {
  char *guest_path;                 /* resolved guest path of the file */
  char *host_path;                  /* the copy in gu->tmpdir */
  hive_h *h;
  int dirty;                        /* base block sequence numbers differ,
                                       or a wrong checksum */
  int changed;                      /* edited: committed at the end */
  char *logs[2];                    /* resolved guest paths of its .LOG1,
                                       .LOG2, NULL when absent */
  json_t *entry;                    /* its object in gu->hives, or NULL */
};

/* A user of a Windows guest, from ProfileList, with an NTUSER.DAT. */
struct isc_user {
  char *sid;                        /* ProfileList subkey name */
  char *dir;                        /* resolved guest path of the profile */
  char *ntuser;                     /* resolved guest path of NTUSER.DAT */
};

/* What a removed item's name is. */
enum isc_item {
  ISC_ITEM_FILE,                    /* a guest path */
  ISC_ITEM_REGISTRY,                /* "HIVEFILE|KEY\PATH[|VALUE]" */
};

/* Something removed earlier in this pass, so that no later action
 * re-creates it. */
struct isc_removed {
  enum isc_item type;
  char *what;
  int subtree;                      /* what lies under it is gone too */
  const struct isc_action *by;
};

/* A folder resolved once per pass (guestfs_realpath), shared by every
 * rule that names something in it; forgotten when a folder is removed. */
struct isc_folder {
  char *path;                       /* as asked */
  char *real;                       /* NULL: not there */
  char *unfollowed;                 /* why, when a link was not followed */
};

/* One folder's entries, listed once per guest for glob expansion. */
struct isc_dirlist {
  char *dir;                        /* resolved guest path */
  char **names;                     /* sorted */
  unsigned char *types;             /* enum isc_ftype; ISC_FT_ABSENT once
                                       removed in this pass, ISC_FT_STALE
                                       once changed (lstat it again) */
  int64_t *sizes;                   /* -1: not known (readdir) */
  size_t n;
  int gone;                         /* the folder was removed since */
};

/* In a cached listing only: the entry changed since (isc_guest_change),
 * its type and size must be asked again. */
#define ISC_FT_STALE 0xff

struct isc_guest_private {
  struct isc_hivefile **hives;
  size_t n_hives;
  int users_loaded;
  struct isc_user *users;
  size_t n_users;
  int vars_loaded;
  char *vars[ISC_VAR_COUNT];        /* Windows variables (not USERPROFILE) */
  char *ccs;                        /* "ControlSet001", once read */
  struct isc_removed *removed;
  size_t n_removed;
  char *walk_dir;                   /* cached guestfs_find0 listing */
  char *walk_file;
  struct isc_dirlist *dirs;         /* cached folder listings */
  size_t n_dirs;
  const char *pkgfmt;               /* "rpm", "deb", "" once looked at */
  struct isc_folder *folders;       /* folders resolved in this pass */
  size_t n_folders;
  char *unfollowed;                 /* the last resolution's link not
                                       followed, and why; or NULL */
  unsigned serial;                  /* host scratch file names */
  size_t n_failed;                  /* actions with a failed target */
  char *first_failure;
  int action_failed;                /* the current action failed somewhere */
  int fatal;                        /* the image fails as a whole */
  double nested_seconds;            /* steps timed inside an action
                                       (hive-open), not the kind's own */
};

/* Make sure gu->priv exists.  Returns -1 on out of memory. */
int isc_guest_private_init (struct isc_guest *gu);

/* A new host scratch file name in gu->tmpdir (not created); caller frees. */
char *isc_guest_tmpname (struct isc_guest *gu, const char *prefix);

/* Record one result of action A on TARGET (guest-controlled text is
 * fine: it is stored losslessly and safely).  REASON may be NULL. */
void isc_guest_report (struct isc_guest *gu, const struct isc_action *a,
                       const char *target, enum isc_result result,
                       const char *reason);

/* Failure helpers: report A failed on TARGET with REASON's message. */
void isc_guest_report_failed (struct isc_guest *gu, const struct isc_action *a,
                              const char *target, const struct isc_err *reason);

/* Report A failed on TARGET with a message formatted from FMT. */
void isc_guest_fail (struct isc_guest *gu, const struct isc_action *a,
                     const char *target, const char *fmt, ...)
  __attribute__((format (printf, 4, 5)));

/* The image must fail as a whole: gu->err holds the message already. */
int isc_guest_fatal (struct isc_guest *gu);

#endif
