/* imgscrub: helpers the action kinds share to read their sections. */
#ifndef ISC_ACTIONS_COMMON_H
#define ISC_ACTIONS_COMMON_H

#include <confuse.h>

#include "action.h"
#include "error.h"
#include "regpath.h"

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

/* "KEY\VALUE" for display ("KEY\(Default)" for ""); caller frees. */
char *isc_reg_value_display (const char *key, const char *value);

/* "Would re-create X removed earlier by FILE:LINE" when A's target WHAT
 * was removed earlier in this pass: reports it failed and returns 1. */
struct isc_guest;
int isc_refuse_recreate (struct isc_guest *gu, const struct isc_action *a,
                         char type, const char *what, const char *target);

#endif
