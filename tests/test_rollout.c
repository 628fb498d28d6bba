/* test_rollout - the fused rollout path against host references:
 * MLP forward on the device vs mlp_ref_forward, whole cartpole episodes
 * (dynamics, resets, done-masking) vs cartpole_ref_*, lane counts agree,
 * common random numbers, observation normalizer arithmetic. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/npz.h"
#include "core/obsnorm.h"
#include "core/sim.h"
#include "opencl/clrt.h"
#include "opencl/clsrc.h"
#include "opencl/philox.h"
#include "policies/mlp.h"
#include "tasks/cartpole.h"

#define TU_OPENCL
#include "tests/testutil.h"

/* Device forward pass of the MLP through tests/policy_probe.cl. */
static void probe_mlp(clrt *rt, const mlp_cfg *cfg, int in, int out,
		      const float *w, size_t P, const float *obs, size_t n,
		      float *act)
{
	char defs[2048], pdefs[1024];
	const char *files[] = { "opencl/philox.h", "core/lanes.cl",
				"policies/mlp.cl", "tests/policy_probe.cl" };
	ej_err err = { 0 };
	cl_program prog;
	cl_kernel k;
	cl_mem bw, bo, ba;

	mlp_ops.defines(cfg, in, out, pdefs, sizeof(pdefs));
	snprintf(defs, sizeof(defs),
		 "#define VL 1\n#define POLICY_STATE_DIM 0\n"
		 "#define PROBE_OBS %d\n#define PROBE_ACT %d\n%s",
		 in, out, pdefs);
	prog = clsrc_build(rt, "policy_probe", defs, files, 4, "", &err);
	if (!prog)
		fail_msg("%s", err.msg);
	k = clrt_kernel(rt, prog, "policy_probe", &err);
	assert_non_null(k);
	bw = clrt_alloc(rt, NULL, P * sizeof(float), CL_MEM_READ_ONLY, &err);
	bo = clrt_alloc(rt, NULL, n * (size_t)in * sizeof(float), CL_MEM_READ_ONLY, &err);
	ba = clrt_alloc(rt, NULL, n * (size_t)out * sizeof(float), CL_MEM_WRITE_ONLY, &err);
	assert_true(bw && bo && ba);
	assert_int_equal(clrt_write(rt, bw, 0, P * sizeof(float), w, &err), 0);
	assert_int_equal(clrt_write(rt, bo, 0, n * (size_t)in * sizeof(float), obs, &err), 0);
	assert_int_equal(clrt_args(k, &err, "mmm", bw, bo, ba), 0);
	assert_int_equal(clrt_launch(rt, k, n, 0, &err), 0);
	assert_int_equal(clrt_read(rt, ba, 0, n * (size_t)out * sizeof(float), act, &err), 0);
	clReleaseMemObject(bw);
	clReleaseMemObject(bo);
	clReleaseMemObject(ba);
	clReleaseKernel(k);
}

/* Device vs host MLP outputs: tolerance 1e-5 absolute + 1e-4 relative
 * (the device tanh is 1 - 2/(exp(2x)+1), the host uses tanhf). */
static void check_mlp(const mlp_cfg *cfg, int in, int out)
{
	clrt *rt = tu_rt_open();
	enum { N = 37 };
	size_t P = mlp_ops.param_count(cfg, in, out);
	float *w = tu_random_params(P, 0.3f, 7);
	float *obs = tu_random_params(N * (size_t)in, 2.0f, 8);
	float *dev = malloc(N * (size_t)out * sizeof(float));
	float ref[64];

	probe_mlp(rt, cfg, in, out, w, P, obs, N, dev);
	for (size_t i = 0; i < N; i++) {
		mlp_ref_forward(cfg, in, out, w, obs + i * (size_t)in, ref);
		for (int j = 0; j < out; j++) {
			float d = dev[i * (size_t)out + (size_t)j];

			if (fabsf(d - ref[j]) > 1e-5f + 1e-4f * fabsf(ref[j]))
				fail_msg("sample %zu output %d: device %.8g host %.8g",
					 i, j, d, ref[j]);
		}
	}
	free(w);
	free(obs);
	free(dev);
	clrt_free(rt);
}

