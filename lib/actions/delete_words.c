/* delete-words: remove words from the lines of a text file, keeping
 * every other byte: a kernel argument such as systemd.machine_id= from
 * the "options" line of a BLS entry, /etc/kernel/cmdline or
 * GRUB_CMDLINE_LINUX in /etc/default/grub, where delete-lines would take
 * the whole command line with it.  A word is a run of bytes other than
 * blanks and quotes, so one inside GRUB_CMDLINE_LINUX="..." is found and
 * the quotes stay.  The file is rewritten beside itself and renamed over
 * it (isc_guest_write_aside), keeping its owner and mode.  A symlink is
 * refused, never followed. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "guest/private.h"
#include "util/cleanups.h"
#include "guest/path.h"
#include "profiles/profile.h"
#include "util/status.h"
#include "util/error.h"
#include "guest/change.h"
#include "profiles/action.h"

struct data {
  char **lines;                     /* line prefixes, NULL-terminated, or
                                       NULL: every line */
  char **words;                     /* word prefixes, NULL-terminated */
};

static cfg_opt_t opts[] = {
  CFG_STR_LIST ("word", NULL, CFGF_NODEFAULT),
  CFG_STR_LIST ("line", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static const char *const docs[] = {
  "path", "the text file (required); a glob names every matching file",
  "word", "a word starting with this is deleted with the blank before it "
  "(or, first in its line or quotes, the one after it); a list of them "
  "may be given, e.g. \"systemd.machine_id=\" (required).  Words are "
  "separated by blanks and quotes",
  "line", "only lines starting with this (or one of a list) are edited, "
  "after the prefix, e.g. {\"GRUB_CMDLINE_LINUX=\", "
  "\"GRUB_CMDLINE_LINUX_DEFAULT=\"} (default: every line)",
  NULL
};

static void
free_data (void *opaque)
{
  struct data *d = opaque;

  if (!d)
    return;
  isc_free_string_list (d->lines);
  isc_free_string_list (d->words);
  free (d);
}

/* A copy of the list option NAME of SEC, no empty string in it. */
static int
copy_list (struct isc_err *err, cfg_t *sec, const char *name, char ***ret)
{
  unsigned n = cfg_size (sec, name), i;

  *ret = calloc (n + 1, sizeof **ret);
  if (!*ret)
    return isc_error_oom (err, NULL);
  for (i = 0; i < n; ++i) {
    const char *s = cfg_getnstr (sec, name, i);

    if (!*s)
      return isc_error (err, NULL, "an empty '%s' matches everything", name);
    if (!((*ret)[i] = strdup (s)))
      return isc_error_oom (err, NULL);
  }
  return 0;
}

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  struct data *d;

  if (cfg_size (sec, "word") == 0)
    return isc_error (err, NULL, "missing required option 'word'");
  d = calloc (1, sizeof *d);
  if (!d)
    return isc_error_oom (err, NULL);
  a->data = d;
  if (copy_list (err, sec, "word", &d->words) == -1)
    return -1;
  if (cfg_size (sec, "line") > 0 &&
      copy_list (err, sec, "line", &d->lines) == -1)
    return -1;
  return 0;
}

/* 1 + the length of the first of PREFIXES that S (LEN bytes) starts
 * with, or 0 when none: the caller may need where the prefix ends. */
static int
starts_with (char *const *prefixes, const char *s, size_t len)
{
  size_t i;

  for (i = 0; prefixes[i]; ++i)
    if (strlen (prefixes[i]) <= len &&
        memcmp (s, prefixes[i], strlen (prefixes[i])) == 0)
      return (int) strlen (prefixes[i]) + 1;
  return 0;
}

static int
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static int
is_separator (char c)
{
  return is_blank (c) || c == '"' || c == '\'';
}

/* Delete the words of LINE (*LEN bytes, no ending) that D names, from
 * byte FROM on, in place; the number deleted. */
static size_t
edit_line (const struct data *d, char *line, size_t *len, size_t from)
{
  size_t i = from, removed = 0;

  while (i < *len) {
    size_t start, end;

    if (is_separator (line[i])) {
      i++;
      continue;
    }
    start = i;
    while (i < *len && !is_separator (line[i]))
      i++;
    end = i;
    if (!starts_with (d->words, line + start, end - start))
      continue;
    /* Take one run of blanks with it: before, else after. */
    if (start > from && is_blank (line[start - 1]))
      while (start > from && is_blank (line[start - 1]))
        start--;
    else
      while (end < *len && is_blank (line[end]))
        end++;
    memmove (line + start, line + end, *len - end);
    *len -= end - start;
    i = start;
    removed++;
  }
  return removed;
}

/* TEXT without the words, in place; the number removed. */
static size_t
filter (const void *opaque, char *text, size_t *len)
{
  const struct data *d = opaque;
  size_t in = 0, out = 0, removed = 0;

  while (in < *len) {
    char *nl = memchr (text + in, '\n', *len - in);
    size_t end = nl ? (size_t) (nl - text) + 1 : *len;
    size_t body = (nl ? end - 1 : end) - in, ending = end - in - body;
    int skip = 0;

    if (body > 0 && text[in + body - 1] == '\r') {
      body--;
      ending++;
    }
    if (!d->lines || (skip = starts_with (d->lines, text + in, body)) > 0) {
      size_t n = body;

      removed += edit_line (d, text + in, &n, skip > 0 ? skip - 1 : 0);
      /* The line ending follows the shortened body. */
      memmove (text + in + n, text + in + body, ending);
      body = n;
    }
    memmove (text + out, text + in, body + ending);
    out += body + ending;
    in = end;
  }
  *len = out;
  return removed;
}

static int
edit_words (struct isc_guest *gu, const struct isc_action *a,
            const struct isc_file *f, void *opaque)
{
  return isc_guest_edit_text (gu, a, f, filter, opaque);
}

const struct isc_action_kind isc_action_delete_words = {
  .name = "delete-words",
  .summary = "delete matching words from lines of a text file (a kernel "
  "argument), keeping every other byte",
  .os = ISC_OS_ANY,
  .opts = opts,
  .option_docs = docs,
  .example =
  "delete-words \"bls-machine-id\" {\n"
  "  path = \"/boot/loader/entries/*.conf\"\n"
  "  line = \"options\"\n"
  "  word = \"systemd.machine_id=\"\n"
  "}\n",
  .globs = ISC_GLOB_FILES,
  .parse = parse,
  .on_file = edit_words,
  .takes = ISC_TAKES_FILE | ISC_TAKES_SIZE,
  .free_data = free_data,
};
