/* imgscrub: the profile scanner.  It reads a profile's bytes before
 * libconfuse does, for what libconfuse lacks: section and option lines,
 * its line count mapped back, and refusing what it lets through. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "profiles/scan-private.h"
#include "util/cleanups.h"
#include "util/error.h"
#include "util/escape.h"

enum tok {
  T_EOF, T_STR, T_QSTR, T_LBRACE = '{', T_RBRACE = '}', T_LPAREN = '(',
  T_RPAREN = ')', T_EQ = '=', T_PLUSEQ = '+', T_COMMA = ',', T_ERROR = -1,
};

struct lexer {
  const char *p, *end;
  int line;
  int cline;                        /* libconfuse's count of LINE */
  struct isc_profile_scan_map *map; /* when not NULL, filled */
  const char *file;                 /* escaped, for messages */
  struct isc_err *err;
  const char *text;                 /* T_STR: its bytes */
  size_t len;
  int tok_line;
};

static int
env_error (struct lexer *lx)
{
  const char *close = memchr (lx->p, '}', lx->end - lx->p);
  size_t n = close ? (size_t) (close - lx->p + 1) : 2;
  CLEANUP_FREE char *e = isc_escape_n (lx->p, n > 64 ? 64 : n);

  return isc_error (lx->err, NULL, "%s:%d: environment variable '%s' in a "
                    "profile: not allowed (a profile must mean the same "
                    "everywhere; write \\$ in double quotes or use single "
                    "quotes for a literal '$')", lx->file, lx->line, e);
}

/* A line break: the real count and libconfuse's. */
static void
lx_newline (struct lexer *lx)
{
  lx->line++;
  lx->cline++;
  if (lx->map && lx->line <= lx->map->n)
    lx->map->c[lx->line] = lx->cline;
}

static enum tok
next_token (struct lexer *lx)
{
  for (;;) {
    const char *p = lx->p;

    if (p >= lx->end)
      return T_EOF;
    lx->tok_line = lx->line;
    switch (*p) {
    case '\n':
      lx_newline (lx);
      /* fall through */
    case ' ': case '\t': case '\r':
      lx->p++;
      continue;
    case '#':
      while (lx->p < lx->end && *lx->p != '\n')
        lx->p++;
      lx->cline += 2;
      continue;
    case '{': case '}': case '(': case ')': case '=': case ',':
      lx->p++;
      return (enum tok) *p;
    case '+':
      lx->p++;
      if (lx->p < lx->end && *lx->p == '=') {
        lx->p++;
        return T_PLUSEQ;
      }
      continue;
    case '"':
      for (lx->p++; lx->p < lx->end && *lx->p != '"'; lx->p++) {
        if (*lx->p == '\\' && lx->p + 1 < lx->end) {
          lx->p++;
          if (*lx->p == '\n')
            lx_newline (lx);
          continue;
        }
        if (*lx->p == '\n')
          lx_newline (lx);
        if (*lx->p == '$' && lx->p + 1 < lx->end && lx->p[1] == '{') {
          env_error (lx);
          return T_ERROR;
        }
      }
      lx->p++;
      return T_QSTR;
    case '\'':
      for (lx->p++; lx->p < lx->end && *lx->p != '\''; lx->p++) {
        if (*lx->p == '\\' && lx->p + 1 < lx->end &&
            (lx->p[1] == '\\' || lx->p[1] == '\'' || lx->p[1] == '\n')) {
          lx->p++;
          if (*lx->p == '\n')
            lx_newline (lx);
          continue;
        }
        if (*lx->p == '\n')
          lx_newline (lx);
      }
      lx->p++;
      return T_QSTR;
    case '/':
      if (p + 1 < lx->end && p[1] == '/') {
        while (lx->p < lx->end && *lx->p != '\n')
          lx->p++;
        lx->cline += 2;
        continue;
      }
      if (p + 1 < lx->end && p[1] == '*') {
        int closed = 0;

        for (lx->p += 2; lx->p < lx->end; lx->p++) {
          if (*lx->p == '\n')
            lx_newline (lx);
          if (*lx->p == '*' && lx->p + 1 < lx->end && lx->p[1] == '/') {
            lx->p += 2;
            lx->cline++;
            closed = 1;
            break;
          }
        }
        /* libconfuse takes the rest of the file as the comment: the
         * rules after it would be dropped without a word. */
        if (!closed) {
          isc_error (lx->err, NULL, "%s:%d: comment not closed (missing "
                     "'*/'): the rest of the file would be ignored",
                     lx->file, lx->tok_line);
          return T_ERROR;
        }
        continue;
      }
      break;
    case '*':
      lx->p++;
      continue;
    case '$':
      if (p + 1 < lx->end && p[1] == '{') {
        env_error (lx);
        return T_ERROR;
      }
      break;
    }
    /* An unquoted string: as for libconfuse, two slashes or a slash and
     * a star start a comment only at the start of a token ("/var//x" is
     * one string). */
    lx->text = p;
    while (lx->p < lx->end && !strchr (" \t\n\r#=\"'{}()+,*", *lx->p)) {
      if (*lx->p == '$' && lx->p + 1 < lx->end && lx->p[1] == '{') {
        env_error (lx);
        return T_ERROR;
      }
      lx->p++;
    }
    if (lx->p == p) {           /* a character libconfuse skips */
      lx->p++;
      continue;
    }
    lx->len = lx->p - p;
    return T_STR;
  }
}

