/* imgscrub: make guest-controlled strings safe for terminals, logs and
 * the manifest.  Guest file names, registry names and values can hold
 * control characters, terminal escapes and invalid UTF-8.
 */
#ifndef ISC_ESCAPE_H
#define ISC_ESCAPE_H

#include <stddef.h>

#include <jansson.h>

/* Return a newly allocated copy of S (of LEN bytes for the _n variant)
 * in which valid printable UTF-8 is kept and every other byte, control
 * character, backslash and single quote is written as a C escape
 * (\n, \t, \\, \', \xNN).  The result is valid UTF-8 without control
 * characters.  The caller frees it.  Aborts only on out of memory.
 */
char *isc_escape (const char *s);
char *isc_escape_n (const char *s, size_t len);

/* For a whole line of text bound for a terminal or log (a message that
 * may quote libguestfs or hold names escaped already): like isc_escape,
 * but printable characters, backslashes and quotes included, are kept
 * as they are, so the result of isc_escape passes through unchanged.
 * Only control characters (a newline too), C1 controls and invalid
 * UTF-8 are written as escapes.  The caller frees it. */
char *isc_escape_line (const char *s);

/* For the manifest: a JSON string holding S losslessly when it is valid
 * UTF-8 (JSON escapes control characters itself), else isc_escape (S).
 * NULL gives JSON null.  New reference; aborts on out of memory. */
json_t *isc_json_string (const char *s);

/* S for a message: control characters and invalid UTF-8 escaped as
 * isc_escape does, but backslashes and quotes kept, so that Windows paths
 * read as written.  The caller frees it. */
char *isc_msg_text (const char *s);

#endif
