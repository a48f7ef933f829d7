/* conf: YAML (libyaml's document loader) to blocks of command-line
 * arguments. The shape is fixed and shallow: a mapping of blocks, each a
 * mapping of keys whose values are scalars, lists of scalars or mappings
 * of scalars; anything deeper is an error at its line and column. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "conf.h"
#include "core/err.h"

struct walk {
	yaml_document_t *doc;
	struct conf *c;
	struct conf_error *err;
	int cap_blocks, cap_args;
};

static struct conf_pos
pos_of(const yaml_node_t *n)
{
	return (struct conf_pos){ (int)n->start_mark.line + 1,
				  (int)n->start_mark.column + 1 };
}

static int
fail(struct walk *w, const yaml_node_t *n, const char *key, int rc,
     const char *fmt, ...)
{
	va_list ap;

	w->err->pos = pos_of(n);
	snprintf(w->err->key, sizeof w->err->key, "%s", key ? key : "");
	va_start(ap, fmt);
	vsnprintf(w->err->msg, sizeof w->err->msg, fmt, ap);
	va_end(ap);
	return rc;
}

static const char *
scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* YAML 1.1's booleans, only when written plain (quoted "on" is text). */
static int
plain_bool(const yaml_node_t *n, int *truth)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	for (int i = 0; i < 3; i++) {
		if (strcasecmp(scalar(n), yes[i]) == 0)
			return (*truth = 1);
		if (strcasecmp(scalar(n), no[i]) == 0) {
			*truth = 0;
			return 1;
		}
	}
	return 0;
}

/* A key: a short plain word of letters, digits, '-' and '_'. */
static int
check_key(struct walk *w, const yaml_node_t *k)
{
	if (k->type != YAML_SCALAR_NODE)
		return fail(w, k, NULL, ERR_PARSE, "a key must be a word");
	const char *s = scalar(k);
	size_t n = strlen(s);
	if (n == 0 || n >= CONF_MAX_KEY)
		return fail(w, k, NULL, ERR_PARSE, "a key must be 1 to %d "
			    "bytes", CONF_MAX_KEY - 1);
	for (size_t i = 0; i < n; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' &&
		    s[i] <= 'Z') && !(s[i] >= '0' && s[i] <= '9') &&
		    s[i] != '-' && s[i] != '_')
			return fail(w, k, NULL, ERR_PARSE, "'%s' is not a key "
				    "(letters, digits, '-')", s);
	return 0;
}

static char *
dup_value(struct walk *w, const yaml_node_t *at, const char *key,
	  const char *a, const char *b, int *rc)
{
	size_t na = strlen(a), nb = b ? strlen(b) + 1 : 0;
	char *p;

	if (na + nb >= CONF_MAX_VALUE) {
		*rc = fail(w, at, key, ERR_TOOBIG, "value longer than %d bytes",
			   CONF_MAX_VALUE - 1);
		return NULL;
	}
	p = malloc(na + nb + 1);
	if (p == NULL) {
		*rc = fail(w, at, key, ERR_TOOBIG, "out of memory");
		return NULL;
	}
	memcpy(p, a, na);
	if (b) {
		p[na] = '=';
		memcpy(p + na + 1, b, nb);
	}
	p[na + nb] = '\0';
	return p;
}

