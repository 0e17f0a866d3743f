/* imgscrub hive: host-side work on one registry hive file.
 *
 *   imgscrub hive recover HIVE [--log FILE]... -o OUT [--json]
 *
 * applies HIVE's transaction logs (HIVE.LOG1/HIVE.LOG2 beside it, in any
 * letter case, or the --log files) as Windows does at hive load, and
 * writes the recovered hive to OUT atomically.  Inputs are only read. */
#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hivex.h>
#include <jansson.h>

#include "util/atomic.h"
#include "util/cleanups.h"
#include "commands.h"
#include "util/escape.h"
#include "windows/hivelog.h"
#include "output.h"
#include "guest/reg.h"
#include "guest/transfer.h"
#include "util/hostfile.h"

static void
usage (void)
{
  printf ("Usage: %s hive recover HIVE [--log FILE]... -o OUT [--json]\n"
          "\n"
          "Recover a registry hive that Windows did not close cleanly (its\n"
          "base block sequence numbers differ) from its transaction logs, as\n"
          "Windows does when it loads the hive: new-format logs (Windows 8.1\n"
          "and later, HvLE entries checked by their Marvin32 hashes) entry by\n"
          "entry in sequence order across the logs, up to the first invalid\n"
          "one; old-format logs (XP to 8) by their dirty pages.  The result has\n"
          "equal sequence numbers and a valid checksum, and is opened with\n"
          "hivex before it is written.  A clean hive is copied unchanged.\n"
          "\n"
          "Options:\n"
          "  --log FILE    a transaction log (repeatable, at most %d); without\n"
          "                it HIVE.LOG1 and HIVE.LOG2 beside HIVE are used, in\n"
          "                any letter case\n"
          "  -o, --output OUT  the recovered hive, written atomically (never\n"
          "                one of the inputs)\n"
          "  --json        one JSON object on stdout\n"
          "  -h, --help    this help\n"
          "\n"
          "Exit status: 0 recovered or clean, 1 the hive cannot be recovered\n"
          "(no usable log) or read or written, 2 usage error.\n",
          program_name, ISC_HIVELOG_MAX_LOGS);
}

struct input {
  char *path;
  unsigned char *data;
  size_t len;
};

/* HIVE.LOG1 and HIVE.LOG2 beside HIVE, in any letter case, appended to
 * LOGS (log 1 first). */
static int
find_logs (const char *hive, struct input *logs, size_t *n_logs)
{
  CLEANUP_FREE char *copy1 = strdup (hive), *copy2 = strdup (hive);
  char *found[3] = { NULL, NULL, NULL };
  const char *dir, *base;
  struct dirent *d;
  DIR *dp;
  int i;

  if (!copy1 || !copy2)
    return -1;
  dir = dirname (copy1);
  base = basename (copy2);
  dp = opendir (dir);
  if (!dp) {
    out_error (dir, "cannot list the hive's folder");
    return -1;
  }
  while ((d = readdir (dp)) != NULL) {
    int k = isc_hivelog_log_number (base, d->d_name);

    if (k == 0 || found[k])
      continue;                   /* the first one in a case clash */
    if (asprintf (&found[k], "%s%s%s", strchr (hive, '/') ? dir : "",
                  strchr (hive, '/') ? "/" : "", d->d_name) == -1) {
      found[k] = NULL;
      closedir (dp);
      return -1;
    }
  }
  closedir (dp);
  for (i = 1; i <= 2; ++i)
    if (found[i])
      logs[(*n_logs)++].path = found[i];
  return 0;
}

/* PATH names the same file as one of the inputs. */
static int
is_input (const char *path, const struct input *hive,
          const struct input *logs, size_t n_logs)
{
  struct stat out, in;
  size_t i;

  if (stat (path, &out) == -1)
    return 0;
  if (stat (hive->path, &in) == 0 && in.st_dev == out.st_dev &&
      in.st_ino == out.st_ino)
    return 1;
  for (i = 0; i < n_logs; ++i)
    if (stat (logs[i].path, &in) == 0 && in.st_dev == out.st_dev &&
        in.st_ino == out.st_ino)
      return 1;
  return 0;
}

