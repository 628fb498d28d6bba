/* cfg.h - YAML configuration: a tree that remembers where every node came
 * from, plus a declarative schema validator (redis static_configs style).
 *
 * Loading:   cfg_doc *d = cfg_load_file("x.yaml", &err);
 * Overrides: cfg_set(d, "algo.pop_size=128", &err);   (same validation later)
 * Sections:  const cfg_node *algo = cfg_get(cfg_root(d), "algo");
 *            cfg_parse_section(algo, "algo", fields, n, &my_struct, NULL, &err);
 *
 * Every error message that concerns a node starts with "FILE:LINE:COL: "
 * (1-based; libyaml marks are 0-based).  Values that came from --set report
 * "--set 'a.b=c': " instead.
 */
#ifndef EJ_CFG_H
#define EJ_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/err.h"

enum cfg_kind { CFG_SCALAR, CFG_MAP, CFG_SEQ };

typedef struct cfg_node cfg_node;
typedef struct cfg_doc cfg_doc;

struct cfg_node {
	enum cfg_kind kind;
	const char *key;    /* key in the parent map, NULL for seq items / root */
	const char *value;  /* CFG_SCALAR: the scalar text; NULL otherwise */
	const char *origin; /* file name, or "--set 'a.b=c'" */
	int line, col;      /* 1-based; 0 for --set values.  For a map entry
	                       this is where its VALUE starts ("k: 63" gives
	                       the column of 63) */
	int key_line, key_col; /* map entries: where the KEY starts (used for
	                          "unknown key" errors); other nodes: = line, col */
	bool quoted;        /* CFG_SCALAR written quoted, as a block scalar
	                       (| >) or tagged !!str: never null */
	cfg_node *child;    /* first child (map entries / seq items) */
	cfg_node *next;     /* next sibling */
};

/* Parse a YAML file (or text, named 'name' in messages).  Malformed YAML,
 * duplicate keys, anchors/aliases, explicit tags (other than !!str, !!seq,
 * !!map on nodes of that kind), multi-document streams and a top level that
 * is not a mapping are errors (EJ_EXIT_USAGE) with file:line:col:
 *   FILE:L:C: invalid YAML: <problem> (<context>)
 *   cannot open config 'x.yaml': No such file or directory
 * Returns NULL on error.  The doc owns every node and string of the tree;
 * cfg_free releases them all (NULL is fine). */
cfg_doc *cfg_load_file(const char *path, ej_err *err);
cfg_doc *cfg_load_string(const char *text, const char *name, ej_err *err);
void cfg_free(cfg_doc *doc);

cfg_node *cfg_root(cfg_doc *doc); /* a CFG_MAP (empty map for an empty file) */

/* Override "a.b.c=value": value is parsed as a YAML flow node, so "[64, 64]"
 * gives a sequence, "adam" a scalar and "" an empty (null) scalar; block
 * collections ("a: b") are refused.  The value reads as it would after
 * "c: " in a file: a leading UTF-8 BOM, "---", "..." or "%" is text (or
 * a YAML error), never an encoding mark or a document marker.  Missing intermediate maps are created
 * (a null intermediate value becomes a map); an existing node is replaced in
 * place.  New nodes have origin "--set 'a.b.c=value'" and line = col = 0.
 * Errors (EJ_EXIT_USAGE, "invalid --set 'x': ..."): no '=', empty path,
 * empty segment ("a..b"), path through a scalar or a sequence, bad YAML.
 * On error the tree is unchanged (out of memory aside). */
int cfg_set(cfg_doc *doc, const char *assignment, ej_err *err);

/* True for NULL (absent) and for a plain scalar "", "~", "null", "Null" or
 * "NULL" ("k:" with nothing): schema fields then keep their default. */
bool cfg_is_null(const cfg_node *node);

/* Move the node at dotted path 'from' to dotted path 'to' (intermediate
 * maps created, an existing node at 'to' replaced), keeping its origin and
 * line:col so messages still point into the file it came from.  Used to
 * translate foreign config formats.  Returns 1 if moved, 0 if 'from' is
 * absent, -1 on error (a path through a non-map). */
int cfg_move(cfg_doc *doc, const char *from, const char *to, ej_err *err);
/* Remove the node at dotted path 'path'; 1 if removed, 0 if absent. */
int cfg_remove(cfg_doc *doc, const char *path);
/* cfg_set, then give the new node (and its items) the origin and
 * line:col of 'like', for values synthesized from another node. */
int cfg_set_like(cfg_doc *doc, const char *assignment, const cfg_node *like,
		 ej_err *err);

/* Map lookup; NULL if absent or 'map' is not a map. */
const cfg_node *cfg_get(const cfg_node *map, const char *key);
/* Dotted lookup from a map: cfg_path(root, "algo.pop_size"). */
const cfg_node *cfg_path(const cfg_node *map, const char *dotted);

/* "file:line:col" (or the --set origin) for messages. */
void cfg_where(const cfg_node *node, char *buf, size_t size);

/* ---- schema ---------------------------------------------------------- */

enum cfg_type {
	CFG_INT,        /* int */
	CFG_FLOAT,      /* double */
	CFG_BOOL,       /* bool: true/false (also yes/no, on/off) */
	CFG_STR,        /* char[CFG_STR_MAX] */
	CFG_ENUM,       /* char[CFG_STR_MAX], one of 'choices' ("a|b|c") */
	CFG_INT_LIST,   /* cfg_ilist */
	CFG_FLOAT_LIST, /* cfg_flist */
};

