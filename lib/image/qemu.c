/* imgscrub: run qemu-img without a shell, with explicit formats, under
 * a wall-clock timeout and resource limits.
 *
 * The child gets its own process group so a timeout kills everything
 * it started, /dev/null as standard input, and pipes for its output,
 * which are read with poll() so neither a silent nor a chatty qemu-img
 * can block us.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <jansson.h>

#include "util/cleanups.h"
#include "util/error.h"
#include "util/escape.h"
#include "image/qemu.h"

#define STDOUT_MAX (1024 * 1024)
#define STDERR_MAX (64 * 1024)
#define READ_CHUNK 4096
#define MAX_ARGS 64
/* qemu-img needs well under 1 GiB; the margin is for thread stacks and
 * malloc arenas, which reserve address space they never touch. */
#define AS_LIMIT_QUICK ((rlim_t) 4 << 30)
#define AS_LIMIT_CONVERT ((rlim_t) 16 << 30)

struct run_limits {
  rlim_t address_space;
  bool no_write;                /* RLIMIT_FSIZE 0: must not write files */
};

static const struct run_limits limits_info = { AS_LIMIT_QUICK, true };
static const struct run_limits limits_create = { AS_LIMIT_QUICK, false };
static const struct run_limits limits_convert = { AS_LIMIT_CONVERT, false };

static void
set_limit (int resource, rlim_t soft, rlim_t hard)
{
  struct rlimit rl = { soft, hard };

  setrlimit (resource, &rl);
}

/* In the child: only async-signal-safe calls until execv. */
static void __attribute__((noreturn))
exec_child (char *const *argv, int out_fd, int err_fd, int status_fd,
            const struct run_limits *lim, unsigned timeout_secs,
            pid_t parent, int max_fd)
{
  struct sigaction sa;
  sigset_t none;
  int sig, fd, e;

  setpgid (0, 0);
#ifdef __linux__
  /* Do not outlive an imgscrub killed in the middle of a convert. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (127);
#else
  (void) parent;
#endif
  /* Ignored signals stay ignored across exec; start qemu-img clean. */
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  for (sig = 1; sig < NSIG; ++sig)
    sigaction (sig, &sa, NULL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);

  /* Out of the way of 0, 1 and 2 before those are replaced. */
  out_fd = fcntl (out_fd, F_DUPFD_CLOEXEC, 3);
  err_fd = fcntl (err_fd, F_DUPFD_CLOEXEC, 3);
  status_fd = fcntl (status_fd, F_DUPFD_CLOEXEC, 3);
  fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out_fd == -1 || err_fd == -1 || status_fd == -1 || fd == -1 ||
      dup2 (fd, 0) == -1 || dup2 (out_fd, 1) == -1 || dup2 (err_fd, 2) == -1)
    goto fail;
  /* Nothing else of ours reaches qemu-img. */
#ifdef CLOSE_RANGE_CLOEXEC
  if (close_range (3, ~0U, CLOSE_RANGE_CLOEXEC) == -1)
#endif
    for (fd = 3; fd < max_fd; ++fd)
      fcntl (fd, F_SETFD, FD_CLOEXEC);

  set_limit (RLIMIT_CORE, 0, 0);
  set_limit (RLIMIT_AS, lim->address_space, lim->address_space);
  if (timeout_secs > 0)
    set_limit (RLIMIT_CPU, timeout_secs, timeout_secs + 5);
  if (lim->no_write)
    set_limit (RLIMIT_FSIZE, 0, 0);

  execv (QEMU_IMG, argv);
 fail:
  e = errno;
  if (write (status_fd, &e, sizeof e) == -1)
    _exit (127);
  _exit (127);
}

static uint64_t
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static void
kill_and_reap (pid_t pid, int *ret_status)
{
  int status;

  killpg (pid, SIGKILL);
  kill (pid, SIGKILL);          /* in case it had not set its group yet */
  while (waitpid (pid, &status, 0) == -1 && errno == EINTR)
    ;
  if (ret_status)
    *ret_status = status;
}

