/* The archive writer: every format reads back with the same bytes,
 * a sparse file stays small in tar, options the format does not take
 * are refused, and an aborted or failed archive leaves nothing. */
#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "archive/archiver.h"
#include "outputs/bundle.h"
#include "util/atomic.h"
#include "unit.h"

#define SPARSE_SIZE (64 << 20)

static char dir[] = "/tmp/test-archiver-XXXXXX";
static volatile sig_atomic_t stop;

/* A 64 MiB file with data at the start, in the middle and at the end. */
static void
make_sparse (const char *path)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  CHECK (fd >= 0);
  CHECK (pwrite (fd, "head", 4, 0) == 4);
  CHECK (pwrite (fd, "middle", 6, 32 << 20) == 6);
  CHECK (pwrite (fd, "tail", 4, SPARSE_SIZE - 4) == 4);
  close (fd);
}

/* Read ARCHIVE back: NAME's content must be as expected. */
static void
check_member (const char *archive, const char *name, const char *sparse)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  int found = 0;

  archive_read_support_format_all (a);
  archive_read_support_filter_all (a);
  CHECK (archive_read_open_filename (a, archive, 65536) == ARCHIVE_OK);
  while (archive_read_next_header (a, &e) == ARCHIVE_OK) {
    if (strcmp (archive_entry_pathname (e), name) != 0)
      continue;
    found = 1;
    if (!sparse) {
      char buf[64] = "";

      CHECK (archive_read_data (a, buf, sizeof buf) == 11);
      CHECK (memcmp (buf, "hello world", 11) == 0);
    }
    else {
      const void *block;
      size_t len;
      la_int64_t off, total = 0;
      int ok_head = 0, ok_mid = 0, ok_tail = 0;

      CHECK (archive_entry_size (e) == SPARSE_SIZE);
      while (archive_read_data_block (a, &block, &len, &off) == ARCHIVE_OK) {
        const char *b = block;

        if (off == 0 && len >= 4 && memcmp (b, "head", 4) == 0)
          ok_head = 1;
        if (off <= (32 << 20) && off + (la_int64_t) len >= (32 << 20) + 6 &&
            memcmp (b + ((32 << 20) - off), "middle", 6) == 0)
          ok_mid = 1;
        if (off + (la_int64_t) len == SPARSE_SIZE &&
            memcmp (b + len - 4, "tail", 4) == 0)
          ok_tail = 1;
        total = off + len;
      }
      CHECK (ok_head && ok_mid && ok_tail);
      CHECK (total == SPARSE_SIZE);
    }
  }
  CHECK (found);
  archive_read_free (a);
}

/* ARCHIVE's only member is NAME. */
static void
check_member_names (const char *archive, const char *name)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  size_t n = 0;

  archive_read_support_format_all (a);
  archive_read_support_filter_all (a);
  CHECK (archive_read_open_filename (a, archive, 65536) == ARCHIVE_OK);
  while (archive_read_next_header (a, &e) == ARCHIVE_OK) {
    n++;
    CHECK_STREQ (archive_entry_pathname (e), name);
  }
  CHECK (n == 1);
  archive_read_free (a);
}

/* The tools users have read the archive too: GNU tar (which finds the
 * compression itself) or unzip. */
static void
check_standard_tool (enum isc_archive_format f, const char *path)
{
  char cmd[512], out[64] = "";
  FILE *p;
  size_t n;

  snprintf (cmd, sizeof cmd, f == ISC_ARCHIVE_ZIP
            ? "unzip -p '%s' greeting.txt 2>&1" : "tar -xOf '%s' greeting.txt 2>&1",
            path);
  p = popen (cmd, "r");
  CHECK (p != NULL);
  if (!p)
    return;
  n = fread (out, 1, sizeof out - 1, p);
  out[n] = '\0';
  CHECK (pclose (p) == 0);
  CHECK_STREQ (out, "hello world");
}

static off_t
file_size (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 ? st.st_size : -1;
}

static size_t
count_dir (void)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  size_t n = 0;

  while (d && (de = readdir (d)))
    n += de->d_name[0] != '.' || de->d_name[1] != '.' ? 1 : 0;
  if (d)
    closedir (d);
  return n - 1;                         /* "." */
}

static void
check_format (enum isc_archive_format f, const char *sparse_path)
{
  struct isc_err err = ISC_ERR_INIT;
  struct isc_archive_opts opts = ISC_ARCHIVE_OPTS_INIT;
  struct isc_archiver *ar;
  char path[256];

  snprintf (path, sizeof path, "%s/out.%s", dir, isc_archive_format_name (f));
  CHECK (isc_archive_format_of_path (path) == f);
  opts.format = f;
  CHECK (isc_archiver_open (&err, path, &opts, &ar) == 0);
  CHECK (isc_archiver_add_buffer (&err, ar, "greeting.txt", "hello world",
                                  11) == 0);
  CHECK (isc_archiver_add_file (&err, ar, "disk.raw", sparse_path) == 0);
  /* Nothing under the final name until the archive is complete. */
  CHECK (access (path, F_OK) == -1);
  CHECK (isc_archiver_commit (&err, ar) == 0);
  check_member (path, "greeting.txt", NULL);
  check_member (path, "disk.raw", "sparse");
  check_standard_tool (f, path);
  /* The holes are not stored: plain tar stays near the data's size,
   * and the compressors squeeze the zeros. */
  CHECK (file_size (path) > 0 && file_size (path) < (1 << 20));
  unlink (path);
  isc_err_clear (&err);
}

