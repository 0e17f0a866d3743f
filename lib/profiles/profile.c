/* imgscrub: loading cleanup profiles: the libconfuse schema and parse,
 * includes, and the action and identity sections (isc_profile_load,
 * isc_profile_free, isc_profile_foreach_action).
 *
 * The schema is built from the action descriptors: one titled, repeatable
 * section per kind, with the kind's own options, so adding a kind touches
 * nothing here.  libconfuse parses the exact bytes that are hashed; its
 * messages are recorded, not printed, with the file and line its error
 * callback gives, and its sections are taken in file order from its
 * validate callbacks.  The scanner (scan.c) reads the same bytes for
 * what libconfuse lacks (tests/unit/test-libconfuse.c shows each): the
 * line where a section starts (libconfuse's cfg_t line is where it
 * ends), right line numbers after comments (libconfuse counts too many:
 * its lines are mapped back), and refusing what libconfuse lets through
 * silently: an option given twice (the last would win), a section left
 * open at the end of the file, and ${VAR} environment substitution (a
 * profile must mean the same on every machine).  The two readings must
 * agree on every section's kind and closing line. */
#include <config.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <confuse.h>

#include "profiles/action.h"
#include "profiles/profile.h"
#include "profiles/scan-private.h"
#include "profiles/search-private.h"
#include "util/cleanups.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/sha256.h"
#include "util/status.h"
#include "windows/regpath.h"
#include "windows/winpath.h"

/* ---- reading ---------------------------------------------------------- */

static int
read_file (struct isc_err *err, const char *path, char **ret, size_t *ret_len)
{
  CLEANUP_CLOSE int fd = -1;
  CLEANUP_FREE char *buf = NULL;
  struct stat st;
  size_t len = 0, cap;
  ssize_t n;

  /* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd == -1)
    return isc_error_errno (err, path, "cannot open profile");
  if (fstat (fd, &st) == -1)
    return isc_error_errno (err, path, "fstat");
  if (!S_ISREG (st.st_mode))
    return isc_error (err, path, "profile is not a regular file");
  if (st.st_size > ISC_PROFILE_MAX_SIZE)
    return isc_error (err, path, "profile larger than %d bytes",
                      ISC_PROFILE_MAX_SIZE);
  /* Room for the size fstat gave and a byte more, to see it grow. */
  cap = (size_t) st.st_size + 1;
  buf = malloc (cap + 1);
  if (!buf)
    return isc_error_oom (err, NULL);
  while ((n = read (fd, buf + len, cap - len)) > 0) {
    len += n;
    if (len == cap)
      return isc_error (err, path, "profile changed while it was read");
  }
  if (n == -1)
    return isc_error_errno (err, path, "cannot read profile");
  if (memchr (buf, '\0', len))
    return isc_error (err, path, "profile holds a NUL byte: not a text file");
  buf[len] = '\0';
  *ret = TAKE_PTR (buf);
  *ret_len = len;
  return 0;
}

/* ---- the schema ------------------------------------------------------- */

/* const although CFG_SEC takes a plain pointer: cfg_init copies the
 * whole schema, sections' options included, and writes only its copy. */
