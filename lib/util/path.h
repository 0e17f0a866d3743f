/* imgscrub: '/'-separated path strings, host or guest alike: nothing
 * here touches a filesystem. */
#ifndef ISC_PATH_H
#define ISC_PATH_H

/* Clean PATH in place: runs of '/' become one, a trailing '/' goes
 * (not a lone "/").  Nothing is resolved. */
void isc_path_normalise (char *path);

/* DIR "/" NAME, normalised (isc_path_normalise: no doubled slash, no
 * trailing one); caller frees.  NULL on OOM. */
char *isc_path_join (const char *dir, const char *name);

/* Is PATH ABOVE itself, or inside it? */
int isc_path_at_or_below (const char *path, const char *above);

#endif
