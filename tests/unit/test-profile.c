/* Profiles and action kinds without a guest: the descriptor table, the
 * shipped profiles, every kind of profile error with its FILE:LINE, and
 * the pure path functions (registry paths, Windows variables). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profiles/action.h"
#include "util/cleanups.h"
#include "profiles/profile.h"
#include "windows/regpath.h"
#include "unit.h"
#include "windows/winpath.h"
#include "util/status.h"
#include "util/escape.h"

static char tmpdir[] = "/tmp/imgscrub-test-profile-XXXXXX";

/* ---- the table -------------------------------------------------------- */

static void
test_table (void)
{
  size_t i, j;

  CHECK (isc_action_kinds[0] != NULL);
  for (i = 0; isc_action_kinds[i]; ++i) {
    const struct isc_action_kind *k = isc_action_kinds[i];
    /* Its whole schema: path or key, its own options, the common ones. */
    const cfg_opt_t *opts = isc_action_schema (k);
    const char *first_common = isc_action_common_opts[0].name;

    CHECK (k->name && k->name[0]);
    CHECK (k->summary && k->summary[0] >= 'a' && k->summary[0] <= 'z');
    CHECK (k->summary && k->summary[strlen (k->summary) - 1] != '.');
    CHECK (k->os && (k->os & ~ISC_OS_ANY) == 0);
    CHECK (opts && opts[0].name);
    CHECK (k->option_docs);
    CHECK (k->example && strncmp (k->example, k->name, strlen (k->name)) == 0);
    /* One way to act: its own apply, or the core's per path or per key. */
    CHECK (!!k->apply + !!k->on_file + !!k->on_key == 1);
    CHECK (!k->on_file == !k->takes);
    CHECK (!k->on_key == !k->has_key);
    CHECK (!k->globs || k->on_file || k->apply);
    if (isc_action_kinds[i + 1])
      CHECK (strcmp (k->name, isc_action_kinds[i + 1]->name) < 0);
    CHECK (isc_action_kind_lookup (k->name) == k);
    /* Every option of its own documented, every doc for a real option. */
    for (j = 0; opts && opts[j].name && strcmp (opts[j].name, first_common); ++j) {
      const char *doc = isc_action_option_doc (k, opts[j].name);

      if (!doc || !doc[0])
        fprintf (stderr, "%s: option '%s' is undocumented\n", k->name,
                 opts[j].name);
      CHECK (doc && doc[0]);
    }
    for (j = 0; opts && k->option_docs && k->option_docs[j]; j += 2) {
      size_t m;

      CHECK (k->option_docs[j + 1] != NULL);
      for (m = 0; opts[m].name; ++m)
        if (strcmp (opts[m].name, k->option_docs[j]) == 0)
          break;
      CHECK (opts[m].name != NULL);
    }
  }
  for (j = 0; isc_action_common_docs[j]; j += 2)
    CHECK (isc_action_common_opts[j / 2].name &&
           strcmp (isc_action_common_opts[j / 2].name,
                   isc_action_common_docs[j]) == 0);
  CHECK (isc_action_kind_lookup ("no-such-kind") == NULL);
  CHECK (isc_action_kind_lookup ("delete-value") != NULL);
}

/* ---- shipped profiles -------------------------------------------------- */

static void
check_profile (const char *name, unsigned os, const char *const *expect,
               size_t n_identities)
{
  struct isc_err err = ISC_ERR_INIT;
  struct isc_profile *p = NULL;
  size_t i, n = 0;

  if (isc_profile_load (&err, name, &p) == -1) {
    fprintf (stderr, "%s: %s\n", name, isc_err_msg (&err));
    CHECK (!"shipped profile loads");
    isc_err_clear (&err);
    return;
  }
  CHECK_STREQ (p->name, name);
  CHECK (p->os == os);
  CHECK (p->reference[0] != '\0');
  CHECK (p->description[0] != '\0');
  CHECK (strlen (p->sha256) == 64);
  CHECK (p->path[0] == '/');
  while (expect[n])
    n++;
  CHECK (p->n_actions * 2 == n);
  for (i = 0; i < p->n_actions && 2 * i + 1 < n; ++i) {
    CHECK_STREQ (p->actions[i]->kind->name, expect[2 * i]);
    CHECK_STREQ (p->actions[i]->title, expect[2 * i + 1]);
    CHECK (p->actions[i]->line > 0);
    if (i > 0)
      CHECK (p->actions[i]->line > p->actions[i - 1]->line);
    CHECK ((p->actions[i]->os & ~os) == 0 && p->actions[i]->os);
  }
  CHECK (p->n_identities == n_identities);
  isc_profile_free (p);
}

