/* notify: the service manager's readiness protocol (sd_notify(3)), written
 * here rather than linked from libsystemd: one datagram of "KEY=VALUE"
 * lines to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or an
 * abstract name written with a leading '@'). Without the variable every
 * call is a no-op, so servers call these unconditionally. */
#ifndef INETKIT_NOTIFY_H
#define INETKIT_NOTIFY_H

#include <sys/socket.h>
#include <sys/un.h>

/* The address $NOTIFY_SOCKET names: "/path" or "@abstract" into *out and
 * its length into *len. Pure. Returns 0, ERR_UNSUPPORTED for another form
 * (systemd's "vsock:"), ERR_PARSE for an empty or too long one. */
int notify_addr_parse(const char *s, struct sockaddr_un *out, socklen_t *len);

/* Reads $NOTIFY_SOCKET, removes it from the environment (so that CGI
 * scripts and other children do not inherit it) and connects a datagram
 * socket to it, kept for the life of the process: call it before the
 * sandbox, which forbids new AF_UNIX sockets. Returns 1 when connected,
 * 0 without the variable, or a negative code (logged; later calls are
 * then no-ops). */
int notify_open(void);

/* Sends one message ("READY=1\nSTATUS=..."); a no-op when not open.
 * Returns 0 or -errno. */
int notify_send(const char *msg);

/* The messages a server sends: READY=1 with MAINPID and STATUS once it
 * serves (and after a reload), RELOADING=1 with MONOTONIC_USEC when a
 * reload begins, STOPPING=1 when a stop begins. */
void notify_ready(const char *status);
void notify_reloading(void);
void notify_stopping(void);

/* Closes the socket (tests; the process normally keeps it). */
void notify_close(void);

#endif
