/* imgscrub: read a guest's machine identities, for `imgscrub audit`.
 * Runs inside the appliance worker on a guest mounted read-only. */
#ifndef ISC_AUDIT_H
#define ISC_AUDIT_H

#include <stddef.h>

#include <jansson.h>

#include "util/error.h"
#include "guest/guest.h"

struct isc_profile;

/* Guest data is hostile: what one guest may make us read. */
#define ISC_AUDIT_MAX_FILE (64 * 1024)  /* bytes read of a file; larger
                                           ones are hashed in the guest */
#define ISC_AUDIT_MAX_TEXT 1024         /* longest value kept as text */
#define ISC_AUDIT_MAX_VALUES 4096       /* identity entries per guest */
#define ISC_AUDIT_MAX_LISTING 10000     /* entries of /etc/ssh looked at */
#define ISC_AUDIT_MAX_HOST_KEYS 64
#define ISC_AUDIT_MAX_MOUNTS 64

/* Append to IDENTITIES (a JSON array) one object per identity value
 * found in the guest GU (mounted read-only at "/", gu->dry_run set):
 *   {"identity": NAME, "source": "FILE:LINE" or "built-in",
 *    "where": "HKLM\\...\\Value" or "/etc/machine-id",
 *    "value": TEXT}
 * NAME is the identity section's title for those declared in PROFILES
 * (includes first; the same NAME at the same place is listed once),
 * whose os matches the guest.  Then the built-in ones every audit reads,
 * unless a declared identity already names the same place:
 *   "computer-name"    SYSTEM\CurrentControlSet\Control\ComputerName\
 *                      ComputerName ComputerName; Linux /etc/hostname
 *   "machine-id"       Linux /etc/machine-id
 *   "sccm-client-id"   the "SMS Unique Identifier" line of
 *                      %WINDIR%\SMSCFG.ini (Configuration Manager)
 *   "ssh-host-key"     /etc/ssh/ssh_host_*_key.pub (Windows:
 *                      %ProgramData%\ssh), "SHA256:..." as ssh-keygen -l
 *   "filesystem-uuid"  of each mounted filesystem; "where" is its
 *                      mount point
 * Registry values: strings as UTF-8 (multi-strings joined with "\n"),
 * DWORD and QWORD in decimal, other types in hex.  Files: see
 * isc_audit_content_value.  A value longer than ISC_AUDIT_MAX_TEXT
 * becomes "sha256:HEX".  An empty value ("") is listed: an emptied
 * machine-id is still a place, not an identity.
 *
 * An identity that is absent (no key, no value, no file; a symbolic
 * link, never followed; not a regular file) is simply not listed.  One
 * that could not be read is listed with "error": MESSAGE instead of
 * "value".  Every string is stored with isc_json_string.
 * Returns -1 (gu->err set) only when the guest cannot be read at all. */
int isc_audit_guest (struct isc_guest *gu,
                     struct isc_profile *const *profiles, size_t n_profiles,
                     json_t *identities);

/* The identity value of a file's content BUF (LEN bytes): the content
 * without leading and trailing white space when that is at most
 * ISC_AUDIT_MAX_TEXT bytes of printable UTF-8 (tabs and line breaks
 * allowed), else "sha256:" and the hex SHA-256 of all LEN bytes.  The
 * caller frees the result; NULL on out of memory. */
char *isc_audit_content_value (const void *buf, size_t len);

/* The fingerprint of an OpenSSH public key file's content TEXT (LEN
 * bytes, "TYPE BASE64 [COMMENT]") as `ssh-keygen -l` prints it:
 * "SHA256:" and the unpadded base64 of the SHA-256 of the decoded key.
 * The caller frees *RET. */
int isc_ssh_fingerprint (struct isc_err *err, const char *text, size_t len,
                         char **ret);

#endif
