/* imgscrub: SHA-256 of files, for the manifest and --resume. */
#ifndef ISC_SHA256_H
#define ISC_SHA256_H

#include <stddef.h>

#include "util/error.h"

#define ISC_SHA256_HEX_LEN 64

/* Hash the file at PATH into RET_HEX (lowercase, NUL-terminated). */
int isc_sha256_file (struct isc_err *err, const char *path,
                     char ret_hex[ISC_SHA256_HEX_LEN + 1]);

/* Hash LEN bytes of BUF. */
void isc_sha256_buffer (const void *buf, size_t len,
                        char ret_hex[ISC_SHA256_HEX_LEN + 1]);

#endif
