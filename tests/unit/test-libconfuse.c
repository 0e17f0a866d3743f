/* What libconfuse (the version imgscrub runs with) records about a
 * profile and what it lets through.  lib/profiles/scan.c keeps its own small
 * scanner over the same bytes only for what these checks show libconfuse
 * lacks:
 *   - the line where a section starts (libconfuse's cfg_t line is where
 *     the section ends, its closing brace);
 *   - refusing a section left open at the end of the file;
 *   - refusing ${VAR} environment substitution;
 *   - refusing an option given twice (the last one silently wins);
 *   - right line numbers after comments (it counts too many).
 * What libconfuse does give is used: the file and line of its own errors
 * through the error callback (mapped to real lines), and its sections in
 * file order through validate callbacks.  When a check here fails after a
 * libconfuse upgrade, the matching part of the scanner can go. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <confuse.h>

#include "unit.h"

static cfg_opt_t sec_opts[] = {
  CFG_STR ("path", NULL, CFGF_NODEFAULT),
  CFG_END ()
};

static cfg_opt_t opts[] = {
  CFG_STR ("name", NULL, CFGF_NODEFAULT),
  CFG_STR_LIST ("include", NULL, CFGF_NODEFAULT),
  CFG_SEC ("delete-file", sec_opts, CFGF_MULTI | CFGF_TITLE),
  CFG_END ()
};

static int error_line;
static char error_file[64];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void
on_error (cfg_t *cfg, const char *fmt, va_list args)
{
  if (error_line)
    return;
  error_line = cfg->line;
  snprintf (error_file, sizeof error_file, "%s",
            cfg->filename ? cfg->filename : "");
}
#pragma GCC diagnostic pop

/* Parse TEXT as the file "t.conf"; *RET the result (caller frees). */
static int
parse (const char *text, cfg_t **ret)
{
  cfg_t *cfg = cfg_init (opts, CFGF_NONE);
  FILE *fp = fmemopen ((void *) text, strlen (text), "r");
  int r;

  error_line = 0;
  error_file[0] = '\0';
  cfg_set_error_function (cfg, on_error);
  cfg->filename = strdup ("t.conf");
  r = cfg_parse_fp (cfg, fp);
  fclose (fp);
  *ret = cfg;
  return r;
}

int
main (void)
{
  cfg_t *cfg;

  /* A section's line is where it ends, not where it starts. */
  CHECK (parse ("name = x\n"
                "\n"
                "delete-file \"a\" {\n"     /* line 3 */
                "  path = \"/a\"\n"
                "\n"
                "}\n", &cfg) == CFG_SUCCESS);   /* line 6 */
  CHECK (cfg_size (cfg, "delete-file") == 1);
  CHECK (cfg_getnsec (cfg, "delete-file", 0)->line == 6);
  cfg_free (cfg);

  /* A section open at the end of the file is accepted. */
  CHECK (parse ("name = x\ndelete-file \"a\" {\n  path = \"/a\"\n", &cfg)
         == CFG_SUCCESS);
  CHECK_STREQ (cfg_getstr (cfg_getnsec (cfg, "delete-file", 0), "path"), "/a");
  cfg_free (cfg);

  /* ${VAR} takes the value of the environment, in double quotes and
   * unquoted. */
  setenv ("ISC_UNIT_CONFUSE", "from-env", 1);
  CHECK (parse ("name = \"a-${ISC_UNIT_CONFUSE}\"\n"
                "delete-file \"a\" { path = ${ISC_UNIT_CONFUSE} }\n", &cfg)
         == CFG_SUCCESS);
  CHECK_STREQ (cfg_getstr (cfg, "name"), "a-from-env");
  CHECK_STREQ (cfg_getstr (cfg_getnsec (cfg, "delete-file", 0), "path"),
               "from-env");
  cfg_free (cfg);

  /* An option given twice: the last wins, scalar or list. */
  CHECK (parse ("name = one\nname = two\n"
                "include = { \"a\", \"b\" }\ninclude = \"c\"\n", &cfg)
         == CFG_SUCCESS);
  CHECK_STREQ (cfg_getstr (cfg, "name"), "two");
  CHECK (cfg_size (cfg, "include") == 1);
  CHECK_STREQ (cfg_getnstr (cfg, "include", 0), "c");
  cfg_free (cfg);

  /* What it gives: its own errors with the file and line. */
  CHECK (parse ("name = x\n\n\nno-such-option = 1\n", &cfg) == CFG_PARSE_ERROR);
  CHECK (error_line == 4);
  CHECK_STREQ (error_file, "t.conf");
  cfg_free (cfg);

  /* ... but its lines are off after comments: 2 lines too many for each
   * '#' or '//' comment, 1 for each C comment (lib/profiles/scan.c maps them
   * back). */
  CHECK (parse ("# one\nname = x\nbogus = 1\n", &cfg) == CFG_PARSE_ERROR);
  CHECK (error_line == 3 + 2);
  cfg_free (cfg);
  CHECK (parse ("// one\n/* two */\nbogus = 1\n", &cfg) == CFG_PARSE_ERROR);
  CHECK (error_line == 3 + 2 + 1);
  cfg_free (cfg);

  return unit_finish ("test-libconfuse");
}
