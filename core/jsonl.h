/* jsonl.h - a small reader of JSON lines (metrics.jsonl, pbt.jsonl): one
 * JSON object per line, of which the caller wants a few top-level keys.
 * Every line is parsed in full (strings with their escapes, numbers in
 * JSON's grammar, true/false/null, nested objects and arrays up to 64
 * deep); keys the caller did not ask for are skipped, whatever their
 * value.
 *
 * What is tolerated and what is not:
 *   - blank lines are skipped;
 *   - the last line is skipped when it has no newline: a run that is
 *     still writing may be read halfway through a line;
 *   - a line that is not one JSON object, or whose wanted key holds a
 *     value of another type (a string for a number), is an error,
 *     EJ_EXIT_USAGE, "path:LINE:COL: what is wrong" (LINE and COL from 1):
 *     a broken metrics file gives no picture rather than a wrong one;
 *   - null for a wanted number reads as NaN with .null set (evojax writes
 *     null for non-finite values).
 */
#ifndef EJ_JSONL_H
#define EJ_JSONL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

enum jsonl_type { JSONL_NUMBER, JSONL_STRING };

#define JSONL_STR_MAX 64

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
 * 1 for a blank line, -1 when malformed: why gets "COL: what". */
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

#endif
