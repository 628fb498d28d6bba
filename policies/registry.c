/* Policy registry.  To add a policy: write policies/<name>.c (a policy_ops)
 * and policies/<name>.cl (device code), declare its ops in its header and
 * add one line below.  tests/test_registry.c checks names are unique. */
#include <string.h>

#include "policies/convnet.h"
#include "policies/mlp.h"
#include "policies/mlp_pi.h"
#include "policies/seq2seq.h"

const policy_ops *const policy_registry[] = {
	&mlp_ops,
	&mlp_pi_ops,
	&convnet_ops,
	&seq2seq_policy_ops,
	NULL,
};

const policy_ops *policy_find(const char *name)
{
	for (const policy_ops *const *p = policy_registry; *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return *p;
	return NULL;
}