struct buffer {
  char *data;
  size_t len;
  size_t max;
  bool keep_tail;               /* on overflow keep the end, not refuse */
  bool overflow;
};

/* Read what FD has.  Returns 0 at end of file, 1 otherwise, -1 on an
 * error (errno set). */
static int
drain (int fd, struct buffer *b)
{
  char chunk[READ_CHUNK];
  size_t n;
  ssize_t r;

  do
    r = read (fd, chunk, sizeof chunk);
  while (r == -1 && errno == EINTR);
  if (r <= 0)
    return (int) r;
  n = (size_t) r;
  if (!b->data) {
    b->data = malloc (b->max + 1);
    if (!b->data) {
      errno = ENOMEM;
      return -1;
    }
  }
  if (b->len + n > b->max) {
    size_t drop;

    if (!b->keep_tail) {
      b->overflow = true;
      return 1;
    }
    /* The end says what went wrong; READ_CHUNK < max, so the chunk
     * always fits once the oldest bytes are dropped. */
    drop = b->len + n - b->max;
    memmove (b->data, b->data + drop, b->len - drop);
    b->len -= drop;
  }
  memcpy (b->data + b->len, chunk, n);
  b->len += n;
  return 1;
}

/* The last line of qemu-img's standard error (two when the last one
 * continues the line before), without its "qemu-img: " prefix,
 * escaped; caller frees.  NULL when it printed nothing. */
static char *
stderr_summary (const char *buf, size_t len)
{
  static const char prefix[] = "qemu-img: ";
  const size_t prefix_len = sizeof prefix - 1;
  size_t end = len, start, lines = 0;
  CLEANUP_FREE char *text = NULL;
  char *out;
  size_t i, n = 0;

  if (!buf)
    return NULL;
  while (end > 0 && (buf[end - 1] == '\n' || buf[end - 1] == '\r' ||
                     buf[end - 1] == ' '))
    --end;
  if (end == 0)
    return NULL;
  start = end;
  for (;;) {
    while (start > 0 && buf[start - 1] != '\n')
      --start;
    ++lines;
    if (lines == 2 || start == 0 ||
        (end - start >= prefix_len &&
         memcmp (buf + start, prefix, prefix_len) == 0))
      break;
    --start;                    /* onto the previous line's newline */
  }
  text = malloc (end - start + 1);
  if (!text)
    return NULL;
  for (i = start; i < end; ) {
    if ((i == start || buf[i - 1] == '\n') && end - i >= prefix_len &&
        memcmp (buf + i, prefix, prefix_len) == 0) {
      i += prefix_len;
      continue;
    }
    if (buf[i] == '\n') {
      text[n++] = ' ';
      ++i;
      continue;
    }
    text[n++] = buf[i++];
  }
  out = isc_escape_n (text, n);
  return out;
}

static const char *
signal_note (int sig)
{
  switch (sig) {
  case SIGXCPU: return " (CPU time limit)";
  case SIGXFSZ: return " (it tried to write a file)";
  case SIGKILL: return " (killed)";
  case SIGSEGV: return " (crashed)";
  default: return "";
  }
}

