/* imgscrub profiles: list, show and check cleanup profiles, and describe
 * the action kinds (from their descriptors: the reference in
 * profiles/README.md is `imgscrub profiles actions --markdown`). */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/action.h"
#include "util/cleanups.h"
#include "commands.h"
#include "output.h"
#include "profiles/profile.h"
#include "windows/winpath.h"
#include "util/status.h"
#include "util/escape.h"

static void
usage (void)
{
  printf ("Usage: %s profiles list [-v]\n"
          "       %s profiles show NAME|FILE\n"
          "       %s profiles check FILE...\n"
          "       %s profiles actions [--markdown|--pod]\n"
          "\n"
          "Cleanup profiles say what to remove from a guest.  A profile is\n"
          "named (found as NAME.conf on the search path) or given as a file\n"
          "path (containing '/' or ending in .conf).\n"
          "\n"
          "  list      every profile on the search path: name, os, reference,\n"
          "            description (-v: the search path too)\n"
          "  show      a profile's metadata, SHA-256, its actions in the order\n"
          "            they run (includes first, expanded) with their file:line,\n"
          "            guards and PROFILE:TITLE (as --skip takes it), and the\n"
          "            identities it removes\n"
          "  check     validate profile files; nothing printed on stderr when\n"
          "            they are valid\n"
          "  actions   the action kinds with their options\n"
          "\n"
          "Options:\n"
          "  -v, --verbose   list: show the search path\n"
          "  --markdown      actions: print the reference in Markdown\n"
          "  --pod           actions: print the reference in POD (for the\n"
          "                  man page imgscrub-profile(5))\n"
          "  -h, --help      this help\n"
          "\n"
          "Search path: $IMGSCRUB_PROFILE_PATH (colon-separated), the source\n"
          "tree's profiles/ when run from the build tree, an installed tree's\n"
          "own profiles when it was moved (X/bin/imgscrub: X/share/imgscrub/\n"
          "profiles), then %s.\n"
          "Exit status: 0 ok, 2 usage error or invalid profile.\n",
          program_name, program_name, program_name, program_name,
          PROFILES_INSTALL_DIR);
}

/* Print S with control characters escaped (profiles are text files
 * anyone may hand us); backslashes stay, Windows paths read as written. */
static void
put_escaped (const char *s)
{
  CLEANUP_FREE char *e = isc_msg_text (s ? s : "");

  fputs (e, stdout);
}

static int
do_list (int verbose)
{
  CLEANUP_FREE_STRING_LIST char **names = isc_profile_list_names ();
  size_t i;
  int status = EXIT_OK;

  if (!names) {
    out_error (NULL, "out of memory");
    return EXIT_INTERNAL;
  }
  if (verbose) {
    CLEANUP_FREE_STRING_LIST char **dirs = isc_profile_search_path ();

    printf ("# search path:\n");
    for (i = 0; dirs && dirs[i]; ++i) {
      printf ("#   ");
      put_escaped (dirs[i]);
      printf ("\n");
    }
  }
  for (i = 0; names[i]; ++i) {
    struct isc_err err = ISC_ERR_INIT;
    struct isc_profile *p;

    if (isc_profile_load (&err, names[i], &p) == -1) {
      out_error (NULL, isc_err_msg (&err));
      isc_err_clear (&err);
      status = EXIT_USAGE;
      continue;
    }
    put_escaped (p->name);
    printf ("\t%s\t", isc_os_name (p->os));
    put_escaped (p->reference[0] ? p->reference : "-");
    printf ("\t");
    put_escaped (p->description);
    printf ("\n");
    isc_profile_free (p);
  }
  return status;
}

static int
show_action (const struct isc_profile *owner, const struct isc_action *a,
             void *opaque)
{
  size_t i;

  printf ("  ");
  put_escaped (a->file);
  printf (":%d\t%s", a->line, a->kind->name);
  if (a->title) {
    printf (" '");
    put_escaped (a->title);
    printf ("'");
  }
  printf ("\t[%s]\t", isc_os_name (a->os));
  put_escaped (a->target);
  /* Guards, and the name --skip takes. */
  printf ("\t");
  for (i = 0; a->distros && a->distros[i]; ++i) {
    printf ("%s", i ? "," : "distro=");
    put_escaped (a->distros[i]);
  }
  if (a->package_format) {
    printf ("%spackage-format=", a->distros ? " " : "");
    put_escaped (a->package_format);
  }
  for (i = 0; a->machine_ids && a->machine_ids[i]; ++i) {
    printf ("%s", i ? "," : a->distros || a->package_format ? " machine-id="
            : "machine-id=");
    put_escaped (a->machine_ids[i]);
  }
  printf ("\t");
  if (a->title) {
    put_escaped (owner->name);
    printf (":");
    put_escaped (a->title);
  }
  printf ("\n");
  return 0;
}