static const cfg_opt_t identity_opts[] = {
  CFG_STR ("registry", NULL, CFGF_NODEFAULT),
  CFG_STR ("value", NULL, CFGF_NODEFAULT),
  CFG_STR ("file", NULL, CFGF_NODEFAULT),
  CFG_STR ("os", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

/* Root options: metadata, one section per action kind, identity.  The
 * caller frees the array (not the kinds' options). */
static cfg_opt_t *
build_schema (void)
{
  cfg_opt_t meta[] = {
    CFG_STR ("name", NULL, CFGF_NODEFAULT),
    CFG_STR ("description", NULL, CFGF_NODEFAULT),
    CFG_STR ("reference", NULL, CFGF_NODEFAULT),
    CFG_STR ("os", NULL, CFGF_NODEFAULT),
    CFG_STR_LIST ("include", NULL, CFGF_NODEFAULT),
  };
  cfg_opt_t identity = CFG_SEC ("identity", (cfg_opt_t *) identity_opts,
                                CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES);
  cfg_opt_t end = CFG_END ();
  size_t n_meta = sizeof meta / sizeof meta[0], n_kinds = 0, i;
  cfg_opt_t *opts;

  while (isc_action_kinds[n_kinds])
    n_kinds++;
  opts = calloc (n_meta + n_kinds + 2, sizeof *opts);
  if (!opts)
    return NULL;
  memcpy (opts, meta, sizeof meta);
  for (i = 0; i < n_kinds; ++i) {
    cfg_opt_t *kopts = isc_action_schema (isc_action_kinds[i]);
    cfg_opt_t sec = CFG_SEC (isc_action_kinds[i]->name, kopts,
                             CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES);

    if (!kopts) {
      free (opts);
      return NULL;
    }
    opts[n_meta + i] = sec;
  }
  opts[n_meta + n_kinds] = identity;
  opts[n_meta + n_kinds + 1] = end;
  return opts;
}

/* libconfuse calls on_section_closed as it closes each top-level
 * section, in file order, with the parent's line set to the section's
 * closing line (in its count).  CFGF_NO_TITLE_DUPES makes it refuse a
 * second section of one kind and title (which would replace the first),
 * so the closed one is its kind's last. */
struct closed {
  cfg_t *sec;
  const char *kind;
  int end_line;
};

/* What libconfuse's callbacks record while one file is parsed. */
struct profile_parse {
  struct isc_err *err;
  int err_set;                      /* the first message wins */
  const struct isc_profile_scan_map *map;
  struct closed *closed;            /* top-level sections as closed */
  size_t n_closed;
  int closed_oom;
};

/* libconfuse (3.3) hands its error and validate callbacks a cfg_t and
 * no pointer of ours, and a section's cfg_t does not lead to the root,
 * so they find the file being parsed here.  Set only around cfg_parse_fp;
 * libconfuse itself is not reentrant. */
static struct profile_parse *parsing;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void
on_cfg_error (cfg_t *cfg, const char *fmt, va_list args)
{
  CLEANUP_FREE char *raw = NULL, *msg = NULL, *title = NULL;
  struct profile_parse *pp = parsing;

  if (!pp || pp->err_set)
    return;
  pp->err_set = 1;
  /* libconfuse quotes the profile's text as it is. */
  if (vasprintf (&raw, fmt, args) == -1)
    raw = NULL;
  msg = raw ? isc_msg_text (raw) : NULL;
  if (cfg->name && strcmp (cfg->name, "root") != 0) {
    title = cfg->title ? isc_escape (cfg->title) : NULL;
    isc_error (pp->err, NULL, "%s:%d: %s%s%s%s: %s",
               cfg->filename ? cfg->filename : "?",
               isc_profile_scan_map_real (pp->map, cfg->line), cfg->name,
               title ? " '" : "", title ? title : "", title ? "'" : "",
               msg ? msg : "syntax error");
  }
  else
    isc_error (pp->err, NULL, "%s:%d: %s",
               cfg->filename ? cfg->filename : "?",
               isc_profile_scan_map_real (pp->map, cfg->line),
               msg ? msg : "syntax error");
}
#pragma GCC diagnostic pop

static int
on_section_closed (cfg_t *cfg, cfg_opt_t *opt)
{
  struct profile_parse *pp = parsing;
  unsigned n = cfg_opt_size (opt);
  struct closed *c;

  if (!pp)
    return 0;
  c = realloc (pp->closed, (pp->n_closed + 1) * sizeof *c);
  if (!c) {
    pp->closed_oom = 1;
    return -1;
  }
  pp->closed = c;
  if (n == 0)
    return -1;
  c = &pp->closed[pp->n_closed++];
  c->kind = opt->name;
  c->end_line = isc_profile_scan_map_real (pp->map, cfg->line);
  c->sec = cfg_opt_getnsec (opt, n - 1);
  return 0;
}

/* ---- loading ---------------------------------------------------------- */

struct loading {
  char *path;                       /* realpath */
  char *file;                       /* as opened, escaped */
};

struct load_ctx {
  struct isc_err *err;
  struct loading stack[ISC_PROFILE_MAX_DEPTH + 1];
  size_t depth;
  char **seen;                      /* every file loaded in this tree */
  size_t n_seen;
};

void
isc_profile_free (struct isc_profile *p)
{
  size_t i;

  if (!p)
    return;
  for (i = 0; i < p->n_includes; ++i)
    isc_profile_free (p->includes[i]);
  for (i = 0; i < p->n_actions; ++i)
    isc_action_free (p->actions[i]);
  for (i = 0; i < p->n_identities; ++i) {
    struct isc_identity *id = p->identities[i];

    free (id->title);
    free (id->key);
    free (id->value);
    free (id->path);
    free (id->file);
    free (id);
  }
  free (p->includes);
  free (p->actions);
  free (p->identities);
  free (p->name);
  free (p->description);
  free (p->reference);
  free (p->path);
  free (p->file);
  free (p);
}

static int
parse_os (const char *s, unsigned *ret)
{
  if (strcmp (s, "windows") == 0)
    *ret = ISC_OS_WINDOWS;
  else if (strcmp (s, "linux") == 0)
    *ret = ISC_OS_LINUX;
  else if (strcmp (s, "any") == 0)
    *ret = ISC_OS_ANY;
  else
    return -1;
  return 0;
}

static char *
dup_or_empty (const char *s)
{
  return strdup (s ? s : "");
}

/* Record "FILE:LINE: KIND 'TITLE': MSG". */
static int
section_error (struct isc_err *err, const char *file, int line,
               const char *kind, const char *title, const char *msg)
{
  CLEANUP_FREE char *t = isc_escape (title ? title : "");

  return isc_error (err, NULL, "%s:%d: %s '%s': %s", file, line, kind, t, msg);
}

static int
parse_action (struct isc_err *err, struct isc_profile *p, const char *efile,
              const struct isc_action_kind *kind, cfg_t *sec, int line)
{
  struct isc_err why = ISC_ERR_INIT;
  struct isc_action *a, **actions;
  unsigned needs;

  actions = realloc (p->actions, (p->n_actions + 1) * sizeof *actions);
  if (!actions)
    return isc_error_oom (err, NULL);
  p->actions = actions;
  a = calloc (1, sizeof *a);
  if (!a)
    return isc_error_oom (err, NULL);
  a->kind = kind;
  a->profile = p->name;
  a->title = cfg_title (sec) ? strdup (cfg_title (sec)) : NULL;
  a->file = strdup (p->file);
  a->line = line;
  a->profile_path = p->path;
  a->os = kind->os;
  if (!a->file || (cfg_title (sec) && !a->title)) {
    isc_action_free (a);
    return isc_error_oom (err, NULL);
  }
  if (isc_action_parse_common (&why, sec, a) == -1 ||
      (kind->parse && kind->parse (&why, sec, a) == -1)) {
    section_error (err, efile, line, kind->name, a->title, isc_err_msg (&why));
    isc_err_clear (&why);
    isc_action_free (a);
    return -1;
  }
  needs = a->os;
  a->os &= p->os;
  if (!a->os) {
    CLEANUP_FREE char *msg = NULL;

    if (asprintf (&msg, "acts on %s guests only, but the profile's os is %s",
                  isc_os_name (needs), isc_os_name (p->os)) == -1)
      msg = NULL;
    section_error (err, efile, line, kind->name, a->title,
                   msg ? msg : "not for this profile's os");
    isc_action_free (a);
    return -1;
  }
  p->actions[p->n_actions++] = a;
  return 0;
}

static int
parse_identity (struct isc_err *err, struct isc_profile *p, const char *efile,
                cfg_t *sec, int line)
{
  struct isc_err why = ISC_ERR_INIT;
  struct isc_identity *id, **ids;
  const char *reg = cfg_getstr (sec, "registry");
  const char *value = cfg_getstr (sec, "value");
  const char *file = cfg_getstr (sec, "file");
  const char *os = cfg_getstr (sec, "os");
  unsigned mask = ISC_OS_ANY, vars;
  int r = -1;

  ids = realloc (p->identities, (p->n_identities + 1) * sizeof *ids);
  if (!ids)
    return isc_error_oom (err, NULL);
  p->identities = ids;
  id = calloc (1, sizeof *id);
  if (!id)
    return isc_error_oom (err, NULL);
  p->identities[p->n_identities++] = id;
  id->title = strdup (cfg_title (sec) ? cfg_title (sec) : "");
  id->file = strdup (p->file);
  id->line = line;
  if (!id->title || !id->file) {
    isc_error_oom (&why, NULL);
    goto out;
  }
  if (!reg == !file) {
    isc_error (&why, NULL, "give exactly one of 'registry' and 'file'");
    goto out;
  }
  if (reg) {
    struct isc_regpath rp;

    if (!value) {
      isc_error (&why, NULL, "missing required option 'value' (with "
                 "'registry')");
      goto out;
    }
    if (isc_regpath_parse (&why, reg, &rp) == -1 ||
        isc_regvalue_check (&why, value) == -1)
      goto out;
    isc_regpath_clear (&rp);
    id->kind = ISC_IDENTITY_REGISTRY;
    id->key = strdup (reg);
    id->value = strdup (value);
    mask = ISC_OS_WINDOWS;
    if (!id->key || !id->value) {
      isc_error_oom (&why, NULL);
      goto out;
    }
  }
  else {
    if (value) {
      isc_error (&why, NULL, "'value' goes with 'registry', not 'file'");
      goto out;
    }
    if (isc_winpath_check (&why, file, &mask, &vars) == -1)
      goto out;
    id->kind = ISC_IDENTITY_FILE;
    id->path = strdup (file);
    if (!id->path) {
      isc_error_oom (&why, NULL);
      goto out;
    }
  }
  if (os) {
    unsigned want;

    if (parse_os (os, &want) == -1) {
      isc_error (&why, os, "os must be windows, linux or any");
      goto out;
    }
    mask &= want;
  }
  id->os = mask & p->os;
  if (!id->os) {
    isc_error (&why, NULL, "applies to %s guests only, but the profile's os "
               "is %s", isc_os_name (mask), isc_os_name (p->os));
    goto out;
  }
  r = 0;
 out:
  if (r == -1)
    section_error (err, efile, line, "identity", cfg_title (sec),
                   isc_err_msg (&why));
  isc_err_clear (&why);
  return r;
}

/* Titles name results in the manifest: unique within a profile (actions
 * and identities apart).  SECS[i] is the section scanned as S->sections[i]. */
struct titled {
  const char *title;
  int identity;
  int line;
};

static int
compare_titled (const void *a, const void *b)
{
  const struct titled *x = a, *y = b;
  int c = x->identity - y->identity;

  if (c == 0)
    c = strcmp (x->title, y->title);
  return c ? c : x->line - y->line;
}

static int
check_titles (struct isc_err *err, const char *efile, cfg_t *const *secs,
              const struct isc_profile_scan *s)
{
  CLEANUP_FREE struct titled *t = NULL;
  size_t i, n = 0;

  t = calloc (s->n_sections + 1, sizeof *t);
  if (!t)
    return isc_error_oom (err, NULL);
  for (i = 0; i < s->n_sections; ++i) {
    const char *title = cfg_title (secs[i]);

    if (!title)
      continue;
    if (title[0] == '\0')
      return isc_error (err, NULL, "%s:%d: %s: empty title", efile,
                        s->sections[i].line, s->sections[i].name);
    t[n].title = title;
    t[n].identity = strcmp (s->sections[i].name, "identity") == 0;
    t[n].line = s->sections[i].line;
    n++;
  }
  qsort (t, n, sizeof *t, compare_titled);
  for (i = 1; i < n; ++i)
    if (t[i].identity == t[i - 1].identity &&
        strcmp (t[i].title, t[i - 1].title) == 0) {
      CLEANUP_FREE char *e = isc_escape (t[i].title);

      return isc_error (err, NULL, "%s:%d: title '%s' is used twice (first "
                        "at line %d)", efile, t[i].line, e, t[i - 1].line);
    }
  return 0;
}

static int load (struct load_ctx *ctx, const char *name_or_path,
                 const char *base_dir, const char *from, int from_line,
                 struct isc_profile **ret);

/* The cfg_t of each section the scanner found, in file order: the
 * sections libconfuse closed, in the order it closed them.  The two
 * readings must agree on each section's kind and closing line.
 * *RET is the caller's to free. */
static int
match_sections (struct isc_err *err, const char *efile,
                const struct isc_profile_scan *s,
                const struct profile_parse *pp, cfg_t ***ret)
{
  cfg_t **secs;
  size_t i;

  if (pp->closed_oom)
    return isc_error_oom (err, NULL);
  secs = calloc (s->n_sections + 1, sizeof *secs);
  if (!secs)
    return isc_error_oom (err, NULL);
  for (i = 0; i < s->n_sections; ++i) {
    const struct closed *c = i < pp->n_closed ? &pp->closed[i] : NULL;

    if (!c || strcmp (c->kind, s->sections[i].name) != 0 ||
        c->end_line != s->sections[i].end_line) {
      CLEANUP_FREE char *e = isc_escape (s->sections[i].name);

      free (secs);
      return isc_error (err, NULL, "%s:%d: section '%s' is read differently "
                        "by libconfuse (a bug: please report it)", efile,
                        s->sections[i].line, e);
    }
    secs[i] = c->sec;
  }
  if (pp->n_closed != s->n_sections) {
    free (secs);
    return isc_error (err, NULL, "%s: libconfuse read %zu sections, the "
                      "scanner %zu (a bug: please report it)", efile,
                      pp->n_closed, s->n_sections);
  }
  *ret = secs;
  return 0;
}

/* Everything after libconfuse accepted the file: PP is what its
 * callbacks recorded, S the scanner's reading. */
static int
build (struct load_ctx *ctx, struct isc_profile *p, const char *efile,
       cfg_t *cfg, const struct isc_profile_scan *s,
       const struct profile_parse *pp)
{
  struct isc_err *err = ctx->err;
  const char *name = cfg_getstr (cfg, "name");
  const char *os = cfg_getstr (cfg, "os");
  CLEANUP_FREE char *base = NULL, *dir = NULL;
  CLEANUP_FREE cfg_t **secs = NULL;
  unsigned n, i;
  size_t j, len;

  if (!name)
    return isc_error (err, NULL, "%s:1: missing required option 'name'", efile);
  if (!isc_profile_valid_name (name)) {
    CLEANUP_FREE char *e = isc_escape (name);

    return isc_error (err, NULL, "%s:%d: name '%s' must be letters, digits, "
                      "'.', '_' or '-'", efile,
                      isc_profile_scan_option_line (s, "name"), e);
  }
  /* The file name is how the profile is found: they must agree. */
  base = strdup (strrchr (p->path, '/') + 1);
  if (!base)
    return isc_error_oom (err, NULL);
  len = strlen (base);
  if (len > 5 && strcmp (base + len - 5, ".conf") == 0) {
    base[len - 5] = '\0';
    if (strcmp (base, name) != 0)
      return isc_error (err, NULL, "%s:%d: name '%s' differs from the file's "
                        "name ('%s.conf')", efile,
                        isc_profile_scan_option_line (s, "name"), name, base);
  }
  if (!os)
    return isc_error (err, NULL, "%s:1: missing required option 'os' "
                      "(windows, linux or any)", efile);
  if (parse_os (os, &p->os) == -1) {
    CLEANUP_FREE char *e = isc_escape (os);

    return isc_error (err, NULL, "%s:%d: os '%s' is not windows, linux or any",
                      efile, isc_profile_scan_option_line (s, "os"), e);
  }
  p->name = strdup (name);
  p->description = dup_or_empty (cfg_getstr (cfg, "description"));
  p->reference = dup_or_empty (cfg_getstr (cfg, "reference"));
  if (!p->name || !p->description || !p->reference)
    return isc_error_oom (err, NULL);
  if (match_sections (err, efile, s, pp, &secs) == -1 ||
      check_titles (err, efile, secs, s) == -1)
    return -1;

  /* Includes first: their actions run first. */
  dir = strdup (p->path);
  if (!dir)
    return isc_error_oom (err, NULL);
  *strrchr (dir, '/') = '\0';
  n = cfg_size (cfg, "include");
  for (i = 0; i < n; ++i) {
    struct isc_profile *inc = NULL, **incs;

    if (load (ctx, cfg_getnstr (cfg, "include", i), dir[0] ? dir : "/",
              efile, isc_profile_scan_option_line (s, "include"), &inc) == -1)
      return -1;
    if (!inc)
      continue;
    incs = realloc (p->includes, (p->n_includes + 1) * sizeof *incs);
    if (!incs) {
      isc_profile_free (inc);
      return isc_error_oom (err, NULL);
    }
    p->includes = incs;
    p->includes[p->n_includes++] = inc;
  }

  /* Sections in file order. */
  for (j = 0; j < s->n_sections; ++j) {
    const struct isc_action_kind *kind =
      isc_action_kind_lookup (s->sections[j].name);

    if (kind) {
      if (parse_action (err, p, efile, kind, secs[j], s->sections[j].line) == -1)
        return -1;
    }
    else if (parse_identity (err, p, efile, secs[j], s->sections[j].line) == -1)
      return -1;
  }
  return 0;
}

/* Load FILE.  Returns -1 after an error located inside a profile
 * (FILE:LINE), -2 after one about FILE itself (unreadable, a cycle). */
static int
load_file (struct load_ctx *ctx, const char *file, struct isc_profile **ret)
{
  struct isc_err *err = ctx->err;
  CLEANUP_FREE char *buf = NULL, *efile = NULL, *real = NULL;
  CLEANUP_FREE cfg_opt_t *schema = NULL;
  CLEANUP_CFG cfg_t *cfg = NULL;
  CLEANUP_FCLOSE FILE *fp = NULL;
  struct isc_profile_scan s = { 0 };
  struct isc_profile_scan_map map = { 0 };
  struct profile_parse pp = { .err = err, .map = &map };
  struct isc_profile *p = NULL;
  size_t len = 0, i;
  int r = -1;

  *ret = NULL;
  if (read_file (err, file, &buf, &len) == -1)
    return -2;
  real = realpath (file, NULL);
  if (!real) {
    isc_error_errno (err, file, "realpath");
    return -2;
  }
  efile = isc_escape (file);
  for (i = 0; i < ctx->depth; ++i)
    if (strcmp (ctx->stack[i].path, real) == 0) {
      CLEANUP_FREE char *chain = NULL;
      size_t k, clen = strlen (efile) + 1;

      for (k = i; k < ctx->depth; ++k)
        clen += strlen (ctx->stack[k].file) + 4;
      chain = calloc (1, clen);
      if (!chain) {
        isc_error_oom (err, NULL);
        return -2;
      }
      for (k = i; k < ctx->depth; ++k) {
        strcat (chain, ctx->stack[k].file);
        strcat (chain, " -> ");
      }
      strcat (chain, efile);
      /* The including file and line are prefixed by the caller. */
      isc_error (err, NULL, "include cycle: %s", chain);
      return -2;
    }
  for (i = 0; i < ctx->n_seen; ++i)
    if (strcmp (ctx->seen[i], real) == 0)
      return 0;                 /* already in this tree: applied once */
  if (ctx->depth == ISC_PROFILE_MAX_DEPTH) {
    isc_error (err, NULL, "includes nested more than %d deep",
               ISC_PROFILE_MAX_DEPTH);
    return -2;
  }

  p = calloc (1, sizeof *p);
  if (!p)
    return isc_error_oom (err, NULL);
  p->path = strdup (real);
  p->file = strdup (file);
  if (!p->path || !p->file) {
    isc_error_oom (err, NULL);
    goto out;
  }
  isc_sha256_buffer (buf, len, p->sha256);

  schema = build_schema ();
  if (!schema || !(cfg = cfg_init (schema, CFGF_NONE))) {
    isc_error_errno (err, NULL, "cannot set up the profile parser");
    goto out;
  }
  cfg_set_error_function (cfg, on_cfg_error);
  for (i = 0; isc_action_kinds[i]; ++i)
    cfg_set_validate_func (cfg, isc_action_kinds[i]->name, on_section_closed);
  cfg_set_validate_func (cfg, "identity", on_section_closed);
  /* cfg_parse_fp keeps a file name set beforehand, for messages. */
  cfg->filename = strdup (efile);
  if (!cfg->filename) {
    isc_error_oom (err, NULL);
    goto out;
  }
  if (len > 0) {
    fp = fmemopen (buf, len, "r");
    if (!fp) {
      isc_error_errno (err, NULL, "fmemopen");
      goto out;
    }
    if (isc_profile_scan_map_init (buf, len, &map) == -1) {
      isc_error_oom (err, NULL);
      goto out;
    }
    parsing = &pp;
    r = cfg_parse_fp (cfg, fp);
    parsing = NULL;
    if (r != CFG_SUCCESS) {
      if (pp.closed_oom)
        isc_error_oom (err, NULL);
      else if (!pp.err_set)
        isc_error (err, NULL, "%s: cannot parse profile", efile);
      r = -1;
      goto out;
    }
  }
  r = -1;
  if (isc_profile_scan_text (err, efile, buf, len, &s) == -1)
    goto out;

  ctx->stack[ctx->depth].path = real;
  ctx->stack[ctx->depth].file = efile;
  ctx->depth++;
  {
    char **seen = realloc (ctx->seen, (ctx->n_seen + 1) * sizeof *seen);

    if (!seen || !(seen[ctx->n_seen] = strdup (real))) {
      if (seen)
        ctx->seen = seen;
      ctx->depth--;
      isc_error_oom (err, NULL);
      goto out;
    }
    ctx->seen = seen;
    ctx->n_seen++;
  }
  r = build (ctx, p, efile, cfg, &s, &pp);
  ctx->depth--;

 out:
  isc_profile_scan_clear (&s);
  free (pp.closed);
  isc_profile_scan_map_clear (&map);
  if (r == 0)
    *ret = p;
  else
    isc_profile_free (p);
  return r;
}

/* Resolve NAME_OR_PATH (relative paths from BASE_DIR when not NULL) and
 * load it.  FROM / FROM_LINE: the including file, for messages. */
static int
load (struct load_ctx *ctx, const char *name_or_path, const char *base_dir,
      const char *from, int from_line, struct isc_profile **ret)
{
  CLEANUP_FREE char *file = NULL;
  size_t len = strlen (name_or_path);
  int r;

  *ret = NULL;
  if (strchr (name_or_path, '/') ||
      (len > 5 && strcmp (name_or_path + len - 5, ".conf") == 0)) {
    if (base_dir && name_or_path[0] != '/') {
      if (asprintf (&file, "%s/%s", base_dir, name_or_path) == -1)
        return isc_error_oom (ctx->err, NULL);
    }
    else if (!(file = strdup (name_or_path)))
      return isc_error_oom (ctx->err, NULL);
  }
  else if (isc_profile_find (ctx->err, name_or_path, &file) == -1)
    goto prefix;
  r = load_file (ctx, file, ret);
  if (r == 0)
    return 0;
  if (r == -1)
    return -1;
 prefix:
  /* A problem with an included file itself names the including line. */
  if (from) {
    CLEANUP_FREE char *inner = strdup (isc_err_msg (ctx->err));
    CLEANUP_FREE char *what = isc_escape (name_or_path);
    CLEANUP_FREE char *named = NULL;
    const char *msg = inner ? inner : "error";
    size_t skip;

    /* "'NAME': not found" reads "include 'NAME': not found". */
    if (asprintf (&named, "'%s': ", what) != -1 &&
        strncmp (msg, named, (skip = strlen (named))) == 0)
      msg += skip;
    return isc_error (ctx->err, NULL, "%s:%d: include '%s': %s", from,
                      from_line, what, msg);
  }
  return -1;
}

int
isc_profile_load (struct isc_err *err, const char *name_or_path,
                  struct isc_profile **ret)
{
  struct load_ctx ctx = { .err = err };
  size_t i;
  int r;

  r = load (&ctx, name_or_path, NULL, NULL, 0, ret);
  for (i = 0; i < ctx.n_seen; ++i)
    free (ctx.seen[i]);
  free (ctx.seen);
  return r;
}

int
isc_profile_foreach_action (const struct isc_profile *p,
                            int (*fn) (const struct isc_profile *owner,
                                       const struct isc_action *a,
                                       void *opaque),
                            void *opaque)
{
  size_t i;
  int r;

  for (i = 0; i < p->n_includes; ++i)
    if ((r = isc_profile_foreach_action (p->includes[i], fn, opaque)) != 0)
      return r;
  for (i = 0; i < p->n_actions; ++i)
    if ((r = fn (p, p->actions[i], opaque)) != 0)
      return r;
  return 0;
}
