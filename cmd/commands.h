/* imgscrub: subcommands.  One file per subcommand in cmd/, each
 * exporting one entry point; cmd/main.c dispatches through a table. */
#ifndef ISC_COMMANDS_H
#define ISC_COMMANDS_H

/* Exit statuses scripts can rely on (README "Exit status"). */
enum {
  EXIT_OK = 0,                      /* every image ok / no duplicates */
  EXIT_IMAGE_FAILED = 1,            /* some image failed / duplicates found */
  EXIT_USAGE = 2,                   /* bad option, bad profile */
  EXIT_INTERNAL = 3,                /* out of memory, cannot write manifest */
  EXIT_INTERRUPTED = 130,           /* SIGINT or SIGTERM (128 + SIGINT) */
};

/* Each returns the process exit status.  ARGV[0] is the subcommand. */
int cmd_audit (int argc, char **argv);
int cmd_inspect (int argc, char **argv);
int cmd_merge (int argc, char **argv);
int cmd_scrub (int argc, char **argv);
int cmd_profiles (int argc, char **argv);
int cmd_hive (int argc, char **argv);

/* Print "imgscrub: MSG" and "Try 'imgscrub CMD --help'" to stderr and
 * return EXIT_USAGE. */
int usage_error (const char *cmd, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));

/* --version: imgscrub's and its libraries' versions, on stdout
 * (cmd/version.c). */
void print_version (void);

extern const char *program_name;
extern int arg_verbose;             /* -v */
extern int arg_trace;               /* -x: trace libguestfs calls */
extern int arg_quiet;               /* -q */

#endif
