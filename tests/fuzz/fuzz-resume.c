/* libFuzzer target: the manifest reader that `scrub --resume` uses
 * (lib/resume.c).  The input is the manifest file.  Whatever it holds,
 * an image is resumed only from an "ok" entry for exactly its path, and
 * only with SHA-256s in lower-case hex. */
#include <config.h>

#include <jansson.h>

#include "resume.h"

#include "fuzz.h"

static void
check_sha256 (json_t *entry, const char *field)
{
  const char *s = isc_resume_sha256 (entry, field);

  if (s) {
    FUZZ_ASSERT (strlen (s) == 64 && strspn (s, "0123456789abcdef") == 64);
    FUZZ_ASSERT (s == json_string_value (json_object_get (entry, field)));
  }
}

static void
check_lookup (json_t *previous, const char *input)
{
  json_t *entry = isc_resume_entry (previous, input);

  if (!entry)
    return;
  FUZZ_ASSERT (strcmp (json_string_value (json_object_get (entry, "input")),
                       input) == 0);
  FUZZ_ASSERT (strcmp (json_string_value (json_object_get (entry, "status")),
                       "ok") == 0);
  check_sha256 (entry, "input_sha256");
  check_sha256 (entry, "output_sha256");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* fmemopen wants at least a byte: an empty file reads as a NUL. */
  static char empty[1];
  FILE *fp = size ? fmemopen ((void *) data, size, "r")
    : fmemopen (empty, 1, "r");
  json_t *previous, *entry;
  size_t i;

  if (!fp)
    return 0;
  previous = isc_resume_read (fp);
  fclose (fp);
  if (!previous)
    return 0;
  FUZZ_ASSERT (json_is_array (json_object_get (previous, "images")));
  json_array_foreach (json_object_get (previous, "images"), i, entry) {
    const char *in = json_string_value (json_object_get (entry, "input"));

    if (in)
      check_lookup (previous, in);
    check_sha256 (entry, "input_sha256");
  }
  check_lookup (previous, "");
  check_lookup (previous, "images/win.vhd");
  json_decref (previous);
  return 0;
}
