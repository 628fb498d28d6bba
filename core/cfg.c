/* cfg.c - YAML config tree built from libyaml events.  See cfg.h for the
 * behaviour and the messages; --set overrides are in cfg_set.c, the schema
 * validator in cfg_schema.c, YAML output in cfg_emit.c.
 *
 * Every node and string of a tree lives in the doc's arena (a list of
 * malloc'd chunks), so cfg_free releases everything at once and no error
 * path can leak: half-built nodes simply stay in the arena.
 *
 * Number parsing and printing use strtol/strtod/snprintf and so assume the
 * "C" LC_NUMERIC locale (the program never calls setlocale).
 */
#include "core/cfg.h"

#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "core/cfg_int.h"
#include "core/fileio.h"

#define CFG_CHUNK_SIZE 4096
#define CFG_MAX_DEPTH 64     /* deepest nesting of maps/sequences accepted */

/* ---- arena ------------------------------------------------------------ */

struct cfg_chunk {
	struct cfg_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

/* Zeroed memory owned by 'doc'; NULL when out of memory. */
void *cfg_arena_alloc(cfg_doc *doc, size_t size)
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

char *cfg_arena_strndup(cfg_doc *doc, const char *s, size_t n)
{
	char *p = cfg_arena_alloc(doc, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int cfg_fail_oom(ej_err *err)
{
	return ej_fail(err, EJ_EXIT_RUN, "out of memory while reading the config");
}

cfg_doc *cfg_doc_new(void)
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

const char *cfg_kind_name(enum cfg_kind kind)
{
	switch (kind) {
	case CFG_SCALAR: return "a scalar";
	case CFG_MAP: return "a mapping";
	case CFG_SEQ: return "a sequence";
	}
	return "a node";
}

cfg_node *cfg_map_find(const cfg_node *map, const char *key, size_t len)
{
	cfg_node *c;

	if (!map || map->kind != CFG_MAP)
		return NULL;
	for (c = map->child; c; c = c->next)
		if (strlen(c->key) == len && !memcmp(c->key, key, len))
			return c;
	return NULL;
}

void cfg_map_append(cfg_node *map, cfg_node *node)
{
	cfg_node **tail = &map->child;

	while (*tail)
		tail = &(*tail)->next;
	*tail = node;
}

const cfg_node *cfg_get(const cfg_node *map, const char *key)
{
	return key ? cfg_map_find(map, key, strlen(key)) : NULL;
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

		n = cfg_map_find(n, seg, len);
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
	char lc[32];
	size_t n;

	if (!size)
		return;
	if (!node) {
		snprintf(buf, size, "<no node>");
		return;
	}
	origin = node->origin ? node->origin : "<config>";
	if (line <= 0)
		lc[0] = '\0';
	else
		snprintf(lc, sizeof(lc), ":%d:%d", line, col);
	/* a very long path loses its middle, never the line and column */
	n = strlen(lc) < size ? size - strlen(lc) : 1;
	ej_fit(buf, n, origin, strlen(origin));
	snprintf(buf + strlen(buf), size - strlen(buf), "%s", lc);
}

void cfg_where(const cfg_node *node, char *buf, size_t size)
{
	where_at(node, node ? node->line : 0, node ? node->col : 0, buf, size);
}

void cfg_where_key(const cfg_node *node, char *buf, size_t size)
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
		return cfg_fail_oom(ld->err);
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
	cfg_node *n = cfg_arena_alloc(ld->doc, sizeof(*n));

	if (!n)
		cfg_fail_oom(ld->err);
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
	s = cfg_arena_strndup(ld->doc, v, len);
	if (!s)
		cfg_fail_oom(ld->err);
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

/* The keys of one mapping being read: an open-addressing hash set, so a
 * mapping of n keys loads in O(n) (a linear search per key made 100k keys
 * take a minute).  Small mappings keep slots NULL and search the list. */
typedef struct ld_keyset {
	cfg_node **slots; /* (cap), NULL: empty */
	size_t cap, n;
} ld_keyset;

#define LD_KEYSET_MIN 16 /* keys before the set is built */

static size_t ld_hash(const char *s)
{
	size_t h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static cfg_node **ld_keyset_slot(const ld_keyset *ks, const char *key)
{
	size_t i = ld_hash(key) & (ks->cap - 1);

	while (ks->slots[i] && strcmp(ks->slots[i]->key, key) != 0)
		i = (i + 1) & (ks->cap - 1);
	return &ks->slots[i];
}

/* Add every entry of 'map' not yet in the set (the set is rebuilt when it
 * grows past half full).  -1 when out of memory. */
static int ld_keyset_sync(ld_keyset *ks, const cfg_node *map, cfg_node *last)
{
	if (2 * (ks->n + 1) > ks->cap) {
		size_t cap = ks->cap ? 2 * ks->cap : 4 * LD_KEYSET_MIN;
		cfg_node **slots = calloc(cap, sizeof(*slots));

		if (!slots)
			return -1;
		free(ks->slots);
		ks->slots = slots;
		ks->cap = cap;
		ks->n = 0;
		for (cfg_node *c = map->child; c; c = c->next, ks->n++)
			*ld_keyset_slot(ks, c->key) = c;
		return 0;
	}
	*ld_keyset_slot(ks, last->key) = last;
	ks->n++;
	return 0;
}

static cfg_node *ld_keyset_find(const ld_keyset *ks, const cfg_node *map,
				const char *key)
{
	return ks->slots ? *ld_keyset_slot(ks, key)
			 : cfg_map_find(map, key, strlen(key));
}

/* Read one map key (event 'kev', consumed) into a new entry of 'map'. */
static cfg_node *ld_key(cfg_loader *ld, yaml_event_t *kev, cfg_node *map,
			const ld_keyset *ks)
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
	dup = ld_keyset_find(ks, map, entry->key);
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
	ld_keyset ks = { NULL, 0, 0 };
	cfg_node **tail = &node->child;
	size_t n = 0;
	int rc = -1;

	for (;;) {
		yaml_event_t kev, vev;
		cfg_node *entry;
		int key_line, key_col;

		if (ld_next(ld, &kev))
			break;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			rc = 0;
			break;
		}
		entry = ld_key(ld, &kev, node, &ks);
		if (!entry || ld_next(ld, &vev))
			break;
		key_line = entry->key_line;
		key_col = entry->key_col;
		if (ld_node(ld, &vev, entry, depth + 1))
			break;
		entry->key_line = key_line;
		entry->key_col = key_col;
		*tail = entry;
		tail = &entry->next;
		if (++n >= LD_KEYSET_MIN && ld_keyset_sync(&ks, node, entry)) {
			cfg_fail_oom(ld->err);
			break;
		}
	}
	free(ks.slots);
	return rc;
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
int cfg_parse_yaml(cfg_doc *doc, const char *origin, const char *prefix,
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
		return cfg_fail_oom(err);
	yaml_parser_set_input_string(&ld.parser, text, len);
	rc = ld_stream(&ld, prefix != NULL, root);
	yaml_parser_delete(&ld.parser);
	return rc;
}

static cfg_doc *doc_load(const char *name, const unsigned char *text,
			 size_t len, ej_err *err)
{
	cfg_doc *doc = cfg_doc_new();
	const char *origin;
	cfg_node *root;
	char where[CFG_WHERE_MAX];

	if (!doc) {
		cfg_fail_oom(err);
		return NULL;
	}
	origin = cfg_arena_strndup(doc, name, strlen(name));
	if (!origin) {
		cfg_fail_oom(err);
		goto fail;
	}
	if (cfg_parse_yaml(doc, origin, NULL, text, len, &root, err))
		goto fail;
	if (!root) {
		root = cfg_arena_alloc(doc, sizeof(*root));
		if (!root) {
			cfg_fail_oom(err);
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
			cfg_kind_name(root->kind));
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
	FILE *f;
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;

	/* a config is a text file: no FIFO, no /dev/zero, at most 64 MiB */
	if (fio_check_regular(path, "config", 64.0 * 1048576, EJ_EXIT_USAGE,
			      err) < 0)
		return -1;
	if (!(f = fopen(path, "rb")))
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
				return cfg_fail_oom(err);
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
