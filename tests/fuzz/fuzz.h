/* imgscrub libFuzzer harnesses: helpers shared by tests/fuzz/fuzz-*.c
 * (header only, so a harness is one source file).
 *
 * A harness checks what the library promises, not only that it does not
 * crash: FUZZ_ASSERT aborts, which libFuzzer reports as a crash and
 * saves the input. */
#ifndef ISC_FUZZ_H
#define ISC_FUZZ_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/escape.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

#define FUZZ_ASSERT(cond) do {                                          \
    if (!(cond)) {                                                      \
      fprintf (stderr, "%s:%d: assertion failed: %s\n", __FILE__,       \
               __LINE__, #cond);                                        \
      abort ();                                                         \
    }                                                                   \
  } while (0)

/* A NUL-terminated copy of DATA (SIZE bytes), cut at its first NUL. */
static inline char *
fuzz_string (const uint8_t *data, size_t size)
{
  char *s = malloc (size + 1);

  if (!s)
    abort ();
  memcpy (s, data, size);
  s[size] = '\0';
  return s;
}

/* S is what isc_escape promises: no byte below 0x20, no DEL. */
static inline int
fuzz_is_printable (const char *s)
{
  for (; *s; ++s)
    if ((unsigned char) *s < 0x20 || (unsigned char) *s == 0x7f)
      return 0;
  return 1;
}

/* MSG is one non-empty message with nothing a terminal would obey. */
static inline void
fuzz_check_message (const char *msg)
{
  FUZZ_ASSERT (msg && msg[0]);
  if (!fuzz_is_printable (msg)) {
    char *e = isc_escape (msg);

    fprintf (stderr, "unescaped byte in the message: %s\n", e);
    free (e);
    abort ();
  }
}

/* The harness's private folder in $TMPDIR (else /dev/shm or /tmp),
 * created once and removed at exit with the files FILES names (a crash
 * leaves it: tests/fuzz/run.sh points TMPDIR at its own work folder). */
static char fuzz_dir[4096];
static const char *const *fuzz_dir_files;

static void
fuzz_dir_remove (void)
{
  char path[4096 + 256];
  size_t i;

  for (i = 0; fuzz_dir_files && fuzz_dir_files[i]; ++i) {
    snprintf (path, sizeof path, "%s/%s", fuzz_dir, fuzz_dir_files[i]);
    unlink (path);
    rmdir (path);
  }
  rmdir (fuzz_dir);
}

static inline const char *
fuzz_private_dir (const char *const *files)
{
  if (!fuzz_dir[0]) {
    const char *tmp = getenv ("TMPDIR");

    if (!tmp || !*tmp)
      tmp = access ("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

    snprintf (fuzz_dir, sizeof fuzz_dir, "%s/imgscrub-fuzz-XXXXXX", tmp);
    if (!mkdtemp (fuzz_dir)) {
      perror (fuzz_dir);
      abort ();
    }
    fuzz_dir_files = files;
    atexit (fuzz_dir_remove);
  }
  return fuzz_dir;
}

/* Replace the file PATH with DATA. */
static inline void
fuzz_write_file (const char *path, const void *data, size_t size)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  if (fd == -1 || (size && pwrite (fd, data, size, 0) != (ssize_t) size)) {
    perror (path);
    abort ();
  }
  close (fd);
}

#endif
