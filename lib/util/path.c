/* imgscrub: '/'-separated path strings: normalised, joined, compared. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/path.h"

void
isc_path_normalise (char *path)
{
  char *r = path, *w = path;

  while (*r) {
    if (*r == '/' && w > path && w[-1] == '/') {
      r++;
      continue;
    }
    *w++ = *r++;
  }
  if (w > path + 1 && w[-1] == '/')
    w--;
  *w = '\0';
}

char *
isc_path_join (const char *dir, const char *name)
{
  char *s;

  if (asprintf (&s, "%s/%s", dir, name) == -1)
    return NULL;
  isc_path_normalise (s);
  return s;
}

int
isc_path_at_or_below (const char *path, const char *above)
{
  size_t len = strlen (above);

  return strncmp (path, above, len) == 0 &&
    (path[len] == '\0' || path[len] == '/' || strcmp (above, "/") == 0);
}
