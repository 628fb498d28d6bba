/* fuzz_set - libFuzzer harness: one `--set KEY=VALUE` string applied to a
 * valid experiment (configs/cartpole_easy.yaml's content), then validated
 * (core/cfg_set.c, core/exp.c), as cmd/main.c does for --set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfg.h"
#include "core/exp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base[] =
	"seed: 42\n"
	"task:\n  name: cartpole\n  hard: false\n  max_steps: 1000\n"
	"policy:\n  name: mlp\n  hidden: [64, 64]\n  output: tanh\n"
	"algo:\n  name: pgpe\n  pop_size: 64\n  center_lr: 0.05\n"
	"optimizer:\n  name: adam\n"
	"schedule:\n  center_lr: {profile: rex, warmup: 0.1}\n"
	"trainer:\n  max_iter: 1000\n  n_repeats: 16\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *set = malloc(size + 1);
	ej_err err = { 0 };
	cfg_doc *doc;
	exp_cfg e;

	if (!set)
		return 0;
	memcpy(set, data, size);
	set[size] = '\0';
	doc = cfg_load_string(base, "base.yaml", &err);
	if (doc && cfg_set(doc, set, &err) == 0) {
		memset(&e, 0, sizeof(e));
		if (exp_load(doc, &e, &err) == 0)
			exp_release(&e);
	}
	cfg_free(doc);
	free(set);
	return 0;
}