static void
test_shipped (void)
{
  static const char *const sms2[] = {
    "delete-value", "step-3", "delete-files", "step-4",
    "delete-file", "step-5", "delete-subkeys", "step-6",
    "delete-files", "step-7", NULL
  };
  static const char *const guid[] = {
    "delete-value", "machine-guid", NULL
  };
  static const char *const wsus[] = {
    "delete-value", "sus-client-id", "delete-value", "sus-client-id-validation",
    "delete-value", "ping-id", "delete-value", "account-domain-sid", NULL
  };
  static const char *const sccm[] = {
    "delete-file", "smscfg-ini", "delete-subkeys", "sms-certificates", NULL
  };
  /* The machine-id itself is systemd-machine-id's, which it includes,
   * one rule per --machine-id mode. */
  static const char *const linux_id[] = {
    "delete-file", "dbus-machine-id", "delete-files", "ssh-host-keys", NULL
  };
  static const char *const systemd_id[] = {
    "truncate-file", "machine-id", "write-file", "machine-id-uninitialized",
    "delete-file", "machine-id-absent", "delete-file", "dbus-machine-id-absent",
    "truncate-file", "ostree-machine-id",
    "delete-words", "bls-machine-id", "delete-words", "kernel-cmdline-machine-id",
    "delete-words", "grub-default-machine-id", "delete-words", "grub-cfg-machine-id",
    NULL
  };
  CLEANUP_FREE_STRING_LIST char **names = isc_profile_list_names ();
  size_t i, found = 0;

  check_profile ("sms2-clone-prep", ISC_OS_WINDOWS, sms2, 3);
  check_profile ("windows-machine-guid", ISC_OS_WINDOWS, guid, 1);
  check_profile ("wsus-client-id", ISC_OS_WINDOWS, wsus, 1);
  check_profile ("sccm-client", ISC_OS_WINDOWS, sccm, 1);
  check_profile ("linux-machine-id", ISC_OS_LINUX, linux_id, 2);
  check_profile ("systemd-machine-id", ISC_OS_LINUX, systemd_id, 0);

  CHECK (names != NULL);
  for (i = 0; names && names[i]; ++i) {
    if (i > 0)
      CHECK (strcmp (names[i - 1], names[i]) < 0);
    if (strcmp (names[i], "sms2-clone-prep") == 0 ||
        strcmp (names[i], "linux-machine-id") == 0)
      found++;
  }
  CHECK (found == 2);
}

/* ---- profile errors ----------------------------------------------------- */

/* Write tmpdir/NAME with CONTENT; returns the path (caller frees). */
static char *
write_profile (const char *name, const char *content)
{
  char *path;
  FILE *fp;

  if (asprintf (&path, "%s/%s", tmpdir, name) == -1)
    abort ();
  fp = fopen (path, "w");
  if (!fp)
    abort ();
  fputs (content, fp);
  fclose (fp);
  return path;
}

/* Loading NAME (written with CONTENT) fails with "PATH" EXPECT. */
static void
check_error (const char *name, const char *content, const char *expect)
{
  CLEANUP_FREE char *path = write_profile (name, content);
  CLEANUP_FREE char *want = NULL;
  struct isc_err err = ISC_ERR_INIT;
  struct isc_profile *p = NULL;

  if (asprintf (&want, "%s%s", path, expect) == -1)
    abort ();
  CHECK (isc_profile_load (&err, path, &p) == -1);
  CHECK (p == NULL);
  /* A message ending in "(searched " goes on with this machine's path. */
  if (strlen (expect) > 10 &&
      strcmp (expect + strlen (expect) - 10, "(searched ") == 0)
    CHECK (strncmp (isc_err_msg (&err), want, strlen (want)) == 0);
  else
    CHECK_STREQ (isc_err_msg (&err), want);
  isc_err_clear (&err);
}

