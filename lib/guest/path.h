/* imgscrub: guest paths for one mounted guest.  Every path an action
 * touches is resolved inside the guest first: the parent folder through
 * guestfs_realpath (which the daemon runs inside the guest's root), the
 * last component appended unresolved, so that neither a guest symlink in
 * the middle nor one at the end can lead out of the guest, and a final
 * symlink is acted on itself, never followed. */
#ifndef ISC_GUESTPATH_H
#define ISC_GUESTPATH_H

#include <stdint.h>
#include <stdio.h>

#include "guest/private.h"

/* Most entries read from one guest listing. */
#define ISC_MAX_LISTING 20000000
/* Longest guest path handled. */
#define ISC_MAX_GUEST_PATH 4096

/* PATH (normalised, absolute) with each existing component in its true
 * letter case (ASCII folding, as guestfs_case_sensitive_path), looked up
 * in the pass's cached folder listings: a few ms a folder once, where
 * that call costs some 17 ms each under TCG.  *RET (caller frees) keeps
 * a missing last component as given; NULL when a folder on the way is
 * missing.  Past a symlink, guestfs_case_sensitive_path decides. */
int isc_guest_case_path (struct isc_guest *gu, struct isc_err *reason,
                         const char *path, char **ret);

/* Resolve PATH (normalised, absolute) for use: on a Windows guest the
 * true letter case of each existing component (guestfs_case_sensitive_path),
 * then guestfs_realpath of the parent folder with the last component
 * appended.  *RET is NULL (and 0 returned) when the parent folder does
 * not exist; the caller frees it. */
int isc_guest_resolve (struct isc_guest *gu, struct isc_err *reason,
                       const char *path, char **ret);

enum isc_ftype {
  ISC_FT_ABSENT,
  ISC_FT_FILE,
  ISC_FT_DIR,
  ISC_FT_SYMLINK,
  ISC_FT_OTHER,
};

/* A guest path the core looked up for a kind's on_file hook. */
struct isc_file {
  const char *path;                 /* resolved (isc_guest_resolve) */
  enum isc_ftype type;              /* one the kind takes */
  int64_t size;                     /* with ISC_TAKES_SIZE; else 0 */
};

/* What PATH (resolved) is, without following a final symlink; its size
 * in *RET_SIZE when not NULL. */
int isc_guest_ftype (struct isc_guest *gu, struct isc_err *reason,
                     const char *path, enum isc_ftype *ret, int64_t *ret_size);

/* Every path under a folder, NUL-separated, in a host file: read with
 * guestfs_readdir when the tree has few folders, else guestfs_find0 (no
 * message size limit, but some 150 ms a call under TCG).  The listing is kept for the next action; deletions in between
 * are harmless because each entry is checked again before use.  It is
 * of DIR (resolved folder) itself, or of a folder above it walked
 * earlier: *RET_PREFIX then says where DIR is in it ("" for DIR itself,
 * else "sub/dir"), and the caller keeps only the entries inside it.
 * Entries are relative to the folder walked: "/name", "/sub/name" (or,
 * in a walk of "/" by find0, "name", "sub/name").  Both strings are borrowed. */
int isc_guest_walk (struct isc_guest *gu, struct isc_err *reason,
                    const char *dir, const char **ret,
                    const char **ret_prefix);

/* Forget the cached listings (a file was created). */
void isc_guest_walk_forget (struct isc_guest *gu);

/* The entries of folder DIR (resolved), listed in the guest once per
 * guest: one guestfs_ls0 and one guestfs_lstatnslist per 1000 names.
 * *RET is borrowed. */
int isc_guest_list_dir (struct isc_guest *gu, struct isc_err *reason,
                        const char *dir, const struct isc_dirlist **ret);

/* PATH was removed (REMOVED) or changed: a cached listing of its
 * folder drops it, or has its type and size asked again. */
void isc_guest_dirs_mark_entry (struct isc_guest *gu, const char *path,
                                int removed);

/* Forget the folders resolved so far that REMOVED (a folder or symlink
 * just removed) was, or was on the way to; NULL: all of them. */
void isc_guest_folders_forget (struct isc_guest *gu, const char *removed);

/* What the guest folder FOLDER (absolute, true letter case) resolves to
 * (guestfs_realpath, once per pass): *RET, or NULL when it does not
 * exist or a link on the way is not followed (isc_guest_unfollowed);
 * caller frees.  -1 with REASON when it cannot be resolved. */
int isc_guest_real_folder (struct isc_guest *gu, struct isc_err *reason,
                           const char *folder, char **ret);

/* Why the last isc_guest_real_folder or isc_guest_resolve found its
 * path absent, when a symlink or junction on the way was not followed
 * (one an unprivileged guest user may have made); else NULL.  Valid
 * until the next resolution. */
const char *isc_guest_unfollowed (const struct isc_guest *gu);

/* Drop every cached folder listing. */
void isc_guest_dirs_forget (struct isc_guest *gu);

/* Read the next NUL-terminated entry of FP into *LINE (getdelim
 * buffers).  Returns 1 with an entry, 2 with an entry longer than
 * ISC_MAX_GUEST_PATH (no guest call takes it: skip it), 0 at the end,
 * -1 with REASON on a read error. */
int isc_read_entry (FILE *fp, struct isc_err *reason, char **line,
                    size_t *size);

/* isc_change functions: remove the guest path OPAQUE (a file or symlink;
 * anything, recursively, without following symlinks), or truncate it. */
int isc_guest_rm (struct isc_guest *gu, struct isc_err *reason, void *opaque);
int isc_guest_rm_rf (struct isc_guest *gu, struct isc_err *reason,
                     void *opaque);
int isc_guest_truncate (struct isc_guest *gu, struct isc_err *reason,
                        void *opaque);

/* Give the file PATH (resolved; absent or a regular file or a symlink,
 * replaced) LEN bytes of CONTENT: written beside it under a temporary
 * name and renamed over it, so the guest never holds a half-written
 * file.  On Linux an existing file's owner is kept, and its mode when
 * MODE is -1 (0644 for a new file). */
int isc_guest_write_aside (struct isc_guest *gu, struct isc_err *reason,
                           const char *path, const char *content, size_t len,
                           long mode);


/* Guest paths compare without letter case on Windows guests. */
int isc_guest_path_eq (const struct isc_guest *gu, const char *a, const char *b);

#endif
