/* mdkp.c - the multi-dimensional knapsack problem ("mdkp"), a direct task:
 * schema, the instance handed to core/direct.c, and the host reference.
 *
 * EvoJAX 0.2.17's evojax/task/mdkp.py (MDKP) driven by the policy of its
 * examples/train_mdkp.py (MDKPPolicy), fused: the parameter vector x has
 * one value per item (P = M) and the fitness is MDKP's one-step reward of
 * MDKPPolicy's action.  No policy section, no behaviour descriptors.
 *
 * Instance: M items, each with S attributes and a value (items (M, S + 1)),
 * and B bins, each with S capacities (caps (B, S)).
 *
 * MDKPPolicy (the item's bin from x_i): thresholds t (B + 1) = the float32
 * cumulative sum of B + 1 copies of 1/(B + 1), minus its minimum, so t_0 =
 * 0 and t_k ~ k/(B + 1);
 *   B > 1:  c = clip(x - 0.04, 0, 1) (float32; NaN stays NaN),
 *           count = #{k : c - t_k >= 0}, row = count - 1
 *   B = 1:  count = [sigmoid(x) - 0.5 >= 0] (no thresholds), row = count - 1
 * act = zeros (B + 1, M); act[row, i] = 1 (row -1 is the last row, numpy
 * indexing); the action is act[1:]: row 0 = not selected, row r = bin r-1.
 * So with one bin an item is selected when sigmoid(x) < 0.5, i.e. x < 0
 * (EvoJAX's quirk: the sign is inverted against the B > 1 rule, where
 * larger x means a later bin), and NaN lands in the last bin.  JAX's
 * float32 sigmoid (0.4.30, CPU) rounds to 0.5 for -1.788e-7 < x < 0: the
 * selection rule is x <= -0x1.7ffffep-23 (the float 0xb43fffff) or NaN,
 * measured over every float in [-1e-6, 0] and 4M random floats.
 *
 * MDKP.step (the reward of an action (B, M)): selection = act > 0.5; per
 * bin the sums of its items' attributes and values (float32, item order
 * here); reward = the sum over bins of their value sums; 0 when an item is
 * in two bins (impossible with MDKPPolicy, kept in mdkp_ref_reward) or
 * when any bin's attribute sum is strictly greater than its capacity.
 * Episodes are one step; the test score is the same deterministic value.
 *
 * Device (tasks/mdkp.cl) = host reference, exactly: both sum in float in
 * the same order (items, then bins); the device bisects the sorted
 * thresholds where the reference counts (tests/test_mdkp.c).  EvoJAX sums
 * with a float32 matmul: for integer data whose sums stay below 2^24 (the
 * synthesized instance: at most 2000 x 99) every order gives the same
 * exact sums; other data may differ in the last bit of a sum, which only
 * matters when a sum ties a capacity to within that bit.
 *
 * Keys (defaults):
 *   items_csv, capacity_csv ("", ""): the instance's CSV files (format in
 *     tasks/mdkp_data.c); relative paths are relative to the working
 *     directory, as mnist's data_dir.  Both set: read; both empty:
 *     synthesized; one alone: an error.
 *   num_items 2000, num_attrs 3, num_bins 5, upper_bound 100, data_seed 0:
 *     the synthesized instance, EvoJAX's own by default (numpy
 *     RandomState(data_seed): items = randint(0, upper_bound, (M, S + 1));
 *     n = int(M * 0.5 / B) items per bin; ix = arange(M) shuffled; bin b's
 *     capacities = the attribute sums of items ix[b n : (b + 1) n]).
 *     Ignored when the CSV files are given.
 */
#include "tasks/mdkp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/direct.h"

/* sigmoid(x) < 0.5 in JAX's float32 exactly when !(x > this) (above). */
#define MDKP_SIGMOID_EDGE (-0x1.7ffffep-23f)

#define MDKP_OFF(m) offsetof(mdkp_cfg, m)

static const cfg_field mdkp_fields[] = {
	{ .key = "items_csv", .type = CFG_STR, .offset = MDKP_OFF(items_csv),
	  .def = "",
	  .help = "CSV of the items: M rows of S attributes and a value (\"\": synthesized instance)" },
	{ .key = "capacity_csv", .type = CFG_STR,
	  .offset = MDKP_OFF(capacity_csv), .def = "",
	  .help = "CSV of the bins: B rows of S capacities (with items_csv)" },
	{ .key = "num_items", .type = CFG_INT, .offset = MDKP_OFF(num_items),
	  .def = "2000", .min = 1, .max = MDKP_MAX_ITEMS,
	  .help = "synthesized instance: items M (the parameter count)" },
	{ .key = "num_attrs", .type = CFG_INT, .offset = MDKP_OFF(num_attrs),
	  .def = "3", .min = 1, .max = MDKP_MAX_ATTRS,
	  .help = "synthesized instance: attributes S per item and bin" },
	{ .key = "num_bins", .type = CFG_INT, .offset = MDKP_OFF(num_bins),
	  .def = "5", .min = 1, .max = MDKP_MAX_BINS,
	  .help = "synthesized instance: bins B" },
	{ .key = "upper_bound", .type = CFG_INT,
	  .offset = MDKP_OFF(upper_bound), .def = "100", .min = 1,
	  .max = 1000000,
	  .help = "synthesized instance: attributes and values are integers in [0, upper_bound)" },
	{ .key = "data_seed", .type = CFG_INT, .offset = MDKP_OFF(data_seed),
	  .def = "0", .min = 0, .max = 2147483647,
	  .help = "synthesized instance: numpy RandomState seed (EvoJAX: 0)" },
};