static int
run (struct isc_err *err, const char *subject, const char *const *argv,
     unsigned timeout_secs, const struct run_limits *lim, char **ret_stdout)
{
  const char *what = argv[0] && argv[1] ? argv[1] : "";
  char *args[MAX_ARGS + 1];
  int out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
  int status_pipe[2] = { -1, -1 };
  struct buffer out = { .max = STDOUT_MAX };
  struct buffer errb = { .max = STDERR_MAX, .keep_tail = true };
  const uint64_t deadline = now_ms () + (uint64_t) timeout_secs * 1000;
  const pid_t parent = getpid ();
  long open_max = sysconf (_SC_OPEN_MAX);
  pid_t pid = -1;
  bool reaped = false, timed_out = false;
  int status = 0, child_errno = 0, r = -1;
  size_t i;
  ssize_t n;

  args[0] = (char *) QEMU_IMG;
  for (i = 1; argv[0] && argv[i]; ++i) {
    if (i >= MAX_ARGS)
      return isc_error (err, subject, "too many qemu-img arguments");
    args[i] = (char *) argv[i];
  }
  args[i] = NULL;
  if (open_max < 0 || open_max > 65536)
    open_max = 65536;

  if (pipe2 (out_pipe, O_CLOEXEC) == -1 || pipe2 (err_pipe, O_CLOEXEC) == -1 ||
      pipe2 (status_pipe, O_CLOEXEC) == -1) {
    isc_error_errno (err, subject, "pipe");
    goto out;
  }
  pid = fork ();
  if (pid == -1) {
    isc_error_errno (err, subject, "fork");
    goto out;
  }
  if (pid == 0)
    exec_child (args, out_pipe[1], err_pipe[1], status_pipe[1], lim,
                timeout_secs, parent, (int) open_max);
  setpgid (pid, pid);           /* either of us may get there first */
  close (out_pipe[1]);
  close (err_pipe[1]);
  close (status_pipe[1]);
  out_pipe[1] = err_pipe[1] = status_pipe[1] = -1;

  /* Closed by a successful exec, or carries the errno of a failed one. */
  do
    n = read (status_pipe[0], &child_errno, sizeof child_errno);
  while (n == -1 && errno == EINTR);
  if (n == (ssize_t) sizeof child_errno) {
    kill_and_reap (pid, NULL);
    reaped = true;
    errno = child_errno;
    isc_error_errno (err, subject, "cannot run %s", QEMU_IMG);
    goto out;
  }

  while (out_pipe[0] >= 0 || err_pipe[0] >= 0) {
    struct {
      int *fd;
      struct buffer *buf;
    } streams[2] = { { &out_pipe[0], &out }, { &err_pipe[0], &errb } };
    struct pollfd fds[2];
    int wait_ms = -1;
    size_t k;

    if (timeout_secs > 0) {
      const uint64_t t = now_ms ();

      if (t >= deadline) {
        timed_out = true;
        break;
      }
      wait_ms = (int) (deadline - t);
    }
    /* A closed stream has fd -1, which poll ignores. */
    for (k = 0; k < 2; ++k)
      fds[k] = (struct pollfd) { .fd = *streams[k].fd, .events = POLLIN };
    if (poll (fds, 2, wait_ms) == -1) {
      if (errno == EINTR)
        continue;
      isc_error_errno (err, subject, "poll");
      goto out;
    }
    for (k = 0; k < 2; ++k) {
      int d;

      if (fds[k].fd < 0 || !fds[k].revents)
        continue;
      d = drain (fds[k].fd, streams[k].buf);
      if (d == -1) {
        isc_error_errno (err, subject, "reading qemu-img output");
        goto out;
      }
      if (d == 0) {
        close (*streams[k].fd);
        *streams[k].fd = -1;
      }
    }
    if (out.overflow) {
      isc_error (err, subject, "qemu-img %s printed more than %d KiB",
                 what, STDOUT_MAX / 1024);
      goto out;
    }
  }

  /* Both pipes are closed; the process may still be running. */
  while (!timed_out) {
    pid_t w = waitpid (pid, &status, timeout_secs > 0 ? WNOHANG : 0);

    if (w == pid) {
      reaped = true;
      break;
    }
    if (w == -1 && errno != EINTR) {
      isc_error_errno (err, subject, "waitpid");
      goto out;
    }
    if (w == 0) {
      if (now_ms () >= deadline)
        timed_out = true;
      else
        poll (NULL, 0, 10);
    }
  }
  if (timed_out) {
    kill_and_reap (pid, NULL);
    reaped = true;
    isc_error (err, subject, "qemu-img %s timed out after %u s", what,
               timeout_secs);
    goto out;
  }

  if (WIFSIGNALED (status)) {
    isc_error (err, subject, "qemu-img %s was killed by signal %d%s", what,
               WTERMSIG (status), signal_note (WTERMSIG (status)));
    goto out;
  }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    CLEANUP_FREE char *summary = stderr_summary (errb.data, errb.len);

    if (summary)
      isc_error (err, subject, "qemu-img %s failed: %s", what, summary);
    else
      isc_error (err, subject, "qemu-img %s failed with exit status %d",
                 what, WIFEXITED (status) ? WEXITSTATUS (status) : -1);
    goto out;
  }
  if (ret_stdout) {
    if (!out.data) {
      out.data = malloc (1);
      if (!out.data) {
        isc_error_oom (err, subject);
        goto out;
      }
    }
    out.data[out.len] = '\0';
    *ret_stdout = out.data;
    out.data = NULL;
  }
  r = 0;

 out:
  if (pid > 0 && !reaped)
    kill_and_reap (pid, NULL);
  for (i = 0; i < 2; ++i) {
    if (out_pipe[i] >= 0)
      close (out_pipe[i]);
    if (err_pipe[i] >= 0)
      close (err_pipe[i]);
    if (status_pipe[i] >= 0)
      close (status_pipe[i]);
  }
  free (out.data);
  free (errb.data);
  return r;
}

