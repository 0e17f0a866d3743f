/* imgscrub: the names of image statuses and operating systems. */
#include <config.h>

#include "util/status.h"

const char *
isc_image_status_name (enum isc_image_status s)
{
  switch (s) {
  case ISC_IMAGE_OK: return "ok";
  case ISC_IMAGE_FAILED: return "failed";
  case ISC_IMAGE_SKIPPED: return "skipped";
  case ISC_IMAGE_PENDING: break;
  }
  return "pending";
}

const char *
isc_os_name (unsigned os)
{
  switch (os & ISC_OS_ANY) {
  case ISC_OS_WINDOWS: return "windows";
  case ISC_OS_LINUX: return "linux";
  case ISC_OS_ANY: return "any";
  }
  return "none";
}
