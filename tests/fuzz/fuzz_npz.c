/* fuzz_npz - libFuzzer harness: the bytes of an .npz (checkpoint.npz,
 * best.npz, --params) through the reader (core/npz_read.c), the float32
 * fetch evojax test and resume use, and every algorithm's state loader
 * (algos/ *.c load(), as --resume calls it) on a small problem (P = 6,
 * two descriptors for MAP-Elites): a corrupt or hostile file must end in
 * an error message or a loaded state, never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "algos/algo.h"
#include "core/npz.h"
#include "core/optim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_algos(const npz_file *f)
{
	static const float lo[2] = { 0, 0 }, hi[2] = { 1, 1 };
	ej_err err = { 0 };
	optim_cfg oc;
	cfg_doc *doc = cfg_load_string("optimizer: {name: adam}\n", "o.yaml",
				       &err);

	if (!doc || optim_parse(cfg_get(cfg_root(doc), "optimizer"), &oc,
				&err) < 0) {
		cfg_free(doc);
		return;
	}
	cfg_free(doc);
	for (size_t i = 0; algo_registry[i]; i++) {
		const algo_ops *a = algo_registry[i];
		algo_env env = { .param_size = 6, .seed = 1, .optim = &oc,
				 .n_bd = 2, .bd_lo = lo, .bd_hi = hi };
		void *cfg = calloc(1, a->cfg_size ? a->cfg_size : 1);
		void *st = NULL;

		if (!cfg)
			continue;
		cfg_defaults(a->fields, a->n_fields, cfg);
		if (a->create(&st, cfg, &env, &err) == 0) {
			a->load(st, f, &err);
			a->free(st);
		}
		free(cfg);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ej_err err = { 0 };
	npz_file *f = npz_parse_mem(data, size, "fuzz.npz", &err);
	const npz_array *p;

	if (!f)
		return 0;
	for (size_t i = 0; i < npz_size(f); i++)
		(void)npz_count(npz_at(f, i));
	p = npz_find(f, "params");
	if (p) {
		size_t n = npz_count(p);
		float *dst = n <= (1u << 20) ? malloc((n ? n : 1) * sizeof(float))
					     : NULL;

		if (dst)
			npz_get_f32(f, "params", dst, n, &err);
		free(dst);
	}
	fuzz_algos(f);
	npz_free(f);
	return 0;
}
