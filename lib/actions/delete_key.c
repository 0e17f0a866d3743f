/* delete-key: remove a registry key with its values and everything
 * under it. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <hivex.h>

#include "actions/common.h"
#include "guest-private.h"
#include "profile.h"
#include "winpath.h"
#include "registry.h"

static cfg_opt_t opts[] = {
  CFG_STR ("key", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static const char *const docs[] = {
  "key", "registry key to delete with all its subkeys and values "
  "(required); a hive's root key cannot be deleted",
  NULL
};

static void
free_data (void *opaque)
{
  struct isc_regpath *rp = opaque;

  if (!rp)
    return;
  isc_regpath_clear (rp);
  free (rp);
}

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  struct isc_regpath *rp;
  const char *key;

  if (isc_opt_string (err, sec, "key", 1, &key) == -1)
    return -1;
  rp = calloc (1, sizeof *rp);
  if (!rp)
    return isc_error_errno (err, NULL, "calloc");
  if (isc_regpath_parse (err, key, rp) == -1) {
    free (rp);
    return -1;
  }
  a->data = rp;
  if (rp->n_keys == 0)
    return isc_error_text (err, key, "a hive's root key cannot be deleted");
  a->target = strdup (key);
  return a->target ? 0 : isc_error_errno (err, NULL, "strdup");
}

static int
on_key (struct isc_guest *gu, const struct isc_action *a,
        struct isc_regtarget *t, void *opaque)
{
  struct isc_err reason = ISC_ERR_INIT;

  if (!t->node) {
    isc_guest_report (gu, a, t->key, ISC_RESULT_ABSENT, NULL);
    return 0;
  }
  if (isc_reg_edit (gu, t) == -1) {
    isc_guest_report_failed (gu, a, t->key, gu->err);
    return -1;
  }
  if (gu->dry_run)
    isc_guest_report (gu, a, t->key, ISC_RESULT_WOULD_DELETE, NULL);
  else if (hivex_node_delete_child (t->hf->h, t->node) == -1) {
    isc_error_errno (&reason, NULL, "cannot delete the key");
    isc_guest_report_failed (gu, a, t->key, &reason);
    isc_err_clear (&reason);
    return 0;
  }
  else
    isc_guest_report (gu, a, t->key, ISC_RESULT_DELETED, NULL);
  isc_guest_note_removed (gu, a, 'r', t->id, 1);
  return 0;
}

static int
apply (struct isc_guest *gu, const struct isc_action *a)
{
  return isc_reg_foreach (gu, a, a->data, on_key, NULL);
}

const struct isc_action_kind isc_action_delete_key = {
  .name = "delete-key",
  .summary = "delete a registry key with everything under it",
  .os = ISC_OS_WINDOWS,
  .opts = opts,
  .option_docs = docs,
  .example =
  "delete-key \"old-agent\" {\n"
  "  key = 'HKLM\\SOFTWARE\\Example\\Agent\\State'\n"
  "}\n",
  .parse = parse,
  .apply = apply,
  .free_data = free_data,
};
