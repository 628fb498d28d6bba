/* fuzz_jsonl - libFuzzer harness: the bytes of a metrics.jsonl or
 * pbt.jsonl through the JSON-lines reader (core/jsonl.c, json-c
 * underneath), which works on paths: each input is written to a
 * per-process temporary file first.  Every line handed to the callback
 * must keep the reader's promises (null is NaN, a number found is
 * finite, strings end inside their buffer); a broken promise aborts.
 * json-c itself is not instrumented: coverage guides through ours. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/jsonl.h"
#include "tests/fuzz/fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_check(void *ctx, const jsonl_key *k, size_t n, int line,
		      ej_err *err)
{
	(void)ctx;
	(void)err;
	if (line < 1)
		abort();
	for (size_t j = 0; j < n; j++) {
		if (k[j].null && (!k[j].found || !isnan(k[j].num)))
			abort();
		if (k[j].type == JSONL_NUMBER && k[j].found && !k[j].null &&
		    !isfinite(k[j].num))
			abort();
		if (!memchr(k[j].str, '\0', sizeof(k[j].str)))
			abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jsonl_key keys[] = {
		{ .key = "kind", .type = JSONL_STRING },
		{ .key = "iter", .type = JSONL_NUMBER },
		{ .key = "avg", .type = JSONL_NUMBER },
		{ .key = "event", .type = JSONL_STRING },
	};
	char path[64];
	ej_err err = { 0 };

	snprintf(path, sizeof(path), "/tmp/fuzz_jsonl.%ld", (long)getpid());
	if (fuzz_put(path, data, size) == 0)
		jsonl_read(path, keys, sizeof(keys) / sizeof(keys[0]),
			   fuzz_check, NULL, &err);
	remove(path);
	return 0;
}