static void mdkp_dims(const void *cfg, task_dims *out)
{
	(void)cfg;
	out->obs_dim = 0; /* no episodes: direct task */
	out->act_dim = 0;
	out->state_dim = 0;
	out->max_steps = 0;
}

static void mdkp_defines(const void *cfg, char *buf, size_t size)
{
	(void)cfg; /* the sizes come with the instance (mdkp_direct_data) */
	if (size)
		buf[0] = '\0';
}

/* Bins summed per pass on the device: MDKP_ACC_FLOATS accumulators. */
static size_t mdkp_block(const mdkp_inst *in)
{
	size_t blk = MDKP_ACC_FLOATS / (in->S + 1);

	return blk < in->B ? blk : in->B;
}

static int mdkp_direct_data(const void *cfg, task_data *out, ej_err *err)
{
	mdkp_inst in;

	if (mdkp_load(cfg, &in, err) < 0)
		return -1;
	out->n_params = in.M;
	out->n_data = in.n_data;
	snprintf(out->defines, sizeof(out->defines),
		 "#define MDKP_ITEMS %zu\n#define MDKP_ATTRS %zu\n"
		 "#define MDKP_BINS %zu\n#define MDKP_BLOCK %zu\n",
		 in.M, in.S, in.B, mdkp_block(&in));
	snprintf(out->summary, sizeof(out->summary),
		 "%zu items x %zu attributes, %zu bins, %.160s", in.M, in.S,
		 in.B, in.source);
	out->data = in.data; /* ownership moves */
	return 0;
}

const task_ops mdkp_ops = {
	.name = "mdkp",
	.summary = "multi-dimensional knapsack (EvoJAX MDKP + MDKPPolicy): one parameter per item picks its bin; fitness the total value, 0 over capacity",
	.fields = mdkp_fields,
	.n_fields = sizeof(mdkp_fields) / sizeof(mdkp_fields[0]),
	.cfg_size = sizeof(mdkp_cfg),
	.cl_file = "tasks/mdkp.cl",
	.dims = mdkp_dims,
	.defines = mdkp_defines,
	.eval = &direct_eval_ops,
	.policy_caps = 0,
	.direct_dim = NULL, /* the instance's item count: direct_data */
	.direct_data = mdkp_direct_data,
	.n_bd = 0,
	.bd_bounds = NULL,
};

/* ---- host reference ---------------------------------------------------- */

/* jnp.cumsum(ones(B + 1) / (B + 1)) - min, in float32, summed in order
 * (EvoJAX's XLA reduce-window may round differently for some B, by at
 * most 2 ulp; README). */
void mdkp_thresholds(size_t B, float *t)
{
	const float f = 1.0f / (float)(B + 1);
	float c = 0.0f, lo;

	for (size_t k = 0; k <= B; k++) {
		c += f;
		t[k] = c;
	}
	lo = t[0];
	for (size_t k = 1; k <= B; k++)
		lo = t[k] < lo ? t[k] : lo;
	for (size_t k = 0; k <= B; k++)
		t[k] -= lo;
}

int mdkp_ref_bin(const mdkp_inst *in, float x)
{
	long count = 0, row;

	if (in->B == 1) {
		count = x > MDKP_SIGMOID_EDGE; /* sigmoid(x) - 0.5 >= 0 */
	} else {
		float c = x - 0.04f;

		c = c < 0.0f ? 0.0f : c > 1.0f ? 1.0f : c;
		for (size_t k = 0; k <= in->B; k++)
			count += c - in->thresholds[k] >= 0.0f;
	}
	row = count - 1;
	if (row < 0) /* numpy: -1 is the last row */
		row += (long)in->B + 1;
	return (int)row - 1;
}

void mdkp_ref_action(const mdkp_inst *in, const float *params, float *act)
{
	memset(act, 0, in->B * in->M * sizeof(float));
	for (size_t i = 0; i < in->M; i++) {
		int b = mdkp_ref_bin(in, params[i]);

		if (b >= 0)
			act[(size_t)b * in->M + i] = 1.0f;
	}
}

float mdkp_ref_reward(const mdkp_inst *in, const float *act)
{
	const size_t M = in->M, S = in->S, C = S + 1;
	float reward = 0.0f, sum[MDKP_MAX_ATTRS + 1];
	int ok = 1;

	for (size_t b = 0; b < in->B; b++) {
		for (size_t s = 0; s < C; s++)
			sum[s] = 0.0f;
		for (size_t i = 0; i < M; i++)
			if (act[b * M + i] > 0.5f)
				for (size_t s = 0; s < C; s++)
					sum[s] += in->items[i * C + s];
		reward += sum[S];
		for (size_t s = 0; s < S; s++)
			ok &= !(sum[s] > in->caps[b * S + s]);
	}
	for (size_t i = 0; i < M; i++) {
		int times = 0;

		for (size_t b = 0; b < in->B; b++)
			times += act[b * M + i] > 0.5f;
		ok &= times <= 1;
	}
	return ok ? reward : 0.0f;
}

float mdkp_ref_fitness(const mdkp_inst *in, const float *params, float *act)
{
	mdkp_ref_action(in, params, act);
	return mdkp_ref_reward(in, act);
}
