/* Unit tests of src/conf/conf.c: YAML text to blocks of flags, with the
 * line and column of each; the refused shapes; the near-miss finder. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/err.h"
#include "unit.h"

/* Each case: the text, then what the blocks flatten to: one string of
 * "name{key=value@line:col,...}" per block, or the error. */
struct conf_case {
	const char *text;
	const char *want;	/* NULL when an error is expected */
	int err_line, err_col;
	const char *err_key;
};

static const struct conf_case cases[] = {
	{ "", "", 0, 0, NULL },
	{ "http:\n  root: /srv\n", "http{root=/srv@2:9}", 0, 0, NULL },
	{ "http:\n  listen: [a, b]\n",
	  "http{listen=a@2:12,listen=b@2:15}", 0, 0, NULL },
	{ "http:\n  listen:\n    - a\n    - b\n",
	  "http{listen=a@3:7,listen=b@4:7}", 0, 0, NULL },
	{ "http:\n  vhost:\n    www.x: /a\n",
	  "http{vhost=www.x=/a@3:5}", 0, 0, NULL },
	{ "http:\n  autoindex: true\n  sendfile: off\n",
	  "http{autoindex=true!1@2:14,sendfile=off!0@3:13}", 0, 0, NULL },
	{ "http:\n  sendfile: \"off\"\n", "http{sendfile=off@2:13}", 0, 0,
	  NULL },
	{ "workers: 2\necho:\n", "workers={workers=2@1:10}echo{}", 0, 0,
	  NULL },
	/* Found by fuzz_config: blocks without a single arg in the whole
	 * file (UBSan: NULL + 0 in settle). */
	{ "http:\n", "http{}", 0, 0, NULL },
	{ "http:\n  - li /a, y: /Ab}\n  - root: /c\nworkers: 3\n",
	  NULL, 2, 5, NULL },
	{ "echo:\n  - listen: a\n  - listen: b\n",
	  "echo{listen=a@2:13}echo{listen=b@3:13}", 0, 0, NULL },
	{ "- a\n", NULL, 1, 1, NULL },
	{ "http: [a]\n", NULL, 1, 8, "http" },
	{ "http:\n  root: /a\n  root: /b\n", NULL, 3, 3, "root" },
	{ "http:\n  a b: 1\n", NULL, 2, 3, NULL },
	{ "http:\n  root: {a: [b]}\n", NULL, 2, 13, "root" },
	{ "http:\n  root: [[a]]\n", NULL, 2, 10, "root" },
	{ "http:\n  listen: [a\n", NULL, 3, 1, NULL },
	{ "http: {\n", NULL, 2, 1, NULL },
	{ "a: &x [1]\nb: *x\n", NULL, 1, 8, "a" },
};

static void
flatten(const struct conf *c, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; i < c->nblocks; i++) {
		const struct conf_block *b = &c->blocks[i];
		n += (size_t)snprintf(out + n, size - n, "%s%s{", b->name,
				      b->is_setting ? "=" : "");
		for (int j = 0; j < b->nargs; j++) {
			const struct conf_arg *a = &b->args[j];
			n += (size_t)snprintf(out + n, size - n, "%s%s=%s",
					      j ? "," : "", a->key, a->value);
			if (a->is_bool)
				n += (size_t)snprintf(out + n, size - n, "!%d",
						      a->truth);
			n += (size_t)snprintf(out + n, size - n, "@%d:%d",
					      a->vpos.line, a->vpos.col);
		}
		n += (size_t)snprintf(out + n, size - n, "}");
	}
}

START_TEST(test_cases)
{
	const struct conf_case *t = &cases[_i];
	struct conf c;
	struct conf_error err;
	char got[1024];
	int rc = conf_parse(t->text, strlen(t->text), &c, &err);

	if (t->want) {
		ck_assert_msg(rc == 0, "%s: %s", t->text, err.msg);
		flatten(&c, got, sizeof got);
		ck_assert_str_eq(got, t->want);
	} else {
		ck_assert_int_lt(rc, 0);
		ck_assert_msg(err.pos.line == t->err_line &&
			      err.pos.col == t->err_col, "%s: at %d:%d: %s",
			      t->text, err.pos.line, err.pos.col, err.msg);
		ck_assert_str_eq(err.key, t->err_key ? t->err_key : "");
		ck_assert(err.msg[0] != '\0');
	}
	conf_fini(&c);
}
END_TEST

START_TEST(test_limits)
{
	size_t n = CONF_MAX_BYTES + 1;
	char *big = malloc(n);
	struct conf c;
	struct conf_error err;

	ck_assert_ptr_nonnull(big);
	memset(big, '#', n);
	ck_assert_int_eq(conf_parse(big, n, &c, &err), ERR_TOOBIG);
	conf_fini(&c);
	/* more values than CONF_MAX_ARGS */
	size_t len = 0;
	len += (size_t)sprintf(big, "e:\n  l: [");
	for (int i = 0; i <= CONF_MAX_ARGS; i++)
		len += (size_t)sprintf(big + len, "%s1", i ? "," : "");
	len += (size_t)sprintf(big + len, "]\n");
	ck_assert_int_eq(conf_parse(big, len, &c, &err), ERR_TOOBIG);
	ck_assert_str_eq(err.key, "l");
	conf_fini(&c);
	free(big);
}
END_TEST

START_TEST(test_suggest)
{
	static const char *const keys[] = { "listen", "root", "autoindex",
					    "max-conns" };

	ck_assert_uint_eq(conf_distance("kitten", "sitting"), 3);
	ck_assert_uint_eq(conf_distance("", "abc"), 3);
	ck_assert_uint_eq(conf_distance("root", "root"), 0);
	ck_assert_str_eq(conf_suggest("autoindx", keys, 4), "autoindex");
	ck_assert_str_eq(conf_suggest("lisen", keys, 4), "listen");
	ck_assert_str_eq(conf_suggest("max_conns", keys, 4), "max-conns");
	ck_assert_str_eq(conf_suggest("rot", keys, 4), "root");
	ck_assert_ptr_null(conf_suggest("zone", keys, 4));
	ck_assert_ptr_null(conf_suggest("x", keys, 4));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");

	tcase_add_loop_test(tc, test_cases, 0,
			    (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_suggest);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
