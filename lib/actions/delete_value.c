/* delete-value: remove one value from a registry key (KB Q257808 step 3:
 * the SMS Unique Identifier).  hivex has no call that deletes a single
 * value, so the key's value list is rewritten without it. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hivex.h>

#include "actions/common.h"
#include "cleanups.h"
#include "guest-private.h"
#include "profile.h"
#include "registry.h"

struct data {
  struct isc_regpath key;
  char *value;
};

static cfg_opt_t opts[] = {
  CFG_STR ("key", NULL, CFGF_NODEFAULT),
  CFG_STR ("value", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static const char *const docs[] = {
  "key", "registry key holding the value (required), e.g. "
  "'HKLM\\SOFTWARE\\Microsoft\\Cryptography'",
  "value", "name of the value to delete (required); \"\" is the key's "
  "default value; any letter case",
  NULL
};

static void
free_data (void *opaque)
{
  struct data *d = opaque;

  if (!d)
    return;
  isc_regpath_clear (&d->key);
  free (d->value);
  free (d);
}

static int
parse (struct isc_err *err, cfg_t *sec, struct isc_action *a)
{
  struct data *d;
  const char *key, *value;

  if (isc_opt_string (err, sec, "key", 1, &key) == -1 ||
      isc_opt_string (err, sec, "value", 1, &value) == -1 ||
      isc_regvalue_check (err, value) == -1)
    return -1;
  d = calloc (1, sizeof *d);
  if (!d)
    return isc_error_errno (err, NULL, "calloc");
  if (isc_regpath_parse (err, key, &d->key) == -1) {
    free (d);
    return -1;
  }
  d->value = strdup (value);
  a->target = isc_reg_value_display (key, value);
  a->data = d;
  if (!d->value || !a->target)
    return isc_error_errno (err, NULL, "strdup");
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
    return isc_error_errno (reason, NULL, "calloc");
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

static int
on_key (struct isc_guest *gu, const struct isc_action *a,
        struct isc_regtarget *t, void *opaque)
{
  const struct data *d = opaque;
  struct isc_err reason = ISC_ERR_INIT;
  CLEANUP_FREE char *target = isc_reg_value_display (t->key, d->value);
  CLEANUP_FREE char *id = NULL;
  hive_h *h = t->hf->h;
  hive_value_h v = 0;

  if (!target || asprintf (&id, "%s|%s", t->id, d->value) == -1)
    abort ();
  if (t->node) {
    errno = 0;
    v = hivex_node_get_value (h, t->node, d->value);
    if (!v && errno) {
      isc_error_errno (&reason, NULL, "cannot read the key's values");
      isc_guest_report_failed (gu, a, target, &reason);
      isc_err_clear (&reason);
      return 0;
    }
  }
  if (!v) {
    isc_guest_report (gu, a, target, ISC_RESULT_ABSENT, NULL);
    return 0;
  }
  if (isc_reg_edit (gu, t) == -1) {
    isc_guest_report_failed (gu, a, target, gu->err);
    return -1;
  }
  if (gu->dry_run)
    isc_guest_report (gu, a, target, ISC_RESULT_WOULD_DELETE, NULL);
  else if (remove_value (&reason, h, t->node, v) == -1) {
    isc_guest_report_failed (gu, a, target, &reason);
    isc_err_clear (&reason);
    return 0;
  }
  else
    isc_guest_report (gu, a, target, ISC_RESULT_DELETED, NULL);
  isc_guest_note_removed (gu, a, 'r', id, 0);
  return 0;
}

static int
apply (struct isc_guest *gu, const struct isc_action *a)
{
  const struct data *d = a->data;

  return isc_reg_foreach (gu, a, &d->key, on_key, a->data);
}

const struct isc_action_kind isc_action_delete_value = {
  .name = "delete-value",
  .summary = "delete one value of a registry key",
  .os = ISC_OS_WINDOWS,
  .opts = opts,
  .option_docs = docs,
  .example =
  "delete-value \"sms-guid\" {\n"
  "  key = 'HKLM\\SOFTWARE\\Microsoft\\SMS\\Client\\Configuration\\Client Properties'\n"
  "  value = \"SMS Unique Identifier\"\n"
  "}\n",
  .parse = parse,
  .apply = apply,
  .free_data = free_data,
};
