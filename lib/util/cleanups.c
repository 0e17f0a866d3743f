/* imgscrub: the destructors behind CLEANUP_* and the string lists. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <confuse.h>
#include <guestfs.h>
#include <hivex.h>
#include <jansson.h>

#include "util/cleanups.h"

void
isc_cleanup_free (void *ptr)
{
  free (*(void **) ptr);
}

void
isc_cleanup_fclose (void *ptr)
{
  FILE *fp = *(FILE **) ptr;

  if (fp)
    fclose (fp);
}

void
isc_cleanup_close (void *ptr)
{
  int fd = *(int *) ptr;

  if (fd >= 0)
    close (fd);
}

void
isc_free_string_list (char **list)
{
  size_t i;

  if (!list)
    return;
  for (i = 0; list[i]; ++i)
    free (list[i]);
  free (list);
}

int
isc_string_list_add (char ***list, size_t *n, size_t *cap, const char *s,
                     size_t len)
{
  if (*n + 2 > *cap) {
    size_t c = *cap ? 2 * *cap : 16;
    char **p = realloc (*list, c * sizeof *p);

    if (!p)
      return -1;
    *list = p;
    *cap = c;
  }
  (*list)[*n] = strndup (s, len);
  if (!(*list)[*n])
    return -1;
  (*list)[++*n] = NULL;
  return 0;
}

void
isc_cleanup_free_string_list (void *ptr)
{
  isc_free_string_list (*(char ***) ptr);
}

void
isc_cleanup_guestfs (void *ptr)
{
  guestfs_h *g = *(guestfs_h **) ptr;

  if (g)
    guestfs_close (g);
}

void
isc_cleanup_hivex (void *ptr)
{
  hive_h *h = *(hive_h **) ptr;

  if (h)
    hivex_close (h);
}

void
isc_cleanup_json (void *ptr)
{
  json_decref (*(json_t **) ptr);
}

void
isc_cleanup_cfg (void *ptr)
{
  cfg_t *cfg = *(cfg_t **) ptr;

  if (cfg)
    cfg_free (cfg);
}
