#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "escape.h"
#include "output.h"
#include "worker.h"

static double start_time;
static int stderr_tty;

void
out_init (void)
{
  start_time = isc_now ();
  stderr_tty = isatty (STDERR_FILENO);
}

static void
vstep (const char *fmt, va_list args)
{
  fprintf (stderr, "[%6.1f] ", isc_now () - start_time);
  vfprintf (stderr, fmt, args);
  fputc ('\n', stderr);
}

void
out_step (const char *fmt, ...)
{
  va_list args;

  if (arg_quiet || !(stderr_tty || arg_verbose))
    return;
  va_start (args, fmt);
  vstep (fmt, args);
  va_end (args);
}

void
out_error (const char *image, const char *msg)
{
  if (image) {
    char *quoted = isc_escape (image);

    fprintf (stderr, "%s: '%s': %s\n", program_name, quoted, msg);
    free (quoted);
  }
  else
    fprintf (stderr, "%s: %s\n", program_name, msg);
}

void
out_progress (void *opaque, enum isc_engine_event ev,
              const struct isc_image *img, size_t done, size_t total)
{
  char *name = img ? isc_escape (img->path) : NULL;
  int live = stderr_tty || arg_verbose;

  if (arg_quiet) {
    free (name);
    return;
  }
  switch (ev) {
  case ISC_EVENT_CHECKED:
    if (live)
      out_step ("Checked %s", name);
    break;
  case ISC_EVENT_LAUNCHING:
    if (live)
      out_step ("Launching an appliance (%zu/%zu images done)", done, total);
    break;
  case ISC_EVENT_WORKING:
    if (live)
      out_step ("Working on %s", name);
    break;
  case ISC_EVENT_WRITING:
    if (live)
      out_step ("Writing %s", img->output ? img->output : name);
    break;
  case ISC_EVENT_DONE:
    /* Without a terminal: one parseable line per finished image. */
    if (live)
      out_step ("[%zu/%zu] %s: %s", done, total, name,
                isc_image_status_name (img->status));
    else
      fprintf (stderr, "%s: %zu/%zu %s %s\n", program_name, done, total,
               isc_image_status_name (img->status), name);
    break;
  }
  free (name);
}

const char *
out_size (unsigned long long bytes, char *buf, size_t len)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
  double v = bytes;
  size_t u = 0;

  while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
    v /= 1024;
    ++u;
  }
  if (u == 0)
    snprintf (buf, len, "%llu B", bytes);
  else
    snprintf (buf, len, "%.1f %s", v, units[u]);
  return buf;
}

const char *
out_timestamp (char *buf, size_t len)
{
  time_t now = time (NULL);
  struct tm tm;

  gmtime_r (&now, &tm);
  strftime (buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}
