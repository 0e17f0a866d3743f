#include <config.h>

#include <string.h>

#include "resume.h"

json_t *
isc_resume_read (FILE *fp)
{
  json_error_t jerr;
  json_t *previous = json_loadf (fp, 0, &jerr);

  if (previous && !json_is_array (json_object_get (previous, "images"))) {
    json_decref (previous);
    return NULL;
  }
  return previous;
}

json_t *
isc_resume_entry (json_t *previous, const char *input)
{
  json_t *entry;
  size_t i;

  json_array_foreach (json_object_get (previous, "images"), i, entry) {
    const char *in = json_string_value (json_object_get (entry, "input"));
    const char *st = json_string_value (json_object_get (entry, "status"));

    if (in && st && strcmp (in, input) == 0 && strcmp (st, "ok") == 0)
      return entry;
  }
  return NULL;
}

const char *
isc_resume_sha256 (json_t *entry, const char *field)
{
  const char *s = json_string_value (json_object_get (entry, field));

  if (!s || strlen (s) != 64 || strspn (s, "0123456789abcdef") != 64)
    return NULL;
  return s;
}
