/* delete-lines: remove the lines of a text file that match, keeping
 * every other byte (CRLF endings included): HWADDR= in ifcfg files, the
 * "SMS Unique Identifier=" line of SMSCFG.INI where the file must stay.
 * The file is rewritten beside itself and renamed over it
 * (isc_guest_write_aside), keeping its owner and mode.  A symlink is
 * refused, never followed. */
#include <config.h>

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanups.h"
#include "guest/private.h"
#include "guest/path.h"
#include "profiles/profile.h"
#include "util/status.h"
#include "util/error.h"
#include "util/oom.h"
#include "guest/change.h"
#include "profiles/action.h"

struct data {
  char **prefixes;                  /* NULL-terminated, or NULL */
  regex_t *regexes;
  size_t n_regexes;
};

static cfg_opt_t opts[] = {
  CFG_STR_LIST ("prefix", NULL, CFGF_NODEFAULT),
  CFG_STR_LIST ("regex", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static const char *const docs[] = {
  "path", "the text file (required); a glob names every matching file",
  "prefix", "a line starting with this is deleted; a list of them may be "
  "given, e.g. {\"HOSTNAME=\", \"DHCP_HOSTNAME=\"}",
  "regex", "a POSIX extended regular expression (or a list): a line it "
  "matches is deleted (without its line ending; anchor it with ^ and $).  "
  "At least one prefix or regex",
  NULL
};

static void
free_data (void *opaque)
{
  struct data *d = opaque;
  size_t i;

  if (!d)
    return;
  isc_free_string_list (d->prefixes);
  for (i = 0; i < d->n_regexes; ++i)
    regfree (&d->regexes[i]);
  free (d->regexes);
  free (d);
}

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  unsigned n_prefix = cfg_size (sec, "prefix"), n_re = cfg_size (sec, "regex");
  struct data *d;
  unsigned i;

  if (n_prefix + n_re == 0)
    return isc_error (err, NULL, "give 'prefix' or 'regex'");
  d = calloc (1, sizeof *d);
  if (!d)
    return isc_error_oom (err, NULL);
  a->data = d;
  d->prefixes = calloc (n_prefix + 1, sizeof *d->prefixes);
  d->regexes = calloc (n_re + 1, sizeof *d->regexes);
  if (!d->prefixes || !d->regexes)
    return isc_error_oom (err, NULL);
  for (i = 0; i < n_prefix; ++i) {
    const char *p = cfg_getnstr (sec, "prefix", i);

    if (!*p)
      return isc_error (err, NULL, "an empty prefix matches every line");
    if (!(d->prefixes[i] = strdup (p)))
      return isc_error_oom (err, NULL);
  }
  for (i = 0; i < n_re; ++i) {
    const char *re = cfg_getnstr (sec, "regex", i);
    int e = regcomp (&d->regexes[i], re, REG_EXTENDED | REG_NOSUB);

    if (e != 0) {
      char msg[256];

      regerror (e, &d->regexes[i], msg, sizeof msg);
      return isc_error_text (err, re, "bad regex: %s", msg);
    }
    d->n_regexes++;
  }
  return 0;
}

/* LINE (LEN bytes, without its ending) is to go. */
static int
matches (const struct data *d, const char *line, size_t len)
{
  CLEANUP_FREE char *s = NULL;
  size_t i;

  for (i = 0; d->prefixes[i]; ++i)
    if (strlen (d->prefixes[i]) <= len &&
        memcmp (line, d->prefixes[i], strlen (d->prefixes[i])) == 0)
      return 1;
  if (d->n_regexes == 0)
    return 0;
  s = strndup (line, len);
  if (!s)
    isc_oom ();
  for (i = 0; i < d->n_regexes; ++i)
    if (regexec (&d->regexes[i], s, 0, NULL, 0) == 0)
      return 1;
  return 0;
}

/* TEXT without the matching lines, in place; the number removed. */
static size_t
filter (const void *opaque, char *text, size_t *len)
{
  const struct data *d = opaque;
  size_t in = 0, out = 0, removed = 0;

  while (in < *len) {
    char *nl = memchr (text + in, '\n', *len - in);
    size_t end = nl ? (size_t) (nl - text) + 1 : *len;
    size_t body = (nl ? end - 1 : end) - in;

    if (body > 0 && text[in + body - 1] == '\r')
      body--;
    if (matches (d, text + in, body))
      removed++;
    else {
      memmove (text + out, text + in, end - in);
      out += end - in;
    }
    in = end;
  }
  *len = out;
  return removed;
}

static int
edit_lines (struct isc_guest *gu, const struct isc_action *a,
            const struct isc_file *f, void *opaque)
{
  return isc_guest_edit_text (gu, a, f, filter, opaque);
}

const struct isc_action_kind isc_action_delete_lines = {
  .name = "delete-lines",
  .summary = "delete the matching lines of a text file, keeping every "
  "other byte",
  .os = ISC_OS_ANY,
  .opts = opts,
  .option_docs = docs,
  .example =
  "delete-lines \"hwaddr\" {\n"
  "  path = \"/etc/sysconfig/network-scripts/ifcfg-*\"\n"
  "  prefix = \"HWADDR=\"\n"
  "}\n",
  .globs = ISC_GLOB_FILES,
  .parse = parse,
  .on_file = edit_lines,
  .takes = ISC_TAKES_FILE | ISC_TAKES_SIZE,
  .free_data = free_data,
};