void
isc_profile_scan_clear (struct isc_profile_scan *s)
{
  size_t i;

  for (i = 0; i < s->n_sections; ++i)
    free (s->sections[i].name);
  for (i = 0; i < s->n_options; ++i)
    free (s->options[i].name);
  free (s->sections);
  free (s->options);
}

static int
add_mark (struct isc_profile_scan_mark **list, size_t *n, const char *name,
          size_t len, int line)
{
  struct isc_profile_scan_mark *l = realloc (*list, (*n + 1) * sizeof *l);

  if (!l)
    return -1;
  *list = l;
  l[*n].name = strndup (name, len);
  if (!l[*n].name)
    return -1;
  l[*n].line = line;
  l[*n].end_line = 0;
  (*n)++;
  return 0;
}

/* Options assigned in one open section (or the top level). */
struct scope {
  struct isc_profile_scan_mark *assigned;
  size_t n_assigned;
  char *name;
  int line;
};

static void
scope_clear (struct scope *sc)
{
  size_t i;

  for (i = 0; i < sc->n_assigned; ++i)
    free (sc->assigned[i].name);
  free (sc->assigned);
  free (sc->name);
  memset (sc, 0, sizeof *sc);
}

#define MAX_NESTING 8

int
isc_profile_scan_text (struct isc_err *err, const char *file, const char *buf,
                       size_t len, struct isc_profile_scan *ret)
{
  struct lexer lx = { .p = buf, .end = buf + len, .line = 1, .cline = 1,
                      .file = file, .err = err };
  struct scope scopes[MAX_NESTING + 1];
  struct isc_profile_scan s = { 0 };
  int depth = 0, r = -1;
  enum tok t;
  size_t i;

  memset (scopes, 0, sizeof scopes);
  while ((t = next_token (&lx)) != T_EOF) {
    const char *name;
    size_t name_len;
    int line;

    if (t == T_ERROR)
      goto out;
    if (t == T_RBRACE) {
      if (depth == 1)
        s.sections[s.n_sections - 1].end_line = lx.tok_line;
      if (depth > 0)
        scope_clear (&scopes[depth--]);
      continue;
    }
    if (t != T_STR && t != T_QSTR)
      continue;
    name = lx.text;
    name_len = t == T_STR ? lx.len : 0;
    line = lx.tok_line;
    t = next_token (&lx);
    if (t == T_ERROR)
      goto out;
    if (t == T_EQ || t == T_PLUSEQ) {
      struct scope *sc = &scopes[depth];

      for (i = 0; t == T_EQ && i < sc->n_assigned; ++i)
        if (strlen (sc->assigned[i].name) == name_len &&
            strncmp (sc->assigned[i].name, name, name_len) == 0) {
          char *e = isc_escape_n (name, name_len);

          isc_error (err, NULL, "%s:%d: option '%s' given twice (first "
                     "at line %d)", file, line, e, sc->assigned[i].line);
          free (e);
          goto out;
        }
      if (add_mark (&sc->assigned, &sc->n_assigned, name, name_len, line) == -1 ||
          (depth == 0 &&
           add_mark (&s.options, &s.n_options, name, name_len, line) == -1))
        goto oom;
      t = next_token (&lx);
      if (t == T_LBRACE)
        while ((t = next_token (&lx)) != T_RBRACE && t != T_EOF && t != T_ERROR)
          ;
      if (t == T_ERROR)
        goto out;
      continue;
    }
    if (t == T_STR || t == T_QSTR)        /* a title */
      t = next_token (&lx);
    if (t == T_ERROR)
      goto out;
    if (t == T_LPAREN) {
      while ((t = next_token (&lx)) != T_RPAREN && t != T_EOF && t != T_ERROR)
        ;
      if (t == T_ERROR)
        goto out;
      continue;
    }
    if (t != T_LBRACE)
      continue;
    if (depth == MAX_NESTING) {
      isc_error (err, NULL, "%s:%d: sections nested too deeply", file, line);
      goto out;
    }
    depth++;
    scopes[depth].line = line;
    scopes[depth].name = strndup (name, name_len);
    if (!scopes[depth].name ||
        (depth == 1 &&
         add_mark (&s.sections, &s.n_sections, name, name_len, line) == -1))
      goto oom;
  }
  if (depth > 0) {
    char *e = isc_escape (scopes[1].name);

    isc_error (err, NULL, "%s:%d: section '%s' is not closed (missing '}')",
               file, scopes[1].line, e);
    free (e);
    goto out;
  }
  *ret = s;
  memset (&s, 0, sizeof s);
  r = 0;
  goto out;
 oom:
  isc_error_oom (err, NULL);
 out:
  for (i = 0; i <= MAX_NESTING; ++i)
    scope_clear (&scopes[i]);
  isc_profile_scan_clear (&s);
  return r;
}

