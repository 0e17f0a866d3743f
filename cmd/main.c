/* imgscrub: argument parsing and dispatch.  Each subcommand lives in its
 * own file in cmd/ and is listed once in the table below. */
#include <config.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "output.h"

const char *program_name = "imgscrub";
int arg_verbose;
int arg_trace;
int arg_quiet;

struct command {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
};

static const struct command commands[] = {
  { "audit", cmd_audit, "find machine identities shared by several images" },
  { "hive", cmd_hive, "recover a registry hive from its transaction logs" },
  { "inspect", cmd_inspect, "show what each disk image holds (read-only)" },
  { "merge", cmd_merge, "merge the manifests of a sharded scrub into one" },
  { "profiles", cmd_profiles, "list, show and check cleanup profiles" },
  { "scrub", cmd_scrub, "apply cleanup profiles, writing scrubbed images" },
};

int
usage_error (const char *cmd, const char *fmt, ...)
{
  va_list args;

  fprintf (stderr, "%s: ", program_name);
  va_start (args, fmt);
  vfprintf (stderr, fmt, args);
  va_end (args);
  fprintf (stderr, "\nTry '%s%s%s --help'\n", program_name,
           cmd ? " " : "", cmd ? cmd : "");
  return EXIT_USAGE;
}

static void
usage (FILE *fp)
{
  size_t i;

  fprintf (fp,
           "Usage: %s [-v] [-x] [-q] COMMAND [OPTIONS] [IMAGE...]\n"
           "\n"
           "Make cloned virtual machines safe to clone: remove the identities\n"
           "(registry values, files) that disk duplication copies into every\n"
           "clone, offline, from VHD, VMDK, qcow2 and raw images.\n"
           "\n"
           "Commands:\n", program_name);
  for (i = 0; i < sizeof commands / sizeof commands[0]; ++i)
    fprintf (fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (fp,
           "\n"
           "Options:\n"
           "  -v, --verbose   progress steps and libguestfs debug output\n"
           "  -x, --trace     trace libguestfs calls\n"
           "  -q, --quiet     no progress output\n"
           "  -h, --help      this help\n"
           "  -V, --version   print the version\n"
           "\n"
           "'%s COMMAND --help' describes a command.\n"
           "Exit status: 0 all images ok, 1 some image failed, 2 usage or\n"
           "profile error, 3 internal error, 130 interrupted (SIGINT or\n"
           "SIGTERM).  'man imgscrub' has the details.\n", program_name);
}

int
main (int argc, char **argv)
{
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "quiet", no_argument, NULL, 'q' },
    { "trace", no_argument, NULL, 'x' },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
  };
  size_t i;
  int c;

  out_init ();
  opterr = 0;                   /* our own messages, see usage_error */
  /* '+': stop at the command name; its options are its own. */
  while ((c = getopt_long (argc, argv, "+hqxvV", long_options, NULL)) != -1) {
    switch (c) {
    case 'h': usage (stdout); return EXIT_OK;
    case 'q': arg_quiet = 1; break;
    case 'x': arg_trace = 1; break;
    case 'v': arg_verbose++; break;
    case 'V': print_version (); return EXIT_OK;
    default:
      return usage_error (NULL, "unrecognized option '%s'", argv[optind - 1]);
    }
  }
  if (optind >= argc)
    return usage_error (NULL, "no command given");
  for (i = 0; i < sizeof commands / sizeof commands[0]; ++i) {
    if (strcmp (argv[optind], commands[i].name) == 0) {
      argv += optind;
      argc -= optind;
      optind = 0;               /* reset getopt for the subcommand */
      return commands[i].run (argc, argv);
    }
  }
  return usage_error (NULL, "unknown command '%s'", argv[optind]);
}
