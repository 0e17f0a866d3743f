/* imgscrub: read back the manifest an earlier `scrub` run wrote, for
 * --resume.  Parsing only: the caller opens the file, and a manifest
 * that cannot be read means there is nothing to resume. */
#ifndef ISC_RESUME_H
#define ISC_RESUME_H

#include <stdio.h>

#include <jansson.h>

/* The manifest in FP: a JSON object with an "images" array.  NULL when
 * FP holds anything else.  New reference, the caller drops it. */
json_t *isc_resume_read (FILE *fp);

/* The entry of PREVIOUS (from isc_resume_read) for INPUT, the image
 * path as given, that ended "ok"; NULL when there is none.  Borrowed
 * from PREVIOUS. */
json_t *isc_resume_entry (json_t *previous, const char *input);

/* ENTRY's FIELD ("input_sha256", "output_sha256") when it is a SHA-256
 * in lower-case hex, else NULL.  Borrowed from ENTRY. */
const char *isc_resume_sha256 (json_t *entry, const char *field);

#endif