static void test_mlp_param_count(void **state)
{
	mlp_cfg c = { .hidden = { 2, { 64, 64 } }, .output = "tanh" };
	mlp_cfg c0 = { .hidden = { 0, { 0 } }, .output = "linear" };

	(void)state;
	/* EvoJAX cartpole MLP: 5-64-64-1 = 4609 parameters. */
	assert_int_equal(mlp_ops.param_count(&c, 5, 1), 4609);
	assert_int_equal(mlp_ops.param_count(&c0, 5, 3), 3 + 15);
}

static void test_mlp_forward_tanh(void **state)
{
	mlp_cfg c = { .hidden = { 2, { 64, 64 } }, .output = "tanh" };

	(void)state;
	check_mlp(&c, 5, 1);
}

static void test_mlp_forward_shapes(void **state)
{
	mlp_cfg a = { .hidden = { 3, { 7, 13, 5 } }, .output = "softmax" };
	mlp_cfg b = { .hidden = { 1, { 9 } }, .output = "linear" };
	mlp_cfg z = { .hidden = { 0, { 0 } }, .output = "tanh" };

	(void)state;
	check_mlp(&a, 6, 4);
	check_mlp(&b, 3, 2);
	check_mlp(&z, 5, 1);
}

/* The parameter layout, written out by hand from Flax's flat order (per
 * layer bias, then kernel[in][out]) for EvoJAX's 5-64-64-1 cartpole MLP:
 *   Dense_0 bias 0..63, kernel 64 + i*64 + j; Dense_1 bias 384..447,
 *   kernel 448 + i*64 + j; Dense_2 bias 4544, kernel 4545 + i.
 * One path through the net: input 2 -> unit 3 (bias 0.1) -> unit 7 (weight
 * 2) -> output (weight 1.5, bias 0.25), every other weight 0, gives
 *   act = tanh(1.5 tanh(2 tanh(obs[2] + 0.1)) + 0.25);
 * a transposed kernel or a bias in the wrong place gives another value. */
static void test_mlp_layout_by_hand(void **state)
{
	mlp_cfg c = { .hidden = { 2, { 64, 64 } }, .output = "tanh" };
	enum { N = 5 };
	static const float obs[N][5] = {
		{ 0, 0, 1, 0, 0 }, { 9, -9, -1, 0.5f, 3 }, { 0, 0, 0.3f, 0, 0 },
		{ 1, 2, -0.7f, 4, 5 }, { 0, 0, 0, 1, 0 },
	};
	float w[4609] = { 0 }, dev[N], ref[1];

	(void)state;
	assert_int_equal(mlp_ops.param_count(&c, 5, 1), 4609);
	w[3] = 0.1f;                 /* Dense_0 bias[3] */
	w[64 + 2 * 64 + 3] = 1.0f;   /* Dense_0 kernel[2][3] */
	w[448 + 3 * 64 + 7] = 2.0f;  /* Dense_1 kernel[3][7] */
	w[4544] = 0.25f;             /* Dense_2 bias[0] */
	w[4545 + 7] = 1.5f;          /* Dense_2 kernel[7][0] */
	{
		clrt *rt = tu_rt_open();

		probe_mlp(rt, &c, 5, 1, w, 4609, &obs[0][0], N, dev);
		clrt_free(rt);
	}
	for (int i = 0; i < N; i++) {
		double want = tanh(1.5 * tanh(2.0 * tanh(obs[i][2] + 0.1)) + 0.25);

		mlp_ref_forward(&c, 5, 1, w, obs[i], ref);
		if (fabs(ref[0] - want) > 1e-6 || fabs(dev[i] - want) > 1e-5)
			fail_msg("obs %d: host %.8g device %.8g, by hand %.8g", i,
				 ref[0], dev[i], want);
	}
}

/* Host reference of one training rollout (EvoJAX semantics). */
static double ref_episode(const mlp_cfg *cfg, const float *w, bool hard,
			  int max_steps, unsigned seed, unsigned iter,
			  unsigned repeat, int *steps)
{
	float s[4], obs[5], act[1], reward, done;
	double total = 0.0;

	cartpole_ref_reset(s, hard, seed, PH_PURPOSE_RESET, iter, 0, repeat);
	*steps = 0;
	for (int t = 0; t < max_steps; t++) {
		++*steps;
		cartpole_ref_obs(s, obs);
		mlp_ref_forward(cfg, 5, 1, w, obs, act);
		cartpole_ref_step(s, act[0], &reward, &done);
		total += reward;
		if (done > 0.0f)
			break;
	}
	return total;
}