int
isc_qemu_img_run (struct isc_err *err, const char *subject,
                  const char *const *argv, unsigned timeout_secs,
                  char **ret_stdout)
{
  const bool info = argv[0] && argv[1] && strcmp (argv[1], "info") == 0;

  return run (err, subject, argv, timeout_secs,
              info ? &limits_info : &limits_create, ret_stdout);
}

/* PATH as a qemu file name: "./" in front of a relative one, so that
 * neither "json:{...}" nor "proto:..." is taken for anything but a
 * file.  Caller frees. */
static char *
qemu_file_name (const char *path)
{
  char *s;

  if (path[0] == '/')
    return strdup (path);
  if (asprintf (&s, "./%s", path) == -1)
    return NULL;
  return s;
}

/* A key in qemu-img's JSON that means another file would be opened;
 * searched at any depth (qcow2 reports its data file inside
 * "format-specific"). */
static const char *
find_reference (json_t *j, int depth, json_t **ret_value)
{
  static const char *const keys[] = {
    "backing-filename", "full-backing-filename", "backing-image",
    "data-file", NULL,
  };
  const char *found;
  json_t *v;
  size_t i;

  if (depth > 16)
    return NULL;
  if (json_is_object (j)) {
    const char *key;

    for (i = 0; keys[i]; ++i)
      if ((v = json_object_get (j, keys[i])) != NULL) {
        *ret_value = v;
        return keys[i];
      }
    json_object_foreach (j, key, v)
      if ((found = find_reference (v, depth + 1, ret_value)) != NULL)
        return found;
  }
  else if (json_is_array (j)) {
    json_array_foreach (j, i, v)
      if ((found = find_reference (v, depth + 1, ret_value)) != NULL)
        return found;
  }
  return NULL;
}

int
isc_qemu_img_info (struct isc_err *err, const char *path,
                   const char *fmt, uint64_t *ret_virtual_size)
{
  return isc_qemu_img_info_as (err, path, path, fmt, ret_virtual_size);
}

int
isc_qemu_img_info_as (struct isc_err *err, const char *path,
                      const char *file_name, const char *fmt,
                      uint64_t *ret_virtual_size)
{
  CLEANUP_FREE char *file = NULL;
  CLEANUP_FREE char *out = NULL;
  CLEANUP_JSON json_t *root = NULL;
  json_error_t jerr;
  json_t *v, *ref = NULL;
  const char *key, *reported;
  const char *argv[] = {
    "qemu-img", "info", "--output=json", "-f", fmt, "--",
    NULL, NULL,
  };

  if (!fmt)
    return isc_error (err, path, "qemu-img info needs an explicit format");
  file = qemu_file_name (file_name);
  if (!file)
    return isc_error_oom (err, path);
  argv[6] = file;
  if (isc_qemu_img_run (err, path, argv, ISC_QEMU_IMG_QUICK_TIMEOUT,
                        &out) == -1)
    return -1;
  root = json_loads (out, JSON_REJECT_DUPLICATES, &jerr);
  if (!root || !json_is_object (root))
    return isc_error (err, path, "cannot parse qemu-img info output: %s",
                      root ? "not an object" : jerr.text);
  key = find_reference (root, 0, &ref);
  if (key) {
    CLEANUP_FREE char *name =
      isc_escape (json_is_string (ref) ? json_string_value (ref) : "?");

    if (strcmp (key, "data-file") == 0)
      return isc_error (err, path,
                        "refusing image with an external data file ('%s'): "
                        "qemu would open that file", name);
    return isc_error (err, path,
                      "refusing image with a backing file ('%s'): qemu "
                      "would open that file", name);
  }
  reported = json_string_value (json_object_get (root, "format"));
  if (reported && strcmp (reported, fmt) != 0)
    return isc_error (err, path, "qemu-img info opened the image as %s, "
                      "not %s", reported, fmt);
  v = json_object_get (root, "virtual-size");
  if (!json_is_integer (v) || json_integer_value (v) < 0)
    return isc_error (err, path, "qemu-img info reported no virtual size");
  *ret_virtual_size = (uint64_t) json_integer_value (v);
  return 0;
}

