/* imgscrub: recording the one message of a failed call (isc_error). */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/escape.h"
#include "util/cleanups.h"

static int
record (struct isc_err *err, const char *object, const char *suffix,
        const char *fmt, va_list args)
{
  char *text = NULL, *quoted = NULL, *msg = NULL, *line;

  if (vasprintf (&text, fmt, args) == -1)
    text = NULL;
  if (object)
    quoted = isc_escape (object);
  if (asprintf (&msg, "%s%s%s%s%s%s",
                quoted ? "'" : "", quoted ? quoted : "", quoted ? "': " : "",
                text ? text : "out of memory",
                suffix ? ": " : "", suffix ? suffix : "") == -1)
    msg = NULL;
  /* Whatever the message quotes (a libguestfs error holding guest
   * names, a qemu-img line) stays on one line, free of escapes. */
  line = msg ? isc_escape_line (msg) : NULL;
  free (msg);
  free (text);
  free (quoted);
  free (err->msg);
  err->msg = line;
  return -1;
}

int
isc_error (struct isc_err *err, const char *object, const char *fmt, ...)
{
  va_list args;
  int r;

  va_start (args, fmt);
  r = record (err, object, NULL, fmt, args);
  va_end (args);
  return r;
}

int
isc_error_errno (struct isc_err *err, const char *object, const char *fmt, ...)
{
  const int saved = errno;
  va_list args;
  int r;

  va_start (args, fmt);
  r = record (err, object, strerror (saved), fmt, args);
  va_end (args);
  errno = saved;
  return r;
}

const char *
isc_err_msg (const struct isc_err *err)
{
  return err->msg ? err->msg : "unknown error";
}

void
isc_err_clear (struct isc_err *err)
{
  free (err->msg);
  err->msg = NULL;
}

int
isc_error_text (struct isc_err *err, const char *text, const char *fmt, ...)
{
  CLEANUP_FREE char *t = isc_msg_text (text), *msg = NULL;
  va_list args;

  va_start (args, fmt);
  if (vasprintf (&msg, fmt, args) == -1)
    msg = NULL;
  va_end (args);
  return isc_error (err, NULL, "'%s': %s", t, msg ? msg : "out of memory");
}

int
isc_error_oom (struct isc_err *err, const char *object)
{
  return isc_error (err, object, "out of memory");
}