static void
check_refusals (void)
{
  struct isc_err err = ISC_ERR_INIT;
  struct isc_archive_opts opts = ISC_ARCHIVE_OPTS_INIT;
  struct isc_archiver *ar = NULL;
  char path[256];
  size_t before = count_dir ();

  snprintf (path, sizeof path, "%s/refused.tar", dir);
  opts.format = ISC_ARCHIVE_TAR;
  opts.level = 9;                       /* tar is not compressed */
  CHECK (isc_archiver_open (&err, path, &opts, &ar) == -1);
  CHECK (strstr (isc_err_msg (&err), "not compressed") != NULL);
  opts.format = ISC_ARCHIVE_TAR_GZ;
  opts.level = -1;
  opts.threads = 4;                     /* gzip has no threads */
  CHECK (isc_archiver_open (&err, path, &opts, &ar) == -1);
  opts.format = ISC_ARCHIVE_TAR_XZ;
  opts.level = 99;
  opts.threads = 0;
  CHECK (isc_archiver_open (&err, path, &opts, &ar) == -1);
  CHECK (strstr (isc_err_msg (&err), "not valid") != NULL);
  CHECK (count_dir () == before);

  /* A file that is not there fails the archive; abort leaves nothing. */
  opts.level = 1;
  CHECK (isc_archiver_open (&err, path, &opts, &ar) == 0);
  CHECK (isc_archiver_add_file (&err, ar, "x", "/nonexistent/file") == -1);
  isc_archiver_abort (ar);
  CHECK (count_dir () == before);
  CHECK (access (path, F_OK) == -1);

  /* A stop request (SIGINT) fails the next write. */
  opts.stop = &stop;
  CHECK (isc_archiver_open (&err, path, &opts, &ar) == 0);
  CHECK (isc_archiver_add_buffer (&err, ar, "a", "a", 1) == 0);
  stop = 1;
  CHECK (isc_archiver_add_buffer (&err, ar, "b", "b", 1) == -1);
  CHECK_STREQ (strrchr (isc_err_msg (&err), ':') + 2, "interrupted");
  isc_archiver_abort (ar);
  CHECK (count_dir () == before);
  isc_err_clear (&err);
}

/* A tar of one member "./etc/passwd", as tar-out of a guest writes it. */
static void
make_tree_tar (const char *path)
{
  struct archive *a = archive_write_new ();
  struct archive_entry *e = archive_entry_new ();

  CHECK (archive_write_set_format_pax_restricted (a) == ARCHIVE_OK);
  CHECK (archive_write_open_filename (a, path) == ARCHIVE_OK);
  archive_entry_set_pathname (e, "./etc/passwd");
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, 5);
  CHECK (archive_write_header (a, e) == ARCHIVE_OK);
  CHECK (archive_write_data (a, "root\n", 5) == 5);
  archive_entry_free (e);
  CHECK (archive_write_close (a) == ARCHIVE_OK);
  archive_write_free (a);
}

/* Issue 22: a member name that climbs out of the extraction folder, or
 * is absolute, or has an empty component, is refused by every writer
 * (buffer, file, a tree under a prefix) in every format, and the
 * archive is not left behind. */
