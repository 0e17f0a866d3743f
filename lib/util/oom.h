/* imgscrub: the one out-of-memory policy.  Where an error can be
 * returned, "return isc_error_oom (err, object)" (util/error.h) records
 * "'OBJECT': out of memory".  Where none can (a result record, a
 * message being built), isc_oom() writes "imgscrub: out of memory" to
 * stderr, the only text lib/ ever writes, and aborts. */
#ifndef ISC_OOM_H
#define ISC_OOM_H

void isc_oom (void) __attribute__((noreturn));

#endif
