/* registry.c - the table of algorithms, looked up by name.
 *
 * To add an algorithm:
 *   1. write algos/<name>.c defining `const algo_ops <name>_ops` (see
 *      algo.h and pgpe.c: schema, create/ask/tell/state/load/free);
 *   2. declare `extern const algo_ops <name>_ops;` in algos/algo.h;
 *   3. add `&<name>_ops` below, before the NULL.
 * Names must be unique (tests/test_pgpe.c checks the table).
 */
#include "algos/algo.h"

#include <string.h>

const algo_ops *const algo_registry[] = {
	&pgpe_ops,
	&open_es_ops,
	&ars_ops,
	&snes_ops,
	&simple_ga_ops,
	&cma_es_ops,
	&sep_cma_es_ops,
	&cr_fm_nes_ops,
	&map_elites_ops,
	&iamalgam_ops,
	NULL,
};

const algo_ops *algo_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; algo_registry[i]; i++)
		if (!strcmp(algo_registry[i]->name, name))
			return algo_registry[i];
	return NULL;
}
