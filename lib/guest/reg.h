/* imgscrub: the guest's registry hives.  A hive is downloaded once to
 * the host scratch folder, opened there strictly with the host hivex
 * library, edited in memory and, when it changed, written back at the
 * end of the pass: committed to a new host file, uploaded beside the
 * hive under a temporary name and renamed over it, so the guest never
 * holds a half-written hive. */
#ifndef ISC_REGISTRY_H
#define ISC_REGISTRY_H

#include <hivex.h>

#include "guest/private.h"
#include "windows/regpath.h"

/* Largest hive file accepted (a large SOFTWARE hive is a few 100 MiB). */
#define ISC_MAX_HIVE_SIZE (1024LL * 1024 * 1024)
/* Most subkeys or values handled at one key, users in ProfileList. */
#define ISC_MAX_REG_LIST 1000000
#define ISC_MAX_USERS 10000

/* One key a registry action works on, in one hive. */
struct isc_regtarget {
  struct isc_hivefile *hf;
  const struct isc_regpath *rp;
  char *key;                        /* for display: "HKLM\SOFTWARE\..." or
                                       "HKU\SID\...", CurrentControlSet
                                       resolved */
  char *id;                         /* "HIVEFILE|\KEY\PATH", for
                                       isc_guest_note_removed */
  hive_node_h node;                 /* the key, 0 when absent */
  hive_node_h found;                /* deepest existing ancestor */
  size_t n_found;                   /* key names of rp that exist */
};

/* Call FN for every place RP names: one hive, or each user's NTUSER.DAT
 * for HKCU, with the key looked up.  A hive that cannot be opened is
 * reported failed; no user at all is "absent".  Stops on FN's -1. */
int isc_reg_foreach (struct isc_guest *gu, const struct isc_action *a,
                     const struct isc_regpath *rp,
                     int (*fn) (struct isc_guest *gu,
                                const struct isc_action *a,
                                struct isc_regtarget *t, void *opaque),
                     void *opaque);

/* Call before any change to T's hive, in a dry run too: outside a dry
 * run marks the hive changed.  (A dirty hive was recovered from its logs,
 * refused or taken as is when it was first read: gu->dirty_hives.) */
int isc_reg_edit (struct isc_guest *gu, struct isc_regtarget *t);

/* Create the missing keys of T (after isc_reg_edit, not in a dry run). */
int isc_reg_create (struct isc_guest *gu, struct isc_err *reason,
                    struct isc_regtarget *t);

/* The Windows users with a profile folder and an NTUSER.DAT, from
 * SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList. */
int isc_reg_users (struct isc_guest *gu, struct isc_err *reason,
                   const struct isc_user **ret, size_t *ret_n);

/* Fill gu->priv->vars: SystemRoot, WINDIR, SystemDrive, and with
 * NEED_REGISTRY ProgramFiles and ProgramData from the SOFTWARE hive. */
int isc_reg_vars (struct isc_guest *gu, struct isc_err *reason,
                  int need_registry);

/* Read FACTS' Windows product name, version, current control set and
 * hostname again from SOFTWARE and SYSTEM through this module, so that
 * a dirty hive is first recovered, refused or taken as is by
 * gu->dirty_hives (lib/guest/inspect.c reads them with the appliance's hivex,
 * which ignores the logs).  Returns -1 with gu->err set when the image
 * must fail. */
int isc_reg_windows_facts (struct isc_guest *gu, json_t *facts);

/* Write every changed hive back into the guest (not in a dry run).
 * Returns -1 with gu->err set when one could not be written. */
int isc_reg_commit (struct isc_guest *gu);

/* Close the hives and delete their host copies. */
void isc_reg_close_all (struct isc_guest *gu);

/* Expand TEXT (a profile path, checked by isc_winpath_check) for this
 * guest, with USER's profile folder for %USERPROFILE% (NULL when TEXT
 * does not use it).  *RET is a normalised guest path, not resolved yet;
 * the caller frees it. */
int isc_reg_expand (struct isc_guest *gu, struct isc_err *reason,
                    const char *text, const struct isc_user *user,
                      char **ret);

/* "KEY\VALUE" for display ("KEY\(Default)" for ""); caller frees. */
char *isc_reg_value_display (const char *key, const char *value);

/* An isc_change function: delete the registry key OPAQUE (a struct
 * isc_regnode) with everything under it. */
struct isc_regnode {
  hive_h *h;
  hive_node_h node;
};
int isc_reg_delete_node (struct isc_guest *gu, struct isc_err *reason,
                         void *opaque);

#endif
