/* clock: per-thread cached monotonic and wall clocks, and the HTTP date
 * string rebuilt at most once a second. */
#include <time.h>

#include "clock.h"

static _Thread_local int64_t clock_mono;
static _Thread_local int64_t clock_mono_ns;
static _Thread_local time_t clock_now;
static _Thread_local time_t clock_date_for = -1;
static _Thread_local char clock_date[32];
static _Thread_local uint64_t clock_gen;

void
clock_update(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	clock_mono_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	clock_mono = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	clock_now = time(NULL);
	clock_gen++;
}

uint64_t
clock_generation(void)
{
	return clock_gen;
}

int64_t
clock_mono_ms(void)
{
	if (clock_mono == 0)
		clock_update();
	return clock_mono;
}

int64_t
clock_mono_us(void)
{
	if (clock_mono == 0)
		clock_update();
	return clock_mono_ns / 1000;
}

int64_t
clock_mono_us_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

time_t
clock_wall(void)
{
	if (clock_now == 0)
		clock_update();
	return clock_now;
}

void
clock_format_http_date(time_t t, char *out)
{
	struct tm tm;

	/* The library never calls setlocale, so names are the C locale's,
	 * which are the ones RFC 9110 wants. */
	gmtime_r(&t, &tm);
	strftime(out, 30, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

const char *
clock_http_date(void)
{
	time_t now = clock_wall();

	if (now != clock_date_for) {
		clock_format_http_date(now, clock_date);
		clock_date_for = now;
	}
	return clock_date;
}
