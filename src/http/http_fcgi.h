/* http_fcgi: the FastCGI protocol (FastCGI Specification 1.0, Open Market
 * 1996): the record codec, pure, and the engine's entry points.
 *
 *   http_fcgi_record_parse   one record from a stream of bytes
 *   http_fcgi_header_format  a record header
 *   http_fcgi_begin_format   an FCGI_BEGIN_REQUEST record
 *   http_fcgi_pair_format    a name-value pair of FCGI_PARAMS
 *   http_fcgi_pair_parse     the same, read back
 *   http_fcgi_end_parse      the body of an FCGI_END_REQUEST record */
#ifndef INETKIT_HTTP_FCGI_H
#define INETKIT_HTTP_FCGI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http_parse.h"

#define HTTP_FCGI_HEADER 8		/* bytes of a record header */
#define HTTP_FCGI_MAX_CONTENT 65535
#define HTTP_FCGI_MAX_RECORD (HTTP_FCGI_HEADER + 65535 + 255)

enum http_fcgi_type {
	HTTP_FCGI_BEGIN_REQUEST = 1,
	HTTP_FCGI_ABORT_REQUEST = 2,
	HTTP_FCGI_END_REQUEST = 3,
	HTTP_FCGI_PARAMS = 4,
	HTTP_FCGI_STDIN = 5,
	HTTP_FCGI_STDOUT = 6,
	HTTP_FCGI_STDERR = 7,
	HTTP_FCGI_DATA = 8,
	HTTP_FCGI_GET_VALUES = 9,
	HTTP_FCGI_GET_VALUES_RESULT = 10,
	HTTP_FCGI_UNKNOWN_TYPE = 11,
};

enum { HTTP_FCGI_RESPONDER = 1 };
enum { HTTP_FCGI_REQUEST_COMPLETE = 0 };

struct http_fcgi_record {
	int type;
	uint16_t id;
	struct http_slice content;	/* padding left out */
};

/* Parses the record at p[0..n). Returns its whole length (header, content
 * and padding), ERR_AGAIN when it is not all there, or ERR_PARSE for a
 * version other than 1. */
ssize_t http_fcgi_record_parse(struct http_fcgi_record *r, const void *p,
			       size_t n);

/* Writes the 8-byte header of a record of type with clen content bytes
 * and pad padding bytes. */
void http_fcgi_header_format(void *out, int type, uint16_t id,
			     uint16_t clen, uint8_t pad);

/* Writes an FCGI_BEGIN_REQUEST record for the responder role (16 bytes);
 * keep_conn asks the application to keep the connection open after. */
void http_fcgi_begin_format(void *out, uint16_t id, int keep_conn);

/* Appends the name-value pair to out (room bytes). Returns the bytes
 * written, or ERR_TOOBIG when it does not fit. */
ssize_t http_fcgi_pair_format(void *out, size_t room, const char *name,
			      size_t nn, const char *value, size_t vn);

/* Reads the pair at p[0..n). Returns its length, or ERR_PARSE when it is
 * cut short. */
ssize_t http_fcgi_pair_parse(const void *p, size_t n, struct http_slice *name,
			     struct http_slice *value);

/* The appStatus and protocolStatus of an FCGI_END_REQUEST body. Returns 0
 * or ERR_PARSE when it is shorter than 8 bytes. */
int http_fcgi_end_parse(const struct http_fcgi_record *r, uint32_t *app,
			int *proto);

#endif
