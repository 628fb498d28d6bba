/* test_mdkp - the multi-dimensional knapsack direct task: numpy's legacy
 * generator, EvoJAX's synthesized instance, MDKPPolicy's thresholds and
 * bin mapping, MDKP's reward on hand-worked instances, CSV files and
 * their errors, and the device (core/direct.c + tasks/mdkp.cl) against
 * the host reference.
 *
 * Pinned against numpy (1.24.2 and 2.4.6 agree): RandomState(0) draws,
 * shuffle, and EvoJAX's instance MDKP(use_synthesized_data=True) (caps in
 * full, first and last item, sum and position-weighted sum of the items;
 * the whole instance was compared once, equal, along with 7 other sizes
 * and seeds).  Pinned against EvoJAX 0.2.17 (jax 0.4.30, CPU): the
 * thresholds of MDKPPolicy for 2, 3 and 5 bins, the one-bin sigmoid edge,
 * and MDKPPolicy + MDKP.step rewards of the parameter vectors
 * gen_params() makes for the synthesized instance.
 *
 * Device tolerance: none, fitness bit-equal to mdkp_ref_fitness (both sum
 * in float in the same order; measured on PoCL: equal on every member of
 * the four populations, NaN and infinite parameters and c exactly on a
 * threshold included; off-by-one mutations of the device's bin rule, the
 * one-bin edge, the NaN bin and the 0.04 offset each fail
 * test_device_vs_host, a >= capacity test fails test_device_hand).
 *
 * Hand instance (S = 2 attributes, B = 2 bins):
 *   items [w1, w2, value]: 0 [1, 2, 10]  1 [2, 1, 20]  2 [3, 3, 30]
 *                          3 [1, 1, 5]
 *   caps: bin 0 [3, 3], bin 1 [4, 4]
 *   {0, 1} -> bin 0, {2} -> bin 1:          sums [3,3] [3,3], reward 60
 *   ... and 3 -> bin 1:                     bin 1 [4,4] = caps, reward 65
 *   {0, 1, 3} -> bin 0, {2} -> bin 1:       bin 0 [4,4] > [3,3], reward 0
 *   item 0 in both bins:                    reward 0
 *   act 0.5 is not a selection (> 0.5), 0.51 is.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cfg.h"
#include "core/direct.h"
#include "core/nprand.h"
#include "opencl/clrt.h"
#define TU_OPENCL
#include "tests/testutil.h"
#include "tasks/mdkp.h"

/* ---- helpers ----------------------------------------------------------- */

static int parse(const char *yaml, mdkp_cfg *c, ej_err *err)
{
	static const char *const skip[] = { "name", NULL };
	cfg_doc *d = cfg_load_string(yaml, "t.yaml", err);
	int rc;

	assert_non_null(d);
	rc = cfg_parse_section(cfg_get(cfg_root(d), "task"), "task",
			       mdkp_ops.fields, mdkp_ops.n_fields, c, skip, err);
	cfg_free(d);
	return rc;
}

static void synth(mdkp_inst *in, int M, int S, int B, int ub, uint32_t seed)
{
	ej_err err = { 0 };

	if (mdkp_synthesize(M, S, B, ub, seed, in, &err) < 0)
		fail_msg("%s", err.msg);
}

/* The hand instance above. */
static void hand_instance(mdkp_inst *in)
{
	static const float items[] = { 1, 2, 10, 2, 1, 20, 3, 3, 30, 1, 1, 5 };
	static const float caps[] = { 3, 3, 4, 4 };
	ej_err err = { 0 };

	assert_int_equal(mdkp_inst_alloc(in, 4, 2, 2, &err), 0);
	memcpy(in->items, items, sizeof(items));
	memcpy(in->caps, caps, sizeof(caps));
}

/* A parameter value that MDKPPolicy maps to 'bin' (-1: none) for B > 1:
 * the middle of the bin's interval of c = clip(x - 0.04, 0, 1). */
static float x_for_bin(const mdkp_inst *in, int bin)
{
	float lo, hi;

	if (bin < 0)
		return 0.04f + 0.5f * in->thresholds[1];
	lo = in->thresholds[bin + 1];
	hi = bin + 2 <= (int)in->B ? in->thresholds[bin + 2] : 1.0f;
	return 0.04f + 0.5f * (lo + hi);
}

