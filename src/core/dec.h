/* dec: an unsigned number in decimal, written backwards so that no
 * length has to be known first: the one copy that the HTTP head, the CGI
 * environment and the URL writer share. Inline: it sits on the reply
 * path (Content-Length). */
#ifndef INETKIT_DEC_H
#define INETKIT_DEC_H

#include <stddef.h>
#include <stdint.h>

#define DEC_U64_MAX 20	/* digits of UINT64_MAX */

/* Writes v's digits so that they end just before end (at least
 * DEC_U64_MAX bytes of room before it). Returns how many it wrote: the
 * number starts at end minus that. */
static inline size_t
dec_u64(char *end, uint64_t v)
{
	char *p = end;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return (size_t)(end - p);
}

#endif