/* Fill *RET for BUF.  Tokens after a ${VAR} (refused later) keep the
 * count reached there. */
int
isc_profile_scan_map_init (const char *buf, size_t len,
                           struct isc_profile_scan_map *ret)
{
  struct isc_err ignored = ISC_ERR_INIT;
  struct lexer lx = { .p = buf, .end = buf + len, .line = 1, .cline = 1,
                      .file = "", .err = &ignored, .map = ret };
  const char *q;
  int n = 1, i;
  enum tok t;

  for (q = buf; (q = memchr (q, '\n', buf + len - q)) != NULL; ++q)
    n++;
  ret->c = malloc ((n + 1) * sizeof *ret->c);
  if (!ret->c)
    return -1;
  ret->n = n;
  for (i = 0; i <= n; ++i)
    ret->c[i] = i;
  while ((t = next_token (&lx)) != T_EOF && t != T_ERROR)
    ;
  for (i = lx.line + 1; i <= n; ++i)       /* after a ${VAR} */
    ret->c[i] = ret->c[i - 1] + 1;
  isc_err_clear (&ignored);
  return 0;
}

void
isc_profile_scan_map_clear (struct isc_profile_scan_map *m)
{
  free (m->c);
  m->c = NULL;
  m->n = 0;
}

/* The real line of libconfuse's line CLINE. */
int
isc_profile_scan_map_real (const struct isc_profile_scan_map *m, int cline)
{
  int lo = 1, hi;

  if (!m || !m->c || m->n < 1)
    return cline;
  hi = m->n;
  while (lo < hi) {                 /* the last L with C[L] <= CLINE */
    int mid = lo + (hi - lo + 1) / 2;

    if (m->c[mid] <= cline)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

int
isc_profile_scan_option_line (const struct isc_profile_scan *s,
                              const char *name)
{
  size_t i;

  for (i = 0; i < s->n_options; ++i)
    if (strcmp (s->options[i].name, name) == 0)
      return s->options[i].line;
  return 1;
}
