/* imgscrub --version: the program's version and those of the libraries
 * it runs with.  Each library is asked at run time where it has a call
 * for it; hivex has none, so its version is the one imgscrub was built
 * against (pkg-config at configure time), and says so. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>

#include <archive.h>
#include <confuse.h>
#include <guestfs.h>
#include <jansson.h>

#include "commands.h"

/* libguestfs answers guestfs_version on a handle that was never
 * launched: no appliance is started. */
static void
print_guestfs_version (void)
{
  guestfs_h *g = guestfs_create_flags (GUESTFS_CREATE_NO_ENVIRONMENT |
                                       GUESTFS_CREATE_NO_CLOSE_ON_EXIT);
  struct guestfs_version *v = NULL;

  if (g) {
    guestfs_set_error_handler (g, NULL, NULL);
    v = guestfs_version (g);
  }
  if (v)
    printf ("libguestfs %" PRIi64 ".%" PRIi64 ".%" PRIi64 "%s\n",
            v->major, v->minor, v->release, v->extra);
  else
    printf ("libguestfs unknown (no handle)\n");
  guestfs_free_version (v);
  if (g)
    guestfs_close (g);
}

void
print_version (void)
{
  printf ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
  print_guestfs_version ();
  printf ("hivex %s (built against; hivex has no run-time version call)\n",
          HIVEX_BUILD_VERSION);
  /* archive_version_details: "libarchive 3.6.2 zlib/1.2.13 ..." */
  printf ("%s\n", archive_version_details ());
  printf ("libconfuse %s\n", confuse_version);
  printf ("jansson %s\n", jansson_version_str ());
}
