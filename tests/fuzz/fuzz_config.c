/* fuzz_config - libFuzzer harness: config text as a file would hold it,
 * through the loader (core/cfg.c), the EvoJAX-format translation
 * (core/compat.c) when it has es_name, the experiment validator
 * (core/exp.c) and the resolved-config writer.  Any input must end in a
 * document or an error message, never a crash, leak or sanitizer report.
 * make fuzz builds and runs it (Makefile); seeds in tests/fuzz/corpus/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfg.h"
#include "core/compat.h"
#include "core/exp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	ej_err err = { 0 };
	cfg_doc *doc;
	exp_cfg e;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	doc = cfg_load_string(text, "fuzz.yaml", &err);
	free(text);
	if (!doc)
		return 0;
	if (!compat_is_evojax(doc) ||
	    compat_translate(doc, NULL, 0, &err) == 0) {
		memset(&e, 0, sizeof(e));
		if (exp_load(doc, &e, &err) == 0) {
			FILE *out = fopen("/dev/null", "w");

			if (out) {
				exp_emit(out, &e);
				fclose(out);
			}
			exp_release(&e);
		}
	}
	cfg_free(doc);
	return 0;
}
