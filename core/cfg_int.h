/* cfg_int.h - what the files of the config module (cfg.c, cfg_set.c,
 * cfg_schema.c, cfg_emit.c) share; not part of the interface (cfg.h). */
#ifndef EJ_CFG_INT_H
#define EJ_CFG_INT_H

#include <stddef.h>

#include "core/cfg.h"
#include "core/err.h"

#define CFG_WHERE_MAX 1024

struct cfg_chunk;

struct cfg_doc {
	struct cfg_chunk *chunks; /* newest first */
	cfg_node *root;
};

/* ---- the arena (cfg.c) ------------------------------------------------- */

/* Zeroed memory owned by 'doc'; NULL when out of memory. */
void *cfg_arena_alloc(cfg_doc *doc, size_t size);
/* s[0..n) and a NUL in doc's arena; NULL when out of memory. */
char *cfg_arena_strndup(cfg_doc *doc, const char *s, size_t n);
/* "out of memory while reading the config" (EJ_EXIT_RUN); returns -1. */
int cfg_fail_oom(ej_err *err);
cfg_doc *cfg_doc_new(void); /* empty, NULL when out of memory */

/* ---- the tree (cfg.c) -------------------------------------------------- */

const char *cfg_kind_name(enum cfg_kind kind); /* "a mapping" */
/* The child of map with key[0..len), NULL if none (or map is no map). */
cfg_node *cfg_map_find(const cfg_node *map, const char *key, size_t len);
void cfg_map_append(cfg_node *map, cfg_node *node);
/* As cfg_where, at the node's key ("file:line:col"). */
void cfg_where_key(const cfg_node *node, char *buf, size_t size);
/* Parse 'text' into nodes owned by 'doc'.  prefix NULL: a config file
 * named 'origin'; otherwise a value (--set, default) whose nodes get line 0
 * and whose errors read "<prefix>: ...". */
int cfg_parse_yaml(cfg_doc *doc, const char *origin, const char *prefix,
		   const unsigned char *text, size_t len, cfg_node **root,
		   ej_err *err);

#endif
