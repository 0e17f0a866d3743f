/* imgscrub: the one clock the step timings and the engine read. */
#ifndef ISC_TIME_H
#define ISC_TIME_H

/* Seconds of CLOCK_MONOTONIC. */
double isc_now (void);

#endif