static void
show_identities (const struct isc_profile *p)
{
  size_t i;

  for (i = 0; i < p->n_includes; ++i)
    show_identities (p->includes[i]);
  for (i = 0; i < p->n_identities; ++i) {
    const struct isc_identity *id = p->identities[i];

    printf ("  ");
    put_escaped (id->file);
    printf (":%d\t'", id->line);
    put_escaped (id->title);
    printf ("'\t[%s]\t", isc_os_name (id->os));
    if (id->kind == ISC_IDENTITY_REGISTRY) {
      put_escaped (id->key);
      printf (" value \"");
      put_escaped (id->value);
      printf ("\"\n");
    }
    else {
      put_escaped (id->path);
      printf ("\n");
    }
  }
}

static void
show_includes (const struct isc_profile *p, int depth)
{
  size_t i;

  for (i = 0; i < p->n_includes; ++i) {
    printf ("%*s", 2 + 2 * depth, "");
    put_escaped (p->includes[i]->name);
    printf (" (");
    put_escaped (p->includes[i]->path);
    printf (", sha256 %s)\n", p->includes[i]->sha256);
    show_includes (p->includes[i], depth + 1);
  }
}

static int
do_show (const char *name)
{
  struct isc_err err = ISC_ERR_INIT;
  struct isc_profile *p;

  if (isc_profile_load (&err, name, &p) == -1) {
    out_error (NULL, isc_err_msg (&err));
    isc_err_clear (&err);
    return EXIT_USAGE;
  }
  printf ("name:        ");
  put_escaped (p->name);
  printf ("\ndescription: ");
  put_escaped (p->description);
  printf ("\nreference:   ");
  put_escaped (p->reference);
  printf ("\nos:          %s\nfile:        ", isc_os_name (p->os));
  put_escaped (p->path);
  printf ("\nsha256:      %s\n", p->sha256);
  if (p->n_includes) {
    printf ("includes:\n");
    show_includes (p, 0);
  }
  printf ("actions (in order):\n");
  isc_profile_foreach_action (p, show_action, NULL);
  printf ("identities:\n");
  show_identities (p);
  isc_profile_free (p);
  return EXIT_OK;
}

static size_t
count_actions (const struct isc_profile *p)
{
  size_t i, n = p->n_actions;

  for (i = 0; i < p->n_includes; ++i)
    n += count_actions (p->includes[i]);
  return n;
}

static int
do_check (char **files, int n)
{
  int i, status = EXIT_OK;

  for (i = 0; i < n; ++i) {
    struct isc_err err = ISC_ERR_INIT;
    struct isc_profile *p;

    if (isc_profile_load (&err, files[i], &p) == -1) {
      out_error (NULL, isc_err_msg (&err));
      isc_err_clear (&err);
      status = EXIT_USAGE;
      continue;
    }
    if (!arg_quiet) {
      put_escaped (files[i]);
      printf (": ok, %zu action%s\n", count_actions (p),
              count_actions (p) == 1 ? "" : "s");
    }
    isc_profile_free (p);
  }
  return status;
}

/* Print TEXT after column COL, wrapped at 78 columns with continuation
 * lines indented by INDENT. */
static void
put_wrapped (const char *text, int indent, int col)
{
  const char *p = text + strspn (text, " ");
  int first = 1;

  while (*p) {
    size_t word = strcspn (p, " ");

    if (!first && col + 1 + (int) word > 78) {
      printf ("\n%*s", indent, "");
      col = indent;
    }
    else {
      putchar (' ');
      col++;
    }
    printf ("%.*s", (int) word, p);
    col += word;
    p += word;
    p += strspn (p, " ");
    first = 0;
  }
  putchar ('\n');
}

static void
put_markdown_cell (const char *s)
{
  for (; *s; ++s) {
    if (*s == '|')
      putchar ('\\');
    putchar (*s);
  }
}

/* POD text: '<' and '>' as entities, so that no "B<" in a doc string
 * starts a formatting code. */
static void
put_pod_text (const char *s)
{
  for (; *s; ++s) {
    if (*s == '<')
      fputs ("E<lt>", stdout);
    else if (*s == '>')
      fputs ("E<gt>", stdout);
    else
      putchar (*s);
  }
}

/* The example as a POD verbatim paragraph: every line indented. */
static void
put_pod_verbatim (const char *s)
{
  while (*s) {
    size_t n = strcspn (s, "\n");

    printf (" %.*s\n", (int) n, s);
    s += n;
    if (*s)
      s++;
  }
}

static const char *
kind_os (const struct isc_action_kind *k)
{
  return k->os == ISC_OS_ANY ? "Windows and Linux" :
    k->os == ISC_OS_WINDOWS ? "Windows" : "Linux";
}

enum actions_format { ACTIONS_TEXT, ACTIONS_MARKDOWN, ACTIONS_POD };

/* One option's row: a Markdown table row, a POD item, or indented
 * text. */