#define CFG_STR_MAX 256
#define CFG_LIST_MAX 16

typedef struct cfg_ilist { int n; int v[CFG_LIST_MAX]; } cfg_ilist;
typedef struct cfg_flist { int n; double v[CFG_LIST_MAX]; } cfg_flist;

enum cfg_flags {
	CFG_F_EVEN = 1 << 0,     /* CFG_INT must be even */
	CFG_F_MIN_OPEN = 1 << 1, /* value must be > min, not >= min */
	CFG_F_NONEMPTY = 1 << 2, /* lists / strings must not be empty */
	CFG_F_PER_POP = 1 << 3,  /* a count of members bounded by the
				    algo's pop_size: --smoke scales it with
				    the population (exp_apply_smoke) */
};

typedef struct cfg_field {
	const char *key;
	enum cfg_type type;
	size_t offset;        /* offsetof(struct, member) */
	const char *def;      /* default as YAML text ("64", "[64, 64]", "adam") */
	double min, max;      /* inclusive bounds for numbers and list items;
	                         min <= -1e300 (or -INFINITY): no lower bound,
	                         max >= 1e300 (or INFINITY): no upper bound,
	                         min == max == 0 (left out): no bounds at all.
	                         List length is 0..CFG_LIST_MAX (1.. with
	                         CFG_F_NONEMPTY) */
	const char *choices;  /* CFG_ENUM: "sgd|adam|clipup"; CFG_INT: the
	                         values allowed within the bounds,
	                         "0|1|2|4|8|16" (NULL: any) */
	unsigned flags;       /* enum cfg_flags */
	const char *help;     /* one line for `evojax list` */
} cfg_field;

/* Fill 'out' from map 'section' (may be NULL or null: all defaults) against
 * the schema.  Keys in 'skip' (NULL-terminated, may be NULL) are accepted
 * without being parsed (e.g. "name", handled by the caller).  A null value
 * keeps the field's default.  Conversions: ints are decimal (strtol, full
 * match, optional sign; no "1e3", no "64.0"); floats strtod full match and
 * finite (".inf", ".nan", "1e999" are refused); bools true/false, yes/no,
 * on/off in any case; enums match a choice exactly; a list is a sequence
 * of scalars or a single scalar (a one-element list).  Quoted scalars are
 * converted like plain ones.  Errors (EJ_EXIT_USAGE), each with the
 * node's file:line:col (the key's for unknown keys, the item's for list
 * items); on error 'out' may be partly filled:
 *   FILE:L:C: 'algo' must be a mapping
 *   FILE:L:C: unknown key 'pop_sise' in 'algo' (did you mean 'pop_size'?)
 *   FILE:L:C: 'pop_size' must be an integer, got 'abc'
 *   FILE:L:C: 'pop_size' must be an even integer >= 2, got '63'
 *   FILE:L:C: 'center_lr' must be a number in [0, 10], got '-1'
 *   FILE:L:C: 'optimizer' must be one of sgd, adam, clipup, got 'adamm' (did you mean 'adam'?)
 *   FILE:L:C: 'lanes' must be one of 0, 1, 2, 4, 8, 16, got '3'    (int choices)
 *   FILE:L:C: 'hidden' must be a list of integers >= 1, got '0' (item 2)
 *   FILE:L:C: 'gamma' must be a finite number, got '.inf'
 *   FILE:L:C: 'algo' must be a scalar               (map/seq for a scalar)
 *   FILE:L:C: 'verbose' must be true or false, got 'maybe'
 * Failing to convert at all names only the type ("must be an integer");
 * failing the bounds or CFG_F_EVEN names the full rule; an integer beyond
 * int (or long) names the field's bounds within int's ("must be an even
 * integer in [2, 2147483647]").
 * 'section_name' names the section in messages. */
int cfg_parse_section(const cfg_node *section, const char *section_name,
		      const cfg_field *fields, size_t n_fields, void *out,
		      const char *const *skip, ej_err *err);

/* Fill 'out' with the defaults only (never fails for a valid schema).  Each
 * 'def' goes through the same conversion and checks as config values (an
 * invalid default is a programming error: assert); def NULL gives 0, false,
 * "" or an empty list. */
void cfg_defaults(const cfg_field *fields, size_t n_fields, void *out);

/* Write the resolved values of 'in' as YAML block-map lines, each indented
 * by 'indent' spaces ("  pop_size: 64\n"); floats with %.17g-shortest
 * round-trip formatting, strings double-quoted only when needed, lists in
 * flow style ("[64, 64]").  Loading the output again and parsing it with
 * the same schema gives back the identical values. */
void cfg_emit_section(FILE *out, int indent, const cfg_field *fields,
		      size_t n_fields, const void *in);

/* One line per field for `evojax list`, columns aligned:
 * "  key  type  default  bounds/choices  help" (type: int, float, bool,
 * string, enum, int[], float[]; "-" where there is nothing to show). */
void cfg_print_schema(FILE *out, int indent, const cfg_field *fields,
		      size_t n_fields);

/* Levenshtein-based suggestion among 'names' (NULL-terminated) for 'word';
 * NULL if nothing is close (distance > max(2, strlen/3)). */
const char *cfg_did_you_mean(const char *word, const char *const *names);

#endif
