/* imgscrub: the monotonic clock. */
#include <config.h>

#include <time.h>

#include "util/time.h"

double
isc_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
