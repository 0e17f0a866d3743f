/* imgscrub: scope-based cleanup for the handles the engine juggles.
 * Every destructor accepts NULL; TAKE_PTR hands ownership out of a scope.
 */
#ifndef ISC_CLEANUPS_H
#define ISC_CLEANUPS_H

#include <stdio.h>
#include <stdlib.h>

#define CLEANUP_FREE __attribute__((cleanup (isc_cleanup_free)))
#define CLEANUP_FCLOSE __attribute__((cleanup (isc_cleanup_fclose)))
#define CLEANUP_FREE_STRING_LIST \
  __attribute__((cleanup (isc_cleanup_free_string_list)))
#define CLEANUP_CLOSE __attribute__((cleanup (isc_cleanup_close)))
#define CLEANUP_GUESTFS __attribute__((cleanup (isc_cleanup_guestfs)))
#define CLEANUP_HIVEX __attribute__((cleanup (isc_cleanup_hivex)))
#define CLEANUP_JSON __attribute__((cleanup (isc_cleanup_json)))
#define CLEANUP_CFG __attribute__((cleanup (isc_cleanup_cfg)))

/* Return *P and set it to NULL, so the scope's cleanup leaves it alone. */
#define TAKE_PTR(p) ({ __typeof__ (p) take_ptr_tmp_ = (p); (p) = NULL; take_ptr_tmp_; })

void isc_cleanup_free (void *ptr);
void isc_cleanup_fclose (void *ptr);
void isc_cleanup_close (void *ptr);
void isc_cleanup_free_string_list (void *ptr);
void isc_cleanup_guestfs (void *ptr);
void isc_cleanup_hivex (void *ptr);
void isc_cleanup_json (void *ptr);
void isc_cleanup_cfg (void *ptr);

/* Free a NULL-terminated array of strings and the array itself. */
void isc_free_string_list (char **list);

/* Append a copy of the LEN bytes at S to *LIST, a NULL-terminated list
 * of *N strings with room for *CAP pointers (all 0 at first).  Returns
 * 0, or -1 when out of memory. */
int isc_string_list_add (char ***list, size_t *n, size_t *cap, const char *s,
                         size_t len);

#endif
