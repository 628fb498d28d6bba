/* fuzz_mdkp - libFuzzer harness: a pair of MDKP CSV files (items_csv and
 * capacity_csv, tasks/mdkp_data.c).  The input is split at its first NUL
 * byte: items before, capacities after (no NUL: both files get the whole
 * input); each part is written to a per-process temporary file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tasks/mdkp.h"
#include "tests/fuzz/fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t n1 = nul ? (size_t)(nul - data) : size;
	const uint8_t *caps = nul ? nul + 1 : data;
	size_t n2 = nul ? size - n1 - 1 : size;
	char items_path[64], caps_path[64];
	ej_err err = { 0 };
	mdkp_inst in;

	snprintf(items_path, sizeof(items_path), "/tmp/fuzz_items.%ld",
		 (long)getpid());
	snprintf(caps_path, sizeof(caps_path), "/tmp/fuzz_caps.%ld",
		 (long)getpid());
	if (fuzz_put(items_path, data, n1) == 0 &&
	    fuzz_put(caps_path, caps, n2) == 0) {
		memset(&in, 0, sizeof(in));
		if (mdkp_read_csv(items_path, caps_path, &in, &err) == 0)
			mdkp_inst_release(&in);
	}
	remove(items_path);
	remove(caps_path);
	return 0;
}
