/* imgscrub: what the program prints: data on stdout, progress and errors
 * on stderr, guest text escaped. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "util/escape.h"
#include "output.h"
#include "run/worker.h"
#include "util/time.h"
#include "util/status.h"

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
  char *text = NULL, *line;

  if (vasprintf (&text, fmt, args) == -1)
    return;
  line = isc_escape_line (text);
  fprintf (stderr, "[%6.1f] %s\n", isc_now () - start_time, line);
  free (line);
  free (text);
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
out_error (const char *image, const char *raw)
{
  /* The one place every message passes on its way to stderr: whatever
   * it quotes reaches the terminal as text. */
  char *msg = isc_escape_line (raw);

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
  free (msg);
}

/* The live status on a terminal: one line per appliance and an overall
 * bar, rewritten in place and cleared before any other line is printed.
 * Lines are cut to the terminal's width so the cursor arithmetic holds. */
#define MAX_WORKERS ISC_MAX_JOBS
static unsigned status_lines;
static unsigned long long bytes_written;
static char *worker_text[MAX_WORKERS];
static double worker_since[MAX_WORKERS];
static unsigned n_workers;
static char *writing;

static void
clear_status (void)
{
  if (status_lines > 1)
    fprintf (stderr, "\033[%uA", status_lines - 1);
  if (status_lines > 0)
    fputs ("\r\033[J", stderr);
  status_lines = 0;
}

static unsigned
terminal_width (void)
{
  struct winsize ws;

  if (ioctl (STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
    return ws.ws_col;
  return 80;
}

static void
status_line (unsigned width, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));

static void
status_line (unsigned width, const char *fmt, ...)
{
  char raw[512], *line;
  va_list args;

  va_start (args, fmt);
  vsnprintf (raw, sizeof raw, fmt, args);
  va_end (args);
  line = isc_escape_line (raw);
  /* A UTF-8 character takes at least as many bytes as columns, so a cut
   * by bytes never wraps; back off to a character boundary. */
  if (width - 1 < strlen (line)) {
    size_t cut = width - 1;

    while (cut > 0 && ((unsigned char) line[cut] & 0xC0) == 0x80)
      cut--;
    line[cut] = '\0';
  }
  if (status_lines > 0)
    fputc ('\n', stderr);
  fputs (line, stderr);
  free (line);
  status_lines++;
}

static void
show_status (size_t done, size_t total)
{
  double now = isc_now (), elapsed = now - start_time;
  unsigned width = terminal_width (), w, filled;
  char size[32], eta[32] = "--:--", bar[21];

  if (done > 0 && done < total) {
    unsigned long left = (unsigned long) (elapsed / done * (total - done));

    snprintf (eta, sizeof eta, "%lu:%02lu", left / 60, left % 60);
  }
  filled = total ? (unsigned) (done * 20 / total) : 0;
  memset (bar, '#', filled);
  memset (bar + filled, '.', 20 - filled);
  bar[20] = '\0';
  clear_status ();
  for (w = 0; w < n_workers; ++w)
    if (worker_text[w])
      status_line (width, "  appliance %u: %s (%.0f s)", w + 1, worker_text[w],
                   now - worker_since[w]);
  status_line (width, "[%s] %zu/%zu images, %s written, ETA %s%s%s", bar,
               done, total, out_size (bytes_written, size, sizeof size), eta,
               writing ? ", writing " : "", writing ? writing : "");
}

static void
set_worker (int worker, const char *text)
{
  if (worker < 0 || worker >= MAX_WORKERS)
    return;
  free (worker_text[worker]);
  worker_text[worker] = text ? strdup (text) : NULL;
  worker_since[worker] = isc_now ();
  if ((unsigned) worker + 1 > n_workers)
    n_workers = worker + 1;
}

static void
forget_status (void)
{
  unsigned w;

  clear_status ();
  for (w = 0; w < n_workers; ++w) {
    free (worker_text[w]);
    worker_text[w] = NULL;
  }
  n_workers = 0;
  free (writing);
  writing = NULL;
}

/* -v: the seconds each step of an image took, on one line:
 * "Steps IMAGE: check=0.01 inspect=0.42 ...".  Step names are the
 * engine's and the action kinds', never the guest's. */
static void
print_steps (const char *name, json_t *steps)
{
  char *line = NULL;
  size_t len = 0;
  FILE *fp;
  const char *step;
  json_t *v;

  if (json_object_size (steps) == 0 || !(fp = open_memstream (&line, &len)))
    return;
  json_object_foreach (steps, step, v)
    fprintf (fp, " %s=%.3f", step, json_number_value (v));
  if (fclose (fp) == 0)
    out_step ("Steps %s:%s", name, line);
  free (line);
}

void
out_progress (void *opaque, const struct isc_progress *p)
{
  const struct isc_image *img = p->image;
  char *name = img ? isc_escape (img->path) : NULL;
  struct stat st;

  (void) opaque;
  if (arg_quiet) {
    free (name);
    return;
  }
  if (p->event == ISC_EVENT_RETRY) {
    /* Not the image's fault, and not its final word: say so whatever
     * the output mode. */
    char *msg = NULL;

    if (asprintf (&msg, "%s; retrying in a fresh appliance",
                  p->reason ? p->reason : "its appliance failed") != -1)
      out_error (img->path, msg);
    free (msg);
    free (name);
    return;
  }
  if (p->event == ISC_EVENT_DONE && img->status == ISC_IMAGE_OK &&
      img->output && !img->resumed && stat (img->output, &st) == 0)
    bytes_written += st.st_blocks * 512ULL;

  if (arg_verbose) {
    /* Timestamped steps, one per line. */
    switch (p->event) {
    case ISC_EVENT_CHECKED: out_step ("Checked %s", name); break;
    case ISC_EVENT_LAUNCHING:
      out_step ("Launching an appliance #%d (%zu/%zu images done)",
                p->worker + 1, p->done, p->total);
      break;
    case ISC_EVENT_WORKING:
      out_step ("Working on %s (appliance #%d)", name, p->worker + 1);
      break;
    case ISC_EVENT_IDLE: break;
    case ISC_EVENT_WRITING:
      out_step ("Writing %s", img->output ? img->output : name);
      break;
    case ISC_EVENT_DONE:
      out_step ("[%zu/%zu] %s: %s", p->done, p->total, name,
                isc_image_status_name (img->status));
      print_steps (name, img->steps);
      break;
    case ISC_EVENT_RETRY: break;
    }
  }
  else if (stderr_tty) {
    switch (p->event) {
    case ISC_EVENT_LAUNCHING:
      set_worker (p->worker, "starting");
      break;
    case ISC_EVENT_WORKING: set_worker (p->worker, name); break;
    case ISC_EVENT_IDLE: set_worker (p->worker, "finished"); break;
    case ISC_EVENT_WRITING:
      free (writing);
      writing = name ? strdup (name) : NULL;
      break;
    case ISC_EVENT_CHECKED: case ISC_EVENT_DONE: case ISC_EVENT_RETRY:
      break;
    }
    show_status (p->done, p->total);
    if (p->done == p->total && p->event == ISC_EVENT_DONE)
      forget_status ();
  }
  else if (p->event == ISC_EVENT_DONE)
    /* Without a terminal: one parseable line per finished image. */
    fprintf (stderr, "%s: %zu/%zu %s %s\n", program_name, p->done, p->total,
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