/* Whole 1000-step episodes on the device (float accumulation, device
 * sin/cos/tanh) vs the host reference, returns within 1e-3 relative +
 * 1e-2 absolute.  want_full: some episodes must last all 1000 steps and
 * others end early, so both the dynamics and the done-mask are checked. */
static void check_episodes(bool hard, int lanes, float scale, bool want_full)
{
	clrt *rt = tu_rt_open();
	cartpole_cfg task = { .hard = hard, .max_steps = 1000 };
	mlp_cfg pol = { .hidden = { 2, { 64, 64 } }, .output = "tanh" };
	enum { POP = 4, REP = 5 };
	ej_err err = { 0 };
	sim *s = sim_create(rt, &cartpole_ops, &task, &mlp_ops, &pol, lanes,
			    false, &err);
	size_t P;
	float *w, ret[POP * REP];
	int full = 0, early = 0;

	if (!s)
		fail_msg("%s", err.msg);
	P = sim_param_count(s);
	w = tu_random_params(POP * P, scale, 11);
	assert_int_equal(sim_rollout(s, w, POP, 5, PH_PURPOSE_RESET, 3, 0, REP,
				     false, ret, &err), 0);
	for (int m = 0; m < POP; m++)
		for (int r = 0; r < REP; r++) {
			int steps;
			double ref = ref_episode(&pol, w + (size_t)m * P, hard,
						 1000, 5, 3, (unsigned)r, &steps);
			float d = ret[m * REP + r];

			full += steps == 1000;
			early += steps < 1000;
			if (fabs(d - ref) > 1e-2 + 1e-3 * fabs(ref))
				fail_msg("member %d repeat %d: device %.6f host %.6f",
					 m, r, d, ref);
		}
	if (want_full)
		assert_true(full > 0 && early > 0);
	free(w);
	sim_free(s);
	clrt_free(rt);
}

static void test_episode_easy_lanes16(void **state) { (void)state; check_episodes(false, 16, 0.5f, false); }
static void test_episode_easy_lanes1(void **state) { (void)state; check_episodes(false, 1, 0.5f, false); }
static void test_episode_hard_lanes4(void **state) { (void)state; check_episodes(true, 4, 0.5f, false); }
static void test_episode_full_length(void **state) { (void)state; check_episodes(false, 16, 0.03f, true); }

/* A trained policy (tests/fixtures/cartpole_easy_trained.npz: PGPE on
 * configs/cartpole_easy.yaml, 200 iterations, test score 788) swings the
 * pole up and balances it, the regime random weights never reach.  There
 * the swing-up is chaotic: the device's and the host's sin/cos/tanh differ
 * in the last bit and the timing of the swing drifts, so single episodes
 * differ by up to 2.0% (measured on PoCL: 16 episodes, 0.005% to 2.0%,
 * the mean over them by 0.2%).  Bounds: each episode within 5%, the mean
 * within 1%; a wrong reward or dynamics term in the upright regime moves
 * every episode the same way and fails the mean.  Early ends (hard resets
 * that leave the track) match to 1e-2.  Most of an easy episode is spent
 * upright (mean return > 700). */
