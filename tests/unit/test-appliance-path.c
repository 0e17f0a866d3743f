/* Unit tests for lib/appliance-path.c: the storage rules lose exactly the
 * scsi_id and ata_id rules (continued lines included), and the appliance
 * folder links every stock file, carries the trimmed rules where udev
 * reads them first, is reused while nothing changed, is remade when a
 * stock file changes, and is refused in a folder others can write. */
#include <config.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/appliance-path.h"
#include "util/atomic.h"
#include "unit.h"

static const char rules[] =
  "# a comment naming ata_id stays\n"
  "KERNEL==\"vd*[!0-9]\", ATTRS{serial}==\"?*\", SYMLINK+=\"disk/by-id/virtio-$env{ID_SERIAL}\"\n"
  "KERNEL==\"sd*[!0-9]|sr*\", ENV{ID_SERIAL}!=\"?*\", SUBSYSTEMS==\"scsi\", "
  "ATTRS{vendor}==\"ATA\", IMPORT{program}=\"ata_id --export $devnode\"\n"
  "KERNEL==\"sd*[!0-9]|sr*\", ENV{ID_SERIAL}!=\"?*\", \\\n"
  "  IMPORT{program}=\"scsi_id --export --whitelisted -d $devnode\", ENV{ID_BUS}=\"scsi\"\n"
  "ENV{DEVTYPE}==\"partition\", \\\n"
  "  SYMLINK+=\"disk/by-path/$env{ID_PATH}-part%n\"\n"
  "IMPORT{builtin}=\"blkid\"";

static const char kept[] =
  "# a comment naming ata_id stays\n"
  "KERNEL==\"vd*[!0-9]\", ATTRS{serial}==\"?*\", SYMLINK+=\"disk/by-id/virtio-$env{ID_SERIAL}\"\n"
  "ENV{DEVTYPE}==\"partition\", \\\n"
  "  SYMLINK+=\"disk/by-path/$env{ID_PATH}-part%n\"\n"
  "IMPORT{builtin}=\"blkid\"";

static void
write_file (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  if (fd == -1 || isc_write_all (fd, text, strlen (text)) == -1)
    abort ();
  close (fd);
}

static void
test_trim (void)
{
  char *out = NULL;
  size_t len = 0;

  CHECK (isc_storage_rules_trim (rules, strlen (rules), &out, &len) == 2);
  CHECK_STREQ (out, kept);
  CHECK (len == strlen (kept));
  free (out);
  CHECK (isc_storage_rules_trim (kept, strlen (kept), &out, &len) == 0);
  CHECK_STREQ (out, kept);
  free (out);
  CHECK (isc_storage_rules_trim ("", 0, &out, &len) == 0 && len == 0);
  free (out);
}

/* The rules file inside the tarball at PATH, or NULL. */
static char *
tarball_rules (const char *path)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  char *text = NULL;

  archive_read_support_filter_gzip (a);
  archive_read_support_format_tar (a);
  if (archive_read_open_filename (a, path, 4096) == ARCHIVE_OK)
    while (archive_read_next_header (a, &e) == ARCHIVE_OK)
      if (strcmp (archive_entry_pathname (e),
                  "etc/udev/rules.d/60-persistent-storage.rules") == 0 &&
          archive_entry_filetype (e) == AE_IFREG &&
          (archive_entry_perm (e) & 0777) == 0644) {
        la_int64_t size = archive_entry_size (e);

        text = calloc (1, size + 1);
        if (!text || archive_read_data (a, text, size) != size)
          abort ();
        break;
      }
  archive_read_free (a);
  return text;
}

