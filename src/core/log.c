/* log: levelled messages to a settable sink. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static enum log_level log_level = LOG_WARN;
static log_sink_fn log_sink;
static void *log_sink_arg;

static const char *const log_names[] = { "error", "warn", "info", "debug" };

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_set_sink(log_sink_fn fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (log_sink) {
		log_sink(level, msg, log_sink_arg);
		return;
	}
	/* One write per line so that threads do not interleave mid-line. */
	fprintf(stderr, "inetkit: %s: %s\n", log_names[level], msg);
}
