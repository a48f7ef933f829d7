/* Fuzz target: a request to the CGI launcher as a compromised server
 * could send it (http_launch_check). Accepted, the script and its folder
 * lie under the route's folder with no ".." and every variable a script
 * gets is a CGI one, PATH or LANG, all inside the input or the
 * launcher's own. The first byte picks how many descriptors came. */
#include <stdlib.h>
#include <string.h>

#include "http/http_launch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_gw_config c;
	static char *env[HTTP_LAUNCH_ENV];
	static char dir[] = "/srv/cgi-bin";
	char *b, *exe, *cwd;

	if (size < 1 || size > HTTP_LAUNCH_MAX_MSG)
		return 0;
	if (c.nroutes == 0) {
		c.nroutes = 1;
		c.routes[0].kind = HTTP_GW_CGI;
		c.routes[0].dir = dir;
	}
	int fds[3] = { data[0] & 1 ? 3 : -1, data[0] & 2 ? 4 : -1,
		data[0] & 4 ? 5 : -1 };
	b = malloc(size - 1 ? size - 1 : 1);
	memcpy(b, data + 1, size - 1);
	if (http_launch_check(&c, b, size - 1, fds, &exe, &cwd, env) == 0) {
		if (strncmp(exe, "/srv/cgi-bin/", 13) != 0 ||
		    strstr(exe, "/../") || strncmp(cwd, dir, 12) != 0 ||
		    exe < b || exe >= b + size - 1)
			abort();
		for (size_t i = 0; env[i]; i++)
			if (strncmp(env[i], "LD_", 3) == 0 ||
			    strncmp(env[i], "BASH_ENV=", 9) == 0 ||
			    strncmp(env[i], "HTTP_PROXY=", 11) == 0 ||
			    !strchr(env[i], '='))
				abort();
	}
	free(b);
	return 0;
}
