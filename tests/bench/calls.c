/* tests/bench/calls.sh: the cost of single libguestfs calls, for
 * choosing which ones imgscrub makes per image.  Not part of the
 * build: the script compiles it against the installed libguestfs.
 * Usage: calls IMAGE.qcow2 (an overlay: it is written to). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <guestfs.h>

static double
now (void)
{
  struct timespec t;

  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

#define TIME(name, n, ...) do {                                         \
    double t0_ = now ();                                                \
    for (int i = 0; i < (n); ++i) { __VA_ARGS__; }                      \
    printf ("%-24s %8.2f ms\n", (name), (now () - t0_) * 1000 / (n));   \
  } while (0)

static void
free_strings (char **l)
{
  for (size_t i = 0; l && l[i]; ++i)
    free (l[i]);
  free (l);
}

int
main (int argc, char **argv)
{
  guestfs_h *g = guestfs_create ();
  char path[64];
  size_t len;

  if (argc != 2 || !g)
    return 2;
  if (guestfs_add_drive_opts (g, argv[1], GUESTFS_ADD_DRIVE_OPTS_FORMAT,
                              "qcow2", -1) == -1 ||
      guestfs_launch (g) == -1 || guestfs_mount (g, "/dev/sda1", "/") == -1)
    return 1;
  guestfs_set_error_handler (g, NULL, NULL);
  TIME ("lstatns", 100, guestfs_free_statns (guestfs_lstatns (g, "/etc/fstab")));
  TIME ("lstatns (absent)", 100, guestfs_free_statns (guestfs_lstatns (g, "/etc/nope")));
  TIME ("pread 4 KiB", 100, free (guestfs_pread (g, "/etc/fstab", 4096, 0, &len)));
  TIME ("readdir /etc", 50, guestfs_free_dirent_list (guestfs_readdir (g, "/etc")));
  TIME ("ls0 /etc", 50, guestfs_ls0 (g, "/etc", "/dev/null"));
  TIME ("is_dir", 50, guestfs_is_dir (g, "/etc"));
  TIME ("realpath", 50, free (guestfs_realpath (g, "/etc")));
  TIME ("case_sensitive_path", 50, free (guestfs_case_sensitive_path (g, "/ETC/FSTAB")));
  TIME ("readlink", 20, free (guestfs_readlink (g, "/etc/fstab")));
  TIME ("statvfs", 20, guestfs_free_statvfs (guestfs_statvfs (g, "/")));
  TIME ("read_file", 10, free (guestfs_read_file (g, "/etc/fstab", &len)));
  TIME ("head_n", 10, free_strings (guestfs_head_n (g, 1, "/etc/fstab")));
  TIME ("download", 10, guestfs_download (g, "/etc/fstab", "/dev/null"));
  TIME ("find0 /etc", 10, guestfs_find0 (g, "/etc", "/dev/null"));
  TIME ("file_architecture", 5, free (guestfs_file_architecture (g, "/etc/fstab")));
  TIME ("write + rm", 20, {
      snprintf (path, sizeof path, "/tmp/bench-%d", i);
      guestfs_write (g, path, "x\n", 2); guestfs_rm (g, path); });
  TIME ("mkdir + rm_rf", 10, {
      snprintf (path, sizeof path, "/tmp/bench-d%d", i);
      guestfs_mkdir (g, path); guestfs_rm_rf (g, path); });
  TIME ("mkdir + rmdir", 20, {
      snprintf (path, sizeof path, "/tmp/bench-e%d", i);
      guestfs_mkdir (g, path); guestfs_rmdir (g, path); });
  TIME ("sync (one disk)", 5, guestfs_sync (g));
  TIME ("umount_all + mount", 5, {
      guestfs_umount_all (g); guestfs_mount (g, "/dev/sda1", "/"); });
  guestfs_close (g);
  return 0;
}