static void
check_unsafe_names (const char *sparse_path)
{
  static const char *const bad[] = {
    "../etc/passwd", "/etc/passwd", "a//b", "a/../b", "a/..", "..", ".",
    "a/./b", "", "a/",
  };
  static const enum isc_archive_format formats[] = {
    ISC_ARCHIVE_TAR, ISC_ARCHIVE_ZIP,
  };
  struct isc_err err = ISC_ERR_INIT;
  struct isc_archive_opts opts = ISC_ARCHIVE_OPTS_INIT;
  struct isc_archiver *ar = NULL;
  char path[256], tree[256];
  size_t i, f, before;
  json_t *lost = json_array ();

  for (i = 0; i < sizeof bad / sizeof bad[0]; ++i)
    CHECK (!isc_archive_member_name_safe (bad[i]));
  CHECK (isc_archive_member_name_safe ("a"));
  CHECK (isc_archive_member_name_safe ("win7/etc/passwd"));
  CHECK (isc_archive_member_name_safe ("...raw/..a/b.."));

  snprintf (tree, sizeof tree, "%s/tree.tar", dir);
  make_tree_tar (tree);
  before = count_dir ();
  for (f = 0; f < sizeof formats / sizeof formats[0]; ++f) {
    opts.format = formats[f];
    snprintf (path, sizeof path, "%s/unsafe.%s", dir,
              isc_archive_format_name (formats[f]));
    for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
      CHECK (isc_archiver_open (&err, path, &opts, &ar) == 0);
      if (isc_archiver_add_buffer (&err, ar, bad[i], "x", 1) != -1) {
        fprintf (stderr, "member '%s' written\n", bad[i]);
        CHECK (0);
      }
      isc_archiver_abort (ar);
    }
    CHECK (isc_archiver_open (&err, path, &opts, &ar) == 0);
    CHECK (isc_archiver_add_file (&err, ar, "../disk.raw", sparse_path) == -1);
    CHECK (strstr (isc_err_msg (&err), "../disk.raw") != NULL);
    isc_archiver_abort (ar);
    /* The tree of an image named "...raw" under the prefix "..". */
    CHECK (isc_archiver_open (&err, path, &opts, &ar) == 0);
    CHECK (isc_archiver_add_archive (&err, ar, tree, "..", lost) == -1);
    CHECK (strstr (isc_err_msg (&err), "../etc/passwd") != NULL);
    isc_archiver_abort (ar);
    CHECK (isc_archiver_open (&err, path, &opts, &ar) == 0);
    CHECK (isc_archiver_add_archive (&err, ar, tree, "win7", lost) == 0);
    CHECK (isc_archiver_commit (&err, ar) == 0);
    check_member_names (path, "win7/etc/passwd");
    unlink (path);
  }
  CHECK (count_dir () == before);
  unlink (tree);
  json_decref (lost);
  isc_err_clear (&err);
}

/* The tree folder of an input: never "", "." or "..". */
static void
check_tree_folders (void)
{
  char *used[3] = { NULL, NULL, NULL };

  used[0] = isc_bundle_tree_folder ("/images/...raw", used, 0);
  CHECK_STREQ (used[0], "image");
  used[1] = isc_bundle_tree_folder ("..raw", used, 1);
  CHECK_STREQ (used[1], "image-2");
  used[2] = isc_bundle_tree_folder ("d/win7.qcow2", used, 2);
  CHECK_STREQ (used[2], "win7");
  free (used[2]);
  used[2] = isc_bundle_tree_folder (".raw", used, 2);
  CHECK_STREQ (used[2], ".raw");
  free (used[2]);
  used[2] = isc_bundle_tree_folder ("....raw", used, 2);
  CHECK_STREQ (used[2], "...");
  free (used[0]);
  free (used[1]);
  free (used[2]);
}

int
main (void)
{
  char sparse[256];

  CHECK (mkdtemp (dir) != NULL);
  snprintf (sparse, sizeof sparse, "%s/.sparse.raw", dir);
  make_sparse (sparse);

  CHECK (isc_archive_format_parse ("tgz") == ISC_ARCHIVE_TAR_GZ);
  CHECK (isc_archive_format_parse ("rar") == ISC_ARCHIVE_UNKNOWN);
  CHECK (isc_archive_format_of_path ("a/b.tar.zst") == ISC_ARCHIVE_TAR_ZST);
  CHECK (isc_archive_format_of_path ("image.raw") == ISC_ARCHIVE_UNKNOWN);
  CHECK (isc_archive_name_representable (ISC_ARCHIVE_TAR, "bad\xff"));
  CHECK (!isc_archive_name_representable (ISC_ARCHIVE_ZIP, "bad\xff"));
  CHECK (isc_archive_name_representable (ISC_ARCHIVE_ZIP, "caf\xc3\xa9"));
  {
    size_t len = 99;
    const char *m;

    /* GNU tar's member names, as tar-out of "/" writes them. */
    CHECK (isc_tar_member_name ("./", &len) == NULL);
    CHECK (isc_tar_member_name (".", &len) == NULL);
    m = isc_tar_member_name ("./etc/ssh/", &len);
    CHECK (m != NULL && len == 7 && strncmp (m, "etc/ssh", len) == 0);
    m = isc_tar_member_name ("./.hidden", &len);
    CHECK (m != NULL && len == 7 && strncmp (m, ".hidden", len) == 0);
    m = isc_tar_member_name ("root/a", &len);
    CHECK (m != NULL && len == 6 && strncmp (m, "root/a", len) == 0);
  }

  check_format (ISC_ARCHIVE_TAR, sparse);
  check_format (ISC_ARCHIVE_TAR_GZ, sparse);
  check_format (ISC_ARCHIVE_TAR_XZ, sparse);
  check_format (ISC_ARCHIVE_TAR_ZST, sparse);
  check_format (ISC_ARCHIVE_ZIP, sparse);
  check_refusals ();
  check_unsafe_names (sparse);
  check_tree_folders ();

  unlink (sparse);
  isc_remove_tree (dir);
  return unit_finish ("test-archiver");
}