static void test_episode_trained_policy(void **state)
{
	clrt *rt = tu_rt_open();
	mlp_cfg pol = { .hidden = { 2, { 64, 64 } }, .output = "tanh" };
	enum { REP = 8 };
	ej_err err = { 0 };
	npz_file *f = npz_read("tests/fixtures/cartpole_easy_trained.npz", &err);
	float w[4609], ret[REP];
	double sum = 0.0, sum_dev = 0.0, sum_ref = 0.0;

	(void)state;
	if (!f)
		fail_msg("%s", err.msg);
	assert_int_equal(npz_get_f32(f, "params", w, 4609, &err), 0);
	npz_free(f);
	for (int hard = 0; hard < 2; hard++) {
		cartpole_cfg task = { .hard = hard, .max_steps = 1000 };
		sim *s = sim_create(rt, &cartpole_ops, &task, &mlp_ops, &pol, 0,
				    false, &err);

		if (!s)
			fail_msg("%s", err.msg);
		assert_int_equal(sim_rollout(s, w, 1, 5, PH_PURPOSE_RESET, 3, 0,
					     REP, false, ret, &err), 0);
		for (int r = 0; r < REP; r++) {
			int steps;
			double ref = ref_episode(&pol, w, hard, 1000, 5, 3,
						 (unsigned)r, &steps);

			if (fabs(ret[r] - ref) >
			    1e-2 + (steps < 1000 ? 1e-3 : 0.05) * fabs(ref))
				fail_msg("%s repeat %d: device %.6f host %.6f",
					 hard ? "hard" : "easy", r, ret[r], ref);
			sum_dev += ret[r];
			sum_ref += ref;
			if (!hard)
				sum += ref;
		}
		sim_free(s);
	}
	if (fabs(sum_dev - sum_ref) > 0.01 * fabs(sum_ref))
		fail_msg("mean return: device %.4f host %.4f", sum_dev / (2 * REP),
			 sum_ref / (2 * REP));
	assert_true(sum / REP > 700.0);
	clrt_free(rt);
}

/* Done-masking: with large weights the cart leaves the track early; the
 * device must stop counting rewards exactly where the host does.  Also
 * common random numbers: identical members get identical returns. */
static void test_done_mask_and_crn(void **state)
{
	clrt *rt = tu_rt_open();
	cartpole_cfg task = { .hard = true, .max_steps = 1000 };
	mlp_cfg pol = { .hidden = { 1, { 8 } }, .output = "tanh" };
	enum { REP = 16 };
	ej_err err = { 0 };
	sim *s = sim_create(rt, &cartpole_ops, &task, &mlp_ops, &pol, 16,
			    false, &err);
	size_t P = sim_param_count(s);
	float *one = tu_random_params(P, 3.0f, 3);
	float *w = malloc(3 * P * sizeof(float));
	float ret[3 * REP];
	int short_eps = 0;

	(void)state;
	for (int m = 0; m < 3; m++)
		memcpy(w + (size_t)m * P, one, P * sizeof(float));
	assert_int_equal(sim_rollout(s, w, 3, 9, PH_PURPOSE_RESET, 0, 0, REP,
				     false, ret, &err), 0);
	for (int r = 0; r < REP; r++) {
		int steps;
		double ref = ref_episode(&pol, one, true, 1000, 9, 0, (unsigned)r,
					 &steps);

		assert_float_equal(ret[r], ret[REP + r], 0.0);
		assert_float_equal(ret[r], ret[2 * REP + r], 0.0);
		if (fabs(ret[r] - ref) > 1e-2 + 1e-3 * fabs(ref))
			fail_msg("repeat %d: device %.6f host %.6f", r, ret[r], ref);
		short_eps += steps < 1000;
	}
	/* Different repeats start from different states. */
	assert_true(ret[0] != ret[1] || ret[1] != ret[2]);
	assert_true(short_eps > 0);
	free(one);
	free(w);
	sim_free(s);
	clrt_free(rt);
}

/* Lanes only change the schedule, never the numbers' meaning: returns for
 * lanes 1, 8 and 16 agree (to float tolerance: vector math may differ by
 * an ulp), including a repeat count that is not a multiple of the lanes. */
static void test_lanes_agree(void **state)
{
	clrt *rt = tu_rt_open();
	cartpole_cfg task = { .hard = false, .max_steps = 200 };
	mlp_cfg pol = { .hidden = { 2, { 16, 16 } }, .output = "tanh" };
	enum { POP = 3, REP = 11 };
	int lanes[] = { 1, 8, 16 };
	float ret[3][POP * REP];
	ej_err err = { 0 };
	float *w = NULL;

	(void)state;
	for (int l = 0; l < 3; l++) {
		sim *s = sim_create(rt, &cartpole_ops, &task, &mlp_ops, &pol,
				    lanes[l], false, &err);

		assert_non_null(s);
		if (!w)
			w = tu_random_params(POP * sim_param_count(s), 0.4f, 5);
		assert_int_equal(sim_rollout(s, w, POP, 1, PH_PURPOSE_RESET, 0,
					     0, REP, false, ret[l], &err), 0);
		sim_free(s);
	}
	for (int i = 0; i < POP * REP; i++) {
		assert_true(fabsf(ret[0][i] - ret[1][i]) <= 1e-2f + 1e-3f * fabsf(ret[0][i]));
		assert_true(fabsf(ret[0][i] - ret[2][i]) <= 1e-2f + 1e-3f * fabsf(ret[0][i]));
	}
	free(w);
	clrt_free(rt);
}

