/* imgscrub: the words a run uses of itself: which job it does, how an
 * image ended, which operating systems a rule is for.  Below the engine
 * so that the appliance worker, the profiles and the outputs share them
 * without including each other. */
#ifndef ISC_STATUS_H
#define ISC_STATUS_H

enum isc_engine_mode {
  ISC_ENGINE_INSPECT,
  ISC_ENGINE_SCRUB,
  ISC_ENGINE_AUDIT,                 /* read-only: identities (audit.h) */
};

enum isc_image_status {
  ISC_IMAGE_PENDING = 0,
  ISC_IMAGE_OK,
  ISC_IMAGE_FAILED,
  ISC_IMAGE_SKIPPED,
};

/* "ok", "failed", "skipped" (and "pending"); static. */
const char *isc_image_status_name (enum isc_image_status s);

/* Operating systems, as a mask: a profile or action applies to these. */
enum isc_os {
  ISC_OS_WINDOWS = 1 << 0,
  ISC_OS_LINUX = 1 << 1,
  ISC_OS_ANY = ISC_OS_WINDOWS | ISC_OS_LINUX,
};

/* "windows", "linux", "any" (static); "none" for 0. */
const char *isc_os_name (unsigned os);

#endif
