/* fuzz_idx - libFuzzer harness: the bytes of an IDX file, plain or
 * gzipped, through the reader (core/idx.c), which works on paths: each
 * input is written to a per-process temporary file first. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/idx.h"
#include "tests/fuzz/fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	ej_err err = { 0 };
	idx_array a;

	snprintf(path, sizeof(path), "/tmp/fuzz_idx.%ld", (long)getpid());
	if (fuzz_put(path, data, size) == 0 &&
	    idx_load_file(path, IDX_ANY, 0, &a, &err) == 0)
		idx_array_free(&a);
	remove(path);
	return 0;
}