static void
put_option (const char *name, const char *doc, enum actions_format format)
{
  if (!doc)
    doc = "(undocumented)";
  switch (format) {
  case ACTIONS_MARKDOWN:
    printf ("| `%s` | ", name);
    put_markdown_cell (doc);
    printf (" |\n");
    return;
  case ACTIONS_POD:
    printf ("=item B<%s>\n\n", name);
    put_pod_text (doc);
    printf ("\n\n");
    return;
  case ACTIONS_TEXT:
    break;
  }
  printf ("    %-9s", name);
  put_wrapped (doc, 14, 4 + (int) (strlen (name) > 9 ? strlen (name) : 9));
}

static const char *const table_head = "| option | meaning |\n| --- | --- |\n";

static void
put_kind_head (const struct isc_action_kind *k, size_t i,
               enum actions_format format)
{
  switch (format) {
  case ACTIONS_MARKDOWN:
    printf ("%s### `%s`\n\n%c%s.  Guests: %s.\n\n%s",
            i ? "\n" : "", k->name, k->summary[0] - 'a' + 'A',
            k->summary + 1, kind_os (k), table_head);
    break;
  case ACTIONS_POD:
    printf ("=head2 B<%s>\n\n%c", k->name, k->summary[0] - 'a' + 'A');
    put_pod_text (k->summary + 1);
    printf (".  Guests: %s.\n\n=over 4\n\n", kind_os (k));
    break;
  case ACTIONS_TEXT:
    printf ("%s%s (%s)\n  %s\n", i ? "\n" : "", k->name, kind_os (k),
            k->summary);
    break;
  }
}

static void
put_kind_example (const struct isc_action_kind *k, enum actions_format format)
{
  if (format == ACTIONS_MARKDOWN)
    printf ("\n```\n%s```\n", k->example);
  else if (format == ACTIONS_POD) {
    printf ("=back\n\nExample:\n\n");
    put_pod_verbatim (k->example);
    printf ("\n");
  }
}

static int
do_actions (enum actions_format format)
{
  const char *first_common = isc_action_common_opts[0].name;
  size_t i, j;

  for (i = 0; isc_action_kinds[i]; ++i) {
    const struct isc_action_kind *k = isc_action_kinds[i];
    const cfg_opt_t *opts = isc_action_schema (k);

    if (!opts) {
      out_error (NULL, "out of memory");
      return EXIT_INTERNAL;
    }
    put_kind_head (k, i, format);
    /* Its own options; those every action takes come once, at the end. */
    for (j = 0; opts[j].name && strcmp (opts[j].name, first_common) != 0; ++j)
      put_option (opts[j].name, isc_action_option_doc (k, opts[j].name),
                  format);
    put_kind_example (k, format);
  }
  switch (format) {
  case ACTIONS_MARKDOWN:
    printf ("\n### Options every action takes\n\n%s", table_head);
    break;
  case ACTIONS_POD:
    printf ("=head2 Options every action takes\n\n=over 4\n\n");
    break;
  case ACTIONS_TEXT:
    printf ("\nEvery action also takes\n");
    break;
  }
  for (j = 0; isc_action_common_docs[j]; j += 2)
    put_option (isc_action_common_docs[j], isc_action_common_docs[j + 1],
                format);
  if (format == ACTIONS_POD)
    printf ("=back\n\n");
  return EXIT_OK;
}

int
cmd_profiles (int argc, char **argv)
{
  enum { OPT_MARKDOWN = 1000, OPT_POD };
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "markdown", no_argument, NULL, OPT_MARKDOWN },
    { "pod", no_argument, NULL, OPT_POD },
    { "verbose", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  int c, verbose = arg_verbose;
  enum actions_format format = ACTIONS_TEXT;
  const char *sub;

  while ((c = getopt_long (argc, argv, "hv", long_options, NULL)) != -1) {
    switch (c) {
    case 'h': usage (); return EXIT_OK;
    case 'v': verbose++; break;
    case OPT_MARKDOWN: format = ACTIONS_MARKDOWN; break;
    case OPT_POD: format = ACTIONS_POD; break;
    default:
      return usage_error ("profiles", "unrecognized option '%s'",
                          argv[optind - 1]);
    }
  }
  if (optind >= argc)
    return usage_error ("profiles", "no subcommand given (list, show, check "
                        "or actions)");
  sub = argv[optind++];
  if (format != ACTIONS_TEXT && strcmp (sub, "actions") != 0)
    return usage_error ("profiles", "--markdown and --pod go with 'actions'");
  if (strcmp (sub, "list") == 0 || strcmp (sub, "actions") == 0) {
    if (optind < argc)
      return usage_error ("profiles", "'%s' takes no argument", sub);
    return sub[0] == 'l' ? do_list (verbose) : do_actions (format);
  }
  if (strcmp (sub, "show") == 0) {
    if (argc - optind != 1)
      return usage_error ("profiles", "'show' takes one profile name or file");
    return do_show (argv[optind]);
  }
  if (strcmp (sub, "check") == 0) {
    if (optind >= argc)
      return usage_error ("profiles", "'check' needs at least one file");
    return do_check (argv + optind, argc - optind);
  }
  return usage_error ("profiles", "unknown subcommand '%s' (list, show, check "
                      "or actions)", sub);
}
