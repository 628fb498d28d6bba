/* jsonl.h - a small reader of JSON lines (metrics.jsonl, pbt.jsonl): one
 * JSON object per line, of which the caller wants a few top-level keys.
 * Each line is parsed in full by json-c's tokener in its strict mode,
 * objects and arrays nested up to JSONL_DEPTH deep (the line's object
 * included); keys the caller did not ask for are skipped, whatever their
 * value.
 *
 * What is tolerated and what is not:
 *   - blank lines are skipped;
 *   - the last line is skipped when it has no newline: a run that is
 *     still writing may be read halfway through a line;
 *   - a line that is not one JSON object (malformed, another kind of
 *     value, something after the object) is an error, EJ_EXIT_USAGE,
 *     "path:LINE:COL: what is wrong" (LINE and COL from 1, COL counts
 *     bytes; the text of what is wrong is json-c's for malformed JSON);
 *   - a wanted key whose value has another type (a string for a number),
 *     a number out of range (beyond 64-bit integers, beyond a double:
 *     1e400, Infinity) or NaN is an error, "path:LINE: 'key' ..." without
 *     a column (json-c does not say where a value starts): a broken
 *     metrics file gives no picture rather than a wrong one;
 *   - null reads as NaN with .null set (evojax writes null for
 *     non-finite values);
 *   - a key given twice: the last value counts (json-c keeps it);
 *   - what json-c's strict mode still lets through passes: a 'single
 *     quoted' key (not a value), "1." for 1.0, raw control characters
 *     inside strings, NaN and Infinity in keys nobody asked for;
 *   - strings are read as json-c decodes them (UTF-8, \u escapes
 *     included) and cut to JSONL_STR_MAX - 1 bytes at a character
 *     boundary.
 */
#ifndef EJ_JSONL_H
#define EJ_JSONL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

enum jsonl_type { JSONL_NUMBER, JSONL_STRING };

#define JSONL_STR_MAX 64
#define JSONL_DEPTH 64

typedef struct jsonl_key {
	const char *key;          /* set by the caller */
	enum jsonl_type type;     /* set by the caller */
	/* filled for each line: */
	bool found;               /* the line has the key */
	bool null;                /* its value was null (num is NaN) */
	double num;
	char str[JSONL_STR_MAX];  /* longer strings are cut */
} jsonl_key;

/* Parse one line (without its newline) into keys (n).  0 for an object,
 * 1 for a blank line, -1 when it is not one JSON object (why gets
 * "COL: what"), -2 when a wanted key's value is wrong (why gets "what",
 * no column). */
int jsonl_parse(const char *line, jsonl_key *keys, size_t n, char *why,
		size_t why_size);

/* Called for each object line (line number from 1); returns 0, or -1
 * with err filled to stop the reading. */
typedef int (*jsonl_fn)(void *ctx, const jsonl_key *keys, size_t n,
			int line, ej_err *err);

/* Read a whole file line by line (see above for what is skipped and
 * what is an error).  A file that cannot be read: EJ_EXIT_RUN. */
int jsonl_read(const char *path, jsonl_key *keys, size_t n, jsonl_fn fn,
	       void *ctx, ej_err *err);

/* s as a JSON string literal into out (cap >= 3 bytes): in quotes, with
 * \" \\ and \u00XX for control bytes, other bytes as they are (UTF-8
 * passes through).  A literal that does not fit in cap - 1 bytes is cut
 * before the first character that does not fit whole (never inside an
 * escape or a UTF-8 sequence) and still closed.  Returns out. */
const char *jsonl_quote(const char *s, char *out, size_t cap);

#endif
