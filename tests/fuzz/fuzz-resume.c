/* libFuzzer target: the manifest reader that `scrub --resume` uses
 * (isc_manifest_parse_previous in lib/outputs/manifest.c).  The input is the
 * manifest file.  Whatever it holds, an image is resumed only from an
 * "ok" entry for exactly its path, and only with SHA-256s in lower-case
 * hex. */
#include <config.h>

#include <jansson.h>

#include "run/engine.h"
#include "outputs/manifest.h"

#include "fuzz.h"

static void
check_sha256 (const char *s)
{
  if (s)
    FUZZ_ASSERT (strlen (s) == 64 && strspn (s, "0123456789abcdef") == 64);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char p0[] = "", p1[] = "images/win.vhd", p2[] = "a";
  struct isc_image images[3] = { { .path = p0 }, { .path = p1 },
                                 { .path = p2 } };
  struct isc_err err = ISC_ERR_INIT;
  json_t *previous = NULL;
  size_t i;

  if (isc_manifest_parse_previous (&err, (const char *) data, size, images,
                                   3, &previous) == -1) {
    FUZZ_ASSERT (previous == NULL);
    isc_err_clear (&err);
    return 0;
  }
  FUZZ_ASSERT (json_is_array (json_object_get (previous, "images")));
  for (i = 0; i < 3; ++i) {
    json_t *entry = isc_manifest_resumed (previous, &images[i]);

    check_sha256 (images[i].resume_input_sha256);
    check_sha256 (images[i].resume_output_sha256);
    FUZZ_ASSERT (!images[i].resume_input_sha256 == !entry);
    if (entry) {
      FUZZ_ASSERT (strcmp (json_string_value (json_object_get (entry, "input")),
                           images[i].path) == 0);
      FUZZ_ASSERT (strcmp (json_string_value (json_object_get (entry, "status")),
                           "ok") == 0);
      json_decref (entry);
    }
  }
  json_decref (previous);
  isc_err_clear (&err);
  return 0;
}
