/* delete-value: remove one value from a registry key (KB Q257808 step 3:
 * the SMS Unique Identifier), or each of a list.  hivex has no call that deletes a single
 * value, so the key's value list is rewritten without it. */
#include <config.h>

#include <errno.h>
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

static cfg_opt_t opts[] = {
  CFG_STR_LIST ("value", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static const char *const docs[] = {
  "key", "registry key holding the value (required), e.g. "
  "'HKLM\\SOFTWARE\\Microsoft\\Cryptography'",
  "value", "name of the value to delete, or a list of names (required); "
  "\"\" is the key's default value; any letter case",
  NULL
};

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  unsigned n = cfg_size (sec, "value"), i;
  char **values, *target;
  size_t len = strlen (a->target) + 4;

  if (n == 0)
    return isc_error (err, NULL, "missing required option 'value'");
  values = calloc (n + 1, sizeof *values);
  if (!values)
    return isc_error_oom (err, NULL);
  a->data = values;
  for (i = 0; i < n; ++i) {
    const char *v = cfg_getnstr (sec, "value", i);

    if (isc_regvalue_check (err, v) == -1)
      return -1;
    if (!(values[i] = strdup (v)))
      return isc_error_oom (err, NULL);
    len += strlen (v) + 12;
  }
  if (n == 1) {
    target = isc_reg_value_display (a->target, values[0]);
    if (!target)
      return isc_error_oom (err, NULL);
  }
  else {
    char *p = target = malloc (len);

    if (!target)
      return isc_error_oom (err, NULL);
    p += sprintf (p, "%s\\{", a->target);
    for (i = 0; i < n; ++i)
      p += sprintf (p, "%s%s", i ? ", " : "", *values[i] ? values[i]
                    : "(Default)");
    sprintf (p, "}");
  }
  free (a->target);
  a->target = target;
  return 0;
}

/* Rewrite NODE's values without V. */
static int
remove_value (struct isc_err *reason, hive_h *h, hive_node_h node,
              hive_value_h v)
{
  CLEANUP_FREE hive_value_h *values = NULL;
  hive_set_value *keep = NULL;
  size_t n, i, m = 0;
  int r = -1;

  values = hivex_node_values (h, node);
  if (!values)
    return isc_error_errno (reason, NULL, "cannot read the key's values");
  for (n = 0; values[n]; ++n)
    if (n >= ISC_MAX_REG_LIST)
      return isc_error (reason, NULL, "more than %d values in the key",
                        ISC_MAX_REG_LIST);
  keep = calloc (n ? n : 1, sizeof *keep);
  if (!keep)
    return isc_error_oom (reason, NULL);
  for (i = 0; i < n; ++i) {
    if (values[i] == v)
      continue;
    keep[m].key = hivex_value_key (h, values[i]);
    keep[m].value = keep[m].key ? hivex_value_value (h, values[i], &keep[m].t,
                                                     &keep[m].len) : NULL;
    if (!keep[m].key || !keep[m].value) {
      /* Never lose a neighbour: give up rather than drop it. */
      isc_error_errno (reason, NULL, "cannot copy a neighbouring value");
      free (keep[m].key);
      goto out;
    }
    m++;
  }
  if (hivex_node_set_values (h, node, m, keep, 0) == -1) {
    isc_error_errno (reason, NULL, "cannot rewrite the key's values");
    goto out;
  }
  r = 0;
 out:
  for (i = 0; i < m; ++i) {
    free (keep[i].key);
    free (keep[i].value);
  }
  free (keep);
  return r;
}

struct removal {
  hive_h *h;
  hive_node_h node;
  hive_value_h v;
};

static int
remove_it (struct isc_guest *gu, struct isc_err *reason, void *opaque)
{
  const struct removal *r = opaque;

  return remove_value (reason, r->h, r->node, r->v);
}

static int
on_key (struct isc_guest *gu, const struct isc_action *a,
        struct isc_regtarget *t, void *opaque)
{
  char *const *values = opaque;
  hive_h *h = t->hf->h;
  size_t i;
  int r = 0;

  for (i = 0; values[i] && r == 0; ++i) {
    CLEANUP_FREE char *target = isc_reg_value_display (t->key, values[i]);
    CLEANUP_FREE char *id = NULL;
    hive_value_h v = 0;

    if (!target || asprintf (&id, "%s|%s", t->id, values[i]) == -1)
      isc_oom ();
    if (t->node) {
      errno = 0;
      v = hivex_node_get_value (h, t->node, values[i]);
      if (!v && errno) {
        isc_guest_fail (gu, a, target, "cannot read the key's values: %s",
                        strerror (errno));
        continue;
      }
    }
    if (!v) {
      isc_guest_report (gu, a, target, ISC_RESULT_ABSENT, NULL);
      continue;
    }
    r = isc_guest_change (gu, a, &(struct isc_change) {
        .target = target, .deletes = 1, .type = ISC_ITEM_REGISTRY, .id = id, .note = 1,
        .reg = t, .fn = remove_it,
        .opaque = &(struct removal) { h, t->node, v } });
  }
  return r;
}

const struct isc_action_kind isc_action_delete_value = {
  .name = "delete-value",
  .summary = "delete one value of a registry key, or several",
  .os = ISC_OS_WINDOWS,
  .opts = opts,
  .option_docs = docs,
  .example =
  "delete-value \"sms-guid\" {\n"
  "  key = 'HKLM\\SOFTWARE\\Microsoft\\SMS\\Client\\Configuration\\Client Properties'\n"
  "  value = \"SMS Unique Identifier\"\n"
  "}\n",
  .has_key = 1,
  .parse = parse,
  .on_key = on_key,
  .free_data = (void (*) (void *)) isc_free_string_list,
};
