/* imgscrub: the abort when memory runs out and no error can be returned. */
#include <config.h>

#include <stdlib.h>
#include <unistd.h>

#include "util/oom.h"

void
isc_oom (void)
{
  static const char msg[] = "imgscrub: out of memory\n";

  /* Nothing here may allocate. */
  if (write (STDERR_FILENO, msg, sizeof msg - 1) < 0) {
    /* aborting anyway */
  }
  abort ();
}
