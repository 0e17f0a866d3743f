/* What `imgscrub audit` compares: file contents as identity values, and
 * SSH host key fingerprints exactly as ssh-keygen -l prints them. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "unit.h"

static void
check_content (const char *in, size_t len, const char *expected)
{
  char *out = isc_audit_content_value (in, len);

  CHECK_STREQ (out, expected);
  free (out);
}

static void
check_fingerprint (const char *pub, const char *expected)
{
  struct isc_err err = ISC_ERR_INIT;
  char *fp = NULL;

  if (isc_ssh_fingerprint (&err, pub, strlen (pub), &fp) == -1)
    fprintf (stderr, "%s\n", isc_err_msg (&err));
  CHECK_STREQ (fp, expected);
  free (fp);
  isc_err_clear (&err);
}

static void
check_not_a_key (const char *pub)
{
  struct isc_err err = ISC_ERR_INIT;
  char *fp = NULL;

  CHECK (isc_ssh_fingerprint (&err, pub, strlen (pub), &fp) == -1);
  CHECK (fp == NULL);
  CHECK (strstr (isc_err_msg (&err), "not an OpenSSH public key") != NULL);
  isc_err_clear (&err);
}

int
main (void)
{
  char big[ISC_AUDIT_MAX_TEXT + 2];

  /* Short printable text: trimmed, line breaks inside kept. */
  check_content ("5b3f0c1e2d4a49f8a7b6c5d4e3f2a1b0\n", 33,
                 "5b3f0c1e2d4a49f8a7b6c5d4e3f2a1b0");
  check_content ("  [A]\r\nid=1\r\n", 13, "[A]\r\nid=1");
  check_content ("caf\xc3\xa9", 5, "caf\xc3\xa9");
  check_content ("", 0, "");
  check_content (" \n\t", 3, "");
  /* Binary, escapes or invalid UTF-8: the SHA-256 of every byte. */
  check_content ("abc\0", 4,
                 "sha256:dc1114cd074914bd872cc1f9a23ec910ea2203bc79779ab2e17da25782a624fc");
  check_content ("\x1b[2J", 4,
                 "sha256:05704e8a84c06017af3105c9536c4f0a8396a079988a10374146d7f747e3b705");
  check_content ("\xff\xfe", 2,
                 "sha256:b3d510ef04275ca8e698e5b3cbb0ece3949ef9252f0cdc839e9ee347409a2209");
  /* Too long to keep as text. */
  memset (big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  {
    char *v = isc_audit_content_value (big, sizeof big - 1);

    CHECK (v && strncmp (v, "sha256:", 7) == 0 && strlen (v) == 7 + 64);
    free (v);
  }
  big[ISC_AUDIT_MAX_TEXT] = '\0';
  {
    char *v = isc_audit_content_value (big, ISC_AUDIT_MAX_TEXT);

    CHECK (v && strlen (v) == ISC_AUDIT_MAX_TEXT);
    free (v);
  }

  /* Fingerprints from ssh-keygen -lf on the same files. */
  check_fingerprint ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN95C34Hd2TA0o5aPFiukuCrFUKsyE6S6NZG5pwuHWMY root@test\n",
                     "SHA256:Gh94282zLABMoIxI3hzEgrwfsm9UuhhCnrjaMV7YrHY");
  check_fingerprint ("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBAb/wclbkebuFZq/UxzyJ11bkAXAyQDS5cDEV8NEsVPe6u/SW8A3YqsyqA/YfFr99sKglCG0/GWS8v8cKWt5pjs= \n",
                     "SHA256:TQnmg5EzSddWrHQcJUD99/ozbp3tO0B+q5/IqKMMfeE");
  /* Without a comment or final newline, with leading white space. */
  check_fingerprint ("  ssh-ed25519\tAAAAC3NzaC1lZDI1NTE5AAAAIN95C34Hd2TA0o5aPFiukuCrFUKsyE6S6NZG5pwuHWMY",
                     "SHA256:Gh94282zLABMoIxI3hzEgrwfsm9UuhhCnrjaMV7YrHY");
  check_not_a_key ("");
  check_not_a_key ("ssh-ed25519\n");
  check_not_a_key ("ssh-ed25519 AAAA!!!! x\n");
  /* The blob's own type must be the file's first word. */
  check_not_a_key ("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIN95C34Hd2TA0o5aPFiukuCrFUKsyE6S6NZG5pwuHWMY\n");
  /* A blob claiming a longer type name than it holds. */
  check_not_a_key ("ssh-ed25519 AAAA/3Nz\n");
  return unit_finish ("test-audit");
}
