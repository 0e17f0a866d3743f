#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "escape.h"
#include "output.h"
#include "worker.h"

static double start_time;
static int stderr_tty;

static void clear_status (void);

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
  clear_status ();
  va_start (args, fmt);
  vstep (fmt, args);
  va_end (args);
}

void
out_error (const char *image, const char *msg)
{
  clear_status ();
  if (image) {
    char *quoted = isc_escape (image);
    size_t len = strlen (quoted);

    /* Messages about the file itself already start with its name. */
    if (msg[0] == '\'' && strncmp (msg + 1, quoted, len) == 0 &&
        msg[len + 1] == '\'')
      fprintf (stderr, "%s: %s\n", program_name, msg);
    else
      fprintf (stderr, "%s: '%s': %s\n", program_name, quoted, msg);
    free (quoted);
  }
  else
    fprintf (stderr, "%s: %s\n", program_name, msg);
}

/* The live status line on a terminal: rewritten in place, cleared
 * before any other line is printed. */
static int status_shown;
static unsigned long long bytes_written;
static char *working_on;

static void
clear_status (void)
{
  if (status_shown)
    fputs ("\r\033[K", stderr);
  status_shown = 0;
}

static void
show_status (size_t done, size_t total)
{
  double elapsed = isc_now () - start_time;
  char size[32], eta[32] = "--:--";

  if (done > 0 && done < total) {
    unsigned long left = (unsigned long) (elapsed / done * (total - done));

    snprintf (eta, sizeof eta, "%lu:%02lu", left / 60, left % 60);
  }
  fprintf (stderr, "\r\033[K%s: %zu/%zu images, %s written, ETA %s%s%s",
           program_name, done, total,
           out_size (bytes_written, size, sizeof size), eta,
           working_on ? ", working on " : "", working_on ? working_on : "");
  status_shown = 1;
}

void
out_progress (void *opaque, enum isc_engine_event ev,
              const struct isc_image *img, size_t done, size_t total)
{
  char *name = img ? isc_escape (img->path) : NULL;
  struct stat st;

  if (arg_quiet) {
    free (name);
    return;
  }
  if (ev == ISC_EVENT_WORKING) {
    free (working_on);
    working_on = name ? strdup (name) : NULL;
  }
  if (ev == ISC_EVENT_DONE && img->status == ISC_IMAGE_OK && img->output &&
      !img->resumed && stat (img->output, &st) == 0)
    bytes_written += st.st_blocks * 512ULL;

  if (arg_verbose) {
    /* Timestamped steps, one per line. */
    switch (ev) {
    case ISC_EVENT_CHECKED: out_step ("Checked %s", name); break;
    case ISC_EVENT_LAUNCHING:
      out_step ("Launching an appliance (%zu/%zu images done)", done, total);
      break;
    case ISC_EVENT_WORKING: out_step ("Working on %s", name); break;
    case ISC_EVENT_WRITING:
      out_step ("Writing %s", img->output ? img->output : name);
      break;
    case ISC_EVENT_DONE:
      out_step ("[%zu/%zu] %s: %s", done, total, name,
                isc_image_status_name (img->status));
      break;
    }
  }
  else if (stderr_tty) {
    show_status (done, total);
    if (done == total && ev == ISC_EVENT_DONE) {
      clear_status ();
      free (working_on);
      working_on = NULL;
    }
  }
  else if (ev == ISC_EVENT_DONE)
    /* Without a terminal: one parseable line per finished image. */
    fprintf (stderr, "%s: %zu/%zu %s %s\n", program_name, done, total,
             isc_image_status_name (img->status), name);
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
