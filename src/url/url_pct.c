/* url_pct: the RFC 3986 character classes, percent-encoding and decoding
 * (section 2.1, 2.4), the normalisation of escapes (6.2.2.1, 6.2.2.2) and
 * the bounded output cursor the url_*.c files write through. */
#include <string.h>

#include "url_int.h"

#define A (URL_C_ALPHA | URL_C_UNRES | URL_C_SCHEME)
#define AH (A | URL_C_HEX)
#define D (URL_C_DIGIT | URL_C_HEX | URL_C_UNRES | URL_C_SCHEME)
#define S URL_C_SUB
#define G URL_C_GEN

const uint8_t url_ctype[256] = {
	['A'] = AH, ['B'] = AH, ['C'] = AH, ['D'] = AH, ['E'] = AH, ['F'] = AH,
	['G'] = A, ['H'] = A, ['I'] = A, ['J'] = A, ['K'] = A, ['L'] = A,
	['M'] = A, ['N'] = A, ['O'] = A, ['P'] = A, ['Q'] = A, ['R'] = A,
	['S'] = A, ['T'] = A, ['U'] = A, ['V'] = A, ['W'] = A, ['X'] = A,
	['Y'] = A, ['Z'] = A,
	['a'] = AH, ['b'] = AH, ['c'] = AH, ['d'] = AH, ['e'] = AH, ['f'] = AH,
	['g'] = A, ['h'] = A, ['i'] = A, ['j'] = A, ['k'] = A, ['l'] = A,
	['m'] = A, ['n'] = A, ['o'] = A, ['p'] = A, ['q'] = A, ['r'] = A,
	['s'] = A, ['t'] = A, ['u'] = A, ['v'] = A, ['w'] = A, ['x'] = A,
	['y'] = A, ['z'] = A,
	['0'] = D, ['1'] = D, ['2'] = D, ['3'] = D, ['4'] = D, ['5'] = D,
	['6'] = D, ['7'] = D, ['8'] = D, ['9'] = D,
	['-'] = URL_C_UNRES | URL_C_SCHEME, ['.'] = URL_C_UNRES | URL_C_SCHEME,
	['_'] = URL_C_UNRES, ['~'] = URL_C_UNRES, ['+'] = S | URL_C_SCHEME,
	['!'] = S, ['$'] = S, ['&'] = S, ['\''] = S, ['('] = S, [')'] = S,
	['*'] = S, [','] = S, [';'] = S, ['='] = S,
	[':'] = G, ['/'] = G, ['?'] = G, ['#'] = G, ['['] = G, [']'] = G,
	['@'] = G,
};

static const char hexdig[] = "0123456789ABCDEF";

void
url_w_init(struct url_w *w, char *out, size_t size)
{
	w->p = out;
	w->len = 0;
	w->lim = size ? size - 1 : 0;
	if (w->lim > URL_MAX_LEN)
		w->lim = URL_MAX_LEN;
	w->err = size ? 0 : ERR_TOOBIG;
}

void
url_w_putc(struct url_w *w, char c)
{
	if (w->len >= w->lim) {
		w->err = ERR_TOOBIG;
		return;
	}
	w->p[w->len++] = c;
}

void
url_w_put(struct url_w *w, const char *s, size_t n)
{
	if (n > w->lim - w->len) {
		w->err = ERR_TOOBIG;
		return;
	}
	if (n)
		memmove(w->p + w->len, s, n);
	w->len += n;
}

void
url_w_slice(struct url_w *w, struct url_slice s)
{
	url_w_put(w, s.p, s.n);
}

void
url_w_num(struct url_w *w, unsigned v)
{
	char d[DEC_U64_MAX];
	size_t n = dec_u64(d + sizeof d, v);

	url_w_put(w, d + sizeof d - n, n);
}

ssize_t
url_w_end(struct url_w *w)
{
	if (w->err)
		return w->err;
	w->p[w->len] = '\0';
	return (ssize_t)w->len;
}

void
url_w_pct_norm(struct url_w *w, struct url_slice s, int lower)
{
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		int v = c == '%' ? hex_pct_byte(s.p + i, s.n - i) : -1;
		if (v >= 0) {
			i += 2;
			if (url_c_is((unsigned char)v, URL_C_UNRES)) {
				url_w_putc(w, lower ? url_lower((char)v)
						    : (char)v);
				continue;
			}
			url_w_putc(w, '%');
			url_w_putc(w, hexdig[v >> 4]);
			url_w_putc(w, hexdig[v & 15]);
			continue;
		}
		url_w_putc(w, lower ? url_lower((char)c) : (char)c);
	}
}

static int
enc_keep(unsigned char c, enum url_enc set)
{
	switch (set) {
	case URL_ENC_COMPONENT:
		return url_c_is(c, URL_C_UNRES);
	case URL_ENC_PATH:
		return url_c_pchar(c) || c == '/';
	case URL_ENC_QUERY:
		return url_c_pchar(c) || c == '/' || c == '?';
	case URL_ENC_FIXUP:
		return url_c_is(c, URL_C_UNRES | URL_C_SUB | URL_C_GEN) ||
		       c == '%';
	}
	return 0;
}

ssize_t
url_pct_encode(const char *s, size_t n, enum url_enc set, char *out,
	       size_t size)
{
	struct url_w w;

	url_w_init(&w, out, size);
	for (size_t i = 0; i < n && !w.err; i++) {
		unsigned char c = (unsigned char)s[i];
		if (enc_keep(c, set)) {
			url_w_putc(&w, (char)c);
			continue;
		}
		url_w_putc(&w, '%');
		url_w_putc(&w, hexdig[c >> 4]);
		url_w_putc(&w, hexdig[c & 15]);
	}
	return url_w_end(&w);
}

/* The byte that stands at s (n bytes left, s[0] is "%" or NUL) as
 * url_pct_decode's flags read it: the decoded byte of an escape with
 * 0x100 added (three input bytes used), s[0] itself (one used), or -1. */
static int
decode_special(const char *s, size_t n, enum url_dec flags)
{
	int v = s[0] == '%' ? hex_pct_byte(s, n) : -1;

	if (v >= 0) {
		/* A "/" that was escaped names no directory: in a file
		 * path it only serves to slip past checks. */
		if ((v == '/' || v == 0) && (flags & URL_DEC_PATH))
			return -1;
		return v | 0x100;
	}
	if (s[0] == '%')
		return flags & URL_DEC_KEEP_BAD ? '%' : -1;
	return flags & URL_DEC_PATH ? -1 : 0;
}

ssize_t
url_pct_decode(const char *s, size_t n, char *out, size_t size,
	       enum url_dec flags)
{
	size_t o = 0;

	if (n > URL_MAX_LEN || size == 0)
		return ERR_TOOBIG;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%' || c == '\0') {
			c = decode_special(s + i, n - i, flags);
			if (c < 0)
				return ERR_PARSE;
			if (c > 0xff) {
				c &= 0xff;
				i += 2;
			}
		}
		if (o + 1 >= size)
			return ERR_TOOBIG;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (ssize_t)o;
}