/* A parameter whose c = x - 0.04f is exactly t (when one is near). */
static float x_on(float t)
{
	float x = t + 0.04f;

	for (int k = 0; k < 8 && x - 0.04f != t; k++)
		x = nextafterf(x, x - 0.04f < t ? INFINITY : -INFINITY);
	return x;
}

/* Member m of a test population: members 0..n-3 select each item with
 * probability (m + 1) / (n - 2) into a uniform bin (a range from feasible
 * to over capacity); member n-2 is uniform in [-1, 2); member n-1 has
 * NaN, infinities and the edge values on items 0..7, every 16th item
 * with c exactly on a threshold (the one-bin edge for B = 1), no other
 * item (feasible on the instances below). */
static void gen_params(const mdkp_inst *in, uint32_t seed, size_t m, size_t n,
		       float *x)
{
	const float p = (float)(m + 1) / (float)(n - 2);

	for (size_t i = 0; i < in->M; i++) {
		ph_out w = ph_draw(seed, PH_PURPOSE_TASK, 0, (uint32_t)m, 0,
				   (uint32_t)i);
		float u0 = ph_uniform(w.v[0]), u1 = ph_uniform(w.v[1]);
		int bin = u0 < p ? (int)(u1 * (float)in->B) : -1;

		if (m == n - 2) {
			x[i] = ph_uniform(w.v[2]) * 3.0f - 1.0f;
		} else if (m == n - 1) {
			static const float odd[] = { NAN, INFINITY, -INFINITY,
						     -0.0f, 0.04f, 1.04f,
						     -0x1.7ffffep-23f,
						     -0x1.7ffffcp-23f };

			if (i < 8)
				x[i] = odd[i];
			else if (i % 16 != 0) /* not selected */
				x[i] = in->B > 1 ? 0.0f : 1.0f;
			else if (in->B > 1) /* c on t_1 .. t_B: bins 0 .. B-1 */
				x[i] = x_on(in->thresholds[1 + (i / 16) %
							       in->B]);
			else /* the last float selected */
				x[i] = -0x1.7ffffep-23f;
		} else if (in->B == 1) {
			x[i] = bin == 0 ? -0.01f - u1 : u1;
		} else {
			x[i] = x_for_bin(in, bin);
		}
	}
}

/* ---- numpy's legacy generator and EvoJAX's instance ------------------- */

static void test_nprand(void **state)
{
	/* RandomState(0).randint(0, 2**32, dtype=uint32), RandomState(5489)
	 * (MT19937's reference seed), RandomState(0).shuffle(arange(10)),
	 * RandomState(1).randint(0, 7, size=8) */
	static const uint32_t s0[] = { 2357136044u, 2546248239u, 3071714933u };
	static const int64_t sh[] = { 2, 8, 4, 9, 1, 6, 7, 3, 0, 5 };
	static const int64_t ri[] = { 5, 3, 4, 0, 1, 3, 5, 0 };
	int64_t x[10];
	nprand r;

	(void)state;
	nprand_seed(&r, 0);
	for (int k = 0; k < 3; k++)
		assert_int_equal(nprand_next_u32(&r), s0[k]);
	nprand_seed(&r, 5489);
	assert_int_equal(nprand_next_u32(&r), 3499211612u);
	nprand_seed(&r, 0);
	assert_int_equal(nprand_randint(&r, 0, 4294967296LL), s0[0]);
	nprand_seed(&r, 0);
	for (int k = 0; k < 10; k++)
		x[k] = k;
	nprand_shuffle(&r, x, 10);
	for (int k = 0; k < 10; k++)
		assert_int_equal(x[k], sh[k]);
	nprand_seed(&r, 1);
	for (int k = 0; k < 8; k++)
		assert_int_equal(nprand_randint(&r, 0, 7), ri[k]);
	nprand_seed(&r, 1);
	assert_int_equal(nprand_randint(&r, 5, 6), 5); /* no draw */
	assert_int_equal(nprand_randint(&r, 0, 7), ri[0]);
}