/* obsnorm_update against EvoJAX's update_obs_params computed directly. */
static void test_obsnorm_update(void **state)
{
	enum { D = 2, N = 6 };
	const float x[N][D] = { { 1, -2 }, { 3, 0.5f }, { -1, 4 },
				{ 2, 2 },  { 0, -1 },   { 5, 3 } };
	double p[1 + 2 * D] = { 4.0, 0.5, -0.25, 2.0, 3.0 };
	double ref[1 + 2 * D];
	float stats[2][2 * D + 1] = { { 0 } };
	double total = p[0] + N;
	float dev[2 * D];

	(void)state;
	/* Reference: EvoJAX update_obs_params, written out. */
	ref[0] = total;
	for (int k = 0; k < D; k++) {
		double md = 0, vd = 0, nm;

		for (int i = 0; i < N; i++)
			md += (x[i][k] - p[1 + k]) / total;
		nm = p[1 + k] + md;
		for (int i = 0; i < N; i++)
			vd += (x[i][k] - nm) * (x[i][k] - p[1 + k]);
		ref[1 + k] = nm;
		ref[1 + D + k] = p[1 + D + k] + vd;
	}
	/* Two work-items' partial sums of deviations from the old mean. */
	for (int i = 0; i < N; i++)
		for (int k = 0; k < D; k++) {
			float e = x[i][k] - (float)p[1 + k];

			stats[i % 2][k] += e;
			stats[i % 2][D + k] += e * e;
		}
	stats[0][2 * D] = 3;
	stats[1][2 * D] = 3;
	obsnorm_update(p, D, &stats[0][0], 2);
	for (int i = 0; i < 1 + 2 * D; i++)
		assert_float_equal(p[i], ref[i], 1e-9);
	/* var = M2/(n+1) clipped; device form holds mean and 1/std. */
	obsnorm_device(p, D, dev);
	assert_float_equal(dev[0], p[1], 1e-6);
	assert_float_equal(dev[D], 1.0 / sqrt(p[1 + D] / (p[0] + 1.0)), 1e-6);
}

/* With normalization on, training rollouts feed the normalizer: the count
 * equals the number of alive steps observed and the mean is plausible. */
static void test_obsnorm_in_rollout(void **state)
{
	clrt *rt = tu_rt_open();
	cartpole_cfg task = { .hard = false, .max_steps = 50 };
	mlp_cfg pol = { .hidden = { 1, { 8 } }, .output = "tanh" };
	ej_err err = { 0 };
	sim *s = sim_create(rt, &cartpole_ops, &task, &mlp_ops, &pol, 8, true,
			    &err);
	float *w, ret[2 * 4];
	const double *p;

	(void)state;
	assert_non_null(s);
	w = tu_random_params(2 * sim_param_count(s), 0.01f, 2);
	assert_int_equal(sim_rollout(s, w, 2, 1, PH_PURPOSE_RESET, 0, 0, 4,
				     true, ret, &err), 0);
	p = sim_obs_params(s);
	/* Small weights: no episode ends within 50 steps. */
	assert_float_equal(p[0], 2 * 4 * 50, 0.0);
	/* cos(theta) starts near -1 (pole down) and stays there. */
	assert_true(p[1 + 2] < -0.9);
	free(w);
	sim_free(s);
	clrt_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mlp_param_count),
		cmocka_unit_test(test_mlp_forward_tanh),
		cmocka_unit_test(test_mlp_layout_by_hand),
		cmocka_unit_test(test_mlp_forward_shapes),
		cmocka_unit_test(test_episode_easy_lanes16),
		cmocka_unit_test(test_episode_easy_lanes1),
		cmocka_unit_test(test_episode_hard_lanes4),
		cmocka_unit_test(test_episode_full_length),
		cmocka_unit_test(test_episode_trained_policy),
		cmocka_unit_test(test_done_mask_and_crn),
		cmocka_unit_test(test_lanes_agree),
		cmocka_unit_test(test_obsnorm_update),
		cmocka_unit_test(test_obsnorm_in_rollout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
