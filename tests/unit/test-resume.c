/* The manifest reader behind `scrub --resume` (lib/outputs/manifest.c): only an
 * "ok" entry for exactly the same input path, with both SHA-256s as
 * imgscrub writes them, counts. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "run/engine.h"
#include "outputs/manifest.h"
#include "unit.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static int
parse (const char *text, struct isc_image *images, size_t n, json_t **ret)
{
  struct isc_err err = ISC_ERR_INIT;
  int r = isc_manifest_parse_previous (&err, text, strlen (text), images, n,
                                       ret);

  isc_err_clear (&err);
  return r;
}

int
main (void)
{
  char a[] = "a.vhd", b[] = "b.vhd", c[] = "c.vhd", d[] = "d.vhd";
  char b2[] = "./b.vhd", empty[] = "";
  struct isc_image images[6] = {
    { .path = a }, { .path = b }, { .path = c }, { .path = d },
    { .path = b2 }, { .path = empty },
  };
  json_t *m = NULL, *e;
  size_t i;

  CHECK (parse ("{\"schema\": 1, \"images\": ["
                "{\"input\": \"a.vhd\", \"status\": \"failed\","
                " \"input_sha256\": \"" SHA_A "\","
                " \"output_sha256\": \"" SHA_B "\"},"
                "{\"input\": \"b.vhd\", \"status\": \"ok\","
                " \"input_sha256\": \"" SHA_A "\","
                " \"output_sha256\": \"" SHA_B "\"},"
                "{\"input\": \"c.vhd\", \"status\": \"ok\","
                " \"input_sha256\": \"" SHA_A "0\","
                " \"output_sha256\": 42},"
                "{\"input\": \"d.vhd\", \"status\": \"ok\","
                " \"input_sha256\": \"0123456789ABCDEF0123456789abcdef"
                "0123456789abcdef0123456789abcdef\","
                " \"output_sha256\": \"" SHA_B "\"},"
                "7, null]}", images, 6, &m) == 0);
  CHECK (m != NULL);
  /* A failed entry is never resumed. */
  CHECK (images[0].resume_input_sha256 == NULL);
  CHECK (isc_manifest_resumed (m, &images[0]) == NULL);
  CHECK_STREQ (images[1].resume_input_sha256, SHA_A);
  CHECK_STREQ (images[1].resume_output_sha256, SHA_B);
  e = isc_manifest_resumed (m, &images[1]);
  CHECK (e != NULL && json_is_true (json_object_get (e, "resumed")));
  json_decref (e);
  /* Too long, not a string, upper case: not a SHA-256 imgscrub wrote. */
  for (i = 2; i < 6; ++i)
    CHECK (images[i].resume_input_sha256 == NULL &&
           images[i].resume_output_sha256 == NULL);
  json_decref (m);

  /* Not a manifest, or another schema version. */
  CHECK (parse ("", images, 0, &m) == -1);
  CHECK (parse ("{\"images\": ", images, 0, &m) == -1);
  CHECK (parse ("[]", images, 0, &m) == -1);
  CHECK (parse ("{\"images\": {}}", images, 0, &m) == -1);
  CHECK (parse ("{\"tool\": \"imgscrub\"}", images, 0, &m) == -1);
  CHECK (parse ("{\"schema\": 2, \"images\": []}", images, 0, &m) == -1);
  return unit_finish ("test-resume");
}
