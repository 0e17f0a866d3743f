/* imgscrub: the one place library errors are recorded.
 *
 * Library functions return 0 / -1 (or NULL) and, on the failing path,
 * call isc_error() exactly once.  The caller in cmd/ prefixes the image
 * name and decides what to print, where and with which exit status.
 */
#ifndef ISC_ERROR_H
#define ISC_ERROR_H

struct isc_err {
  char *msg;                    /* last message, owned; NULL when none */
};

#define ISC_ERR_INIT { NULL }

/* Record "'OBJECT': MESSAGE" (OBJECT escaped; omitted when NULL),
 * replacing any earlier message.  Always returns -1 so that error paths
 * read "return isc_error (err, path, "...")".
 */
int isc_error (struct isc_err *err, const char *object, const char *fmt, ...)
  __attribute__((format (printf, 3, 4)));

/* As isc_error, appending ": strerror(errno)". */
int isc_error_errno (struct isc_err *err, const char *object,
                     const char *fmt, ...)
  __attribute__((format (printf, 3, 4)));

/* Record "'OBJECT': out of memory": the one out-of-memory message
 * where an error can be returned (util/oom.h where none can). */
int isc_error_oom (struct isc_err *err, const char *object);

/* The last message; never NULL. */
const char *isc_err_msg (const struct isc_err *err);

void isc_err_clear (struct isc_err *err);

/* isc_error with "'TEXT': " before the message, TEXT through
 * isc_msg_text: for profile text such as registry and Windows paths. */
int isc_error_text (struct isc_err *err, const char *text, const char *fmt,
                    ...) __attribute__((format (printf, 3, 4)));

#endif
