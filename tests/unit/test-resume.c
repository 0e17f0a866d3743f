/* The manifest reader behind `scrub --resume`: only an "ok" entry for
 * exactly the same input path counts, and only SHA-256s that look like
 * the ones imgscrub writes. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "resume.h"
#include "unit.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static json_t *
read_text (const char *text)
{
  FILE *fp = fmemopen ((void *) text, strlen (text), "r");
  json_t *j;

  if (!fp)
    return NULL;
  j = isc_resume_read (fp);
  fclose (fp);
  return j;
}

int
main (void)
{
  json_t *m, *e;

  m = read_text ("{\"images\": ["
                 "{\"input\": \"a.vhd\", \"status\": \"failed\"},"
                 "{\"input\": \"b.vhd\", \"status\": \"ok\","
                 " \"input_sha256\": \"" SHA_A "\","
                 " \"output_sha256\": \"" SHA_B "\"},"
                 "{\"input\": \"c.vhd\", \"status\": \"ok\","
                 " \"input_sha256\": \"" SHA_A "0\","
                 " \"output_sha256\": 42},"
                 "{\"input\": \"d.vhd\", \"status\": \"ok\","
                 " \"input_sha256\": \"0123456789ABCDEF0123456789abcdef"
                 "0123456789abcdef0123456789abcdef\"},"
                 "{\"input\": \"a.vhd\", \"status\": \"ok\"},"
                 "7, null]}");
  CHECK (m != NULL);
  /* The first ok entry for the path, not the failed one before it. */
  e = isc_resume_entry (m, "a.vhd");
  CHECK (e != NULL);
  CHECK_STREQ (json_string_value (json_object_get (e, "status")), "ok");
  CHECK (isc_resume_sha256 (e, "input_sha256") == NULL);
  e = isc_resume_entry (m, "b.vhd");
  CHECK_STREQ (isc_resume_sha256 (e, "input_sha256"), SHA_A);
  CHECK_STREQ (isc_resume_sha256 (e, "output_sha256"), SHA_B);
  /* Too long, not a string, upper case: not a SHA-256 imgscrub wrote. */
  e = isc_resume_entry (m, "c.vhd");
  CHECK (e != NULL);
  CHECK (isc_resume_sha256 (e, "input_sha256") == NULL);
  CHECK (isc_resume_sha256 (e, "output_sha256") == NULL);
  CHECK (isc_resume_sha256 (isc_resume_entry (m, "d.vhd"), "input_sha256")
         == NULL);
  /* Exactly the path as given. */
  CHECK (isc_resume_entry (m, "./b.vhd") == NULL);
  CHECK (isc_resume_entry (m, "b.vh") == NULL);
  CHECK (isc_resume_entry (m, "") == NULL);
  json_decref (m);

  /* Not a manifest. */
  CHECK (read_text ("") == NULL);
  CHECK (read_text ("{\"images\": ") == NULL);
  CHECK (read_text ("[]") == NULL);
  CHECK (read_text ("{\"images\": {}}") == NULL);
  CHECK (read_text ("{\"tool\": \"imgscrub\"}") == NULL);
  return unit_finish ("test-resume");
}
