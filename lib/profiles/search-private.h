/* imgscrub: what lib/profiles/search.c shares with the loader: the rule
 * for profile names.  Private to lib/profiles/: not for cmd/. */
#ifndef ISC_PROFILE_SEARCH_PRIVATE_H
#define ISC_PROFILE_SEARCH_PRIVATE_H

/* Longest profile name accepted. */
#define ISC_PROFILE_MAX_NAME 128

/* 1 when NAME may name a profile (letters, digits, '.', '_', '-', not
 * starting with '.' or '-', at most ISC_PROFILE_MAX_NAME bytes), else 0.
 * The file is found as NAME.conf, so a profile's "name" must pass this
 * too. */
int isc_profile_valid_name (const char *name);

#endif
