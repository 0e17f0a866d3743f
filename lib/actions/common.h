/* imgscrub: helpers the action kinds share to read their sections. */
#ifndef ISC_ACTIONS_COMMON_H
#define ISC_ACTIONS_COMMON_H

#include <confuse.h>

#include "profiles/action.h"
#include "util/error.h"
#include "windows/regpath.h"

struct isc_guest;

/* String option NAME of SEC in *RET (borrowed from SEC), NULL when not
 * given; an error when REQUIRED. */
int isc_opt_string (struct isc_err *err, cfg_t *sec, const char *name,
                    int required, const char **ret);

/* Registry key option NAME (required), parsed into *RET. */
int isc_opt_regpath (struct isc_err *err, cfg_t *sec, const char *name,
                     struct isc_regpath *ret);

/* Guest path option NAME: checked (variables, no ".."), copied into *RET
 * (NULL when optional and not given; caller frees); narrows A->os to
 * Windows for a Windows path. */
int isc_opt_path (struct isc_err *err, cfg_t *sec, const char *name,
                  int required, struct isc_action *a, char **ret);

/* Refuse a path with fewer components than A's kind->min_depth ("/" or
 * a top folder for the kinds that remove or empty folders). */
int isc_path_depth_check (struct isc_err *err, const struct isc_action *a,
                          const char *path);

/* Refuse a glob in PATH's first component (a glob there is every top folder). */
int isc_path_glob_check (struct isc_err *err, const char *path);

/* "KEY\VALUE" for display ("KEY\(Default)" for ""); caller frees. */
char *isc_reg_value_display (const char *key, const char *value);

/* An isc_change function: delete the registry key OPAQUE (a struct
 * isc_regnode) with everything under it. */
#include <hivex.h>
struct isc_regnode {
  hive_h *h;
  hive_node_h node;
};
int isc_reg_delete_node (struct isc_guest *gu, struct isc_err *reason,
                         void *opaque);

#endif
