/* imgscrub: turn command-line inputs (files and folders) into the list
 * of images to work on. */
#ifndef ISC_INPUTS_H
#define ISC_INPUTS_H

#include <stddef.h>

#include "util/error.h"

struct isc_inputs_opts {
  int recursive;                    /* -r: descend into sub-folders */
  char *const *excludes;            /* --exclude GLOBs, NULL-terminated */
  /* Optional: called for each file with an image's name that a folder
   * scan leaves out: a symlink (DESCRIPTOR NULL), never followed, or a
   * file that DESCRIPTOR, a VMDK descriptor in its folder that passes
   * the image checks, claims as an extent. */
  void (*left_out) (void *opaque, const char *path, const char *descriptor);
  void *opaque;
};

/* Expand ARGS: a file is taken as given (whatever its name); a folder
 * contributes the files in it whose extension is an image's (.img .raw
 * .vhd .vmdk .qcow2 .vhdx, any case), sorted, minus those matching an
 * exclude glob (on the path or the file name), minus symlinks and
 * minus VMDK extent files named by a valid VMDK descriptor in the same
 * folder (both told to OPTS->left_out).  Symlinks to folders are not
 * followed during -r.  *RET_PATHS is NULL-terminated,
 * owned by the caller (isc_free_string_list).  *RET_SCANNED (unless
 * NULL) has one flag per path, set for a file a folder scan found
 * (which must not be a symlink when opened: ISC_CHECK_NOFOLLOW); the
 * caller frees it. */
int isc_inputs_expand (struct isc_err *err, char *const *args, size_t n_args,
                       const struct isc_inputs_opts *opts,
                       char ***ret_paths, size_t *ret_n,
                       unsigned char **ret_scanned);

/* Does NAME end in an image extension?  Exposed for tests. */
int isc_inputs_is_image_name (const char *name);

#endif
