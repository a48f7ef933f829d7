/* err: one string form for every error code. */
#include <string.h>

#include "err.h"

const char *
err_str(int code)
{
	switch (code) {
	case 0: return "success";
	case ERR_AGAIN: return "incomplete input";
	case ERR_PARSE: return "malformed input";
	case ERR_TOOBIG: return "limit exceeded";
	case ERR_TIMEOUT: return "timed out";
	case ERR_NOTFOUND: return "not found";
	case ERR_UNSUPPORTED: return "not supported";
	case ERR_CLOSED: return "connection closed";
	case ERR_RANGE: return "value out of range";
	case ERR_TLS: return "TLS handshake failed";
	case ERR_CERT: return "certificate verification failed";
	}
	if (code < 0 && code > -ERR_BASE)
		return strerror(-code);
	return "unknown error";
}