static void
test_errors (void)
{
  check_error ("unknown.conf",
               "name = \"unknown\"\nos = \"windows\"\n"
               "delete-value \"a\" {\n"
               "  key = 'HKLM\\SOFTWARE\\X'\n"
               "  value = \"v\"\n"
               "  bogus = 1\n"
               "}\n",
               ":6: delete-value 'a': no such option 'bogus'");
  check_error ("unknown-kind.conf",
               "name = \"unknown-kind\"\nos = \"windows\"\n"
               "delete-everything \"a\" {\n}\n",
               ":3: no such option 'delete-everything'");
  check_error ("bad-name.conf",
               "name = \"bad\x1b[2Jname\"\nos = \"windows\"\n",
               ":1: name 'bad\\x1b[2Jname' must be letters, digits, '.', "
               "'_' or '-'");
  /* libconfuse's own messages quote the text escaped. */
  check_error ("control.conf",
               "name = \"control\"\nos = \"windows\"\n"
               "delete\x1b[2J \"a\" {\n}\n",
               ":3: no such option 'delete\\x1b[2J'");
  check_error ("bad-hive.conf",
               "name = \"bad-hive\"\nos = \"windows\"\n\n"
               "delete-key \"a\" {\n"
               "  key = 'HKLM\\HARDWARE\\X'\n"
               "}\n",
               ":4: delete-key 'a': 'HKLM\\HARDWARE\\X': bad hive root: use "
               "HKLM\\SOFTWARE, HKLM\\SYSTEM, HKLM\\SAM, HKLM\\SECURITY, "
               "HKU\\.DEFAULT or HKCU (or HKEY_LOCAL_MACHINE, HKEY_USERS, "
               "HKEY_CURRENT_USER)");
  check_error ("bad-type.conf",
               "name = \"bad-type\"\nos = \"windows\"\n"
               "set-value \"a\" {\n"
               "  key = 'HKLM\\SOFTWARE\\X'\n"
               "  value = \"v\"\n"
               "  type = \"string\"\n"
               "  data = \"x\"\n"
               "}\n",
               ":3: set-value 'a': 'string': bad value type: use sz, "
               "expand_sz, multi_sz, dword, qword or binary");
  check_error ("bad-dword.conf",
               "name = \"bad-dword\"\nos = \"windows\"\n"
               "set-value \"a\" { key = 'HKCU\\X' value = \"v\" type = dword "
               "data = 4294967296 }\n",
               ":3: set-value 'a': '4294967296': not a dword number (0 to "
               "4294967295)");
  check_error ("bad-hex.conf",
               "name = \"bad-hex\"\nos = \"windows\"\n"
               "set-value \"a\" { key = 'HKCU\\X' value = \"v\" type = binary "
               "data = \"0g\" }\n",
               ":3: set-value 'a': '0g': not hex bytes");
  check_error ("unknown-var.conf",
               "name = \"unknown-var\"\nos = \"windows\"\n"
               "delete-file \"a\" {\n"
               "  path = '%SystemRoute%\\Smscfg.ini'\n"
               "}\n",
               ":3: delete-file 'a': '%SystemRoute%\\Smscfg.ini': unknown "
               "variable '%SystemRoute%' (known: %SystemRoot%, %WINDIR%, "
               "%SystemDrive%, %ProgramFiles%, %ProgramData%, %USERPROFILE%)");
  check_error ("missing-option.conf",
               "name = \"missing-option\"\nos = \"windows\"\n"
               "# no value\n"
               "delete-value \"a\" {\n"
               "  key = 'HKLM\\SOFTWARE\\X'\n"
               "}\n",
               ":4: delete-value 'a': missing required option 'value'");
  check_error ("missing-name.conf", "os = \"any\"\n",
               ":1: missing required option 'name'");
  check_error ("bad-os.conf", "name = \"bad-os\"\n\nos = \"bsd\"\n",
               ":3: os 'bsd' is not windows, linux or any");
  check_error ("windows-in-linux.conf",
               "name = \"windows-in-linux\"\nos = \"linux\"\n"
               "truncate-file \"ok\" { path = \"/etc/machine-id\" }\n"
               "delete-value \"b\" {\n"
               "  key = 'HKLM\\SOFTWARE\\X'\n"
               "  value = \"x\"\n"
               "}\n",
               ":4: delete-value 'b': acts on windows guests only, but the "
               "profile's os is linux");
  check_error ("windows-path-in-linux.conf",
               "name = \"windows-path-in-linux\"\nos = \"linux\"\n"
               "delete-file \"a\" { path = '%SystemRoot%\\x' }\n",
               ":3: delete-file 'a': acts on windows guests only, but the "
               "profile's os is linux");
  check_error ("dotdot.conf",
               "name = \"dotdot\"\nos = \"any\"\n"
               "delete-file \"a\" { path = \"/etc/../shadow\" }\n",
               ":3: delete-file 'a': '/etc/../shadow': '..' is not allowed "
               "in paths");
  check_error ("every-file.conf",
               "name = \"every-file\"\nos = \"any\"\n"
               "delete-files \"a\" { name = \"*\" }\n",
               ":3: delete-files 'a': '*': pattern matches every file name");
  check_error ("root-key.conf",
               "name = \"root-key\"\nos = \"windows\"\n"
               "delete-key \"a\" { key = 'HKLM\\SOFTWARE' }\n",
               ":3: delete-key 'a': 'HKLM\\SOFTWARE': a hive's root key "
               "cannot be deleted");
  check_error ("twice.conf",
               "name = \"twice\"\nos = \"linux\"\n"
               "delete-file \"a\" {\n  path = \"/x\"\n  path = \"/y\"\n}\n",
               ":5: option 'path' given twice (first at line 4)");
  check_error ("same-title.conf",
               "name = \"same-title\"\nos = \"linux\"\n"
               "delete-file \"a\" { path = \"/x\" }\n"
               "truncate-file \"a\" { path = \"/y\" }\n",
               ":4: title 'a' is used twice (first at line 3)");
  check_error ("unclosed.conf",
               "name = \"unclosed\"\nos = \"linux\"\n"
               "delete-file \"a\" {\n  path = \"/x\"\n",
               ":3: section 'delete-file' is not closed (missing '}')");
  check_error ("env.conf",
               "name = \"env\"\nos = \"linux\"\n"
               "delete-file \"a\" { path = \"/home/${USER}\" }\n",
               ":3: environment variable '${USER}' in a profile: not allowed "
               "(a profile must mean the same everywhere; write \\$ in double "
               "quotes or use single quotes for a literal '$')");
  /* A comment opened inside a word: libconfuse and the scanner read
   * the same section; an unclosed comment is refused; a name in a
   * message is quoted escaped. */
  check_error ("split.conf",
               "name = \"split\"\nos = \"windows\"\n"
               "set-value \"sz\" {\n  key = 'HKLM\\SOFTWARE\\X'\n"
               "  value = \"v\"\n  type = sz/***/*\n}\nx\x1b[2J {\n",
               ":6: comment not closed (missing '*/'): the rest of the "
               "file would be ignored");
  check_error ("split2.conf",
               "name = \"split2\"\nos = \"windows\"\n"
               "set-value \"sz\" {\n  key = 'HKLM\\SOFTWARE\\X'\n"
               "  value = \"v\"\n  type = sz/***/*\n}\nx\x1b[2J {\n}\n",
               ":6: comment not closed (missing '*/'): the rest of the "
               "file would be ignored");
  check_error ("twice.conf",
               "name = \"twice\"\nos = \"windows\"\n"
               "description = sz/***/*\nx\x1b[2J = 1\nx\x1b[2J = 2\n",
               ":3: comment not closed (missing '*/'): the rest of the "
               "file would be ignored");
  check_error ("twice-escaped.conf",
               "name = \"twice-escaped\"\nos = \"windows\"\n"
               "x\x1b[2J = 1\n",
               ":3: no such option 'x\\x1b[2J'");
  /* Up to the '}' on another line: quoted escaped. */
  check_error ("env-lines.conf",
               "name = \"env-lines\"\nos = \"linux\"\n"
               "delete-file \"a\" { path = \"/${\x1b[2J\n}\" }\n",
               ":3: environment variable '${\\x1b[2J\\n}' in a profile: not "
               "allowed (a profile must mean the same everywhere; write \\$ "
               "in double quotes or use single quotes for a literal '$')");
  check_error ("syntax.conf",
               "name = \"syntax\"\nos = \"linux\"\n"
               "delete-file \"a\" {\n  path =\n}\n",
               ":5: delete-file 'a': unexpected token '}'");
  /* libconfuse miscounts lines after comments: the messages give the
   * real ones (inside a section and at the top level). */
  check_error ("comments.conf",
               "# one\n// two\n/* three\n   four */\n"
               "name = \"comments\"  # five\nos = \"linux\"\n"
               "delete-file \"a\" {\n  # eight\n  path = \"/x\"\n"
               "  bogus = 1\n}\n",
               ":10: delete-file 'a': no such option 'bogus'");
  check_error ("comments-top.conf",
               "# one\n# two\nname = \"comments-top\"\n/* four */\n"
               "os = \"linux\"\nbogus = 1\n",
               ":6: no such option 'bogus'");
  /* Two sections of one kind and title: refused, not one replacing the
   * other. */
  check_error ("same-kind-title.conf",
               "name = \"same-kind-title\"\nos = \"linux\"\n"
               "# a comment\n"
               "delete-file \"a\" { path = \"/x\" }\n"
               "delete-file \"a\" { path = \"/y\" }\n",
               ":5: found duplicate title 'a'");
  /* libconfuse's messages quote profile bytes: escaped. */
  check_error ("escape.conf",
               "name = \"escape\"\nos = \"linux\"\nbo\033[31mgus = 1\n",
               ":3: no such option 'bo\\x1b[31mgus'");
  check_error ("wrong-name.conf", "name = \"right-name\"\nos = \"any\"\n",
               ":1: name 'right-name' differs from the file's name "
               "('wrong-name.conf')");
  check_error ("identity-both.conf",
               "name = \"identity-both\"\nos = \"any\"\n"
               "identity \"x\" { registry = 'HKLM\\SOFTWARE\\X' value = \"v\" "
               "file = \"/etc/x\" }\n",
               ":3: identity 'x': give exactly one of 'registry' and 'file'");

  /* Includes: a missing one, and a cycle, name the including line. */
  check_error ("include-missing.conf",
               "name = \"include-missing\"\nos = \"any\"\n"
               "include = \"no-such-profile-here\"\n",
               ":3: include 'no-such-profile-here': profile not found "
               "(searched ");
  {
    CLEANUP_FREE char *b = write_profile ("cycle-b.conf",
                                          "name = \"cycle-b\"\nos = \"any\"\n"
                                          "\ninclude = \"cycle-a.conf\"\n");
    CLEANUP_FREE char *a = write_profile ("cycle-a.conf",
                                          "name = \"cycle-a\"\nos = \"any\"\n"
                                          "include = \"cycle-b.conf\"\n");
    struct isc_err err = ISC_ERR_INIT;
    struct isc_profile *p = NULL;
    CLEANUP_FREE char *want = NULL;

    if (asprintf (&want, "%s:4: include 'cycle-a.conf': include cycle: %s "
                  "-> %s -> %s", b, a, b, a) == -1)
      abort ();
    CHECK (isc_profile_load (&err, a, &p) == -1);
    CHECK_STREQ (isc_err_msg (&err), want);
    isc_err_clear (&err);
  }
  /* A missing file. */
  {
    struct isc_err err = ISC_ERR_INIT;
    struct isc_profile *p = NULL;
    CLEANUP_FREE char *path = NULL, *want = NULL;

    if (asprintf (&path, "%s/absent.conf", tmpdir) == -1 ||
        asprintf (&want, "'%s': cannot open profile: No such file or "
                  "directory", path) == -1)
      abort ();
    CHECK (isc_profile_load (&err, path, &p) == -1);
    CHECK_STREQ (isc_err_msg (&err), want);
    isc_err_clear (&err);
    CHECK (isc_profile_load (&err, "no-such-profile-anywhere", &p) == -1);
    CHECK (strncmp (isc_err_msg (&err), "'no-such-profile-anywhere': profile "
                    "not found (searched ", 55) == 0);
    isc_err_clear (&err);
  }
}

