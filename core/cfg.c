/* cfg.c - YAML config tree built from libyaml events, --set overrides and
 * the schema validator.  See cfg.h for the behaviour and the messages.
 *
 * Every node and string of a tree lives in the doc's arena (a list of
 * malloc'd chunks), so cfg_free releases everything at once and no error
 * path can leak: half-built nodes simply stay in the arena.
 *
 * Number parsing and printing use strtol/strtod/snprintf and so assume the
 * "C" LC_NUMERIC locale (the program never calls setlocale).
 */
#include "core/cfg.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#define CFG_CHUNK_SIZE 4096
#define CFG_MAX_DEPTH 64     /* deepest nesting of maps/sequences accepted */
#define CFG_UNBOUNDED 1e300  /* |bound| >= this: no bound (cfg.h) */
#define CFG_DYM_MAX 255      /* longest word cfg_did_you_mean compares */
#define CFG_WHERE_MAX 1024

/* ---- arena ------------------------------------------------------------ */

struct cfg_chunk {
	struct cfg_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct cfg_doc {
	struct cfg_chunk *chunks; /* newest first */
	cfg_node *root;
};

/* Zeroed memory owned by 'doc'; NULL when out of memory. */
static void *arena_alloc(cfg_doc *doc, size_t size)
{
	const size_t align = alignof(max_align_t);
	struct cfg_chunk *c = doc->chunks;
	void *p;

	if (size > SIZE_MAX / 2)
		return NULL;
	size = (size + align - 1) / align * align;
	if (!c || c->cap - c->used < size) {
		size_t cap = size > CFG_CHUNK_SIZE ? size : CFG_CHUNK_SIZE;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = doc->chunks;
		doc->chunks = c;
	}
	p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

static char *arena_strndup(cfg_doc *doc, const char *s, size_t n)
{
	char *p = arena_alloc(doc, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static int fail_oom(ej_err *err)
{
	return ej_fail(err, EJ_EXIT_RUN, "out of memory while reading the config");
}

static cfg_doc *doc_new(void)
{
	return calloc(1, sizeof(cfg_doc));
}

void cfg_free(cfg_doc *doc)
{
	struct cfg_chunk *c, *next;

	if (!doc)
		return;
	for (c = doc->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(doc);
}

cfg_node *cfg_root(cfg_doc *doc)
{
	return doc ? doc->root : NULL;
}

/* ---- tree helpers ----------------------------------------------------- */

static const char *kind_name(enum cfg_kind kind)
{
	switch (kind) {
	case CFG_SCALAR: return "a scalar";
	case CFG_MAP: return "a mapping";
	case CFG_SEQ: return "a sequence";
	}
	return "a node";
}

static cfg_node *map_find(const cfg_node *map, const char *key, size_t len)
{
	cfg_node *c;

	if (!map || map->kind != CFG_MAP)
		return NULL;
	for (c = map->child; c; c = c->next)
		if (strlen(c->key) == len && !memcmp(c->key, key, len))
			return c;
	return NULL;
}

static void map_append(cfg_node *map, cfg_node *node)
{
	cfg_node **tail = &map->child;

	while (*tail)
		tail = &(*tail)->next;
	*tail = node;
}

const cfg_node *cfg_get(const cfg_node *map, const char *key)
{
	return key ? map_find(map, key, strlen(key)) : NULL;
}

const cfg_node *cfg_path(const cfg_node *map, const char *dotted)
{
	const cfg_node *n = map;
	const char *seg = dotted;

	if (!dotted)
		return NULL;
	for (;;) {
		const char *dot = strchr(seg, '.');
		size_t len = dot ? (size_t)(dot - seg) : strlen(seg);

		n = map_find(n, seg, len);
		if (!n || !dot)
			return n;
		seg = dot + 1;
	}
}

bool cfg_is_null(const cfg_node *node)
{
	const char *v;

	if (!node)
		return true;
	if (node->kind != CFG_SCALAR || node->quoted)
		return false;
	v = node->value;
	return !v || !*v || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

static void where_at(const cfg_node *node, int line, int col, char *buf,
		     size_t size)
{
	const char *origin;

	if (!size)
		return;
	if (!node) {
		snprintf(buf, size, "<no node>");
		return;
	}
	origin = node->origin ? node->origin : "<config>";
	if (line <= 0)
		snprintf(buf, size, "%s", origin);
	else
		snprintf(buf, size, "%s:%d:%d", origin, line, col);
}

void cfg_where(const cfg_node *node, char *buf, size_t size)
{
	where_at(node, node ? node->line : 0, node ? node->col : 0, buf, size);
}

static void cfg_where_key(const cfg_node *node, char *buf, size_t size)
{
	where_at(node, node->key_line, node->key_col, buf, size);
}

/* ---- loading (libyaml events) ----------------------------------------- */

typedef struct cfg_loader {
	yaml_parser_t parser;
	cfg_doc *doc;
	const char *origin;  /* node origin: file name or "--set '...'" */
	const char *prefix;  /* NULL for files; "invalid --set 'a=b'" */
	const unsigned char *text;
	size_t len;
	ej_err *err;
} cfg_loader;

static int mark_pos(size_t zero_based)
{
	return zero_based < (size_t)INT_MAX ? (int)zero_based + 1 : INT_MAX;
}

static int ld_fail(cfg_loader *ld, yaml_mark_t mark, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ld_fail(cfg_loader *ld, yaml_mark_t mark, const char *fmt, ...)
{
	char msg[EJ_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ld->prefix)
		return ej_fail(ld->err, EJ_EXIT_USAGE, "%s: %s", ld->prefix,
			       msg);
	return ej_fail(ld->err, EJ_EXIT_USAGE, "%s:%d:%d: %s", ld->origin,
		       mark_pos(mark.line), mark_pos(mark.column), msg);
}

/* Reader errors (bad UTF-8, control characters) only give a byte offset. */
static yaml_mark_t offset_mark(const cfg_loader *ld, size_t offset)
{
	yaml_mark_t m = { offset, 0, 0 };
	size_t i;

	for (i = 0; i < offset && i < ld->len; i++) {
		if (ld->text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if ((ld->text[i] & 0xC0) != 0x80) {
			m.column++;
		}
	}
	return m;
}

static int ld_yaml_error(cfg_loader *ld)
{
	const yaml_parser_t *p = &ld->parser;
	const char *problem = p->problem ? p->problem : "unknown error";
	yaml_mark_t mark = p->problem_mark;

	if (p->error == YAML_MEMORY_ERROR)
		return fail_oom(ld->err);
	if (p->error == YAML_READER_ERROR)
		mark = offset_mark(ld, p->problem_offset);
	if (p->context)
		return ld_fail(ld, mark, "invalid YAML: %s (%s)", problem,
			       p->context);
	return ld_fail(ld, mark, "invalid YAML: %s", problem);
}

static int ld_next(cfg_loader *ld, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&ld->parser, ev))
		return ld_yaml_error(ld);
	return 0;
}

static cfg_node *ld_alloc_node(cfg_loader *ld)
{
	cfg_node *n = arena_alloc(ld->doc, sizeof(*n));

	if (!n)
		fail_oom(ld->err);
	return n;
}

/* "tag:yaml.org,2002:int" is shown as the "!!int" the user wrote. */
static int ld_check_props(cfg_loader *ld, yaml_mark_t mark,
			  const yaml_char_t *anchor, const yaml_char_t *tag,
			  const char *allowed_tag)
{
	static const char yaml_prefix[] = "tag:yaml.org,2002:";
	const char *t = (const char *)tag;

	if (anchor)
		return ld_fail(ld, mark,
			       "anchors and aliases are not supported ('&%s')",
			       (const char *)anchor);
	if (!t || !strcmp(t, allowed_tag))
		return 0;
	if (!strncmp(t, yaml_prefix, sizeof(yaml_prefix) - 1))
		return ld_fail(ld, mark, "unsupported tag '!!%s'",
			       t + sizeof(yaml_prefix) - 1);
	return ld_fail(ld, mark, "unsupported tag '%s'", t);
}

/* Copy a scalar's text into the arena; NUL bytes ("\0") are refused. */
static const char *ld_scalar_text(cfg_loader *ld, const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *s;

	if (memchr(v, '\0', len)) {
		ld_fail(ld, ev->start_mark, "NUL character in a scalar");
		return NULL;
	}
	s = arena_strndup(ld->doc, v, len);
	if (!s)
		fail_oom(ld->err);
	return s;
}

static void ld_place(cfg_loader *ld, cfg_node *node, yaml_mark_t mark)
{
	node->origin = ld->origin;
	if (!ld->prefix) {
		node->line = mark_pos(mark.line);
		node->col = mark_pos(mark.column);
	}
	node->key_line = node->line;
	node->key_col = node->col;
}

static int ld_node(cfg_loader *ld, yaml_event_t *ev, cfg_node *node,
		   int depth);

static int ld_scalar(cfg_loader *ld, const yaml_event_t *ev, cfg_node *node)
{
	if (ld_check_props(ld, ev->start_mark, ev->data.scalar.anchor,
			   ev->data.scalar.tag, YAML_STR_TAG))
		return -1;
	node->kind = CFG_SCALAR;
	node->value = ld_scalar_text(ld, ev);
	node->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
		       ev->data.scalar.tag;
	return node->value ? 0 : -1;
}

static int ld_seq(cfg_loader *ld, const yaml_event_t *start, cfg_node *node,
		  int depth)
{
	cfg_node **tail = &node->child;

	if (ld_check_props(ld, start->start_mark,
			   start->data.sequence_start.anchor,
			   start->data.sequence_start.tag, YAML_SEQ_TAG))
		return -1;
	node->kind = CFG_SEQ;
	for (;;) {
		yaml_event_t ev;
		cfg_node *item;

		if (ld_next(ld, &ev))
			return -1;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		item = ld_alloc_node(ld);
		if (!item) {
			yaml_event_delete(&ev);
			return -1;
		}
		if (ld_node(ld, &ev, item, depth + 1))
			return -1;
		*tail = item;
		tail = &item->next;
	}
}

/* Read one map key (event 'kev', consumed) into a new entry of 'map'. */
static cfg_node *ld_key(cfg_loader *ld, yaml_event_t *kev, cfg_node *map)
{
	yaml_mark_t mark = kev->start_mark;
	cfg_node *entry = NULL, *dup;
	char where[CFG_WHERE_MAX];

	if (kev->type == YAML_ALIAS_EVENT) {
		ld_fail(ld, mark, "anchors and aliases are not supported ('*%s')",
			(const char *)kev->data.alias.anchor);
	} else if (kev->type != YAML_SCALAR_EVENT) {
		ld_fail(ld, mark, "mapping keys must be scalars");
	} else if (!ld_check_props(ld, mark, kev->data.scalar.anchor,
				   kev->data.scalar.tag, YAML_STR_TAG) &&
		   (entry = ld_alloc_node(ld)) != NULL) {
		entry->key = ld_scalar_text(ld, kev);
		if (!entry->key)
			entry = NULL;
	}
	yaml_event_delete(kev);
	if (!entry)
		return NULL;
	dup = map_find(map, entry->key, strlen(entry->key));
	if (dup && !ld->prefix) {
		cfg_where_key(dup, where, sizeof(where));
		ld_fail(ld, mark, "duplicate key '%s' (first at %s)", entry->key,
			where);
		return NULL;
	}
	if (dup) {
		ld_fail(ld, mark, "duplicate key '%s'", entry->key);
		return NULL;
	}
	ld_place(ld, entry, mark);
	return entry;
}

static int ld_map(cfg_loader *ld, const yaml_event_t *start, cfg_node *node,
		  int depth)
{
	if (ld_check_props(ld, start->start_mark,
			   start->data.mapping_start.anchor,
			   start->data.mapping_start.tag, YAML_MAP_TAG))
		return -1;
	node->kind = CFG_MAP;
	for (;;) {
		yaml_event_t kev, vev;
		cfg_node *entry;
		int key_line, key_col;

		if (ld_next(ld, &kev))
			return -1;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			return 0;
		}
		entry = ld_key(ld, &kev, node);
		if (!entry || ld_next(ld, &vev))
			return -1;
		key_line = entry->key_line;
		key_col = entry->key_col;
		if (ld_node(ld, &vev, entry, depth + 1))
			return -1;
		entry->key_line = key_line;
		entry->key_col = key_col;
		map_append(node, entry);
	}
}

/* Fill 'node' from the event that starts it; 'ev' is consumed. */
static int ld_node(cfg_loader *ld, yaml_event_t *ev, cfg_node *node, int depth)
{
	int rc;

	ld_place(ld, node, ev->start_mark);
	if (depth > CFG_MAX_DEPTH && ev->type != YAML_SCALAR_EVENT) {
		rc = ld_fail(ld, ev->start_mark,
			     "nesting deeper than %d levels", CFG_MAX_DEPTH);
		yaml_event_delete(ev);
		return rc;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		rc = ld_scalar(ld, ev, node);
		break;
	case YAML_SEQUENCE_START_EVENT:
		rc = ld_seq(ld, ev, node, depth);
		break;
	case YAML_MAPPING_START_EVENT:
		rc = ld_map(ld, ev, node, depth);
		break;
	case YAML_ALIAS_EVENT:
		rc = ld_fail(ld, ev->start_mark,
			     "anchors and aliases are not supported ('*%s')",
			     (const char *)ev->data.alias.anchor);
		break;
	default:
		rc = ld_fail(ld, ev->start_mark, "unexpected YAML event %d",
			     (int)ev->type);
		break;
	}
	yaml_event_delete(ev);
	return rc;
}

static bool is_block_collection(const yaml_event_t *ev)
{
	return (ev->type == YAML_MAPPING_START_EVENT &&
		ev->data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE) ||
	       (ev->type == YAML_SEQUENCE_START_EVENT &&
		ev->data.sequence_start.style == YAML_BLOCK_SEQUENCE_STYLE);
}

/* The one document of the stream into *root (NULL for an empty stream).
 * flow_only: refuse a block collection at the top (--set values). */
static int ld_stream(cfg_loader *ld, bool flow_only, cfg_node **root)
{
	yaml_event_t ev;
	yaml_mark_t mark;
	cfg_node *node;

	*root = NULL;
	if (ld_next(ld, &ev)) /* STREAM-START */
		return -1;
	yaml_event_delete(&ev);
	if (ld_next(ld, &ev))
		return -1;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return 0;
	}
	yaml_event_delete(&ev); /* DOCUMENT-START */
	if (ld_next(ld, &ev))
		return -1;
	if (flow_only && is_block_collection(&ev)) {
		mark = ev.start_mark;
		yaml_event_delete(&ev);
		return ld_fail(ld, mark,
			       "the value must be a scalar or a flow collection "
			       "('[a, b]', '{k: v}'); quote it");
	}
	node = ld_alloc_node(ld);
	if (!node) {
		yaml_event_delete(&ev);
		return -1;
	}
	if (ld_node(ld, &ev, node, 0))
		return -1;
	if (ld_next(ld, &ev)) /* DOCUMENT-END */
		return -1;
	yaml_event_delete(&ev);
	if (ld_next(ld, &ev))
		return -1;
	mark = ev.start_mark;
	if (ev.type != YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return ld_fail(ld, mark,
			       "multiple YAML documents are not supported");
	}
	yaml_event_delete(&ev);
	*root = node;
	return 0;
}

/* Parse 'text' into nodes owned by 'doc'.  prefix NULL: a config file
 * named 'origin'; otherwise a value (--set, default) whose nodes get line 0
 * and whose errors read "<prefix>: ...". */
static int ld_parse(cfg_doc *doc, const char *origin, const char *prefix,
		    const unsigned char *text, size_t len, cfg_node **root,
		    ej_err *err)
{
	cfg_loader ld;
	int rc;

	memset(&ld, 0, sizeof(ld));
	ld.doc = doc;
	ld.origin = origin;
	ld.prefix = prefix;
	ld.text = text;
	ld.len = len;
	ld.err = err;
	if (!yaml_parser_initialize(&ld.parser))
		return fail_oom(err);
	yaml_parser_set_input_string(&ld.parser, text, len);
	rc = ld_stream(&ld, prefix != NULL, root);
	yaml_parser_delete(&ld.parser);
	return rc;
}

static cfg_doc *doc_load(const char *name, const unsigned char *text,
			 size_t len, ej_err *err)
{
	cfg_doc *doc = doc_new();
	const char *origin;
	cfg_node *root;
	char where[CFG_WHERE_MAX];

	if (!doc) {
		fail_oom(err);
		return NULL;
	}
	origin = arena_strndup(doc, name, strlen(name));
	if (!origin) {
		fail_oom(err);
		goto fail;
	}
	if (ld_parse(doc, origin, NULL, text, len, &root, err))
		goto fail;
	if (!root) {
		root = arena_alloc(doc, sizeof(*root));
		if (!root) {
			fail_oom(err);
			goto fail;
		}
		root->kind = CFG_MAP;
		root->origin = origin;
		root->line = root->col = root->key_line = root->key_col = 1;
	}
	if (cfg_is_null(root)) {
		root->kind = CFG_MAP;
		root->value = NULL;
	}
	if (root->kind != CFG_MAP) {
		cfg_where(root, where, sizeof(where));
		ej_fail(err, EJ_EXIT_USAGE,
			"%s: the top level must be a mapping, got %s", where,
			kind_name(root->kind));
		goto fail;
	}
	doc->root = root;
	return doc;
fail:
	cfg_free(doc);
	return NULL;
}

cfg_doc *cfg_load_string(const char *text, const char *name, ej_err *err)
{
	if (!text)
		text = "";
	return doc_load(name ? name : "<string>", (const unsigned char *)text,
			strlen(text), err);
}

static int read_file(const char *path, unsigned char **out, size_t *out_len,
		     ej_err *err)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return ej_fail(err, EJ_EXIT_USAGE, "cannot open config '%s': %s",
			       path, strerror(errno));
	for (;;) {
		size_t got;

		if (len == cap) {
			unsigned char *nb;

			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return fail_oom(err);
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		free(buf);
		fclose(f);
		return ej_fail(err, EJ_EXIT_USAGE, "cannot read config '%s': %s",
			       path, strerror(e));
	}
	fclose(f);
	*out = buf;
	*out_len = len;
	return 0;
}

cfg_doc *cfg_load_file(const char *path, ej_err *err)
{
	unsigned char *text = NULL;
	size_t len = 0;
	cfg_doc *doc;

	if (read_file(path, &text, &len, err))
		return NULL;
	doc = doc_load(path, text, len, err);
	free(text);
	return doc;
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
		const cfg_node *c = map_find(map, seg, (size_t)(dot - seg));

		if (!c || cfg_is_null(c))
			return 0; /* the rest gets created */
		if (c->kind != CFG_MAP) {
			cfg_where(c, where, sizeof(where));
			return ej_fail(err, EJ_EXIT_USAGE,
				       "invalid --set '%s': '%.*s' is %s (%s), "
				       "not a mapping", assign,
				       (int)(dot - assign), assign,
				       kind_name(c->kind), where);
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
	char *origin, *prefix;
	size_t n = strlen(assign);

	if (!eq)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "invalid --set '%s': missing '=' (expected "
			       "'key.path=value')", assign);
	if (set_check_path(doc, assign, eq, err))
		return -1;
	origin = arena_alloc(doc, n + sizeof("--set ''"));
	prefix = arena_alloc(doc, n + sizeof("invalid --set ''"));
	if (!origin || !prefix)
		return fail_oom(err);
	sprintf(origin, "--set '%s'", assign);
	sprintf(prefix, "invalid --set '%s'", assign);
	if (ld_parse(doc, origin, prefix, (const unsigned char *)eq + 1,
		     strlen(eq + 1), &val, err))
		return -1;
	if (!val) { /* "a.b=": an empty (null) scalar */
		val = arena_alloc(doc, sizeof(*val));
		if (!val || !(val->value = arena_strndup(doc, "", 0)))
			return fail_oom(err);
		val->kind = CFG_SCALAR;
		set_mark(val, origin);
	}
	while ((dot = memchr(seg, '.', (size_t)(eq - seg))) != NULL) {
		c = map_find(map, seg, (size_t)(dot - seg));
		if (!c) {
			c = arena_alloc(doc, sizeof(*c));
			if (!c || !(c->key = arena_strndup(doc, seg,
							   (size_t)(dot - seg))))
				return fail_oom(err);
			map_append(map, c);
		}
		if (c->kind != CFG_MAP) { /* new, or null (set_check_path) */
			c->kind = CFG_MAP;
			c->value = NULL;
			c->quoted = false;
			set_mark(c, origin);
		}
		map = c;
		seg = dot + 1;
	}
	c = map_find(map, seg, (size_t)(eq - seg));
	if (!c) {
		c = val;
		c->key = arena_strndup(doc, seg, (size_t)(eq - seg));
		if (!c->key)
			return fail_oom(err);
		map_append(map, c);
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
		map = map_find(map, seg, (size_t)(dot - seg));
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
		c = map_find(map, seg, (size_t)(dot - seg));
		if (!c) {
			c = arena_alloc(doc, sizeof(*c));
			if (!c || !(c->key = arena_strndup(doc, seg,
							   (size_t)(dot - seg))))
				return fail_oom(err);
			c->kind = CFG_MAP;
			c->origin = origin;
			c->line = c->key_line = node->key_line;
			c->col = c->key_col = node->key_col;
			map_append(map, c);
		} else if (c->kind != CFG_MAP) {
			return ej_fail(err, EJ_EXIT_USAGE,
				       "cannot move '%s' to '%s': '%.*s' is not a mapping",
				       from, to, (int)(dot - to), to);
		}
		map = c;
		seg = dot + 1;
	}
	detach(doc, to);
	if (!(node->key = arena_strndup(doc, seg, strlen(seg))))
		return fail_oom(err);
	map_append(map, node);
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

/* ---- did you mean ----------------------------------------------------- */

/* Levenshtein distance; SIZE_MAX when a word is too long to compare. */
static size_t lev_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t row[CFG_DYM_MAX + 1];
	size_t i, j;

	if (la > CFG_DYM_MAX || lb > CFG_DYM_MAX)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
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
	return row[lb];
}

typedef struct dym {
	const char *word;
	size_t word_len;
	const char *best;
	size_t best_len, best_dist;
} dym;

static void dym_init(dym *d, const char *word)
{
	d->word = word;
	d->word_len = strlen(word);
	d->best = NULL;
	d->best_len = 0;
	d->best_dist = SIZE_MAX;
}

static void dym_consider(dym *d, const char *name, size_t len)
{
	size_t dist = lev_distance(d->word, d->word_len, name, len);
	size_t limit = d->word_len / 3 > 2 ? d->word_len / 3 : 2;

	if (dist <= limit && dist < d->best_dist) {
		d->best = name;
		d->best_len = len;
		d->best_dist = dist;
	}
}

const char *cfg_did_you_mean(const char *word, const char *const *names)
{
	dym d;

	if (!word || !names)
		return NULL;
	dym_init(&d, word);
	for (; *names; names++)
		dym_consider(&d, *names, strlen(*names));
	return d.best;
}

/* ---- schema: descriptions --------------------------------------------- */

static bool field_is_list(const cfg_field *f)
{
	return f->type == CFG_INT_LIST || f->type == CFG_FLOAT_LIST;
}

static bool field_is_int(const cfg_field *f)
{
	return f->type == CFG_INT || f->type == CFG_INT_LIST;
}

static bool field_unbounded(const cfg_field *f)
{
	return f->min == 0 && f->max == 0;
}

static bool has_min(const cfg_field *f)
{
	return !field_unbounded(f) && f->min > -CFG_UNBOUNDED;
}

static bool has_max(const cfg_field *f)
{
	return !field_unbounded(f) && f->max < CFG_UNBOUNDED;
}

static bool in_bounds(const cfg_field *f, double v)
{
	bool open = f->flags & CFG_F_MIN_OPEN;

	if (has_min(f) && (open ? !(v > f->min) : !(v >= f->min)))
		return false;
	return !has_max(f) || v <= f->max;
}

/* "in [1, 10]", "in (0, 1]", ">= 2", "> 0", "<= 5" or "". */
static void fmt_bounds(const cfg_field *f, bool with_in, char *buf,
		       size_t size)
{
	bool open = f->flags & CFG_F_MIN_OPEN;

	if (has_min(f) && has_max(f))
		snprintf(buf, size, "%s%c%g, %g]", with_in ? "in " : "",
			 open ? '(' : '[', f->min, f->max);
	else if (has_min(f))
		snprintf(buf, size, "%s %g", open ? ">" : ">=", f->min);
	else if (has_max(f))
		snprintf(buf, size, "<= %g", f->max);
	else if (size)
		buf[0] = '\0';
}

enum cfg_desc {
	DESC_TYPE,      /* "an integer": the text did not convert */
	DESC_RULE,      /* "an even integer >= 2": bounds or evenness */
	DESC_FINITE,    /* "a finite number" */
	DESC_INT_RANGE, /* the value does not fit an int */
};

static void field_desc(const cfg_field *f, enum cfg_desc d, char *buf,
		       size_t size)
{
	const char *noun = field_is_int(f) ? "integer" : "number";
	char bounds[128] = "";

	if (d == DESC_RULE && field_is_int(f) && (f->flags & CFG_F_EVEN))
		noun = "even integer";
	if (d == DESC_FINITE)
		noun = "finite number";
	if (d == DESC_RULE)
		fmt_bounds(f, true, bounds, sizeof(bounds));
	if (d == DESC_INT_RANGE)
		snprintf(bounds, sizeof(bounds), "in [%d, %d]", INT_MIN,
			 INT_MAX);
	if (field_is_list(f))
		snprintf(buf, size, "a list of %ss%s%s", noun,
			 *bounds ? " " : "", bounds);
	else
		snprintf(buf, size, "%s %s%s%s",
			 strchr("aeiou", noun[0]) ? "an" : "a", noun,
			 *bounds ? " " : "", bounds);
}

/* "WHERE: 'key' must be DESC, got 'TEXT' (item N)"; item 0: no item. */
static int value_fail(ej_err *err, const cfg_node *n, const cfg_field *f,
		      enum cfg_desc d, int item)
{
	char where[CFG_WHERE_MAX], desc[256], suffix[32] = "";

	cfg_where(n, where, sizeof(where));
	field_desc(f, d, desc, sizeof(desc));
	if (item)
		snprintf(suffix, sizeof(suffix), " (item %d)", item);
	if (n->kind != CFG_SCALAR)
		return ej_fail(err, EJ_EXIT_USAGE, "%s: '%s' must be %s, got %s%s",
			       where, f->key, desc, kind_name(n->kind), suffix);
	return ej_fail(err, EJ_EXIT_USAGE, "%s: '%s' must be %s, got '%s'%s",
		       where, f->key, desc, n->value, suffix);
}

/* "WHERE: <message>" at node 'n'. */
static int node_fail(ej_err *err, const cfg_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int node_fail(ej_err *err, const cfg_node *n, const char *fmt, ...)
{
	char where[CFG_WHERE_MAX], msg[EJ_ERR_MSG_MAX];
	va_list ap;

	cfg_where(n, where, sizeof(where));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ej_fail(err, EJ_EXIT_USAGE, "%s: %s", where, msg);
}

/* ---- schema: conversions ---------------------------------------------- */

static int conv_int(const cfg_node *n, const cfg_field *f, int item,
		    int *out, ej_err *err)
{
	const char *s = n->value;
	const char *digits = (*s == '+' || *s == '-') ? s + 1 : s;
	char *end;
	long v;

	if (*digits < '0' || *digits > '9')
		return value_fail(err, n, f, DESC_TYPE, item);
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end)
		return value_fail(err, n, f, DESC_TYPE, item);
	if (!in_bounds(f, (double)v) ||
	    ((f->flags & CFG_F_EVEN) && v % 2 != 0))
		return value_fail(err, n, f, DESC_RULE, item);
	if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
		return value_fail(err, n, f, DESC_INT_RANGE, item);
	*out = (int)v;
	return 0;
}

static bool is_yaml_nonfinite(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	return !strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF") ||
	       !strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN");
}

static int conv_float(const cfg_node *n, const cfg_field *f, int item,
		      double *out, ej_err *err)
{
	const char *s = n->value;
	char *end;
	double v;

	if (is_yaml_nonfinite(s))
		return value_fail(err, n, f, DESC_FINITE, item);
	/* no leading blanks, no hex floats */
	if (!*s || strchr(" \t\n\r\f\v", *s) || strpbrk(s, "xX"))
		return value_fail(err, n, f, DESC_TYPE, item);
	v = strtod(s, &end);
	if (*end)
		return value_fail(err, n, f, DESC_TYPE, item);
	if (!isfinite(v))
		return value_fail(err, n, f, DESC_FINITE, item);
	if (!in_bounds(f, v))
		return value_fail(err, n, f, DESC_RULE, item);
	*out = v;
	return 0;
}

static int conv_bool(const cfg_node *n, const cfg_field *f, bool *out,
		     ej_err *err)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(n->value, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(n->value, no[i])) {
			*out = false;
			return 0;
		}
	}
	return node_fail(err, n, "'%s' must be true or false, got '%s'",
			 f->key, n->value);
}

static int conv_str(const cfg_node *n, const cfg_field *f, char *out,
		    ej_err *err)
{
	size_t len = strlen(n->value);

	if (len >= CFG_STR_MAX)
		return node_fail(err, n,
				 "'%s' must be at most %d bytes long, got %zu",
				 f->key, CFG_STR_MAX - 1, len);
	if (len == 0 && (f->flags & CFG_F_NONEMPTY))
		return node_fail(err, n, "'%s' must not be empty", f->key);
	memset(out, 0, CFG_STR_MAX);
	memcpy(out, n->value, len);
	return 0;
}

/* Calls fn for each choice of "a|b|c"; stops when fn returns true. */
static bool choices_each(const char *choices,
			 bool (*fn)(void *ctx, const char *s, size_t len),
			 void *ctx)
{
	const char *s = choices;

	for (;;) {
		const char *bar = strchr(s, '|');
		size_t len = bar ? (size_t)(bar - s) : strlen(s);

		if (fn(ctx, s, len))
			return true;
		if (!bar)
			return false;
		s = bar + 1;
	}
}

static bool choice_equal(void *ctx, const char *s, size_t len)
{
	const char *word = ctx;

	return strlen(word) == len && !memcmp(word, s, len);
}

static bool choice_consider(void *ctx, const char *s, size_t len)
{
	dym_consider(ctx, s, len);
	return false;
}

typedef struct strbuf_view {
	char *buf;
	size_t size, len;
} strbuf_view;

static bool choice_list(void *ctx, const char *s, size_t len)
{
	strbuf_view *b = ctx;
	int w;

	if (b->len >= b->size)
		return true;
	w = snprintf(b->buf + b->len, b->size - b->len, "%s%.*s",
		     b->len ? ", " : "", (int)len, s);
	b->len += w > 0 ? (size_t)w : 0;
	return false;
}

static int conv_enum(const cfg_node *n, const cfg_field *f, char *out,
		     ej_err *err)
{
	char where[CFG_WHERE_MAX], list[1024] = "", hint[CFG_DYM_MAX + 32] = "";
	strbuf_view b = { list, sizeof(list), 0 };
	dym d;

	assert(f->choices && "CFG_ENUM field without choices");
	if (choices_each(f->choices, choice_equal, (void *)n->value))
		return conv_str(n, f, out, err);
	dym_init(&d, n->value);
	choices_each(f->choices, choice_consider, &d);
	if (d.best)
		snprintf(hint, sizeof(hint), " (did you mean '%.*s'?)",
			 (int)d.best_len, d.best);
	choices_each(f->choices, choice_list, &b);
	cfg_where(n, where, sizeof(where));
	return ej_fail(err, EJ_EXIT_USAGE, "%s: '%s' must be one of %s, got '%s'%s",
		       where, f->key, list, n->value, hint);
}

static int conv_list(const cfg_node *n, const cfg_field *f, void *dst,
		     ej_err *err)
{
	bool is_seq = n->kind == CFG_SEQ;
	const cfg_node *first = is_seq ? n->child : n, *it;
	cfg_ilist il;
	cfg_flist fl;
	long count = 0;
	int i;

	if (n->kind == CFG_MAP)
		return value_fail(err, n, f, DESC_TYPE, 0);
	for (it = first; it; it = is_seq ? it->next : NULL)
		count++;
	if (count > CFG_LIST_MAX)
		return node_fail(err, n, "'%s' must have at most %d items, got %ld",
				 f->key, CFG_LIST_MAX, count);
	if (count == 0 && (f->flags & CFG_F_NONEMPTY))
		return node_fail(err, n, "'%s' must not be empty", f->key);
	memset(&il, 0, sizeof(il));
	memset(&fl, 0, sizeof(fl));
	for (i = 0, it = first; it; i++, it = is_seq ? it->next : NULL) {
		int item = is_seq ? i + 1 : 0;
		int rc;

		if (it->kind != CFG_SCALAR)
			return value_fail(err, it, f, DESC_TYPE, item);
		if (f->type == CFG_INT_LIST)
			rc = conv_int(it, f, item, &il.v[i], err);
		else
			rc = conv_float(it, f, item, &fl.v[i], err);
		if (rc)
			return -1;
	}
	il.n = fl.n = (int)count;
	if (f->type == CFG_INT_LIST)
		memcpy(dst, &il, sizeof(il));
	else
		memcpy(dst, &fl, sizeof(fl));
	return 0;
}

/* Convert non-null node 'n' into the field's slot of 'out'. */
static int field_convert(const cfg_node *n, const cfg_field *f, void *out,
			 ej_err *err)
{
	void *dst = (char *)out + f->offset;
	int iv;
	double dv;
	bool bv = false;

	if (field_is_list(f))
		return conv_list(n, f, dst, err);
	if (n->kind != CFG_SCALAR)
		return node_fail(err, n, "'%s' must be a scalar", f->key);
	switch (f->type) {
	case CFG_INT:
		if (conv_int(n, f, 0, &iv, err))
			return -1;
		memcpy(dst, &iv, sizeof(iv));
		return 0;
	case CFG_FLOAT:
		if (conv_float(n, f, 0, &dv, err))
			return -1;
		memcpy(dst, &dv, sizeof(dv));
		return 0;
	case CFG_BOOL:
		if (conv_bool(n, f, &bv, err))
			return -1;
		memcpy(dst, &bv, sizeof(bv));
		return 0;
	case CFG_STR:
		return conv_str(n, f, dst, err);
	case CFG_ENUM:
		return conv_enum(n, f, dst, err);
	default:
		break;
	}
	assert(!"unknown cfg_type");
	return -1;
}

static void field_zero(const cfg_field *f, void *out)
{
	void *dst = (char *)out + f->offset;

	switch (f->type) {
	case CFG_INT: memset(dst, 0, sizeof(int)); break;
	case CFG_FLOAT: { double z = 0; memcpy(dst, &z, sizeof(z)); break; }
	case CFG_BOOL: { bool z = false; memcpy(dst, &z, sizeof(z)); break; }
	case CFG_STR:
	case CFG_ENUM: memset(dst, 0, CFG_STR_MAX); break;
	case CFG_INT_LIST: memset(dst, 0, sizeof(cfg_ilist)); break;
	case CFG_FLOAT_LIST: memset(dst, 0, sizeof(cfg_flist)); break;
	}
}

/* ---- schema: public --------------------------------------------------- */

void cfg_defaults(const cfg_field *fields, size_t n_fields, void *out)
{
	cfg_doc *tmp = doc_new();
	size_t i;

	assert(tmp && "out of memory");
	for (i = 0; i < n_fields; i++) {
		const cfg_field *f = &fields[i];
		cfg_node *node = NULL;
		ej_err err = { 0, "" };
		int rc = 0;

		field_zero(f, out);
		if (!f->def || !tmp)
			continue;
		rc = ld_parse(tmp, "default", "invalid default",
			      (const unsigned char *)f->def, strlen(f->def),
			      &node, &err);
		if (!rc && node && !cfg_is_null(node))
			rc = field_convert(node, f, out, &err);
		assert(rc == 0 && "invalid default in a cfg_field schema");
		if (rc)
			field_zero(f, out);
	}
	cfg_free(tmp);
}

static const cfg_field *field_find(const cfg_field *fields, size_t n,
				   const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(fields[i].key, key))
			return &fields[i];
	return NULL;
}

static bool skip_has(const char *const *skip, const char *key)
{
	for (; skip && *skip; skip++)
		if (!strcmp(*skip, key))
			return true;
	return false;
}

static int unknown_key(const cfg_node *c, const char *section_name,
		       const cfg_field *fields, size_t n,
		       const char *const *skip, ej_err *err)
{
	char where[CFG_WHERE_MAX];
	dym d;
	size_t i;

	dym_init(&d, c->key);
	for (i = 0; i < n; i++)
		dym_consider(&d, fields[i].key, strlen(fields[i].key));
	for (; skip && *skip; skip++)
		dym_consider(&d, *skip, strlen(*skip));
	cfg_where_key(c, where, sizeof(where));
	if (d.best)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "%s: unknown key '%s' in '%s' (did you mean "
			       "'%.*s'?)", where, c->key, section_name,
			       (int)d.best_len, d.best);
	return ej_fail(err, EJ_EXIT_USAGE, "%s: unknown key '%s' in '%s'",
		       where, c->key, section_name);
}

