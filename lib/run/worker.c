/* imgscrub: appliance worker processes: forked, read through a pipe of
 * JSON lines, killed and reaped, with the folders libguestfs left. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/cleanups.h"
#include "run/worker.h"
#include "util/error.h"

/* A result line is at most this long: a guest with absurd numbers of
 * matching files must not make the parent allocate without bound. */
#define MAX_MESSAGE (64 * 1024 * 1024)

struct isc_worker {
  pid_t pid;
  int fd;                       /* read end, -1 after EOF */
  char *buf;
  size_t len, cap;
  int reaped;
  /* libguestfs's socket folders of the group, noted before a kill (a
   * killed handle cannot remove them); removed once it is reaped. */
  char **sockdirs;
  size_t n_sockdirs;
};

/* Largest /proc/PID/cmdline read: qemu's, with 255 drives. */
#define MAX_CMDLINE (1024 * 1024)

int
isc_worker_send (int fd, json_t *msg)
{
  CLEANUP_FREE char *text = json_dumps (msg, JSON_COMPACT | JSON_ENSURE_ASCII);

  if (!text)
    return -1;
  /* JSON_COMPACT output has no newline, so a newline ends the message. */
  if (isc_write_all (fd, text, strlen (text)) == -1 ||
      isc_write_all (fd, "\n", 1) == -1)
    return -1;
  return 0;
}