/* Appends one arg; value node v (a scalar), or "mk=v" for a mapping item. */
static int
add_arg(struct walk *w, const yaml_node_t *k, const yaml_node_t *mk,
	const yaml_node_t *v)
{
	struct conf *c = w->c;
	const char *key = scalar(k);
	int rc = 0;

	if (v->type != YAML_SCALAR_NODE)
		return fail(w, v, key, ERR_PARSE, "expected a value, a list of "
			    "values or NAME: VALUE pairs; not deeper");
	if (c->nargs >= CONF_MAX_ARGS)
		return fail(w, v, key, ERR_TOOBIG, "more than %d values in the "
			    "file", CONF_MAX_ARGS);
	if (c->nargs == w->cap_args) {
		int cap = w->cap_args ? 2 * w->cap_args : 32;
		void *p = realloc(c->args, (size_t)cap * sizeof *c->args);
		if (p == NULL)
			return fail(w, v, key, ERR_TOOBIG, "out of memory");
		c->args = p;
		w->cap_args = cap;
	}
	struct conf_arg *a = &c->args[c->nargs];
	*a = (struct conf_arg){ .kpos = pos_of(k), .vpos = pos_of(mk ? mk : v) };
	a->key = dup_value(w, k, key, key, NULL, &rc);
	if (a->key == NULL)
		return rc;
	if (mk && mk->type != YAML_SCALAR_NODE) {
		free(a->key);
		return fail(w, mk, key, ERR_PARSE, "a NAME must be a value");
	}
	a->value = dup_value(w, v, key, mk ? scalar(mk) : scalar(v),
			     mk ? scalar(v) : NULL, &rc);
	if (a->value == NULL) {
		free(a->key);
		return rc;
	}
	a->is_bool = mk ? 0 : plain_bool(v, &a->truth);
	c->nargs++;
	return 0;
}

static int
add_value(struct walk *w, const yaml_node_t *k, const yaml_node_t *v)
{
	int rc = 0;

	if (v->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *it = v->data.sequence.items.start;
		for (; rc == 0 && it < v->data.sequence.items.top; it++)
			rc = add_arg(w, k, NULL, yaml_document_get_node(w->doc,
								       *it));
		return rc;
	}
	if (v->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *p = v->data.mapping.pairs.start;
		for (; rc == 0 && p < v->data.mapping.pairs.top; p++)
			rc = add_arg(w, k, yaml_document_get_node(w->doc, p->key),
				     yaml_document_get_node(w->doc, p->value));
		return rc;
	}
	return add_arg(w, k, NULL, v);
}

static struct conf_block *
new_block(struct walk *w, const yaml_node_t *k, int *rc)
{
	struct conf *c = w->c;

	if (c->nblocks >= CONF_MAX_BLOCKS) {
		*rc = fail(w, k, NULL, ERR_TOOBIG, "more than %d blocks",
			   CONF_MAX_BLOCKS);
		return NULL;
	}
	if (c->nblocks == w->cap_blocks) {
		int cap = w->cap_blocks ? 2 * w->cap_blocks : 8;
		void *p = realloc(c->blocks, (size_t)cap * sizeof *c->blocks);
		if (p == NULL) {
			*rc = fail(w, k, NULL, ERR_TOOBIG, "out of memory");
			return NULL;
		}
		c->blocks = p;
		w->cap_blocks = cap;
	}
	struct conf_block *b = &c->blocks[c->nblocks];
	*b = (struct conf_block){ .pos = pos_of(k) };
	b->name = dup_value(w, k, scalar(k), scalar(k), NULL, rc);
	if (b->name == NULL)
		return NULL;
	/* args are indexes until the end, when realloc has settled */
	b->args = (struct conf_arg *)(size_t)c->nargs;
	c->nblocks++;
	return b;
}

static int
same_key_before(struct walk *w, const yaml_node_t *map,
		const yaml_node_pair_t *upto, const char *key)
{
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < upto; p++) {
		const yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		if (k->type == YAML_SCALAR_NODE && strcmp(scalar(k), key) == 0)
			return 1;
	}
	return 0;
}

