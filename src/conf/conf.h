/* conf: the configuration file (YAML, read by libyaml) turned into the
 * command-line arguments of each service, so that every flag has its key
 * without a table of keys: `listen: [a, b]` under `http:` is `--listen a
 * --listen b` of `inetkit serve http`. Pure: bytes in, blocks of
 * arguments out, with the line and column of every key and value. */
#ifndef INETKIT_CONF_H
#define INETKIT_CONF_H

#include <stddef.h>

#define CONF_MAX_BYTES (1 << 20)	/* a bigger file is refused */
#define CONF_MAX_BLOCKS 64		/* service blocks in a file */
#define CONF_MAX_ARGS 4096		/* keys and list items in a file */
#define CONF_MAX_KEY 64			/* bytes of a key */
#define CONF_MAX_VALUE 4096		/* bytes of a value */

struct conf_pos {
	int line, col;			/* 1-based, as editors count */
};

/* One flag: `--key value`, or `--key` alone when is_bool and the value is
 * true. A list gives one arg per item; a mapping item gives "K=V". */
struct conf_arg {
	char *key;
	char *value;
	int is_bool;			/* a plain true/false/yes/no/on/off */
	int truth;			/* its value when is_bool */
	struct conf_pos kpos, vpos;
};

/* A top-level key: a service block (a mapping; or a list of mappings,
 * one block each), or a setting of the whole file (a scalar: one arg in
 * a block with nargs 1 and is_setting). */
struct conf_block {
	char *name;
	struct conf_pos pos;
	int is_setting;
	struct conf_arg *args;
	int nargs;
};

struct conf {
	struct conf_block *blocks;
	int nblocks;
	struct conf_arg *args;		/* every block's args, in order */
	int nargs;
};

struct conf_error {
	struct conf_pos pos;
	char key[CONF_MAX_KEY];		/* "" when the error has no key */
	char msg[160];
};

/* Parses len bytes of YAML into c (freed by conf_fini, also after an
 * error). Returns 0, or ERR_PARSE / ERR_TOOBIG with err filled. */
int conf_parse(const char *text, size_t len, struct conf *c,
	       struct conf_error *err);
void conf_fini(struct conf *c);

/* The Levenshtein distance of a and b (each cut at CONF_MAX_KEY bytes). */
size_t conf_distance(const char *a, const char *b);
/* The candidate nearest to word when it is a near miss (distance at most
 * a third of its length, at least 1), else NULL. */
const char *conf_suggest(const char *word, const char *const *cands,
			 size_t n);

#endif