int cfg_parse_section(const cfg_node *section, const char *section_name,
		      const cfg_field *fields, size_t n_fields, void *out,
		      const char *const *skip, ej_err *err)
{
	const cfg_node *c;

	cfg_defaults(fields, n_fields, out);
	if (cfg_is_null(section))
		return 0;
	if (section->kind != CFG_MAP)
		return node_fail(err, section, "'%s' must be a mapping",
				 section_name);
	for (c = section->child; c; c = c->next) {
		const cfg_field *f;

		if (skip_has(skip, c->key))
			continue;
		f = field_find(fields, n_fields, c->key);
		if (!f)
			return unknown_key(c, section_name, fields, n_fields,
					   skip, err);
		if (!cfg_is_null(c) && field_convert(c, f, out, err))
			return -1;
	}
	return 0;
}

/* ---- emit ------------------------------------------------------------- */

/* Shortest of %.15g, %.16g, %.17g that reads back as the same double. */
static void fmt_double(double v, char *buf, size_t size)
{
	int prec;

	if (isnan(v)) {
		snprintf(buf, size, ".nan");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, size, v > 0 ? ".inf" : "-.inf");
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
	snprintf(buf, size, "%.17g", v);
}

/* A plain scalar is used for identifier- and path-like strings that YAML
 * would not read as null, bool or number. */