int
isc_qemu_img_create_overlay (struct isc_err *err, const char *overlay,
                             const char *backing,
                             const char *backing_fmt)
{
  return isc_qemu_img_create_overlay_sized (err, overlay, backing,
                                            backing_fmt, 0);
}

int
isc_qemu_img_create_overlay_sized (struct isc_err *err, const char *overlay,
                                   const char *backing,
                                   const char *backing_fmt, uint64_t size)
{
  CLEANUP_FREE char *file = NULL;
  char size_arg[24];
  const char *argv[] = {
    "qemu-img", "create", "-q", "-f", "qcow2",
    "-F", backing_fmt, "-b", backing, "--", NULL, NULL, NULL,
  };

  if (!backing || backing[0] != '/')
    return isc_error (err, backing,
                      "backing file of an overlay must be an absolute path");
  if (!backing_fmt)
    return isc_error (err, backing, "backing file format unknown");
  file = qemu_file_name (overlay);
  if (!file)
    return isc_error_oom (err, overlay);
  argv[10] = file;
  if (size) {
    snprintf (size_arg, sizeof size_arg, "%" PRIu64, size);
    argv[11] = size_arg;
  }
  return run (err, overlay, argv, ISC_QEMU_IMG_QUICK_TIMEOUT, &limits_create,
              NULL);
}

int
isc_qemu_img_convert (struct isc_err *err, const char *src,
                      const char *src_fmt, const char *dst,
                      const char *dst_fmt, const char *dst_options)
{
  CLEANUP_FREE char *src_file = NULL, *dst_file = NULL;
  const char *argv[20];
  struct stat st;
  size_t n = 0;

  if (!src_fmt || !dst_fmt)
    return isc_error (err, src, "qemu-img convert needs explicit formats");
  if (lstat (dst, &st) == 0)
    return isc_error (err, dst, "already exists");
  if (errno != ENOENT)
    return isc_error_errno (err, dst, "lstat");
  src_file = qemu_file_name (src);
  dst_file = qemu_file_name (dst);
  if (!src_file || !dst_file)
    return isc_error_oom (err, dst);

  argv[n++] = "qemu-img";
  argv[n++] = "convert";
  argv[n++] = "-q";
  /* qemu-img's default destination cache mode, "unsafe", never
   * flushes: the output could be incomplete after a crash. */
  argv[n++] = "-t";
  argv[n++] = "writeback";
  /* The source is our own overlay, which the appliance may still hold
   * open (and locked) while it works on the next image; the engine only
   * converts it after the appliance unmounted and flushed that disk. */
  argv[n++] = "-U";
  argv[n++] = "-f";
  argv[n++] = src_fmt;
  argv[n++] = "-O";
  argv[n++] = dst_fmt;
  argv[n++] = "-S";
  argv[n++] = "4k";
  if (dst_options) {
    argv[n++] = "-o";
    argv[n++] = dst_options;
  }
  argv[n++] = "--";
  argv[n++] = src_file;
  argv[n++] = dst_file;
  argv[n] = NULL;
  return run (err, dst, argv, 0, &limits_convert, NULL);
}
