/* hivewalk: list every key and value of a hive, opened strictly with
 * hivex, one per line, for counting and comparing with sort/comm:
 *
 *   K\tPATH
 *   V\tPATH\tNAME
 *
 * PATH is the key path below the root ("\A\B", the root is ""); bytes
 * other than printable ASCII, tab and backslash-escapes are written as
 * \xNN.  Exit status 1 when the hive does not open or cannot be walked.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hivex.h>

static void
put (const char *s)
{
  for (; *s; ++s) {
    unsigned char c = *s;

    if (c < 0x20 || c >= 0x7f || c == '\\')
      printf ("\\x%02x", c);
    else
      putchar (c);
  }
}

static int
walk (hive_h *h, hive_node_h node, const char *path, int depth)
{
  hive_node_h *children;
  hive_value_h *values;
  size_t i;
  int r = 0;

  if (depth > 512)
    return -1;
  printf ("K\t");
  put (path);
  putchar ('\n');
  values = hivex_node_values (h, node);
  if (!values)
    return -1;
  for (i = 0; values[i]; ++i) {
    char *name = hivex_value_key (h, values[i]);

    if (!name) {
      free (values);
      return -1;
    }
    printf ("V\t");
    put (path);
    putchar ('\t');
    put (name);
    putchar ('\n');
    free (name);
  }
  free (values);
  children = hivex_node_children (h, node);
  if (!children)
    return -1;
  for (i = 0; children[i] && r == 0; ++i) {
    char *name = hivex_node_name (h, children[i]), *sub;

    if (!name || asprintf (&sub, "%s\\%s", path, name) == -1) {
      free (name);
      r = -1;
      break;
    }
    r = walk (h, children[i], sub, depth + 1);
    free (sub);
    free (name);
  }
  free (children);
  return r;
}

int
main (int argc, char **argv)
{
  hive_h *h;
  int r;

  if (argc != 2) {
    fprintf (stderr, "usage: hivewalk HIVE\n");
    return 2;
  }
  h = hivex_open (argv[1], 0);
  if (!h) {
    fprintf (stderr, "hivewalk: %s: %s\n", argv[1], strerror (errno));
    return 1;
  }
  r = walk (h, hivex_root (h), "", 0);
  hivex_close (h);
  if (r == -1) {
    fprintf (stderr, "hivewalk: %s: cannot walk the hive\n", argv[1]);
    return 1;
  }
  return 0;
}