/* ---- includes ------------------------------------------------------------ */

static int
collect (const struct isc_profile *owner, const struct isc_action *a,
         void *opaque)
{
  char *order = opaque;

  strcat (order, a->title);
  strcat (order, " ");
  return 0;
}

/* Comments and a "//" inside an unquoted path: the actions' lines are the
 * real ones, in file order across kinds, and the path is read whole. */
static void
test_lines (void)
{
  CLEANUP_FREE char *path =
    write_profile ("lines.conf",
                   "# one\n// two\n/* three\n   four */\n"
                   "name = \"lines\"  # five\nos = \"linux\"\n"
                   "delete-file \"a\" {   # seven\n  path = /var//x\n}\n"
                   "truncate-file \"b\" { path = \"/b\" } delete-file \"c\" {\n"
                   "  path = /c//d\n}\n");
  struct isc_err err = ISC_ERR_INIT;
  struct isc_profile *p = NULL;

  CHECK (path != NULL);
  if (isc_profile_load (&err, path, &p) == -1) {
    fprintf (stderr, "lines.conf: %s\n", isc_err_msg (&err));
    CHECK (!"lines.conf loads");
    isc_err_clear (&err);
    return;
  }
  CHECK (p->n_actions == 3);
  if (p->n_actions == 3) {
    CHECK_STREQ (p->actions[0]->title, "a");
    CHECK (p->actions[0]->line == 7);
    CHECK_STREQ (p->actions[0]->target, "/var//x");
    CHECK_STREQ (p->actions[1]->title, "b");
    CHECK (p->actions[1]->line == 10);
    CHECK_STREQ (p->actions[2]->title, "c");
    CHECK (p->actions[2]->line == 10);
    CHECK_STREQ (p->actions[2]->target, "/c//d");
  }
  isc_profile_free (p);
}