/* One block: a mapping of key: value (null: an empty block). */
static int
walk_block(struct walk *w, const yaml_node_t *name, const yaml_node_t *map)
{
	int rc = 0;
	struct conf_block *b = new_block(w, name, &rc);

	if (b == NULL)
		return rc;
	if (map->type == YAML_SCALAR_NODE && map->data.scalar.length == 0 &&
	    map->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		return 0;
	if (map->type != YAML_MAPPING_NODE)
		return fail(w, map, scalar(name), ERR_PARSE, "expected KEY: "
			    "VALUE lines under '%s'", scalar(name));
	yaml_node_pair_t *p = map->data.mapping.pairs.start;
	for (; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		rc = check_key(w, k);
		if (rc == 0 && same_key_before(w, map, p, scalar(k)))
			rc = fail(w, k, scalar(k), ERR_PARSE, "given twice in "
				  "this block (a list gives several values)");
		if (rc == 0)
			rc = add_value(w, k, yaml_document_get_node(w->doc,
								    p->value));
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
walk_top(struct walk *w, const yaml_node_t *top)
{
	int rc = 0;

	if (top == NULL)
		return 0;	/* an empty file */
	if (top->type != YAML_MAPPING_NODE)
		return fail(w, top, NULL, ERR_PARSE, "expected SERVICE: blocks "
			    "at the top");
	yaml_node_pair_t *p = top->data.mapping.pairs.start;
	for (; rc == 0 && p < top->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
		rc = check_key(w, k);
		if (rc < 0)
			break;
		if (v->type == YAML_SEQUENCE_NODE) {
			yaml_node_item_t *it = v->data.sequence.items.start;
			for (; rc == 0 && it < v->data.sequence.items.top; it++)
				rc = walk_block(w, k, yaml_document_get_node(
							w->doc, *it));
		} else if (v->type == YAML_SCALAR_NODE &&
			   v->data.scalar.length > 0) {
			struct conf_block *b = new_block(w, k, &rc);
			if (b) {
				b->is_setting = 1;
				rc = add_arg(w, k, NULL, v);
			}
		} else {
			rc = walk_block(w, k, v);
		}
	}
	return rc;
}

/* Turns the blocks' arg indexes into pointers and counts. With no arg
 * at all (a file of empty blocks, "http:") c->args is NULL, and even
 * NULL + 0 is undefined (C11 6.5.6p8): such blocks get NULL. */
static void
settle(struct conf *c)
{
	for (int i = 0; i < c->nblocks; i++) {
		size_t from = (size_t)c->blocks[i].args;
		size_t to = i + 1 < c->nblocks ? (size_t)c->blocks[i + 1].args :
			(size_t)c->nargs;
		c->blocks[i].nargs = (int)(to - from);
		c->blocks[i].args = c->args ? c->args + from : NULL;
	}
}

static int
load_error(const yaml_parser_t *p, struct conf_error *err)
{
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;

	err->pos = (struct conf_pos){ (int)m->line + 1, (int)m->column + 1 };
	err->key[0] = '\0';
	snprintf(err->msg, sizeof err->msg, "%s%s%s",
		 p->problem ? p->problem : "not YAML",
		 p->context ? " " : "", p->context ? p->context : "");
	return ERR_PARSE;
}

int
conf_parse(const char *text, size_t len, struct conf *c,
	   struct conf_error *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct walk w = { &doc, c, err, 0, 0 };
	int rc;

	memset(c, 0, sizeof *c);
	memset(err, 0, sizeof *err);
	if (len > CONF_MAX_BYTES) {
		err->pos = (struct conf_pos){ 1, 1 };
		snprintf(err->msg, sizeof err->msg, "file larger than %d bytes",
			 CONF_MAX_BYTES);
		return ERR_TOOBIG;
	}
	if (!yaml_parser_initialize(&parser))
		return ERR_TOOBIG;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = load_error(&parser, err);
		yaml_parser_delete(&parser);
		return rc;
	}
	rc = walk_top(&w, yaml_document_get_root_node(&doc));
	settle(c);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

void
conf_fini(struct conf *c)
{
	for (int i = 0; i < c->nargs; i++) {
		free(c->args[i].key);
		free(c->args[i].value);
	}
	for (int i = 0; i < c->nblocks; i++)
		free(c->blocks[i].name);
	free(c->args);
	free(c->blocks);
	memset(c, 0, sizeof *c);
}

size_t
conf_distance(const char *a, const char *b)
{
	size_t row[CONF_MAX_KEY + 1];
	size_t na = strnlen(a, CONF_MAX_KEY), nb = strnlen(b, CONF_MAX_KEY);

	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}

const char *
conf_suggest(const char *word, const char *const *cands, size_t n)
{
	size_t limit = strnlen(word, CONF_MAX_KEY) / 3, best = (size_t)-1;
	const char *pick = NULL;

	if (limit < 1)
		limit = 1;
	for (size_t i = 0; i < n; i++) {
		size_t d = conf_distance(word, cands[i]);
		if (d <= limit && d < best) {
			best = d;
			pick = cands[i];
		}
	}
	return pick;
}
