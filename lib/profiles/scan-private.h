/* imgscrub: the scanner that pre-reads a profile's text for the loader
 * (section and option lines, libconfuse's line count mapped back, what
 * libconfuse lets through).  Private to lib/profiles/: not for cmd/. */
#ifndef ISC_PROFILE_SCAN_PRIVATE_H
#define ISC_PROFILE_SCAN_PRIVATE_H

#include <stddef.h>

#include "util/error.h"

/* A top-level section or option as written. */
struct isc_profile_scan_mark {
  char *name;
  int line;
  int end_line;                     /* sections: the line of their '}' */
};

struct isc_profile_scan {
  struct isc_profile_scan_mark *sections; /* top-level, in file order */
  size_t n_sections;
  struct isc_profile_scan_mark *options;  /* top-level, first place */
  size_t n_options;
};

/* libconfuse's line numbers are off after comments: its lexer (3.3)
 * counts 2 lines too many for each '#' or '//' comment and 1 for each
 * C comment (tests/unit/test-libconfuse.c).  C[L] is the line libconfuse
 * counts at the start of the real line L, from the same tokens. */
struct isc_profile_scan_map {
  int *c;
  int n;                            /* C[1..N] */
};

/* Scan the LEN bytes of BUF (the profile FILE, escaped, for messages)
 * into *RET, refusing an option given twice in one scope, a section not
 * closed, sections nested too deeply, a C comment not closed and ${VAR}.
 * Errors name FILE:LINE.  On success *RET is the caller's to clear
 * (isc_profile_scan_clear); on failure it is untouched. */
int isc_profile_scan_text (struct isc_err *err, const char *file,
                           const char *buf, size_t len,
                           struct isc_profile_scan *ret);

/* Free what S holds (not S).  S may be all zero. */
void isc_profile_scan_clear (struct isc_profile_scan *s);

/* The line where the top-level option NAME is first given, or 1. */
int isc_profile_scan_option_line (const struct isc_profile_scan *s,
                                  const char *name);

/* Fill *RET for the LEN bytes of BUF.  Returns -1 when out of memory
 * (nothing recorded).  On success the caller clears *RET
 * (isc_profile_scan_map_clear). */
int isc_profile_scan_map_init (const char *buf, size_t len,
                               struct isc_profile_scan_map *ret);

void isc_profile_scan_map_clear (struct isc_profile_scan_map *m);

/* The real line of libconfuse's line CLINE; CLINE itself when M is NULL
 * or empty. */
int isc_profile_scan_map_real (const struct isc_profile_scan_map *m,
                               int cline);

#endif
