/* cli_config: `inetkit serve --config FILE`, `inetkit serve NAME --config
 * FILE [FLAGS]`, `inetkit up --config FILE` and `inetkit check --config
 * FILE`: the services of a YAML file (src/conf), each block parsed by its
 * server's own flag parser. */
#ifndef INETKIT_CLI_CONFIG_H
#define INETKIT_CLI_CONFIG_H

enum cli_config_mode {
	CLI_CONFIG_SERVE,	/* run until SIGTERM; SIGHUP reloads */
	CLI_CONFIG_UP,		/* the same, printing what to try */
	CLI_CONFIG_CHECK,	/* parse and load, start nothing */
};

#define CLI_CONFIG_USAGE \
	"usage: inetkit serve --config FILE [--workers N]\n" \
	"       inetkit serve SERVICE --config FILE [FLAGS...]\n"

/* Runs (or checks) the services of the file at path: all of them, or
 * only's blocks with the flags argv[0..argc) beside (they replace the
 * file's keys of the same name). With only NULL, argv may hold --workers
 * N alone. Errors are printed as FILE:LINE:COLUMN: KEY: message and give
 * exit status 2 before anything listens. Returns the exit status. */
int cli_config_run(const char *path, const char *only, int argc,
		   char **argv, enum cli_config_mode mode);

#endif
