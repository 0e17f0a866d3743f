/* delete-key: remove a registry key with its values and everything
 * under it. */
#include <config.h>

#include <stdlib.h>

#include <hivex.h>

#include "guest/private.h"
#include "profiles/profile.h"
#include "guest/reg.h"
#include "util/status.h"
#include "util/error.h"
#include "guest/change.h"
#include "profiles/action.h"

static const char *const docs[] = {
  "key", "registry key to delete with all its subkeys and values "
  "(required); a hive's root key cannot be deleted",
  NULL
};

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  if (a->key->n_keys == 0)
    return isc_error_text (err, a->target, "a hive's root key cannot be "
                           "deleted");
  return 0;
}

static int
on_key (struct isc_guest *gu, const struct isc_action *a,
        struct isc_regtarget *t, void *opaque)
{
  if (!t->node) {
    isc_guest_report (gu, a, t->key, ISC_RESULT_ABSENT, NULL);
    return 0;
  }
  return isc_guest_change (gu, a, &(struct isc_change) {
      .target = t->key, .deletes = 1, .type = ISC_ITEM_REGISTRY, .id = t->id, .note = 1,
      .subtree = 1, .reg = t, .fn = isc_reg_delete_node,
      .opaque = &(struct isc_regnode) { t->hf->h, t->node } });
}

const struct isc_action_kind isc_action_delete_key = {
  .name = "delete-key",
  .summary = "delete a registry key with everything under it",
  .os = ISC_OS_WINDOWS,
  .option_docs = docs,
  .example =
  "delete-key \"old-agent\" {\n"
  "  key = 'HKLM\\SOFTWARE\\Example\\Agent\\State'\n"
  "}\n",
  .has_key = 1,
  .parse = parse,
  .on_key = on_key,
};
