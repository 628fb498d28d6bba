/* cfg_set.c - --set overrides and moving nodes of a config tree (see
 * cfg.h). */
#include "core/cfg.h"

#include <stdio.h>
#include <string.h>

#include "core/cfg_int.h"

/* The child of map with key seg[0..len), appended (zeroed) when absent;
 * *made (if not NULL) says which.  NULL when out of memory. */
static cfg_node *map_child(cfg_doc *doc, cfg_node *map, const char *seg,
			   size_t len, bool *made)
{
	cfg_node *c = cfg_map_find(map, seg, len);

	if (made)
		*made = !c;
	if (c)
		return c;
	c = cfg_arena_alloc(doc, sizeof(*c));
	if (!c || !(c->key = cfg_arena_strndup(doc, seg, len)))
		return NULL;
	cfg_map_append(map, c);
	return c;
}

/* ---- --set ------------------------------------------------------------ */

/* Check the path part of "a.b.c=value" before anything changes. */
static int set_check_path(const cfg_doc *doc, const char *assign,
			  const char *eq, ej_err *err)
{
	const cfg_node *map = doc->root;
	const char *seg = assign, *dot;
	char where[CFG_WHERE_MAX];

	if (eq == assign)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "invalid --set '%s': empty key path", assign);
	for (dot = assign; dot < eq; dot++)
		if (*dot == '.' && (dot == assign || dot + 1 == eq ||
				    dot[1] == '.'))
			return ej_fail(err, EJ_EXIT_USAGE,
				       "invalid --set '%s': empty key in '%.*s'",
				       assign, (int)(eq - assign), assign);
	while ((dot = memchr(seg, '.', (size_t)(eq - seg))) != NULL) {
		const cfg_node *c = cfg_map_find(map, seg, (size_t)(dot - seg));

		if (!c || cfg_is_null(c))
			return 0; /* the rest gets created */
		if (c->kind != CFG_MAP) {
			cfg_where(c, where, sizeof(where));
			return ej_fail(err, EJ_EXIT_USAGE,
				       "invalid --set '%s': '%.*s' is %s (%s), "
				       "not a mapping", assign,
				       (int)(dot - assign), assign,
				       cfg_kind_name(c->kind), where);
		}
		map = c;
		seg = dot + 1;
	}
	return 0;
}

static void set_mark(cfg_node *n, const char *origin)
{
	n->origin = origin;
	n->line = n->col = n->key_line = n->key_col = 0;
}

int cfg_set(cfg_doc *doc, const char *assign, ej_err *err)
{
	const char *eq = strchr(assign, '=');
	const char *seg = assign, *dot;
	cfg_node *map = doc->root, *val, *c;
	char *origin, *prefix, *text;
	size_t n = strlen(assign);

	if (!eq)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "invalid --set '%s': missing '=' (expected "
			       "'key.path=value')", assign);
	if (set_check_path(doc, assign, eq, err))
		return -1;
	origin = cfg_arena_alloc(doc, n + sizeof("--set ''"));
	prefix = cfg_arena_alloc(doc, n + sizeof("invalid --set ''"));
	if (!origin || !prefix)
		return cfg_fail_oom(err);
	sprintf(origin, "--set '%s'", assign);
	sprintf(prefix, "invalid --set '%s'", assign);
	/* Parsed as " value": like the value of "key: value" in a file it
	 * never starts a line, where libyaml takes a BOM for an encoding
	 * mark and "---", "..." and "%" for document markers and
	 * directives (all of which turned such a value into null). */
	text = cfg_arena_alloc(doc, n - (size_t)(eq - assign) + 1);
	if (!text)
		return cfg_fail_oom(err);
	text[0] = ' ';
	memcpy(text + 1, eq + 1, n - (size_t)(eq - assign));
	if (cfg_parse_yaml(doc, origin, prefix, (const unsigned char *)text,
			   n - (size_t)(eq - assign), &val, err))
		return -1;
	if (!val) { /* "a.b=": an empty (null) scalar */
		val = cfg_arena_alloc(doc, sizeof(*val));
		if (!val || !(val->value = cfg_arena_strndup(doc, "", 0)))
			return cfg_fail_oom(err);
		val->kind = CFG_SCALAR;
		set_mark(val, origin);
	}
	while ((dot = memchr(seg, '.', (size_t)(eq - seg))) != NULL) {
		c = map_child(doc, map, seg, (size_t)(dot - seg), NULL);
		if (!c)
			return cfg_fail_oom(err);
		if (c->kind != CFG_MAP) { /* new, or null (set_check_path) */
			c->kind = CFG_MAP;
			c->value = NULL;
			c->quoted = false;
			set_mark(c, origin);
		}
		map = c;
		seg = dot + 1;
	}
	c = cfg_map_find(map, seg, (size_t)(eq - seg));
	if (!c) {
		c = val;
		c->key = cfg_arena_strndup(doc, seg, (size_t)(eq - seg));
		if (!c->key)
			return cfg_fail_oom(err);
		cfg_map_append(map, c);
		return 0;
	}
	c->kind = val->kind; /* replace in place: keeps key and order */
	c->value = val->value;
	c->quoted = val->quoted;
	c->child = val->child;
	set_mark(c, origin);
	return 0;
}