static bool str_needs_quotes(const char *s)
{
	static const char *const reserved[] = {
		"null", "true", "false", "yes", "no", "on", "off", "y", "n",
	};
	const char *p;
	char *end;
	size_t i;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	      *s == '_' || *s == '/'))
		return true;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_-./", *p)))
			return true;
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcasecmp(s, reserved[i]))
			return true;
	strtod(s, &end); /* "inf", "nan", "infinity" */
	return *end == '\0';
}

static void emit_str(FILE *out, const char *s)
{
	const unsigned char *p;

	if (!str_needs_quotes(s)) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\x%02x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void emit_value(FILE *out, const cfg_field *f, const void *src)
{
	char buf[64];
	int i;

	switch (f->type) {
	case CFG_INT: {
		int v;

		memcpy(&v, src, sizeof(v));
		fprintf(out, "%d", v);
		break;
	}
	case CFG_FLOAT: {
		double v;

		memcpy(&v, src, sizeof(v));
		fmt_double(v, buf, sizeof(buf));
		fputs(buf, out);
		break;
	}
	case CFG_BOOL: {
		bool v;

		memcpy(&v, src, sizeof(v));
		fputs(v ? "true" : "false", out);
		break;
	}
	case CFG_STR:
	case CFG_ENUM:
		emit_str(out, src);
		break;
	case CFG_INT_LIST: {
		const cfg_ilist *l = src;

		fputc('[', out);
		for (i = 0; i < l->n && i < CFG_LIST_MAX; i++)
			fprintf(out, "%s%d", i ? ", " : "", l->v[i]);
		fputc(']', out);
		break;
	}
	case CFG_FLOAT_LIST: {
		const cfg_flist *l = src;

		fputc('[', out);
		for (i = 0; i < l->n && i < CFG_LIST_MAX; i++) {
			fmt_double(l->v[i], buf, sizeof(buf));
			fprintf(out, "%s%s", i ? ", " : "", buf);
		}
		fputc(']', out);
		break;
	}
	}
}

void cfg_emit_section(FILE *out, int indent, const cfg_field *fields,
		      size_t n_fields, const void *in)
{
	size_t i;

	for (i = 0; i < n_fields; i++) {
		fprintf(out, "%*s%s: ", indent, "", fields[i].key);
		emit_value(out, &fields[i], (const char *)in + fields[i].offset);
		fputc('\n', out);
	}
}

/* ---- schema table ----------------------------------------------------- */

static const char *type_name(enum cfg_type t)
{
	switch (t) {
	case CFG_INT: return "int";
	case CFG_FLOAT: return "float";
	case CFG_BOOL: return "bool";
	case CFG_STR: return "string";
	case CFG_ENUM: return "enum";
	case CFG_INT_LIST: return "int[]";
	case CFG_FLOAT_LIST: return "float[]";
	}
	return "?";
}

static void fmt_rule(const cfg_field *f, char *buf, size_t size)
{
	char bounds[128] = "";
	bool even = field_is_int(f) && (f->flags & CFG_F_EVEN);
	bool nonempty = (f->flags & CFG_F_NONEMPTY) &&
			(field_is_list(f) || f->type == CFG_STR);

	if (f->type == CFG_ENUM) {
		snprintf(buf, size, "%s", f->choices ? f->choices : "-");
		return;
	}
	if (f->type != CFG_BOOL && f->type != CFG_STR)
		fmt_bounds(f, false, bounds, sizeof(bounds));
	snprintf(buf, size, "%s%s%s%s%s", even ? "even" : "",
		 even && *bounds ? ", " : "", bounds,
		 nonempty && (even || *bounds) ? ", " : "",
		 nonempty ? "non-empty" : "");
	if (!*buf)
		snprintf(buf, size, "-");
}

static const char *fmt_default(const cfg_field *f)
{
	if (!f->def)
		return "-";
	return *f->def ? f->def : "\"\"";
}

void cfg_print_schema(FILE *out, int indent, const cfg_field *fields,
		      size_t n_fields)
{
	int wkey = 0, wtype = 0, wdef = 0, wrule = 0;
	char rule[1024];
	size_t i;

	for (i = 0; i < n_fields; i++) {
		const cfg_field *f = &fields[i];
		int l;

		fmt_rule(f, rule, sizeof(rule));
		if ((l = (int)strlen(f->key)) > wkey)
			wkey = l;
		if ((l = (int)strlen(type_name(f->type))) > wtype)
			wtype = l;
		if ((l = (int)strlen(fmt_default(f))) > wdef)
			wdef = l;
		if ((l = (int)strlen(rule)) > wrule)
			wrule = l;
	}
	for (i = 0; i < n_fields; i++) {
		const cfg_field *f = &fields[i];
		bool help = f->help && *f->help;

		fmt_rule(f, rule, sizeof(rule));
		fprintf(out, "%*s%-*s  %-*s  %-*s  %-*s%s%s\n", indent, "",
			wkey, f->key, wtype, type_name(f->type), wdef,
			fmt_default(f), help ? wrule : 0, rule,
			help ? "  " : "", help ? f->help : "");
	}
}