static void
test_includes (void)
{
  CLEANUP_FREE char *d = write_profile ("inc-d.conf",
                                        "name = \"inc-d\"\nos = \"linux\"\n"
                                        "truncate-file \"d1\" { path = \"/d\" }\n");
  CLEANUP_FREE char *b = write_profile ("inc-b.conf",
                                        "name = \"inc-b\"\nos = \"any\"\n"
                                        "include = \"inc-d.conf\"\n"
                                        "delete-file \"b1\" { path = \"/b\" }\n");
  CLEANUP_FREE char *c = write_profile ("inc-c.conf",
                                        "name = \"inc-c\"\nos = \"any\"\n"
                                        "include = \"inc-d.conf\"\n"
                                        "delete-file \"c1\" { path = \"/c\" }\n");
  CLEANUP_FREE char *a = write_profile ("inc-a.conf",
                                        "name = \"inc-a\"\nos = \"any\"\n"
                                        "include = { \"inc-b.conf\", \"inc-c.conf\" }\n"
                                        "delete-file \"a1\" { path = \"/a\" }\n"
                                        "truncate-file \"a2\" { path = \"/a2\" }\n"
                                        "delete-file \"a3\" { path = \"/a3\" }\n");
  struct isc_err err = ISC_ERR_INIT;
  struct isc_profile *p = NULL;
  char order[256] = "";

  CHECK (a && b && c && d);
  if (!a)
    return;
  CHECK (isc_profile_load (&err, a, &p) == 0);
  if (!p) {
    fprintf (stderr, "%s\n", isc_err_msg (&err));
    isc_err_clear (&err);
    return;
  }
  /* Includes first, depth first; inc-d (included twice) runs once;
   * sections of different kinds stay in file order. */
  isc_profile_foreach_action (p, collect, order);
  CHECK_STREQ (order, "d1 b1 c1 a1 a2 a3 ");
  CHECK (p->n_includes == 2);
  CHECK (p->includes[0]->n_includes == 1);
  CHECK (p->includes[1]->n_includes == 0);
  CHECK (p->actions[1]->line == 5);
  isc_profile_free (p);
}

