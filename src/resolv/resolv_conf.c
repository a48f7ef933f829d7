/* resolv_conf: resolv.conf(5) and hosts(5) text, parsed without I/O.
 * Both formats are line-based: fields separated by blanks, '#' (and, in
 * resolv.conf, ';') starting a comment. */
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "resolv_conf.h"

#define HOSTS_MAX_FIELD 256	/* a host name or an address */

/* The next line of text[*pos..n) without its newline; advances *pos.
 * Returns 0 at the end of the text. */
static int
next_line(const char *text, size_t n, size_t *pos, const char **line,
	  size_t *len)
{
	if (*pos >= n)
		return 0;
	const char *s = text + *pos;
	const char *nl = memchr(s, '\n', n - *pos);
	size_t l = nl ? (size_t)(nl - s) : n - *pos;

	*line = s;
	*len = l;
	*pos += l + (nl != NULL);
	return 1;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The next blank-separated field of line[*pos..n), stopping at a comment
 * character. Returns its length (0 when there is none). */
static size_t
next_field(const char *line, size_t n, size_t *pos, const char *comments,
	   const char **field)
{
	size_t i = *pos;

	while (i < n && is_blank(line[i]))
		i++;
	if (i == n || strchr(comments, line[i]) != NULL) {
		*pos = n;
		return 0;
	}
	size_t b = i;
	while (i < n && !is_blank(line[i]) && strchr(comments, line[i]) == NULL)
		i++;
	*field = line + b;
	*pos = i;
	return i - b;
}

/* Copies a field into a NUL-terminated buffer. Returns 0 or ERR_TOOBIG. */
static int
field_copy(const char *f, size_t fl, char *out, size_t size)
{
	if (fl >= size)
		return ERR_TOOBIG;
	memcpy(out, f, fl);
	out[fl] = '\0';
	return 0;
}

static int
field_is(const char *f, size_t fl, const char *word)
{
	return fl == strlen(word) && memcmp(f, word, fl) == 0;
}

/* "timeout:N" or "attempts:N": N in decimal, capped; -1 if malformed. */
static int
option_value(const char *f, size_t fl, size_t skip, int cap)
{
	int v = 0;

	if (fl == skip)
		return -1;
	for (size_t i = skip; i < fl; i++) {
		if (f[i] < '0' || f[i] > '9')
			return -1;
		if (v < 1000)
			v = v * 10 + (f[i] - '0');
	}
	return v > cap ? cap : v;
}

static void
resolvconf_options(const char *line, size_t n, size_t pos,
		   struct resolv_conf *out)
{
	const char *f;
	size_t fl;
	int v;

	while ((fl = next_field(line, n, &pos, "#;", &f)) > 0) {
		if (fl > 8 && memcmp(f, "timeout:", 8) == 0) {
			v = option_value(f, fl, 8, 30);
			if (v >= 0)
				out->timeout_ms = (v ? v : 1) * 1000;
		} else if (fl > 9 && memcmp(f, "attempts:", 9) == 0) {
			v = option_value(f, fl, 9, 5);
			if (v >= 0)
				out->attempts = v ? v : 1;
		}
	}
}

static void
resolvconf_server(const char *line, size_t n, size_t pos,
		  struct resolv_conf *out)
{
	const char *f;
	char addr[HOSTS_MAX_FIELD];
	size_t fl = next_field(line, n, &pos, "#;", &f);

	if (fl == 0 || out->nservers == RESOLV_MAX_SERVERS ||
	    field_copy(f, fl, addr, sizeof addr) < 0)
		return;
	struct net_addr *a = &out->servers[out->nservers];
	if (net_ip_parse(addr, a) < 0)
		return;
	net_addr_set_port(a, RESOLV_PORT);
	out->nservers++;
}

int
resolv_conf_parse(const char *text, size_t n, struct resolv_conf *out)
{
	const char *line, *f = NULL;
	size_t len, pos = 0;

	memset(out, 0, sizeof *out);
	while (next_line(text, n, &pos, &line, &len)) {
		size_t lp = 0, fl;
		if (len > RESOLV_MAX_LINE)
			continue;
		fl = next_field(line, len, &lp, "#;", &f);
		if (field_is(f, fl, "nameserver"))
			resolvconf_server(line, len, lp, out);
		else if (field_is(f, fl, "options"))
			resolvconf_options(line, len, lp, out);
	}
	return out->nservers;
}

/* Adds a unless out already holds it. Returns the new count. */
static int
add_unique(struct net_addr *out, int count, const struct net_addr *a)
{
	for (int i = 0; i < count; i++)
		if (net_addr_equal(&out[i], a))
			return count;
	out[count] = *a;
	return count + 1;
}

/* Does the rest of a hosts line (names after the address) hold name? */
static int
hosts_line_names(const char *line, size_t n, size_t pos, const char *name)
{
	const char *f;
	size_t fl, nl = strlen(name);

	while ((fl = next_field(line, n, &pos, "#", &f)) > 0) {
		/* A trailing dot in the file names the same host. */
		if (fl > 1 && f[fl - 1] == '.')
			fl--;
		if (fl == nl && strncasecmp(f, name, nl) == 0)
			return 1;
	}
	return 0;
}

int
resolv_hosts_find(const char *text, size_t n, const char *name,
		  struct net_addr *out, int max)
{
	const char *line, *f = NULL;
	char addr[HOSTS_MAX_FIELD];
	size_t len, pos = 0;
	int count = 0;
	struct net_addr a;

	if (name[0] == '\0')
		return 0;
	while (count < max && next_line(text, n, &pos, &line, &len)) {
		size_t lp = 0, fl;
		if (len > RESOLV_MAX_LINE)
			continue;
		fl = next_field(line, len, &lp, "#", &f);
		if (fl == 0 || field_copy(f, fl, addr, sizeof addr) < 0 ||
		    net_ip_parse(addr, &a) < 0)
			continue;
		if (hosts_line_names(line, len, lp, name))
			count = add_unique(out, count, &a);
	}
	return count;
}