/* ---- moving nodes (translation of foreign formats) -------------------- */

/* Detach the node at 'path' from its parent map; NULL if absent. */
static cfg_node *detach(cfg_doc *doc, const char *path)
{
	cfg_node *map = doc->root, **link;
	const char *seg = path, *dot;

	while ((dot = strchr(seg, '.')) != NULL) {
		map = cfg_map_find(map, seg, (size_t)(dot - seg));
		if (!map)
			return NULL;
		seg = dot + 1;
	}
	if (!map || map->kind != CFG_MAP)
		return NULL;
	for (link = &map->child; *link; link = &(*link)->next) {
		if (!strcmp((*link)->key, seg)) {
			cfg_node *n = *link;

			*link = n->next;
			n->next = NULL;
			return n;
		}
	}
	return NULL;
}

int cfg_remove(cfg_doc *doc, const char *path)
{
	return detach(doc, path) ? 1 : 0;
}

int cfg_move(cfg_doc *doc, const char *from, const char *to, ej_err *err)
{
	const char *seg = to, *dot, *origin;
	cfg_node *node = detach(doc, from), *map = doc->root, *c;

	if (!node)
		return 0;
	origin = node->origin;
	while ((dot = strchr(seg, '.')) != NULL) {
		bool made;

		c = map_child(doc, map, seg, (size_t)(dot - seg), &made);
		if (!c)
			return cfg_fail_oom(err);
		if (made) {
			c->kind = CFG_MAP;
			c->origin = origin;
			c->line = c->key_line = node->key_line;
			c->col = c->key_col = node->key_col;
		} else if (c->kind != CFG_MAP) {
			return ej_fail(err, EJ_EXIT_USAGE,
				       "cannot move '%s' to '%s': '%.*s' is not a mapping",
				       from, to, (int)(dot - to), to);
		}
		map = c;
		seg = dot + 1;
	}
	detach(doc, to);
	if (!(node->key = cfg_arena_strndup(doc, seg, strlen(seg))))
		return cfg_fail_oom(err);
	cfg_map_append(map, node);
	return 1;
}

static void mark_like(cfg_node *n, const cfg_node *like)
{
	for (; n; n = n->next) {
		n->origin = like->origin;
		n->line = like->line;
		n->col = like->col;
		n->key_line = like->key_line;
		n->key_col = like->key_col;
		mark_like(n->child, like);
	}
}

int cfg_set_like(cfg_doc *doc, const char *assign, const cfg_node *like,
		 ej_err *err)
{
	char path[512];
	const char *eq = strchr(assign, '=');
	cfg_node *n;

	if (cfg_set(doc, assign, err) < 0)
		return -1;
	if (!like || !eq || (size_t)(eq - assign) >= sizeof(path))
		return 0;
	memcpy(path, assign, (size_t)(eq - assign));
	path[eq - assign] = '\0';
	n = (cfg_node *)cfg_path(doc->root, path);
	if (n) {
		n->origin = like->origin;
		n->line = like->line;
		n->col = like->col;
		n->key_line = like->key_line;
		n->key_col = like->key_col;
		mark_like(n->child, like);
	}
	return 0;
}