/* ---- pure path functions ------------------------------------------------ */

static void
check_regpath (const char *text, enum isc_hive hive, size_t n_keys,
               int ccs, const char *display)
{
  struct isc_err err = ISC_ERR_INIT;
  struct isc_regpath rp = { 0 };
  CLEANUP_FREE char *d = NULL;

  CHECK (isc_regpath_parse (&err, text, &rp) == 0);
  CHECK (rp.hive == hive);
  CHECK (rp.n_keys == n_keys);
  CHECK (rp.current_control_set == ccs);
  d = isc_regpath_display (isc_hive_name (hive), &rp,
                           ccs ? "ControlSet001" : NULL);
  CHECK_STREQ (d, display);
  isc_regpath_clear (&rp);
  isc_err_clear (&err);
}

static void
check_regpath_bad (const char *text, const char *msg)
{
  struct isc_err err = ISC_ERR_INIT;
  struct isc_regpath rp = { 0 };

  CHECK (isc_regpath_parse (&err, text, &rp) == -1);
  CHECK (strstr (isc_err_msg (&err), msg) != NULL);
  isc_err_clear (&err);
}

static void
test_regpath (void)
{
  check_regpath ("HKLM\\SOFTWARE\\Microsoft\\SMS", ISC_HIVE_SOFTWARE, 2, 0,
                 "HKLM\\SOFTWARE\\Microsoft\\SMS");
  check_regpath ("HKEY_LOCAL_MACHINE\\software\\A", ISC_HIVE_SOFTWARE, 1, 0,
                 "HKLM\\SOFTWARE\\A");
  check_regpath ("hklm\\SYSTEM\\CurrentControlSet\\Services\\X",
                 ISC_HIVE_SYSTEM, 3, 1,
                 "HKLM\\SYSTEM\\ControlSet001\\Services\\X");
  check_regpath ("HKLM\\SYSTEM\\ControlSet002\\Services", ISC_HIVE_SYSTEM,
                 2, 0, "HKLM\\SYSTEM\\ControlSet002\\Services");
  check_regpath ("HKLM\\SAM\\SAM", ISC_HIVE_SAM, 1, 0, "HKLM\\SAM\\SAM");
  check_regpath ("HKLM\\SECURITY", ISC_HIVE_SECURITY, 0, 0, "HKLM\\SECURITY");
  check_regpath ("HKU\\.DEFAULT\\Control Panel", ISC_HIVE_DEFAULT, 1, 0,
                 "HKU\\.DEFAULT\\Control Panel");
  check_regpath ("HKEY_USERS\\.default", ISC_HIVE_DEFAULT, 0, 0,
                 "HKU\\.DEFAULT");
  check_regpath ("HKCU\\Software\\Imgscrub\\Test", ISC_HIVE_USER, 3, 0,
                 "HKCU\\Software\\Imgscrub\\Test");
  check_regpath ("HKEY_CURRENT_USER\\Software", ISC_HIVE_USER, 1, 0,
                 "HKCU\\Software");
  check_regpath ("HKLM\\SOFTWARE\\Key/With/Slashes", ISC_HIVE_SOFTWARE, 1, 0,
                 "HKLM\\SOFTWARE\\Key/With/Slashes");
  check_regpath_bad ("HKLM", "bad hive root");
  check_regpath_bad ("HKLM\\HARDWARE", "bad hive root");
  check_regpath_bad ("HKU\\S-1-5-18", "bad hive root");
  check_regpath_bad ("HKCR\\.txt", "bad hive root");
  check_regpath_bad ("SOFTWARE\\X", "bad hive root");
  check_regpath_bad ("HKLM\\SOFTWARE\\\\X", "empty key name");
  check_regpath_bad ("HKLM\\SOFTWARE\\X\\", "empty key name");
  check_regpath_bad ("HKLM\\SOFTWARE\\", "empty key name");
  CHECK_STREQ (isc_hive_file (ISC_HIVE_DEFAULT), "DEFAULT");
  CHECK (isc_hive_file (ISC_HIVE_USER) == NULL);
}

