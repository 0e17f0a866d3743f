/* delete-subkeys: remove every subkey of a registry key, keeping the key
 * and its own values (KB Q257808 step 6: the keys under
 * NAL\Client\AbExprtDB).  Each subkey is one target. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hivex.h>

#include "util/cleanups.h"
#include "guest/private.h"
#include "profiles/profile.h"
#include "guest/reg.h"
#include "util/status.h"
#include "util/error.h"
#include "util/oom.h"
#include "guest/change.h"
#include "profiles/action.h"

static const char *const docs[] = {
  "key", "registry key whose subkeys are deleted (required); the key and "
  "its values stay; not a hive's root key",
  NULL
};

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  char *target;

  if (a->key->n_keys == 0)
    return isc_error_text (err, a->target, "refusing to delete every key of "
                           "a hive");
  if (asprintf (&target, "%s\\*", a->target) == -1)
    return isc_error_oom (err, NULL);
  free (a->target);
  a->target = target;
  return 0;
}

static int
on_key (struct isc_guest *gu, const struct isc_action *a,
        struct isc_regtarget *t, void *opaque)
{
  CLEANUP_FREE hive_node_h *children = NULL;
  hive_h *h = t->hf->h;
  size_t i, n;
  int r = 0;

  if (t->node)
    children = hivex_node_children (h, t->node);
  if (t->node && !children) {
    isc_guest_fail (gu, a, t->key, "cannot read the subkeys");
    return 0;
  }
  for (n = 0; children && children[n]; ++n)
    ;
  if (n == 0) {
    isc_guest_report (gu, a, t->key, ISC_RESULT_ABSENT, NULL);
    return 0;
  }
  if (n > ISC_MAX_REG_LIST) {
    isc_guest_fail (gu, a, t->key, "more than %d subkeys", ISC_MAX_REG_LIST);
    return 0;
  }
  for (i = 0; i < n && r == 0; ++i) {
    CLEANUP_FREE char *name = hivex_node_name (h, children[i]);
    CLEANUP_FREE char *target = NULL, *id = NULL;

    if (asprintf (&target, "%s\\%s", t->key,
                  name ? name : "(unreadable name)") == -1 ||
        asprintf (&id, "%s\\%s", t->id, name ? name : "") == -1)
      isc_oom ();
    /* Deleting a sibling leaves the other handles valid (hivex never
     * moves a key); check the parent anyway before deleting. */
    if (hivex_node_parent (h, children[i]) != t->node) {
      isc_guest_fail (gu, a, target, "subkey list changed while deleting");
      continue;
    }
    r = isc_guest_change (gu, a, &(struct isc_change) {
        .target = target, .deletes = 1, .type = ISC_ITEM_REGISTRY, .id = id,
        .note = name != NULL, .subtree = 1, .reg = t,
        .fn = isc_reg_delete_node,
        .opaque = &(struct isc_regnode) { h, children[i] } });
  }
  return r;
}

const struct isc_action_kind isc_action_delete_subkeys = {
  .name = "delete-subkeys",
  .summary = "delete every subkey of a registry key, keeping the key",
  .os = ISC_OS_WINDOWS,
  .option_docs = docs,
  .example =
  "delete-subkeys \"abexprtdb\" {\n"
  "  key = 'HKLM\\SOFTWARE\\Microsoft\\NAL\\Client\\AbExprtDB'\n"
  "}\n",
  .has_key = 1,
  .parse = parse,
  .on_key = on_key,
};