static void test_synthesized(void **state)
{
	static const float caps[] = { 10013, 9513, 9699, 9490, 9617, 10336,
				      10093, 10396, 9894, 9901, 9827, 9981,
				      9321, 9894, 9259 };
	static const float first[] = { 44, 47, 64, 67 };
	static const float last[] = { 30, 34, 25, 82 };
	mdkp_inst in;
	double sum = 0, wsum = 0;

	(void)state;
	synth(&in, 2000, 3, 5, 100, 0); /* EvoJAX's */
	assert_true(in.M == 2000 && in.S == 3 && in.B == 5);
	assert_int_equal(in.n_data, 2000 * 4 + 5 * 3 + 6);
	assert_memory_equal(in.caps, caps, sizeof(caps));
	assert_memory_equal(in.items, first, sizeof(first));
	assert_memory_equal(in.items + 1999 * 4, last, sizeof(last));
	for (size_t k = 0; k < 2000 * 4; k++) {
		sum += in.items[k];
		wsum += (double)(k + 1) * in.items[k];
	}
	assert_true(sum == 392591.0);      /* items.sum() */
	assert_true(wsum == 1569774805.0); /* (items * arange(1, 8001)).sum() */
	mdkp_inst_release(&in);

	/* more bins than items / 2: int(M * 0.5 / B) = 0 items per bin */
	synth(&in, 3, 2, 4, 5, 1);
	for (size_t k = 0; k < 8; k++)
		assert_true(in.caps[k] == 0.0f);
	mdkp_inst_release(&in);
}

/* ---- MDKPPolicy ---------------------------------------------------------- */

static void test_thresholds(void **state)
{
	/* EvoJAX: cumsum(ones([B + 1, M]) / (B + 1)) - min, jax 0.4.30 CPU */
	static const float t2[] = { 0.0f, 0x1.555556p-2f, 0x1.555554p-1f };
	static const float t3[] = { 0.0f, 0.25f, 0.5f, 0.75f };
	static const float t5[] = { 0.0f, 0x1.555556p-3f, 0x1.555554p-2f, 0.5f,
				    0x1.555556p-1f, 0x1.aaaaaap-1f };
	float t[8];

	(void)state;
	mdkp_thresholds(2, t);
	assert_memory_equal(t, t2, sizeof(t2));
	mdkp_thresholds(3, t);
	assert_memory_equal(t, t3, sizeof(t3));
	mdkp_thresholds(5, t);
	assert_memory_equal(t, t5, sizeof(t5));
	for (size_t B = 2; B < 3000; B += 97) { /* sorted, t_0 = 0 */
		float *u = malloc((B + 1) * sizeof(float));

		assert_non_null(u);
		mdkp_thresholds(B, u);
		assert_true(u[0] == 0.0f);
		for (size_t k = 1; k <= B; k++)
			assert_true(u[k] > u[k - 1]);
		free(u);
	}
}

static void test_bins(void **state)
{
	mdkp_inst in;
	ej_err err = { 0 };
	float c;

	(void)state;
	/* one bin: selected when sigmoid(x) < 0.5 in float32 */
	assert_int_equal(mdkp_inst_alloc(&in, 1, 1, 1, &err), 0);
	assert_int_equal(mdkp_ref_bin(&in, 0.0f), -1);
	assert_int_equal(mdkp_ref_bin(&in, -0.0f), -1);
	assert_int_equal(mdkp_ref_bin(&in, 1.0f), -1);
	assert_int_equal(mdkp_ref_bin(&in, INFINITY), -1);
	assert_int_equal(mdkp_ref_bin(&in, -1.0f), 0);
	assert_int_equal(mdkp_ref_bin(&in, -INFINITY), 0);
	assert_int_equal(mdkp_ref_bin(&in, NAN), 0);
	/* JAX rounds sigmoid to 0.5 down to -0x1.7ffffcp-23 */
	assert_int_equal(mdkp_ref_bin(&in, -0x1.7ffffcp-23f), -1);
	assert_int_equal(mdkp_ref_bin(&in, -0x1.7ffffep-23f), 0);
	mdkp_inst_release(&in);

	/* five bins: c = clip(x - 0.04, 0, 1) against k/6 */
	assert_int_equal(mdkp_inst_alloc(&in, 1, 1, 5, &err), 0);
	assert_int_equal(mdkp_ref_bin(&in, -3.0f), -1);
	assert_int_equal(mdkp_ref_bin(&in, 0.0f), -1);
	assert_int_equal(mdkp_ref_bin(&in, 0.04f), -1);
	assert_int_equal(mdkp_ref_bin(&in, 0.2f), -1);  /* c 0.16 < 1/6 */
	assert_int_equal(mdkp_ref_bin(&in, 0.21f), 0);  /* c 0.17 */
	assert_int_equal(mdkp_ref_bin(&in, 0.5f), 1);   /* c 0.46 */
	assert_int_equal(mdkp_ref_bin(&in, 0.55f), 2);  /* c 0.51 */
	assert_int_equal(mdkp_ref_bin(&in, 1.0f), 4);   /* c 0.96 */
	assert_int_equal(mdkp_ref_bin(&in, 1.04f), 4);  /* c 1 */
	assert_int_equal(mdkp_ref_bin(&in, 7.0f), 4);
	assert_int_equal(mdkp_ref_bin(&in, INFINITY), 4);
	assert_int_equal(mdkp_ref_bin(&in, -INFINITY), -1);
	assert_int_equal(mdkp_ref_bin(&in, NAN), 4); /* numpy's index -1 */
	/* c exactly on t_3 = 0.5 counts it (>= 0): bin 2 */
	for (float x = 0.54f - 1e-6f; x < 0.54f + 1e-6f;
	     x = nextafterf(x, 1.0f)) {
		c = x - 0.04f;
		if (c == 0.5f)
			assert_int_equal(mdkp_ref_bin(&in, x), 2);
		else
			assert_int_equal(mdkp_ref_bin(&in, x), c < 0.5f ? 1 : 2);
	}
	mdkp_inst_release(&in);
}

