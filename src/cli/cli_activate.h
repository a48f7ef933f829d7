/* cli_activate: the servers' listeners from sockets a service manager
 * passed (systemd socket activation, net/net_activate.h). A service given
 * sockets listens on exactly those and binds none of its own; every
 * worker shares each socket (a duplicate descriptor of it). A socket is a
 * service's when LISTEN_FDNAMES names the service (http; https or tls;
 * dns; echo, daytime, time) and its type is the service's, or, unnamed
 * (any other name), when its type and address are those of one of the
 * service's listeners (0.0.0.0 and :: count as the same wildcard). */
#ifndef INETKIT_CLI_ACTIVATE_H
#define INETKIT_CLI_ACTIVATE_H

#include "cli.h"

/* For cli_listen_bind: when inherited sockets of type are the service's,
 * puts them in ls and fds (as cli_listen_bind does), prints the
 * `listening` lines and returns 1; returns 0 when none is (bind as
 * usual), ERR_PARSE after printing a bad environment. */
int cli_activate_bind(struct cli_listen *ls, const char *service, int type,
		      int nworkers, int *fds, void (*prepare)(int fd));
/* The same for cli_listen_bind_pair: TCP and UDP sockets of the same
 * address; one without its twin is ERR_PARSE (printed). */
int cli_activate_bind_pair(struct cli_listen *ls, const char *service,
			   int nworkers, int *tcp_fds, int *udp_fds);
/* After every server's setup: a socket that no listener took is an
 * error. Prints each and returns EXIT_USAGE, or returns 0. */
int cli_activate_check(void);

#endif
