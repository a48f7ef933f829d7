/* clock: a per-thread cached clock, refreshed once per loop iteration, so
 * that the request path reads the time without a system call. */
#ifndef INETKIT_CLOCK_H
#define INETKIT_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Re-reads the clocks into this thread's cache. The loop calls it after
 * every wait; call it yourself outside a loop. */
void clock_update(void);
/* Counts clock_update() calls in this thread: it changes once per loop
 * iteration, so a value cached with it is known to predate every event
 * of a later iteration. */
uint64_t clock_generation(void);
/* Monotonic milliseconds, as of the last clock_update(). */
int64_t clock_mono_ms(void);
/* Monotonic microseconds, as of the last clock_update(): the time of the
 * loop iteration, for durations that span iterations (the status page's
 * request latency) without a system call per request. */
int64_t clock_mono_us(void);
/* Monotonic microseconds read now (a vDSO call, no cache): the end of a
 * duration that started at a cached clock_mono_us(). */
int64_t clock_mono_us_now(void);
/* Wall-clock seconds since the epoch, as of the last clock_update(). */
time_t clock_wall(void);
/* "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 section 5.6.7) for the cached
 * wall clock: 29 characters, NUL-terminated, rebuilt once a second. */
const char *clock_http_date(void);
/* Formats t as an IMF-fixdate into out (at least 30 bytes). */
void clock_format_http_date(time_t t, char *out);

#endif