/* ---- MDKP's reward -------------------------------------------------------- */

static float reward_of(const mdkp_inst *in, const int bins[4], int twice)
{
	float act[2 * 4] = { 0 };

	for (int i = 0; i < 4; i++)
		if (bins[i] >= 0)
			act[bins[i] * 4 + i] = 1.0f;
	if (twice >= 0)
		act[0 * 4 + twice] = act[1 * 4 + twice] = 1.0f;
	return mdkp_ref_reward(in, act);
}

static void test_reward_hand(void **state)
{
	static const int valid[] = { 0, 0, 1, -1 }, full[] = { 0, 0, 1, 1 };
	static const int over[] = { 0, 0, 1, 0 }, none[] = { -1, -1, -1, -1 };
	static const int one[] = { -1, -1, -1, 0 };
	mdkp_inst in;
	float act[8] = { 0 }, x[4], scratch[8];

	(void)state;
	hand_instance(&in);
	assert_true(reward_of(&in, valid, -1) == 60.0f);
	assert_true(reward_of(&in, full, -1) == 65.0f);  /* sums = caps */
	assert_true(reward_of(&in, over, -1) == 0.0f);   /* bin 0 over */
	assert_true(reward_of(&in, none, -1) == 0.0f);
	assert_true(reward_of(&in, one, 0) == 0.0f);     /* item 0 twice */
	assert_true(reward_of(&in, none, 3) == 0.0f);    /* fits, twice */
	act[3] = 0.5f; /* not selected */
	assert_true(mdkp_ref_reward(&in, act) == 0.0f);
	act[3] = 0.51f;
	assert_true(mdkp_ref_reward(&in, act) == 5.0f);

	/* the same through MDKPPolicy (2 bins: c < 1/3 none, < 2/3 bin 0) */
	for (int i = 0; i < 4; i++)
		x[i] = x_for_bin(&in, full[i]);
	assert_true(mdkp_ref_fitness(&in, x, scratch) == 65.0f);
	for (int i = 0; i < 4; i++)
		x[i] = x_for_bin(&in, over[i]);
	assert_true(mdkp_ref_fitness(&in, x, scratch) == 0.0f);
	x[3] = 0.0f;
	assert_true(mdkp_ref_fitness(&in, x, scratch) == 60.0f);
	mdkp_inst_release(&in);
}

/* MDKPPolicy + MDKP.step of EvoJAX 0.2.17 on gen_params(seed 5, n = 10)
 * members of the synthesized instance (examples/evojax_score.py's
 * MDKPPolicy, jax 0.4.30 CPU). */
