/* log: levelled logging through a settable sink (stderr by default). The
 * library logs only through here; it never prints otherwise. */
#ifndef INETKIT_LOG_H
#define INETKIT_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

typedef void (*log_sink_fn)(enum log_level level, const char *msg, void *arg);

/* Messages above this level are dropped. Default LOG_WARN. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Replaces the sink; NULL restores stderr. Not thread-safe: set at start. */
void log_set_sink(log_sink_fn fn, void *arg);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