static void
check_path (const char *text, unsigned os, unsigned vars, const char *expand)
{
  static const char *const values[ISC_VAR_COUNT] = {
    [ISC_VAR_SYSTEMROOT] = "/Windows",
    [ISC_VAR_WINDIR] = "C:\\Windows",
    [ISC_VAR_SYSTEMDRIVE] = "C:",
    [ISC_VAR_PROGRAMFILES] = "C:\\Program Files",
    [ISC_VAR_PROGRAMDATA] = NULL,
    [ISC_VAR_USERPROFILE] = "/Users/alice",
  };
  struct isc_err err = ISC_ERR_INIT;
  unsigned got_os = 0, got_vars = 0;
  CLEANUP_FREE char *out = NULL;

  if (isc_winpath_check (&err, text, &got_os, &got_vars) == -1) {
    fprintf (stderr, "%s: %s\n", text, isc_err_msg (&err));
    CHECK (!"path checks");
    isc_err_clear (&err);
    return;
  }
  CHECK (got_os == os);
  CHECK (got_vars == vars);
  CHECK (isc_winpath_expand (&err, text, os == ISC_OS_WINDOWS, values,
                             &out) == 0);
  CHECK_STREQ (out, expand);
  isc_err_clear (&err);
}

static void
check_path_bad (const char *text, const char *msg)
{
  struct isc_err err = ISC_ERR_INIT;
  unsigned os, vars;

  CHECK (isc_winpath_check (&err, text, &os, &vars) == -1);
  if (!strstr (isc_err_msg (&err), msg))
    fprintf (stderr, "%s: got '%s'\n", text, isc_err_msg (&err));
  CHECK (strstr (isc_err_msg (&err), msg) != NULL);
  isc_err_clear (&err);
}

