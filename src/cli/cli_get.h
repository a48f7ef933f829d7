/* cli_get: the parts of `inetkit get` behind its argument parsing: the
 * options (cmd_get.c fills them), the output file and the messages around
 * one run of the fetch engine (cli_get_run.c), the progress bar
 * (cli_progress.c). */
#ifndef INETKIT_CLI_GET_H
#define INETKIT_CLI_GET_H

#include <stdint.h>

#include "net/net_tls.h"
#include "resolv/resolv.h"

#define GET_DEFAULT_REDIRS 10
#define GET_MAX_HEADERS_TEXT 16384	/* -H fields, formatted */

struct get_opts {
	const char *url;
	const char *out;	/* -o FILE, or NULL / "-" for stdout */
	int head_only;		/* -I */
	int follow;		/* -L */
	int max_redirs;
	uint64_t max_size;	/* 0: none */
	int connect_ms, read_ms, max_ms;	/* 0: the defaults / none */
	struct net_tls_client_config tls;	/* --cacert, -k */
	char headers[GET_MAX_HEADERS_TEXT];	/* "Name: value\r\n"... */
	struct resolv_config dns;
};

/* Runs the transfer; prints a one-line reason on failure. Returns the
 * exit status: 0 or 1. */
int get_run(const struct get_opts *o);

/* A progress line on a terminal: bytes, percentage, rate, ETA. */
struct get_progress {
	int on;			/* draw at all */
	uint64_t total;		/* expected bytes, 0 when unknown */
	uint64_t got;
	int64_t start, last;	/* monotonic ms */
	int drawn;		/* a line is on the screen */
};

/* Starts a bar for a body of total bytes (0: unknown) when on. */
void get_progress_start(struct get_progress *p, int on, uint64_t total);
/* Counts n more bytes and redraws at most a few times a second. */
void get_progress_add(struct get_progress *p, uint64_t n);
/* Draws the last state and ends the line. */
void get_progress_end(struct get_progress *p);
/* Formats a byte count as "12.3 MiB" into out (16 bytes). */
const char *get_progress_bytes(uint64_t n, char *out);

#endif
