/* The table of action kinds.  Adding a kind: one file in lib/actions/
 * exporting its descriptor, one line here (kept sorted by name), one
 * line in Makefile.am. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "profiles/action.h"
#include "util/cleanups.h"
#include "windows/regpath.h"

extern const struct isc_action_kind isc_action_delete_file;
extern const struct isc_action_kind isc_action_delete_files;
extern const struct isc_action_kind isc_action_delete_folder;
extern const struct isc_action_kind isc_action_delete_key;
extern const struct isc_action_kind isc_action_delete_lines;
extern const struct isc_action_kind isc_action_delete_subkeys;
extern const struct isc_action_kind isc_action_delete_value;
extern const struct isc_action_kind isc_action_delete_words;
extern const struct isc_action_kind isc_action_empty_folder;
extern const struct isc_action_kind isc_action_set_value;
extern const struct isc_action_kind isc_action_truncate_file;
extern const struct isc_action_kind isc_action_write_file;

const struct isc_action_kind *const isc_action_kinds[] = {
  &isc_action_delete_file,
  &isc_action_delete_files,
  &isc_action_delete_folder,
  &isc_action_delete_key,
  &isc_action_delete_lines,
  &isc_action_delete_subkeys,
  &isc_action_delete_value,
  &isc_action_delete_words,
  &isc_action_empty_folder,
  &isc_action_set_value,
  &isc_action_truncate_file,
  &isc_action_write_file,
  NULL
};

const struct isc_action_kind *
isc_action_kind_lookup (const char *name)
{
  size_t i;

  for (i = 0; isc_action_kinds[i]; ++i)
    if (strcmp (isc_action_kinds[i]->name, name) == 0)
      return isc_action_kinds[i];
  return NULL;
}

const char *
isc_action_option_doc (const struct isc_action_kind *kind, const char *opt)
{
  size_t i;

  for (i = 0; kind->option_docs && kind->option_docs[i]; i += 2)
    if (strcmp (kind->option_docs[i], opt) == 0)
      return kind->option_docs[i + 1];
  return NULL;
}

cfg_opt_t *
isc_action_schema (const struct isc_action_kind *kind)
{
  /* One schema per kind, in the table's order. */
  static cfg_opt_t *built[sizeof isc_action_kinds /
                          sizeof isc_action_kinds[0]];
  static cfg_opt_t path[] = {
    CFG_STR ("path", NULL, CFGF_NODEFAULT), CFG_END ()
  };
  static cfg_opt_t key[] = {
    CFG_STR ("key", NULL, CFGF_NODEFAULT), CFG_END ()
  };
  const cfg_opt_t *parts[3] = {
    kind->on_file ? path : kind->has_key ? key : NULL, kind->opts,
    isc_action_common_opts,
  };
  cfg_opt_t end = CFG_END ();
  size_t k, n = 0, i, j;
  cfg_opt_t *opts;

  for (k = 0; isc_action_kinds[k] && isc_action_kinds[k] != kind; ++k)
    ;
  if (!isc_action_kinds[k])
    return NULL;
  if (built[k])
    return built[k];
  for (i = 0; i < 3; ++i)
    for (j = 0; parts[i] && parts[i][j].name; ++j)
      n++;
  opts = calloc (n + 1, sizeof *opts);
  if (!opts)
    return NULL;
  n = 0;
  for (i = 0; i < 3; ++i)
    for (j = 0; parts[i] && parts[i][j].name; ++j)
      opts[n++] = parts[i][j];
  opts[n] = end;
  built[k] = opts;
  return opts;
}

void
isc_action_free (struct isc_action *a)
{
  if (!a)
    return;
  if (a->data && a->kind && a->kind->free_data)
    a->kind->free_data (a->data);
  free (a->title);
  free (a->file);
  free (a->target);
  free (a->path);
  if (a->key)
    isc_regpath_clear (a->key);
  free (a->key);
  isc_free_string_list (a->excludes);
  isc_free_string_list (a->distros);
  free (a->package_format);
  isc_free_string_list (a->machine_ids);
  free (a);
}