static void
test_folder (const char *tmp)
{
  struct isc_err err = ISC_ERR_INIT;
  char stock[PATH_MAX], rules_path[PATH_MAX], cache[PATH_MAX];
  char path[PATH_MAX * 2], target[PATH_MAX];
  char *dir = NULL, *again = NULL, *changed = NULL;
  char *text;
  ssize_t n;
  struct stat st;

  snprintf (stock, sizeof stock, "%s/supermin.d", tmp);
  snprintf (rules_path, sizeof rules_path, "%s/60-persistent-storage.rules", tmp);
  snprintf (cache, sizeof cache, "%s/cache", tmp);
  if (mkdir (stock, 0755) == -1 || mkdir (cache, 0755) == -1)
    abort ();
  snprintf (path, sizeof path, "%s/base.tar.gz", stock);
  write_file (path, "base");
  snprintf (path, sizeof path, "%s/packages", stock);
  write_file (path, "udev\n");
  write_file (rules_path, rules);

  CHECK (isc_appliance_path_prepare (&err, stock, rules_path, cache, &dir) == 0);
  CHECK (dir != NULL);
  if (!dir) {
    fprintf (stderr, "  %s\n", isc_err_msg (&err));
    return;
  }
  snprintf (path, sizeof path, "%s/.imgscrub-appliance-%ju", cache,
            (uintmax_t) geteuid ());
  CHECK (strncmp (dir, path, strlen (path)) == 0);
  CHECK (stat (path, &st) == 0 && (st.st_mode & 0777) == 0700);
  snprintf (path, sizeof path, "%s/supermin.d/packages", dir);
  n = readlink (path, target, sizeof target - 1);
  CHECK (n > 0);
  target[n > 0 ? n : 0] = '\0';
  snprintf (path, sizeof path, "%s/packages", stock);
  CHECK_STREQ (target, path);
  snprintf (path, sizeof path, "%s/supermin.d/base.tar.gz", dir);
  CHECK (lstat (path, &st) == 0 && S_ISLNK (st.st_mode));
  snprintf (path, sizeof path, "%s/supermin.d/zz-imgscrub-storage-rules.tar.gz", dir);
  text = tarball_rules (path);
  CHECK_STREQ (text, kept);
  free (text);

  /* Nothing changed: the same folder, not a new one. */
  CHECK (isc_appliance_path_prepare (&err, stock, rules_path, cache, &again) == 0);
  CHECK_STREQ (again, dir);

  /* A stock file changes (a libguestfs upgrade): a new folder. */
  snprintf (path, sizeof path, "%s/packages", stock);
  write_file (path, "udev\nlvm2\n");
  CHECK (isc_appliance_path_prepare (&err, stock, rules_path, cache, &changed) == 0);
  CHECK (changed && strcmp (changed, dir) != 0);
  free (changed);
  changed = NULL;

  /* Rules with nothing to leave out: an error, so the stock appliance
   * boots. */
  write_file (rules_path, kept);
  CHECK (isc_appliance_path_prepare (&err, stock, rules_path, cache, &changed) == -1);
  CHECK (changed == NULL);
  CHECK (strstr (isc_err_msg (&err), "nothing to leave out") != NULL);
  write_file (rules_path, rules);

  /* Our folder writable by others: refused. */
  snprintf (path, sizeof path, "%s/.imgscrub-appliance-%ju", cache,
            (uintmax_t) geteuid ());
  if (chmod (path, 0777) == -1)
    abort ();
  CHECK (isc_appliance_path_prepare (&err, stock, rules_path, cache, &changed) == -1);
  CHECK (changed == NULL);
  CHECK (strstr (isc_err_msg (&err), "writable by no one else") != NULL);
  chmod (path, 0700);

  /* A missing stock folder names itself. */
  snprintf (path, sizeof path, "%s/no-such-supermin.d", tmp);
  CHECK (isc_appliance_path_prepare (&err, path, rules_path, cache, &changed) == -1);
  CHECK (strstr (isc_err_msg (&err), "no-such-supermin.d") != NULL);

  isc_err_clear (&err);
  free (dir);
  free (again);
}

static void
test_choice (void)
{
  struct isc_err err = ISC_ERR_INIT;
  char *dir = (char *) "unset";

  setenv ("IMGSCRUB_APPLIANCE", "stock", 1);
  CHECK (isc_appliance_path_default (&err, &dir) == 0 && dir == NULL);
  setenv ("IMGSCRUB_APPLIANCE", "fast", 1);
  CHECK (isc_appliance_path_default (&err, &dir) == -1 && dir == NULL);
  CHECK (strstr (isc_err_msg (&err), "IMGSCRUB_APPLIANCE") != NULL);
  unsetenv ("IMGSCRUB_APPLIANCE");
  setenv ("LIBGUESTFS_PATH", "/nonexistent/appliance", 1);
  CHECK (isc_appliance_path_default (&err, &dir) == 0 && dir == NULL);
  unsetenv ("LIBGUESTFS_PATH");
  isc_err_clear (&err);
}

/* This host's libguestfs and udev rules, with the cache in TMP. */
static void
test_host (const char *tmp)
{
  struct isc_err err = ISC_ERR_INIT;
  char cache[PATH_MAX];
  char *dir = NULL;

  if (access (ISC_STORAGE_RULES, R_OK) == -1) {
    printf ("test-appliance-path: no %s on this host: the host check is "
            "left out\n", ISC_STORAGE_RULES);
    return;
  }
  snprintf (cache, sizeof cache, "%s/host-cache", tmp);
  if (mkdir (cache, 0755) == -1)
    abort ();
  setenv ("LIBGUESTFS_CACHEDIR", cache, 1);
  CHECK (isc_appliance_path_default (&err, &dir) == 0);
  CHECK (dir && strncmp (dir, cache, strlen (cache)) == 0);
  if (dir) {
    char path[PATH_MAX * 2], *text;

    snprintf (path, sizeof path,
              "%s/supermin.d/zz-imgscrub-storage-rules.tar.gz", dir);
    text = tarball_rules (path);
    CHECK (text && strstr (text, "disk/by-path/") != NULL);
    CHECK (text && strstr (text, "IMPORT{program}=\"scsi_id") == NULL);
    CHECK (text && strstr (text, "IMPORT{program}=\"ata_id") == NULL);
    free (text);
    snprintf (path, sizeof path, "%s/supermin.d/daemon.tar.gz", dir);
    CHECK (access (path, R_OK) == 0);
  }
  else
    fprintf (stderr, "  %s\n", isc_err_msg (&err));
  unsetenv ("LIBGUESTFS_CACHEDIR");
  isc_err_clear (&err);
  free (dir);
}

int
main (void)
{
  char tmp[] = "/tmp/test-appliance-path.XXXXXX";

  if (!mkdtemp (tmp))
    return 99;
  test_trim ();
  test_folder (tmp);
  test_choice ();
  test_host (tmp);
  isc_remove_tree (tmp);
  return unit_finish ("test-appliance-path");
}
