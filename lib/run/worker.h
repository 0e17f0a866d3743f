/* imgscrub: run appliance work in a child process.
 *
 * libguestfs's own launch limit is 20 minutes and not configurable, and
 * a handle cannot be interrupted from another thread, so every appliance
 * lives in a worker process in its own process group: when a deadline
 * passes the whole group (worker and qemu) is killed.  The worker
 * reports back through a pipe, one JSON object per line; a worker that
 * dies is noticed by the parent as end of file without a final message.
 */
#ifndef ISC_WORKER_H
#define ISC_WORKER_H

#include <jansson.h>
#include <sys/types.h>

#include "util/error.h"

struct isc_worker;

/* Child side: send MSG (not consumed) as one line.  Returns 0 / -1. */
int isc_worker_send (int fd, json_t *msg);

/* Fork a worker running FN (OPAQUE, FD) in a new process group, where FD
 * is the write end of the result pipe.  FN's return value becomes the
 * worker's exit status (0 or 1); the worker never returns into the
 * caller's code.  *RET is freed by isc_worker_free. */
int isc_worker_start (struct isc_err *err,
                      int (*fn) (void *opaque, int fd), void *opaque,
                      struct isc_worker **ret);

/* The read end of the result pipe, for poll(2); -1 once the worker has
 * closed it. */
int isc_worker_fd (const struct isc_worker *w);

/* After poll says the fd is readable: read what is there (one read).
 * Returns 0 (end of file included: isc_worker_fd then gives -1), or -1
 * on error or when a message exceeds the size cap (worker killed). */
int isc_worker_receive (struct isc_err *err, struct isc_worker *w);

/* Take the next complete message received so far.  Returns 1 and sets
 * *RET_MSG (caller decrefs), 0 when none is complete, -1 on a
 * malformed message (worker killed). */
int isc_worker_take (struct isc_err *err, struct isc_worker *w,
                     json_t **ret_msg);

/* Kill the worker's process group (no-op when it is gone).  The socket
 * folders libguestfs made for its qemu are noted first and removed once
 * the worker is reaped (isc_worker_wait, isc_worker_free). */
void isc_worker_kill (struct isc_worker *w);

/* Reap the worker.  Returns its exit status (0..255), or -1 when it was
 * killed by a signal (the message names the signal). */
int isc_worker_wait (struct isc_err *err, struct isc_worker *w);

void isc_worker_free (struct isc_worker *w);


#endif
