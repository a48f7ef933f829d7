/* cli_progress: the progress line of `inetkit get` on a terminal: bytes so
 * far (and of how many), percentage, rate and time left, redrawn in
 * place with a carriage return at most five times a second. */
#include <stdio.h>

#include "cli_get.h"
#include "core/clock.h"

#define PROGRESS_EVERY_MS 200

const char *
get_progress_bytes(uint64_t n, char *out)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(out, 16, "%u B", (unsigned)n);
		return out;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(out, 16, "%.1f %s", v, units[u]);
	return out;
}

static void
progress_draw(struct get_progress *p)
{
	char got[16], total[16], rate[16], eta[24] = "";
	int64_t ms = clock_mono_ms() - p->start;
	uint64_t bps = ms > 0 ? p->got * 1000 / (uint64_t)ms : 0;

	get_progress_bytes(p->got, got);
	get_progress_bytes(bps, rate);
	if (p->total > 0 && p->got <= p->total) {
		uint64_t left = bps ? (p->total - p->got) / bps : 0;
		if (bps)
			snprintf(eta, sizeof eta, "  ETA %u:%02u:%02u",
				 (unsigned)(left / 3600),
				 (unsigned)(left / 60 % 60), (unsigned)(left % 60));
		fprintf(stderr, "\r%10s / %-10s %3u%%  %10s/s%s ", got,
			get_progress_bytes(p->total, total),
			(unsigned)(p->got * 100 / p->total), rate, eta);
	} else {
		fprintf(stderr, "\r%10s  %10s/s ", got, rate);
	}
	fflush(stderr);
	p->drawn = 1;
	p->last = clock_mono_ms();
}

void
get_progress_start(struct get_progress *p, int on, uint64_t total)
{
	clock_update();
	p->on = on;
	p->total = total;
	p->got = 0;
	p->start = clock_mono_ms();
	p->last = 0;
	p->drawn = 0;
}

void
get_progress_add(struct get_progress *p, uint64_t n)
{
	p->got += n;
	if (p->on && clock_mono_ms() - p->last >= PROGRESS_EVERY_MS)
		progress_draw(p);
}

void
get_progress_end(struct get_progress *p)
{
	if (!p->on)
		return;
	clock_update();
	progress_draw(p);
	fputc('\n', stderr);
	p->on = 0;
}
