/* hex: hexadecimal digits and percent escapes (RFC 3986 section 2.1), the
 * one copy that every parser uses (chunk sizes, URLs, paths, robots.txt,
 * RFC 3597 zone data). Inline: they sit on request paths. */
#ifndef INETKIT_HEX_H
#define INETKIT_HEX_H

#include <stddef.h>

/* The value of one hexadecimal digit (either case), or -1. */
static inline int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The byte that the escape "%XX" at s (n bytes left) stands for, or -1
 * when s does not start with a whole, well-formed escape. */
static inline int
hex_pct_byte(const char *s, size_t n)
{
	int hi, lo;

	if (n < 3 || s[0] != '%')
		return -1;
	hi = hex_value((unsigned char)s[1]);
	lo = hex_value((unsigned char)s[2]);
	if (hi < 0 || lo < 0)
		return -1;
	return hi << 4 | lo;
}

#endif
