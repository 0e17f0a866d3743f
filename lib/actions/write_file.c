/* write-file: give a file new content (isc_guest_write_aside: written
 * beside it and renamed over it; an existing file's owner and mode are
 * kept on Linux).  A symlink at the path is replaced, never followed.
 * Folders are not created: a missing folder is "absent". */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <guestfs.h>

#include "util/cleanups.h"
#include "guest/private.h"
#include "guest/path.h"
#include "profiles/profile.h"
#include "util/status.h"
#include "util/error.h"
#include "guest/change.h"
#include "profiles/action.h"

struct data {
  char *content;
  long mode;                        /* -1: keep, or 0644 for a new file */
  const char *path;                 /* while applying: the resolved one */
};

static cfg_opt_t opts[] = {
  CFG_STR ("content", NULL, CFGF_NODEFAULT),
  CFG_INT ("mode", -1, CFGF_NONE),
  CFG_END ()
};

static const char *const docs[] = {
  "path", "the file to write (required); its folder must exist",
  "content", "the new content, a string (required; \"\" for none; C escapes "
  "such as \\n in double quotes)",
  "mode", "Linux permissions, e.g. 0644 (default: keep an existing file's, "
  "0644 for a new one); ignored on Windows",
  NULL
};

static void
free_data (void *opaque)
{
  struct data *d = opaque;

  if (d)
    free (d->content);
  free (d);
}

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  struct data *d;
  const char *content;

  if (isc_action_opt_string (err, sec, "content", 1, &content) == -1)
    return -1;
  d = calloc (1, sizeof *d);
  if (!d)
    return isc_error_oom (err, NULL);
  a->data = d;
  d->mode = cfg_getint (sec, "mode");
  if (d->mode < -1 || d->mode > 07777)
    return isc_error (err, NULL, "mode %ld is not between 0 and 07777",
                      d->mode);
  d->content = strdup (content);
  return d->content ? 0 : isc_error_oom (err, NULL);
}

static int
write_it (struct isc_guest *gu, struct isc_err *reason, void *opaque)
{
  const struct data *d = opaque;

  return isc_guest_write_aside (gu, reason, d->path, d->content,
                                strlen (d->content), d->mode);
}

static int
replace_it (struct isc_guest *gu, const struct isc_action *a,
            const struct isc_file *f, void *opaque)
{
  struct data *d = opaque;

  d->path = f->path;
  return isc_guest_change (gu, a, &(struct isc_change) {
      .target = f->path, .type = ISC_ITEM_FILE, .creates = 1,
      .fn = write_it, .opaque = d });
}

const struct isc_action_kind isc_action_write_file = {
  .name = "write-file",
  .summary = "replace a file's content (written aside, then renamed over it)",
  .os = ISC_OS_ANY,
  .opts = opts,
  .option_docs = docs,
  .example =
  "write-file \"hostname\" {\n"
  "  path = \"/etc/hostname\"\n"
  "  content = \"localhost\\n\"\n"
  "  mode = 0644\n"
  "}\n",
  .parse = parse,
  .on_file = replace_it,
  .takes = ISC_TAKES_FILE | ISC_TAKES_SYMLINK | ISC_TAKES_ABSENT,
  .free_data = free_data,
};