static void
test_paths (void)
{
  struct isc_err err = ISC_ERR_INIT;
  const char *none[ISC_VAR_COUNT] = { NULL };
  char *out = NULL;

  check_path ("%SystemRoot%\\Smscfg.ini", ISC_OS_WINDOWS,
              1u << ISC_VAR_SYSTEMROOT, "/Windows/Smscfg.ini");
  check_path ("%systemroot%/System32//config\\.\\SOFTWARE", ISC_OS_WINDOWS,
              1u << ISC_VAR_SYSTEMROOT, "/Windows/System32/config/SOFTWARE");
  check_path ("%WINDIR%\\SMSCFG.ini", ISC_OS_WINDOWS, 1u << ISC_VAR_WINDIR,
              "/Windows/SMSCFG.ini");
  check_path ("%SystemDrive%\\Users", ISC_OS_WINDOWS,
              1u << ISC_VAR_SYSTEMDRIVE, "/Users");
  check_path ("%SystemDrive%", ISC_OS_WINDOWS, 1u << ISC_VAR_SYSTEMDRIVE, "/");
  check_path ("%ProgramFiles%\\App\\100%%.txt", ISC_OS_WINDOWS,
              1u << ISC_VAR_PROGRAMFILES, "/Program Files/App/100%.txt");
  check_path ("%USERPROFILE%\\NTUSER.DAT", ISC_OS_WINDOWS,
              1u << ISC_VAR_USERPROFILE, "/Users/alice/NTUSER.DAT");
  check_path ("C:\\Windows\\Temp", ISC_OS_WINDOWS, 0, "/Windows/Temp");
  check_path ("c:", ISC_OS_WINDOWS, 0, "/");
  check_path ("\\Windows", ISC_OS_WINDOWS, 0, "/Windows");
  check_path ("/etc/machine-id", ISC_OS_ANY, 0, "/etc/machine-id");
  check_path ("/etc//ssh/./", ISC_OS_ANY, 0, "/etc/ssh");
  check_path ("/", ISC_OS_ANY, 0, "/");

  check_path_bad ("%Foo%\\x", "unknown variable '%Foo%'");
  /* The name is quoted escaped: no terminal escape reaches the message. */
  check_path_bad ("%Fo\x1b]0;o%\\x", "unknown variable '%Fo\\x1b]0;o%'");
  check_path_bad ("%SystemRoot", "unterminated variable");
  check_path_bad ("C:\\x\\%SystemRoot%", "must begin the path");
  check_path_bad ("%SystemRoot%x", "expected a backslash after '%SystemRoot%'");
  check_path_bad ("D:\\x", "only drive C:");
  check_path_bad ("C:x", "drive-relative path");
  check_path_bad ("etc/x", "not an absolute path");
  check_path_bad ("Windows\\x", "not an absolute path");
  check_path_bad ("/a/../b", "'..' is not allowed");
  check_path_bad ("%SystemRoot%\\..\\x", "'..' is not allowed");
  check_path_bad ("", "empty path");

  /* Values come from the guest: another drive or ".." is refused. */
  {
    const char *vals[ISC_VAR_COUNT] = { [ISC_VAR_PROGRAMFILES] = "D:\\Apps" };

    CHECK (isc_winpath_expand (&err, "%ProgramFiles%\\x", 1, vals, &out) == -1);
    CHECK (strstr (isc_err_msg (&err), "not on the system drive") != NULL);
    isc_err_clear (&err);
    vals[ISC_VAR_PROGRAMFILES] = "C:\\..\\..";
    CHECK (isc_winpath_expand (&err, "%ProgramFiles%\\x", 1, vals, &out) == -1);
    isc_err_clear (&err);
  }
  CHECK (isc_winpath_expand (&err, "%ProgramData%\\x", 1, none, &out) == -1);
  CHECK (strstr (isc_err_msg (&err), "%ProgramData% has no value") != NULL);
  isc_err_clear (&err);

  CHECK (isc_name_pattern_check (&err, "Smsuid.dat") == 0);
  CHECK (isc_name_pattern_check (&err, "ssh_host_*_key.pub") == 0);
  CHECK (isc_name_pattern_check (&err, "*") == -1);
  isc_err_clear (&err);
  CHECK (isc_name_pattern_check (&err, "*?*") == -1);
  isc_err_clear (&err);
  CHECK (isc_name_pattern_check (&err, "a/b") == -1);
  isc_err_clear (&err);
  CHECK (isc_name_pattern_check (&err, "") == -1);
  isc_err_clear (&err);

  out = isc_msg_text ("HKLM\\X\n'y'");
  CHECK_STREQ (out, "HKLM\\X\\n'y'");
  free (out);

  CHECK_STREQ (isc_os_name (ISC_OS_WINDOWS), "windows");
  CHECK_STREQ (isc_os_name (ISC_OS_ANY), "any");
  CHECK (isc_winvar_lookup ("windir", 6) == ISC_VAR_WINDIR);
  CHECK (isc_winvar_lookup ("TEMP", 4) == -1);
}

static void
test_search_path (void)
{
  CLEANUP_FREE_STRING_LIST char **dirs = NULL;
  CLEANUP_FREE char *saved = getenv ("IMGSCRUB_PROFILE_PATH") ?
    strdup (getenv ("IMGSCRUB_PROFILE_PATH")) : NULL;
  size_t n;

  setenv ("IMGSCRUB_PROFILE_PATH", "/first::/second", 1);
  dirs = isc_profile_search_path ();
  CHECK (dirs != NULL);
  if (!dirs)
    return;
  CHECK_STREQ (dirs[0], "/first");
  CHECK_STREQ (dirs[1], "/second");
  for (n = 0; dirs[n]; ++n)
    ;
  /* This test runs from the build tree: the source profiles are there. */
  CHECK (n == 4);
  if (n == 4) {
    CHECK_STREQ (dirs[2], PROFILES_SOURCE_DIR);
    CHECK_STREQ (dirs[3], PROFILES_INSTALL_DIR);
  }
  if (saved)
    setenv ("IMGSCRUB_PROFILE_PATH", saved, 1);
  else
    unsetenv ("IMGSCRUB_PROFILE_PATH");
}

int
main (void)
{
  char cmd[256];

  if (!mkdtemp (tmpdir)) {
    perror ("mkdtemp");
    return 1;
  }
  /* Shipped profiles by name, from the source tree only. */
  unsetenv ("IMGSCRUB_PROFILE_PATH");
  test_table ();
  test_shipped ();
  test_errors ();
  test_lines ();
  test_includes ();
  test_regpath ();
  test_paths ();
  test_search_path ();
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system (cmd) != 0)
    fprintf (stderr, "could not remove %s\n", tmpdir);
  return unit_finish ("test-profile");
}
