/* cli_resolve: the resolver options every client command shares (--dns,
 * --resolve, --dns-timeout) and the system configuration behind them:
 * /etc/resolv.conf and /etc/hosts, or the files named by the environment
 * variables INETKIT_RESOLV_CONF and INETKIT_HOSTS (for tests). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/err.h"

static const char *
env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

void
cli_resolver_init(struct resolv_config *c)
{
	resolv_config_init(c);
}

/* "NAME:ADDR", where ADDR may be an IPv6 address, bracketed or not. */
static int
pin_parse(struct resolv_config *c, const char *spec)
{
	const char *colon = strchr(spec, ':');
	char name[256], addr[NET_ADDR_STRLEN];
	struct net_addr a;

	if (colon == NULL || colon == spec ||
	    (size_t)(colon - spec) >= sizeof name)
		return -1;
	memcpy(name, spec, (size_t)(colon - spec));
	name[colon - spec] = '\0';
	const char *v = colon + 1;
	size_t vl = strlen(v);
	if (vl >= 2 && v[0] == '[' && v[vl - 1] == ']') {
		v++;
		vl -= 2;
	}
	if (vl == 0 || vl >= sizeof addr)
		return -1;
	memcpy(addr, v, vl);
	addr[vl] = '\0';
	if (net_ip_parse(addr, &a) < 0)
		return -1;
	return resolv_config_pin(c, name, &a) < 0 ? -1 : 0;
}

/* Seconds with an optional fraction ("2", "0.5") into milliseconds in
 * [1, 3600000]. Returns 0 or -1. */
int
cli_parse_seconds(const char *s, int *ms)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= 0.001 && v <= 3600))
		return -1;
	*ms = (int)(v * 1000 + 0.5);
	return 0;
}

int
cli_resolver_option(struct resolv_config *c, const char *opt,
		    const char *val, const char *usage, const char *cmd)
{
	struct net_addr a;
	int ms;

	if (strcmp(opt, "--dns") == 0) {
		if (val == NULL || net_addr_parse(val, &a) < 0 ||
		    net_addr_port(&a) == 0)
			return cli_usage_error(usage, "%s: bad --dns '%s'", cmd,
					       val ? val : "");
		if (resolv_config_server(c, &a) < 0)
			return cli_usage_error(usage, "%s: too many --dns", cmd);
		return 1;
	}
	if (strcmp(opt, "--resolve") == 0) {
		if (val == NULL || pin_parse(c, val) < 0)
			return cli_usage_error(usage, "%s: bad --resolve '%s' "
					       "(NAME:ADDR)", cmd,
					       val ? val : "");
		return 1;
	}
	if (strcmp(opt, "--dns-timeout") == 0) {
		if (val == NULL || cli_parse_seconds(val, &ms) < 0)
			return cli_usage_error(usage, "%s: bad --dns-timeout "
					       "'%s'", cmd, val ? val : "");
		c->timeout_ms = ms;
		return 1;
	}
	return 0;
}

int
cli_resolver_finish(struct resolv_config *c)
{
	struct resolv_config sys, def;
	const char *hosts = env_or("INETKIT_HOSTS", "/etc/hosts");

	if (c->nservers > 0) {
		c->hosts_path = hosts;
		return 0;
	}
	resolv_config_init(&sys);
	resolv_config_init(&def);
	int rc = resolv_config_system(
		&sys, env_or("INETKIT_RESOLV_CONF", "/etc/resolv.conf"), hosts);
	if (rc < 0)
		return rc;
	memcpy(c->servers, sys.servers, sizeof c->servers);
	c->nservers = sys.nservers;
	/* An option given on the command line wins over the file. */
	if (c->timeout_ms == def.timeout_ms)
		c->timeout_ms = sys.timeout_ms;
	if (c->attempts == def.attempts)
		c->attempts = sys.attempts;
	c->hosts_path = hosts;
	return 0;
}
