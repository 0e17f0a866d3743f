/* imgscrub: what the program prints.  Data goes to stdout; progress and
 * errors to stderr.  Progress is live on a terminal, one line per
 * finished image otherwise, nothing with -q. */
#ifndef ISC_OUTPUT_H
#define ISC_OUTPUT_H

#include <stddef.h>

#include "run/engine.h"

void out_init (void);

/* Timestamped step "[  12.3] ..." on stderr, on a terminal or with -v. */
void out_step (const char *fmt, ...) __attribute__((format (printf, 1, 2)));

/* "imgscrub: 'IMAGE': MSG" on stderr (IMAGE escaped; NULL omits it). */
void out_error (const char *image, const char *msg);

/* Progress callback for the engine (engine.h). */
void out_progress (void *opaque, const struct isc_progress *p);

/* Human-readable size, e.g. "64.0 MiB"; static buffer per call site is
 * avoided: writes into BUF of LEN bytes and returns it. */
const char *out_size (unsigned long long bytes, char *buf, size_t len);

/* Current UTC time as ISO 8601 ("2026-11-25T03:26:59Z") into BUF. */
const char *out_timestamp (char *buf, size_t len);

#endif