/* Write BUF to OUT atomically, after hivex opened it strictly. */
static int
write_output (const char *out, const unsigned char *buf, size_t len)
{
  struct isc_err err = ISC_ERR_INIT;
  CLEANUP_FREE char *tmp = NULL;
  hive_h *h;
  int fd;

  if (asprintf (&tmp, "%s.tmp-XXXXXX", out) == -1) {
    out_error (out, "out of memory");
    return -1;
  }
  fd = mkostemp (tmp, O_CLOEXEC);
  if (fd == -1) {
    isc_error_errno (&err, out, "create temporary file");
    goto fail;
  }
  if (isc_write_all (fd, buf, len) == -1 || close (fd) == -1) {
    isc_error_errno (&err, out, "write");
    if (fd != -1)
      close (fd);
    unlink (tmp);
    goto fail;
  }
  h = hivex_open (tmp, 0);
  if (!h) {
    isc_error_errno (&err, out, "the recovered hive does not open with hivex");
    unlink (tmp);
    goto fail;
  }
  hivex_close (h);
  if (isc_atomic_commit (&err, tmp, out) == -1)
    goto fail;
  return 0;

 fail:
  out_error (NULL, isc_err_msg (&err));
  isc_err_clear (&err);
  return -1;
}

static const char *
format_name (enum isc_hivelog_format f)
{
  switch (f) {
  case ISC_HIVELOG_FORMAT_NEW: return "new";
  case ISC_HIVELOG_FORMAT_OLD: return "old";
  case ISC_HIVELOG_FORMAT_NONE: break;
  }
  return NULL;
}

static void
print_json (const struct input *hive, const struct input *logs, size_t n_logs,
            const struct isc_hivelog_summary *s, const char *out,
            const char *error)
{
  json_t *o = json_object (), *jl = json_array ();
  const char *fmt = format_name (s->format);
  char *text;
  size_t i;

  for (i = 0; i < n_logs; ++i)
    json_array_append_new (jl, json_pack ("{s:o, s:I, s:I, s:s}",
                                          "path", isc_json_string (logs[i].path),
                                          "entries", (json_int_t) s->log[i].entries,
                                          "pages", (json_int_t) s->log[i].pages,
                                          "status", s->dirty ? s->log[i].status
                                          : "not needed"));
  json_object_set_new (o, "hive", isc_json_string (hive->path));
  json_object_set_new (o, "state", json_string (s->dirty ? "dirty" : "clean"));
  json_object_set_new (o, "base_block_valid", json_boolean (s->base_block_valid));
  json_object_set_new (o, "sequence_before",
                       json_pack ("[I, I]", (json_int_t) s->seq_primary,
                                  (json_int_t) s->seq_secondary));
  json_object_set_new (o, "logs", jl);
  json_object_set_new (o, "format", fmt ? json_string (fmt) : json_null ());
  json_object_set_new (o, "entries", json_integer (s->entries));
  json_object_set_new (o, "pages", json_integer (s->pages));
  json_object_set_new (o, "hive_bins_size_before",
                       json_integer (s->size_before));
  json_object_set_new (o, "recovered", json_boolean (!error));
  if (!error) {
    json_object_set_new (o, "sequence", json_integer (s->seq));
    json_object_set_new (o, "hive_bins_size_after",
                         json_integer (s->size_after));
    json_object_set_new (o, "output", isc_json_string (out));
  }
  else
    json_object_set_new (o, "error", isc_json_string (error));
  text = json_dumps (o, JSON_INDENT (2) | JSON_ENSURE_ASCII);
  if (text)
    printf ("%s\n", text);
  free (text);
  json_decref (o);
}

static void
print_text (const struct input *hive, const struct input *logs, size_t n_logs,
            const struct isc_hivelog_summary *s, const char *out)
{
  CLEANUP_FREE char *h = isc_escape (hive->path);
  CLEANUP_FREE char *o = isc_escape (out);
  size_t i;

  if (!s->dirty) {
    printf ("%s: clean (sequence numbers %u / %u): no log applied, "
            "%s is a copy\n", h, s->seq_primary, s->seq_secondary, o);
    return;
  }
  printf ("%s: dirty (sequence numbers %u / %u%s)\n", h, s->seq_primary,
          s->seq_secondary,
          s->base_block_valid ? "" : ", wrong base block checksum");
  for (i = 0; i < n_logs; ++i) {
    CLEANUP_FREE char *l = isc_escape (logs[i].path);
    CLEANUP_FREE char *st = isc_escape (s->log[i].status);

    printf ("  %s: %s\n", l, st);
  }
  if (s->format == ISC_HIVELOG_FORMAT_NEW)
    printf ("recovered: %u log entries, %u pages applied; sequence number "
            "%u; hive bins data %u -> %u bytes\n", s->entries, s->pages,
            s->seq, s->size_before, s->size_after);
  else
    printf ("recovered: %u dirty pages applied (old-format log); sequence "
            "number %u; hive bins data %u -> %u bytes\n", s->pages, s->seq,
            s->size_before, s->size_after);
  printf ("written: %s\n", o);
}