static void test_evojax_rewards(void **state)
{
	static const float want[10] = { 12357.0f, 23447.0f, 36994.0f, 0.0f,
					0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 6384.0f };
	mdkp_inst in;
	float *x, *act;

	(void)state;
	synth(&in, 2000, 3, 5, 100, 0);
	x = malloc(in.M * sizeof(float));
	act = malloc(in.B * in.M * sizeof(float));
	assert_true(x && act);
	for (size_t m = 0; m < 10; m++) {
		gen_params(&in, 5, m, 10, x);
		if (mdkp_ref_fitness(&in, x, act) != want[m])
			fail_msg("member %zu: %.9g, EvoJAX %.9g", m,
				 (double)mdkp_ref_fitness(&in, x, act),
				 (double)want[m]);
	}
	free(x);
	free(act);
	mdkp_inst_release(&in);
}

/* ---- schema and loading --------------------------------------------------- */

static void test_schema(void **state)
{
	mdkp_cfg c;
	ej_err err = { 0 };

	(void)state;
	assert_int_equal(parse("task:\n  name: mdkp\n", &c, &err), 0);
	assert_string_equal(c.items_csv, "");
	assert_string_equal(c.capacity_csv, "");
	assert_true(c.num_items == 2000 && c.num_attrs == 3 &&
		    c.num_bins == 5 && c.upper_bound == 100 &&
		    c.data_seed == 0); /* EvoJAX's instance */
	assert_int_equal(parse("task:\n  num_items: 0\n", &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:14: 'num_items' must be an "
			    "integer in [1, 1000000], got '0'");
	assert_int_equal(parse("task:\n  num_bins: -2\n", &c, &err), -1);
	assert_string_equal(err.msg, "t.yaml:2:13: 'num_bins' must be an "
			    "integer in [1, 100000], got '-2'");
	assert_int_equal(parse("task:\n  num_attrs: 1024\n", &c, &err), -1);
	assert_int_equal(parse("task:\n  upper_bound: 0\n", &c, &err), -1);
	assert_int_equal(parse("task:\n  item_csv: a.csv\n", &c, &err), -1);
	assert_non_null(strstr(err.msg, "(did you mean 'items_csv'?)"));

	assert_string_equal(mdkp_ops.name, "mdkp");
	assert_ptr_equal(mdkp_ops.eval, &direct_eval_ops);
	assert_int_equal(mdkp_ops.policy_caps, 0);
	assert_int_equal(mdkp_ops.n_bd, 0);
	assert_non_null(mdkp_ops.direct_data);
	/* a synthesized instance too large is refused, not allocated */
	assert_int_equal(mdkp_synthesize(1000000, 1023, 5, 100, 0, NULL,
					 &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "an instance of 1000000 items x 1023 "
			    "attributes and 5 bins is larger than the "
			    "134217728 numbers allowed");
	assert_int_equal(mdkp_synthesize(0, 3, 5, 100, 0, NULL, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
}

static void write_file(const char *dir, const char *name, const char *text,
		       char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

static void test_csv_ok(void **state)
{
	const tu_tmp *t = *state;
	static const float items[] = { 1, 2, 10, 2, 1, 20.5f, -3, 3e2f, 30,
				       0.25f, 1, 5 };
	char ip[256], cp[256];
	mdkp_cfg c;
	mdkp_inst in;
	ej_err err = { 0 };
	task_data td = { 0 };

	/* blanks around cells, CRLF, blank lines, signs and exponents */
	write_file(t->dir, "items.csv",
		   "1,2,10\r\n 2 ,\t1, 20.5\n\n-3,3e2,+30\n  \n0.25,1.0,5", ip,
		   sizeof(ip));
	write_file(t->dir, "caps.csv", "3,3\n4,4\n", cp, sizeof(cp));
	assert_int_equal(mdkp_read_csv(ip, cp, &in, &err), 0);
	assert_true(in.M == 4 && in.S == 2 && in.B == 2);
	assert_memory_equal(in.items, items, sizeof(items));
	assert_true(in.caps[0] == 3 && in.caps[3] == 4);
	assert_true(in.thresholds[1] == 0x1.555556p-2f);
	mdkp_inst_release(&in);

	/* through the config and the task's data hook */
	assert_int_equal(parse("task:\n  name: mdkp\n", &c, &err), 0);
	snprintf(c.items_csv, sizeof(c.items_csv), "%s", ip);
	snprintf(c.capacity_csv, sizeof(c.capacity_csv), "%s", cp);
	assert_int_equal(mdkp_ops.direct_data(&c, &td, &err), 0);
	assert_int_equal(td.n_params, 4);
	assert_int_equal(td.n_data, 4 * 3 + 2 * 2 + 3);
	assert_memory_equal(td.data, items, sizeof(items));
	assert_non_null(strstr(td.defines, "#define MDKP_BINS 2\n"));
	assert_non_null(strstr(td.defines, "#define MDKP_BLOCK 2\n"));
	assert_non_null(strstr(td.summary, "4 items x 2 attributes, 2 bins"));
	free(td.data);
	/* one file alone */
	c.capacity_csv[0] = '\0';
	assert_int_equal(mdkp_load(&c, &in, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "'items_csv' is set but 'capacity_csv' "
			    "is not: give both CSV files, or neither for the "
			    "synthesized instance");
}

typedef struct csv_case {
	const char *items, *caps; /* NULL: a file that does not exist */
	const char *msg;          /* %1$s items path, %2$s caps path */
} csv_case;

static void test_csv_errors(void **state)
{
	const tu_tmp *t = *state;
	static const csv_case cases[] = {
		{ "1,2,3\n", NULL, "cannot read capacity_csv '%2$s': No such file or directory" },
		{ NULL, "1,2\n", "cannot read items_csv '%1$s': No such file or directory" },
		{ "", "1,2\n", "%1$s: empty file, no rows" },
		{ "1,2,3\n", " \n\r\n", "%2$s: empty file, no rows" },
		{ "1,2,3\n4,x5,6\n", "1,2\n", "%1$s:2:3: 'x5' is not a number" },
		{ "w1,w2,v\n1,2,3\n", "1,2\n", "%1$s:1:1: 'w1' is not a number; the files have no header row" },
		{ "1,2,3\n4,nan,6\n", "1,2\n", "%1$s:2:3: 'nan' is not a number" },
		{ "1,2,3\n4,inf,6\n", "1,2\n", "%1$s:2:3: 'inf' is not a number" },
		{ "1,2,3\n4,0x10,6\n", "1,2\n", "%1$s:2:3: '0x10' is not a number" },
		{ "1,2,3\n4,1e39,6\n", "1,2\n", "%1$s:2:3: '1e39' is not a number" },
		{ "1,2,3\n4,\"5\",6\n", "1,2\n", "%1$s:2:3: '\"5\"' is not a number" },
		{ "1,2,3\n4, ,6\n", "1,2\n", "%1$s:2:3: empty cell" },
		{ "1,2,3\n4,5,\n", "1,2\n", "%1$s:2:5: empty cell" },
		{ "1,2,3\n\n4,5\n", "1,2\n", "%1$s:3: 2 cells, expected 3 as on line 1" },
		{ "\n1,2,3\n4,5,6,7\n", "1,2\n", "%1$s:3: more than 3 cells, expected 3 as on line 2" },
		{ "1,2,3\n", "1,2\n3\n", "%2$s:2: 1 cell, expected 2 as on line 1" },
		{ "1,2\n", "1,2\n", "%1$s:1: 2 columns, expected 3: the 2 attributes of capacity_csv '%2$s' and a value" },
		{ "1,2,3,4\n", "1,2\n", "%1$s:1: 4 columns, expected 3: the 2 attributes of capacity_csv '%2$s' and a value" },
		{ "1,2,3\n", "1,2\n-\n", "%2$s:2:1: '-' is not a number" },
	};
	char ip[256], cp[256], want[1024];
	mdkp_inst in;

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		ej_err err = { 0 };

		snprintf(ip, sizeof(ip), "%s/items%zu.csv", t->dir, k);
		snprintf(cp, sizeof(cp), "%s/caps%zu.csv", t->dir, k);
		if (cases[k].items)
			write_file(t->dir, strrchr(ip, '/') + 1, cases[k].items,
				   ip, sizeof(ip));
		if (cases[k].caps)
			write_file(t->dir, strrchr(cp, '/') + 1, cases[k].caps,
				   cp, sizeof(cp));
		assert_int_equal(mdkp_read_csv(ip, cp, &in, &err), -1);
		assert_int_equal(err.code, EJ_EXIT_USAGE);
		snprintf(want, sizeof(want), cases[k].msg, ip, cp);
		if (strcmp(err.msg, want) != 0)
			fail_msg("case %zu: '%s', want '%s'", k, err.msg, want);
	}
}

/* Row and column limits, a directory, a file too large for an instance. */
static void test_csv_limits(void **state)
{
	const tu_tmp *t = *state;
	char ip[256], cp[256], want[512];
	size_t n = 2 * MDKP_MAX_ATTRS + 8;
	char *row = malloc(n + 2);
	mdkp_inst in;
	ej_err err = { 0 };
	FILE *f;

	assert_non_null(row);
	/* 1025 columns */
	for (size_t k = 0; k <= MDKP_MAX_ATTRS + 1; k++)
		memcpy(row + 2 * k, "1,", 2);
	row[2 * (MDKP_MAX_ATTRS + 1) + 1] = '\n';
	row[2 * (MDKP_MAX_ATTRS + 1) + 2] = '\0';
	write_file(t->dir, "wide.csv", row, ip, sizeof(ip));
	write_file(t->dir, "caps.csv", "1,2\n", cp, sizeof(cp));
	assert_int_equal(mdkp_read_csv(ip, cp, &in, &err), -1);
	snprintf(want, sizeof(want), "%s:1: more than 1024 columns", ip);
	assert_string_equal(err.msg, want);
	/* 1024 capacity columns: more than 1023 attributes */
	assert_int_equal(mdkp_read_csv(cp, ip + 0, &in, &err), -1);
	row[2 * MDKP_MAX_ATTRS + 1] = '\n';
	row[2 * MDKP_MAX_ATTRS + 2] = '\0';
	write_file(t->dir, "wide2.csv", row, ip, sizeof(ip));
	assert_int_equal(mdkp_read_csv(cp, ip, &in, &err), -1);
	snprintf(want, sizeof(want), "%s:1: more than 1023 columns", ip);
	assert_string_equal(err.msg, want);
	free(row);
	/* 1,000,001 item rows */
	snprintf(ip, sizeof(ip), "%s/long.csv", t->dir);
	f = fopen(ip, "w");
	assert_non_null(f);
	for (int k = 0; k <= MDKP_MAX_ITEMS; k++)
		fputs("1,2,3\n", f);
	fclose(f);
	assert_int_equal(mdkp_read_csv(ip, cp, &in, &err), -1);
	snprintf(want, sizeof(want), "%s:1000001: more than 1000000 rows", ip);
	assert_string_equal(err.msg, want);
	/* not a regular file */
	assert_int_equal(mdkp_read_csv(t->dir, cp, &in, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	snprintf(want, sizeof(want), "cannot read items_csv '%s': Is a directory",
		 t->dir);
	assert_string_equal(err.msg, want);
	assert_int_equal(mdkp_read_csv("/dev/zero", cp, &in, &err), -1);
	assert_string_equal(err.msg, "cannot read items_csv '/dev/zero': not a regular file");
}

/* ---- device ------------------------------------------------------------ */

static int rt_setup(void **state)
{
	*state = tu_rt_open();
	return 0;
}

static int rt_teardown(void **state)
{
	clrt_free(*state);
	return 0;
}

static direct *mk_direct(clrt *rt, const mdkp_cfg *c, size_t M)
{
	ej_err err = { 0 };
	direct *d = direct_create(rt, &mdkp_ops, c, &err);

	if (!d)
		fail_msg("%s", err.msg);
	assert_int_equal(direct_param_count(d), M);
	assert_int_equal(direct_n_bd(d), 0);
	return d;
}

/* Device fitness against mdkp_ref_fitness, bit for bit, for the
 * population gen_params makes (n members) on the instance c describes. */
static void check_device(clrt *rt, const mdkp_cfg *c, size_t n, uint32_t seed,
			 int *n_feasible)
{
	mdkp_inst in;
	ej_err err = { 0 };
	direct *d;
	float *x, *act, *fit;

	if (mdkp_load(c, &in, &err) < 0)
		fail_msg("%s", err.msg);
	d = mk_direct(rt, c, in.M);
	x = malloc(n * in.M * sizeof(float));
	act = malloc(in.B * in.M * sizeof(float));
	fit = malloc(n * sizeof(float));
	assert_true(x && act && fit);
	for (size_t m = 0; m < n; m++)
		gen_params(&in, seed, m, n, x + m * in.M);
	assert_int_equal(direct_eval(d, x, n, fit, NULL, &err), 0);
	*n_feasible = 0;
	for (size_t m = 0; m < n; m++) {
		float h = mdkp_ref_fitness(&in, x + m * in.M, act);

		if (memcmp(&h, &fit[m], sizeof(h)) != 0)
			fail_msg("member %zu of %zu items, %zu bins: device %.9g, host %.9g",
				 m, in.M, in.B, (double)fit[m], (double)h);
		*n_feasible += h > 0.0f;
	}
	free(x);
	free(act);
	free(fit);
	direct_free(d);
	mdkp_inst_release(&in);
}

static void test_device_vs_host(void **state)
{
	mdkp_cfg c;
	ej_err err = { 0 };
	int feas;

	assert_int_equal(parse("task:\n  name: mdkp\n", &c, &err), 0);
	check_device(*state, &c, 32, 1, &feas); /* EvoJAX's instance */
	assert_true(feas >= 3 && feas <= 29);   /* both outcomes occur */
	c.num_bins = 1;
	c.num_items = 300;
	check_device(*state, &c, 16, 2, &feas);
	assert_true(feas >= 2 && feas <= 14);
	/* S + 1 = 301 columns: 3 bins per pass, 4 passes for 10 bins */
	c.num_bins = 10;
	c.num_attrs = 300;
	c.num_items = 500;
	check_device(*state, &c, 16, 3, &feas);
	assert_true(feas >= 1);
	c.num_bins = 2;
	c.num_attrs = 1;
	c.upper_bound = 1000000; /* sums beyond 2^24: rounded alike */
	c.num_items = 5000;
	check_device(*state, &c, 16, 4, &feas);
}

/* The hand instance, from CSV, on the device. */
static void test_device_hand(void **state)
{
	clrt *rt = *state;
	void *tmp = NULL;
	tu_tmp *t;
	mdkp_cfg c;
	mdkp_inst in;
	ej_err err = { 0 };
	direct *d;
	float x[3][4], fit[3];

	assert_int_equal(tu_tmp_setup(&tmp), 0);
	t = tmp;
	assert_int_equal(parse("task:\n  name: mdkp\n", &c, &err), 0);
	write_file(t->dir, "i.csv", "1,2,10\n2,1,20\n3,3,30\n1,1,5\n",
		   c.items_csv, sizeof(c.items_csv));
	write_file(t->dir, "c.csv", "3,3\n4,4\n", c.capacity_csv,
		   sizeof(c.capacity_csv));
	assert_int_equal(mdkp_load(&c, &in, &err), 0);
	d = mk_direct(rt, &c, 4);
	{
		static const int b[3][4] = { { 0, 0, 1, 1 }, { 0, 0, 1, 0 },
					     { 0, 0, 1, -1 } };

		for (int m = 0; m < 3; m++)
			for (int i = 0; i < 4; i++)
				x[m][i] = x_for_bin(&in, b[m][i]);
	}
	assert_int_equal(direct_eval(d, &x[0][0], 3, fit, NULL, &err), 0);
	assert_true(fit[0] == 65.0f && fit[1] == 0.0f && fit[2] == 60.0f);
	direct_free(d);
	mdkp_inst_release(&in);
	tu_tmp_teardown(&tmp);
}

int main(void)
{
	const struct CMUnitTest host[] = {
		cmocka_unit_test(test_nprand),
		cmocka_unit_test(test_synthesized),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_bins),
		cmocka_unit_test(test_reward_hand),
		cmocka_unit_test(test_evojax_rewards),
		cmocka_unit_test(test_schema),
		cmocka_unit_test_setup_teardown(test_csv_ok, tu_tmp_setup,
						tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_csv_errors, tu_tmp_setup,
						tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_csv_limits, tu_tmp_setup,
						tu_tmp_teardown),
	};
	const struct CMUnitTest device[] = {
		cmocka_unit_test(test_device_vs_host),
		cmocka_unit_test(test_device_hand),
	};
	int rc = cmocka_run_group_tests_name("mdkp host", host, NULL, NULL);

	return rc | cmocka_run_group_tests_name("mdkp device", device,
						rt_setup, rt_teardown);
}
