/* err: the project's error codes. Functions return 0 (or a count) on
 * success and a negative code on failure: either -errno from a system call
 * or one of the ERR_ codes below, which sit above errno's range. */
#ifndef INETKIT_ERR_H
#define INETKIT_ERR_H

enum {
	ERR_BASE = 10000,
	ERR_AGAIN = -(ERR_BASE + 1),	/* need more bytes: call again */
	ERR_PARSE = -(ERR_BASE + 2),	/* malformed input */
	ERR_TOOBIG = -(ERR_BASE + 3),	/* a limit was reached */
	ERR_TIMEOUT = -(ERR_BASE + 4),	/* a deadline passed */
	ERR_NOTFOUND = -(ERR_BASE + 5),	/* no such name, file or entry */
	ERR_UNSUPPORTED = -(ERR_BASE + 6), /* valid, but not supported here */
	ERR_CLOSED = -(ERR_BASE + 7),	/* the peer closed the connection */
	ERR_RANGE = -(ERR_BASE + 8),	/* a number out of its range */
	ERR_TLS = -(ERR_BASE + 9),	/* a TLS handshake failed */
	ERR_CERT = -(ERR_BASE + 10),	/* a peer's certificate was refused */
};

/* A static, human-readable string for any code this project returns
 * (ERR_ codes and -errno alike). Never NULL. */
const char *err_str(int code);

#endif