static int
do_recover (const char *hive_path, char **log_paths, size_t n_log_paths,
            const char *out, int json)
{
  struct input hive = { .path = (char *) hive_path };
  struct input logs[ISC_HIVELOG_MAX_LOGS] = { { 0 } };
  struct isc_hivelog_file files[ISC_HIVELOG_MAX_LOGS];
  struct isc_hivelog_summary s;
  struct isc_err err = ISC_ERR_INIT;
  CLEANUP_FREE unsigned char *result = NULL;
  size_t n_logs = 0, len = 0, i;
  int status = EXIT_IMAGE_FAILED;

  if (n_log_paths > 0)
    for (i = 0; i < n_log_paths; ++i) {
      logs[n_logs].path = strdup (log_paths[i]);
      if (!logs[n_logs++].path)
        goto oom;
    }
  else if (find_logs (hive_path, logs, &n_logs) == -1)
    goto oom;
  if (is_input (out, &hive, logs, n_logs)) {
    status = usage_error ("hive", "'%s' is an input: the output must be "
                          "a new file", out);
    goto out;
  }
  if (isc_read_host_file (&err, hive_path, ISC_HIVELOG_MAX_SIZE, &hive.data,
                          &hive.len) == -1)
    goto failed;
  for (i = 0; i < n_logs; ++i) {
    if (isc_read_host_file (&err, logs[i].path, ISC_HIVELOG_MAX_SIZE,
                            &logs[i].data, &logs[i].len) == -1)
      goto failed;
    files[i].name = logs[i].path;
    files[i].data = logs[i].data;
    files[i].len = logs[i].len;
  }
  if (isc_hivelog_recover (&err, hive_path, hive.data, hive.len, files,
                           n_logs, &result, &len, &s) == -1)
    goto failed;
  /* The cap of any hive a scrub reads: recovery may not make more. */
  if (result && len > ISC_MAX_HIVE_SIZE) {
    isc_error (&err, hive_path, "the hive recovered from its logs (%s%s%s) "
               "would be %zu bytes, larger than %lld", logs[0].path,
               n_logs > 1 ? ", " : "", n_logs > 1 ? logs[1].path : "", len,
               ISC_MAX_HIVE_SIZE);
    goto failed;
  }
  if (result ? write_output (out, result, len) == -1
      : write_output (out, hive.data, hive.len) == -1)
    goto out;                     /* reported */
  if (json)
    print_json (&hive, logs, n_logs, &s, out, NULL);
  else
    print_text (&hive, logs, n_logs, &s, out);
  status = EXIT_OK;
  goto out;

 oom:
  out_error (NULL, "out of memory");
  status = EXIT_INTERNAL;
  goto out;
 failed:
  if (json && hive.data)
    print_json (&hive, logs, n_logs, &s, out, isc_err_msg (&err));
  out_error (NULL, isc_err_msg (&err));
 out:
  isc_err_clear (&err);
  free (hive.data);
  for (i = 0; i < n_logs; ++i) {
    free (logs[i].path);
    free (logs[i].data);
  }
  return status;
}

int
cmd_hive (int argc, char **argv)
{
  enum { OPT_LOG = 1, OPT_JSON };
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "json", no_argument, NULL, OPT_JSON },
    { "log", required_argument, NULL, OPT_LOG },
    { "output", required_argument, NULL, 'o' },
    { NULL, 0, NULL, 0 },
  };
  char *log_paths[ISC_HIVELOG_MAX_LOGS];
  size_t n_log_paths = 0;
  const char *out = NULL;
  int json = 0, c;

  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 ||
                    strcmp (argv[1], "-h") == 0)) {
    usage ();
    return EXIT_OK;
  }
  if (argc < 2)
    return usage_error ("hive", "no hive command given (recover)");
  if (strcmp (argv[1], "recover") != 0)
    return usage_error ("hive", "unknown hive command '%s'", argv[1]);
  argv++;
  argc--;
  while ((c = getopt_long (argc, argv, "ho:", long_options, NULL)) != -1) {
    switch (c) {
    case 'h': usage (); return EXIT_OK;
    case 'o': out = optarg; break;
    case OPT_JSON: json = 1; break;
    case OPT_LOG:
      if (n_log_paths == ISC_HIVELOG_MAX_LOGS)
        return usage_error ("hive", "at most %d --log files",
                            ISC_HIVELOG_MAX_LOGS);
      log_paths[n_log_paths++] = optarg;
      break;
    default:
      return usage_error ("hive", "unrecognized option '%s'",
                          argv[optind - 1]);
    }
  }
  if (optind + 1 != argc)
    return usage_error ("hive", optind == argc ? "no hive given"
                        : "one hive at a time");
  if (!out)
    return usage_error ("hive", "no output given (-o OUT)");
  return do_recover (argv[optind], log_paths, n_log_paths, out, json);
}