int
isc_worker_start (struct isc_err *err, int (*fn) (void *opaque, int fd),
                  void *opaque, struct isc_worker **ret)
{
  struct isc_worker *w;
  pid_t parent = getpid (), pid;
  int fds[2];

  if (pipe2 (fds, O_CLOEXEC) == -1)
    return isc_error_errno (err, NULL, "pipe");
  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  if (pid == -1) {
    close (fds[0]);
    close (fds[1]);
    return isc_error_errno (err, NULL, "fork");
  }
  if (pid == 0) {
    int status;

    setpgid (0, 0);
    /* Die with the parent, whatever kills it: nothing else would stop
     * this group (and its qemu) once the parent is gone. */
    if (prctl (PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid () != parent)
      _exit (1);
    close (fds[0]);
    /* The parent handles SIGINT and kills us; a terminal ^C must not
     * reach the appliance half way through a write. */
    signal (SIGINT, SIG_IGN);
    signal (SIGPIPE, SIG_IGN);
    status = fn (opaque, fds[1]);
    close (fds[1]);
    _exit (status ? 1 : 0);
  }
  /* Also set it here so killpg cannot race the child's own setpgid. */
  setpgid (pid, pid);
  close (fds[1]);
  w = calloc (1, sizeof *w);
  if (!w) {
    kill (-pid, SIGKILL);
    waitpid (pid, NULL, 0);
    close (fds[0]);
    return isc_error_oom (err, NULL);
  }
  w->pid = pid;
  w->fd = fds[0];
  *ret = w;
  return 0;
}

int
isc_worker_fd (const struct isc_worker *w)
{
  return w->fd;
}

int
isc_worker_take (struct isc_err *err, struct isc_worker *w, json_t **ret_msg)
{
  char *nl = w->len ? memchr (w->buf, '\n', w->len) : NULL;
  json_error_t jerr;
  size_t used;

  if (!nl)
    return 0;
  *nl = '\0';
  used = nl - w->buf + 1;
  *ret_msg = json_loads (w->buf, 0, &jerr);
  memmove (w->buf, w->buf + used, w->len - used);
  w->len -= used;
  if (!*ret_msg) {
    isc_worker_kill (w);
    return isc_error (err, NULL, "worker sent a malformed message: %s",
                      jerr.text);
  }
  return 1;
}

int
isc_worker_receive (struct isc_err *err, struct isc_worker *w)
{
  ssize_t n;

  if (w->fd == -1)
    return 0;
  if (w->cap - w->len < 65536) {
    size_t cap = w->cap ? w->cap * 2 : 131072;
    char *p;

    if (cap > MAX_MESSAGE) {
      isc_worker_kill (w);
      return isc_error (err, NULL, "worker message larger than %d MiB",
                        MAX_MESSAGE >> 20);
    }
    p = realloc (w->buf, cap);
    if (!p) {
      isc_worker_kill (w);
      return isc_error_oom (err, NULL);
    }
    w->buf = p;
    w->cap = cap;
  }
  do
    n = read (w->fd, w->buf + w->len, w->cap - w->len);
  while (n == -1 && errno == EINTR);
  if (n == -1) {
    if (errno == EAGAIN)
      return 0;
    isc_worker_kill (w);
    return isc_error_errno (err, NULL, "read from worker");
  }
  if (n == 0) {
    close (w->fd);
    w->fd = -1;
  }
  w->len += n;
  return 0;
}

/* The libguestfs socket folder that qemu's command line names
 * ("chardev socket,path=DIR/guestfsd.sock,..."), or NULL.  Caller
 * frees. */
static char *
sockdir_of (const char *pid)
{
  CLEANUP_FREE char *path = NULL, *buf = NULL;
  CLEANUP_CLOSE int fd = -1;
  static const char sock[] = "/guestfsd.sock";
  size_t len = 0;
  ssize_t n;
  char *end, *start;

  if (asprintf (&path, "/proc/%s/cmdline", pid) == -1 ||
      !(buf = malloc (MAX_CMDLINE + 1)) ||
      (fd = open (path, O_RDONLY | O_CLOEXEC)) == -1)
    return NULL;
  while (len < MAX_CMDLINE &&
         (n = read (fd, buf + len, MAX_CMDLINE - len)) > 0)
    len += n;
  buf[len] = '\0';
  for (n = 0; (size_t) n < len; ++n)        /* one string */
    if (buf[n] == '\0')
      buf[n] = ' ';
  end = strstr (buf, sock);
  if (!end)
    return NULL;
  *end = '\0';
  start = strrchr (buf, '=');
  if (!start || !strstr (start, "/libguestfs"))
    return NULL;
  return strdup (start + 1);
}

/* Note the libguestfs socket folders of W's processes (Linux /proc). */
static void
note_sockdirs (struct isc_worker *w)
{
  DIR *d = opendir ("/proc");
  struct dirent *e;

  if (!d)
    return;
  while ((e = readdir (d)) != NULL) {
    CLEANUP_FREE char *path = NULL, *dir = NULL;
    char line[512], *paren, **p;
    long pgrp;
    ssize_t n;
    int fd;

    if (e->d_name[0] < '0' || e->d_name[0] > '9' ||
        asprintf (&path, "/proc/%s/stat", e->d_name) == -1)
      continue;
    fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
      continue;
    n = read (fd, line, sizeof line - 1);
    close (fd);
    if (n <= 0)
      continue;
    line[n] = '\0';
    /* "PID (COMM) STATE PPID PGRP ...": COMM may hold anything. */
    paren = strrchr (line, ')');
    if (!paren || sscanf (paren + 1, " %*c %*d %ld", &pgrp) != 1 ||
        pgrp != w->pid || !(dir = sockdir_of (e->d_name)))
      continue;
    p = realloc (w->sockdirs, (w->n_sockdirs + 1) * sizeof *p);
    if (!p)
      continue;
    w->sockdirs = p;
    p[w->n_sockdirs++] = TAKE_PTR (dir);
  }
  closedir (d);
}

/* Remove the folders note_sockdirs found: only ours, only libguestfs's
 * ("DIR/libguestfsXXXXXX"). */
static void
remove_sockdirs (struct isc_worker *w)
{
  size_t i;

  for (i = 0; i < w->n_sockdirs; ++i) {
    const char *base = strrchr (w->sockdirs[i], '/');
    struct stat st;

    if (base && strncmp (base + 1, "libguestfs", 10) == 0 &&
        strlen (base + 1) == 16 && lstat (w->sockdirs[i], &st) == 0 &&
        S_ISDIR (st.st_mode) && st.st_uid == geteuid ())
      isc_remove_tree (w->sockdirs[i]);
    free (w->sockdirs[i]);
  }
  free (w->sockdirs);
  w->sockdirs = NULL;
  w->n_sockdirs = 0;
}

void
isc_worker_kill (struct isc_worker *w)
{
  if (w && !w->reaped && w->pid > 0) {
    note_sockdirs (w);
    kill (-w->pid, SIGKILL);
  }
}

int
isc_worker_wait (struct isc_err *err, struct isc_worker *w)
{
  int status;

  if (w->reaped)
    return 0;
  while (waitpid (w->pid, &status, 0) == -1) {
    if (errno != EINTR)
      return isc_error_errno (err, NULL, "waitpid");
  }
  w->reaped = 1;
  /* qemu may outlive a worker that crashed: take the group with it. */
  kill (-w->pid, SIGKILL);
  remove_sockdirs (w);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return isc_error (err, NULL, "appliance worker killed by signal %d (%s)",
                    WTERMSIG (status), strsignal (WTERMSIG (status)));
}

void
isc_worker_free (struct isc_worker *w)
{
  if (!w)
    return;
  if (!w->reaped) {
    isc_worker_kill (w);
    waitpid (w->pid, NULL, 0);
  }
  remove_sockdirs (w);
  if (w->fd >= 0)
    close (w->fd);
  free (w->buf);
  free (w);
}
