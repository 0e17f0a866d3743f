/* delete-subkeys: remove every subkey of a registry key, keeping the key
 * and its own values (KB Q257808 step 6: the keys under
 * NAL\Client\AbExprtDB).  Each subkey is one target. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <hivex.h>

#include "actions/common.h"
#include "cleanups.h"
#include "guest-private.h"
#include "profile.h"
#include "winpath.h"
#include "registry.h"

static cfg_opt_t opts[] = {
  CFG_STR ("key", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static const char *const docs[] = {
  "key", "registry key whose subkeys are deleted (required); the key and "
  "its values stay; not a hive's root key",
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
    return isc_error_text (err, key, "refusing to delete every key of a hive");
  if (asprintf (&a->target, "%s\\*", key) == -1) {
    a->target = NULL;
    return isc_error_errno (err, NULL, "asprintf");
  }
  return 0;
}

static int
on_key (struct isc_guest *gu, const struct isc_action *a,
        struct isc_regtarget *t, void *opaque)
{
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE hive_node_h *children = NULL;
  hive_h *h = t->hf->h;
  size_t i, n;

  if (t->node)
    children = hivex_node_children (h, t->node);
  if (t->node && !children) {
    isc_error_errno (&reason, NULL, "cannot read the subkeys");
    isc_guest_report_failed (gu, a, t->key, &reason);
    isc_err_clear (&reason);
    return 0;
  }
  for (n = 0; children && children[n]; ++n)
    ;
  if (n == 0) {
    isc_guest_report (gu, a, t->key, ISC_RESULT_ABSENT, NULL);
    return 0;
  }
  if (n > ISC_MAX_REG_LIST) {
    isc_error (&reason, NULL, "more than %d subkeys", ISC_MAX_REG_LIST);
    isc_guest_report_failed (gu, a, t->key, &reason);
    isc_err_clear (&reason);
    return 0;
  }
  if (isc_reg_edit (gu, t) == -1) {
    isc_guest_report_failed (gu, a, t->key, gu->err);
    return -1;
  }
  for (i = 0; i < n; ++i) {
    CLEANUP_FREE char *name = hivex_node_name (h, children[i]);
    CLEANUP_FREE char *target = NULL, *id = NULL;

    if (asprintf (&target, "%s\\%s", t->key,
                  name ? name : "(unreadable name)") == -1 ||
        asprintf (&id, "%s\\%s", t->id, name ? name : "") == -1)
      abort ();
    /* Deleting a sibling leaves the other handles valid (hivex never
     * moves a key); check the parent anyway before deleting. */
    if (hivex_node_parent (h, children[i]) != t->node) {
      isc_error (&reason, NULL, "subkey list changed while deleting");
      isc_guest_report_failed (gu, a, target, &reason);
      isc_err_clear (&reason);
      continue;
    }
    if (gu->dry_run)
      isc_guest_report (gu, a, target, ISC_RESULT_WOULD_DELETE, NULL);
    else if (hivex_node_delete_child (h, children[i]) == -1) {
      isc_error_errno (&reason, NULL, "cannot delete the key");
      isc_guest_report_failed (gu, a, target, &reason);
      isc_err_clear (&reason);
      continue;
    }
    else
      isc_guest_report (gu, a, target, ISC_RESULT_DELETED, NULL);
    if (name)
      isc_guest_note_removed (gu, a, 'r', id, 1);
  }
  return 0;
}

static int
apply (struct isc_guest *gu, const struct isc_action *a)
{
  return isc_reg_foreach (gu, a, a->data, on_key, NULL);
}

const struct isc_action_kind isc_action_delete_subkeys = {
  .name = "delete-subkeys",
  .summary = "delete every subkey of a registry key, keeping the key",
  .os = ISC_OS_WINDOWS,
  .opts = opts,
  .option_docs = docs,
  .example =
  "delete-subkeys \"abexprtdb\" {\n"
  "  key = 'HKLM\\SOFTWARE\\Microsoft\\NAL\\Client\\AbExprtDB'\n"
  "}\n",
  .parse = parse,
  .apply = apply,
  .free_data = free_data,
};
