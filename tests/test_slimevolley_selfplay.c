/* test_slimevolley_selfplay - SlimeVolley self-play (task option
 * opponent: selfplay; tasks/slimevolley.{c,cl}).
 *
 * a. Pairing (slimevolley_pairing): every member in exactly one slot,
 *    hence one world, per iteration, for even sizes 2..130; the same
 *    (seed, iter, n) gives the same slots, another iteration others; for
 *    two members by hand (slot 0 holds member 1 unless the top bit of
 *    the first Philox word is set); pinned slots for (42, 1, 8) (a change
 *    changes every self-play run); over 7000 iterations of 8 members each
 *    member meets each other one 1000 +- 150 times (5 sigma) and sits in
 *    an even slot (agent 0) 3500 +- 210 times.
 * b. Sides, host reference by hand: a self-play reset is the baseline
 *    reset plus SV_SWAP = repeat parity; in odd repeats the slot rows of
 *    obs, act and reward are the side rows swapped (slot 0 plays left),
 *    in even repeats they are the side rows; the game state evolves the
 *    same to the bit.
 * c. Device (fused rollout, TASK_AGENTS_DISTINCT, SV_SELFPLAY) against the
 *    host reference (tests/contract_ref.h over the self-play host
 *    functions) for 2 worlds x 5 repeats of 3000 steps, VL 1 and 16 equal
 *    to the bit, common and own reset keys: the button-pattern policy
 *    exact; two different random MLPs 12-16-3 per world: device tanh vs
 *    tanhf may flip a button within ulps of 0, so up to 2 of the 20
 *    returns may differ, by at most 2 points (measured: 0 of 20 differ).
 *    Every episode is zero-sum (slot 1's return = -slot 0's, exactly).
 * d. The evaluator (slimevolley_eval_ops): fitness of member m = the host
 *    mean over the repeats of the return of m's slot, exactly (pattern
 *    policy); pairs are zero-sum; the same call again and the same call
 *    on VL 1 give the same fitness to the bit; two populations in one
 *    call (two normalizer groups, normalized observations) get exactly the
 *    fitness and normalizers each gets alone; an odd population is a
 *    usage error with its message.
 * e. The test path plays the baseline: a self-play experiment's test
 *    scores of fixed MLP parameters equal, to the bit, those of the same
 *    experiment with opponent: baseline and those of core/sim.c's
 *    evaluator itself (which the baseline setting forwards to, training
 *    fitness too), with a given normalizer and with the evaluator's own
 *    (NULL) one; the same for button patterns, whose games score
 *    points (random MLPs lose 5-0 to the baseline).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/eval.h"
#include "core/obsnorm.h"
#include "core/sim.h"
#include "opencl/clrt.h"
#include "opencl/philox.h"
#include "policies/mlp.h"
#include "tasks/slimevolley.h"

#define TU_OPENCL
#include "tests/contract_ref.h"
#include "tests/slimevolley_pat.h"
#include "tests/testutil.h"

/* ---- a: pairing --------------------------------------------------------- */

static void test_pairing_is_a_permutation(void **state)
{
	static const size_t sizes[] = { 2, 4, 6, 8, 64, 128, 130 };
	uint32_t a[130], b[130];
	int seen[130];

	(void)state;
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++)
		for (uint32_t seed = 7; seed <= 42; seed += 35)
			for (uint32_t it = 0; it < 100; it++) {
				size_t n = sizes[z];

				slimevolley_pairing(seed, it, n, a);
				memset(seen, 0, sizeof(seen));
				for (size_t k = 0; k < n; k++) {
					assert_true(a[k] < n);
					seen[a[k]]++;
				}
				for (size_t m = 0; m < n; m++)
					assert_int_equal(seen[m], 1);
				slimevolley_pairing(seed, it, n, b);
				assert_memory_equal(a, b, n * sizeof(uint32_t));
				slimevolley_pairing(seed, it + 1, n, b);
				if (n >= 8)
					assert_memory_not_equal(a, b, n * sizeof(uint32_t));
			}
}

static void test_pairing_by_hand(void **state)
{
	static const uint32_t pin[8] = { 6, 0, 1, 4, 5, 3, 7, 2 };
	uint32_t s[8];
	int swapped = 0;

	(void)state;
	for (uint32_t it = 0; it < 200; it++) {
		uint32_t u = ph_draw(42, PH_PURPOSE_TASK, it, 0, 0, 0).v[0];

		slimevolley_pairing(42, it, 2, s);
		assert_int_equal(s[0], (u >> 31) ? 0 : 1);
		assert_int_equal(s[1], 1 - s[0]);
		swapped += s[0] == 1;
	}
	assert_true(swapped > 70 && swapped < 130);
	slimevolley_pairing(42, 1, 8, s);
	assert_memory_equal(s, pin, sizeof(pin));
}

static void test_pairing_statistics(void **state)
{
	enum { M = 8, ITERS = 7000 };
	int met[M][M] = { { 0 } }, even[M] = { 0 };
	uint32_t s[M];

	(void)state;
	for (uint32_t it = 0; it < ITERS; it++) {
		slimevolley_pairing(42, it, M, s);
		for (int w = 0; w < M / 2; w++) {
			met[s[2 * w]][s[2 * w + 1]]++;
			met[s[2 * w + 1]][s[2 * w]]++;
			even[s[2 * w]]++;
		}
	}
	for (int a = 0; a < M; a++) {
		assert_int_equal(met[a][a], 0);
		for (int b = 0; b < M; b++)
			if (b != a && abs(met[a][b] - ITERS / (M - 1)) > 150)
				fail_msg("member %d met %d %d times, want 1000 +- 150",
					 a, b, met[a][b]);
		if (abs(even[a] - ITERS / 2) > 210)
			fail_msg("member %d in slot 0 of its world %d times, want 3500 +- 210",
				 a, even[a]);
	}
}

/* ---- b: sides, host reference by hand ------------------------------------ */

static void test_sides_by_hand(void **state)
{
	(void)state;
	for (unsigned r = 0; r < 6; r++) {
		float sp[SV_STATE_DIM], base[SV_STATE_DIM];
		const int swap = (int)(r & 1u);

		slimevolley_ref_selfplay_reset(sp, 7, PH_PURPOSE_RESET, 3, 0, r);
		slimevolley_ref_reset(base, 7, PH_PURPOSE_RESET, 3, 0, r);
		assert_true(sp[SV_SWAP] == (float)swap && base[SV_SWAP] == 0.0f);
		sp[SV_SWAP] = 0.0f;
		assert_memory_equal(sp, base, sizeof(sp));
		sp[SV_SWAP] = (float)swap;
		for (unsigned t = 0; t < 400; t++) {
			ph_step_ctr ctr = { 7, PH_PURPOSE_RESET, 3, 0, r, t };
			float so[24], bo[24], act[6], side[6], sr[2], br[2], sd, bd;

			slimevolley_ref_selfplay_obs(sp, so);
			slimevolley_ref_obs(base, bo);
			assert_memory_equal(so, bo + (swap ? 12 : 0), 12 * sizeof(float));
			assert_memory_equal(so + 12, bo + (swap ? 0 : 12), 12 * sizeof(float));
			for (int k = 0; k < 6; k++)
				act[k] = (ph_draw(9, PH_PURPOSE_INIT, r, t, 0,
						  (unsigned)k).v[0] & 3u) == 0
					 ? 1.0f : -1.0f;
			for (int k = 0; k < 6; k++)
				side[k] = act[swap ? (k + 3) % 6 : k];
			slimevolley_ref_selfplay_step(sp, act, sr, &sd, &ctr);
			slimevolley_ref_step(base, side, br, &bd, &ctr);
			assert_true(sr[0] == br[swap] && sr[1] == br[1 - swap]);
			assert_true(sd == bd);
			sp[SV_SWAP] = 0.0f;
			assert_memory_equal(sp, base, sizeof(sp));
			sp[SV_SWAP] = (float)swap;
		}
	}
}

/* ---- shared: one OpenCL runtime for the group ------------------------------ */

static int group_setup(void **state)
{
	ej_err err = { 0 };

	*state = clrt_create("auto", &err);
	return *state ? 0 : -1;
}

static int group_teardown(void **state)
{
	clrt_free(*state);
	return 0;
}

/* ---- c: device against host ------------------------------------------------ */

static void sp_host_reset(const void *cfg, float *s, unsigned seed,
			  unsigned purpose, unsigned iter, unsigned member,
			  unsigned repeat)
{
	(void)cfg;
	slimevolley_ref_selfplay_reset(s, seed, purpose, iter, member, repeat);
}

static void sp_host_obs(const void *cfg, const float *s, float *obs)
{
	(void)cfg;
	slimevolley_ref_selfplay_obs(s, obs);
}

static void sp_host_step(const void *cfg, float *s, const float *act,
			 float *reward, float *done, const ph_step_ctr *ctr)
{
	(void)cfg;
	slimevolley_ref_selfplay_step(s, act, reward, done, ctr);
}

static void sp_cfg(slimevolley_cfg *c, int max_steps)
{
	memset(c, 0, sizeof(*c));
	c->max_steps = max_steps;
	snprintf(c->opponent, sizeof(c->opponent), "selfplay");
}

/* The host reference of n members (slot order) x rep episodes. */
static void sp_host(const cref_policy *p, const float *w, size_t n,
		    int max_steps, unsigned seed, unsigned iter,
		    unsigned reset_member, size_t rep, float *ret)
{
	slimevolley_cfg c;
	cref_task t = { .cfg = NULL, .reset = sp_host_reset,
			.obs = sp_host_obs, .step = sp_host_step };

	sp_cfg(&c, max_steps);
	task_get_dims(&slimevolley_ops, &c, &t.d);
	assert_int_equal(t.d.agent_map, TASK_AGENTS_DISTINCT);
	cref_rollout(&t, p, w, n, seed, PH_PURPOSE_RESET, iter, reset_member,
		     rep, ret);
}

enum { POP = 4, REP = 5, N = POP * REP, STEPS = 3000 };

/* Device returns (N) on VL 1 and 16 (equal to the bit) and the host's. */
static void sp_both(clrt *rt, const policy_ops *ops, const void *pcfg,
		    const cref_policy *host, const float *w,
		    unsigned reset_member, float *dev, float *ref)
{
	slimevolley_cfg c;
	float other[N];

	sp_cfg(&c, STEPS);
	sp_host(host, w, POP, STEPS, 7, 4, reset_member, REP, ref);
	for (int lanes = 1; lanes <= 16; lanes += 15) {
		ej_err err = { 0 };
		sim *s = sim_create(rt, &slimevolley_ops, &c, ops, pcfg, lanes,
				    false, &err);

		if (!s)
			fail_msg("%s", err.msg);
		if (sim_rollout(s, w, POP, 7, PH_PURPOSE_RESET, 4, reset_member,
				REP, false, lanes == 1 ? dev : other, &err) < 0)
			fail_msg("%s", err.msg);
		sim_free(s);
	}
	assert_memory_equal(dev, other, sizeof(other));
	for (int w0 = 0; w0 < POP; w0 += 2)
		for (int r = 0; r < REP; r++)
			assert_true(dev[(w0 + 1) * REP + r] == -dev[w0 * REP + r]);
}

static void test_device_pattern_exact(void **state)
{
	float w[POP * 9], dev[N], ref[N];
	int pc = 0;
	cref_policy host = { .cfg = &pc, .P = 9, .state_dim = 1,
			     .reset = pat_ref_reset,
			     .forward = pat_ref_forward };

	pat_params(w, POP);
	for (int own = 0; own < 2; own++) {
		float lo = 0.0f, hi = 0.0f;

		sp_both(*state, &pat_ops, &pc, &host, w,
			own ? SIM_OWN_RESETS : 0, dev, ref);
		assert_memory_equal(dev, ref, sizeof(ref));
		for (int i = 0; i < N; i++) {
			lo = fminf(lo, ref[i]);
			hi = fmaxf(hi, ref[i]);
		}
		printf("pattern vs pattern, %s resets: returns in [%g, %g]\n",
		       own ? "own" : "common", lo, hi);
		assert_true(lo < 0.0f && hi > 0.0f);
	}
}

static void test_device_mlp(void **state)
{
	mlp_cfg mc = { .hidden = { 1, { 16 } }, .output = "tanh" };
	size_t P = mlp_ops.param_count(&mc, 12, 3);
	float *w = tu_random_params(POP * P, 0.5f, 31), dev[N], ref[N];
	cref_policy host = { .cfg = &mc, .P = P, .state_dim = 0,
			     .reset = mlp_ref_reset, .forward = mlp_ref_step };
	int differ = 0;

	sp_both(*state, &mlp_ops, &mc, &host, w, 0, dev, ref);
	for (int i = 0; i < N; i++)
		if (dev[i] != ref[i]) {
			differ++;
			if (fabsf(dev[i] - ref[i]) > 2.0f)
				fail_msg("episode %d: device %g host %g", i,
					 dev[i], ref[i]);
		}
	printf("MLP vs MLP: %d of %d returns differ\n", differ, N);
	assert_true(differ <= N / 10);
	free(w);
}

/* ---- d, e: the evaluator --------------------------------------------------- */

/* An experiment on slimevolley (opponent as given, 'steps' per episode,
 * 'rep' repeats, 6 test episodes) and the evaluator's state over it. */
typedef struct sp_exp {
	slimevolley_cfg tc;
	exp_cfg e;
	void *ev;
} sp_exp;

static void sp_open(sp_exp *x, clrt *rt, const char *opponent,
		    const policy_ops *pol, const void *pcfg, int lanes,
		    bool norm, int steps, int rep)
{
	ej_err err = { 0 };

	sp_cfg(&x->tc, steps);
	snprintf(x->tc.opponent, sizeof(x->tc.opponent), "%s", opponent);
	x->e = (exp_cfg){ .seed = 42, .task = &slimevolley_ops,
			  .task_cfg = &x->tc, .policy = pol,
			  .policy_cfg = (void *)pcfg,
			  .trainer = { .n_repeats = rep, .n_evaluations = 6,
				       .test_n_repeats = 1,
				       .normalize_obs = norm },
			  .device = { .lanes = lanes } };
	if (slimevolley_eval_ops.create(&x->ev, &x->e, rt, &err) < 0)
		fail_msg("%s", err.msg);
}

static void sp_eval(sp_exp *x, const float *w, size_t n, uint32_t iter,
		    const eval_norm *norms, size_t n_norms, float *fit)
{
	ej_err err = { 0 };
	eval_stats st = { 0 };

	if (slimevolley_eval_ops.evaluate(x->ev, w, n, iter, norms, n_norms,
					  fit, NULL, &st, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(st.env_steps > 0.0);
}

static void test_evaluator_fitness(void **state)
{
	enum { M = 6, R = 3, STEPS_E = 400 };
	float w[M * 9], slotted[M * 9], fit[M], again[M], vl1[M], next[M];
	float ret[M * R];
	uint32_t slot[M];
	int pc = 0;
	cref_policy host = { .cfg = &pc, .P = 9, .state_dim = 1,
			     .reset = pat_ref_reset,
			     .forward = pat_ref_forward };
	sp_exp x, y;

	pat_params(w, M);
	sp_open(&x, *state, "selfplay", &pat_ops, &pc, 16, false, STEPS_E, R);
	sp_open(&y, *state, "selfplay", &pat_ops, &pc, 1, false, STEPS_E, R);
	sp_eval(&x, w, M, 5, NULL, 0, fit);
	slimevolley_pairing(42, 5, M, slot);
	for (int k = 0; k < M; k++)
		memcpy(slotted + 9 * k, w + 9 * slot[k], 9 * sizeof(float));
	sp_host(&host, slotted, M, STEPS_E, 42, 5, 0, R, ret);
	for (int k = 0; k < M; k++) {
		double sum = 0.0;

		for (int r = 0; r < R; r++)
			sum += ret[k * R + r];
		assert_true(fit[slot[k]] == (float)(sum / R));
		if (k % 2)
			assert_true(fit[slot[k]] == -fit[slot[k - 1]]);
	}
	sp_eval(&x, w, M, 5, NULL, 0, again);
	sp_eval(&y, w, M, 5, NULL, 0, vl1);
	sp_eval(&x, w, M, 6, NULL, 0, next);
	assert_memory_equal(fit, again, sizeof(fit));
	assert_memory_equal(fit, vl1, sizeof(fit));
	assert_memory_not_equal(fit, next, sizeof(fit));
	printf("fitness of iteration 5: %g %g %g %g %g %g\n", fit[0], fit[1],
	       fit[2], fit[3], fit[4], fit[5]);
	slimevolley_eval_ops.free(x.ev);
	slimevolley_eval_ops.free(y.ev);
}

static void test_evaluator_groups(void **state)
{
	enum { M = 6, R = 4, STEPS_E = 300 };
	mlp_cfg mc = { .hidden = { 1, { 16 } }, .output = "tanh" };
	size_t P = mlp_ops.param_count(&mc, 12, 3), no = obsnorm_size(12);
	float *w = tu_random_params(2 * M * P, 0.5f, 77), both[2 * M], alone[2 * M];
	double *nb = calloc(4 * no, sizeof(double)), *na = nb + 2 * no;
	sp_exp x;

	sp_open(&x, *state, "selfplay", &mlp_ops, &mc, 16, true, STEPS_E, R);
	for (uint32_t it = 1; it <= 2; it++) {
		eval_norm g2[2] = { { .n = M, .obs_params = nb }, { .n = M, .obs_params = nb + no } };
		eval_norm g1[2] = { { .n = M, .obs_params = na }, { .n = M, .obs_params = na + no } };

		sp_eval(&x, w, 2 * M, it, g2, 2, both);
		sp_eval(&x, w, M, it, &g1[0], 1, alone);
		sp_eval(&x, w + M * P, M, it, &g1[1], 1, alone + M);
		assert_memory_equal(both, alone, sizeof(both));
		assert_memory_equal(nb, na, 2 * no * sizeof(double));
	}
	assert_true(nb[0] > 0.0 && nb[no] > 0.0);
	free(w);
	free(nb);
	slimevolley_eval_ops.free(x.ev);
}

static void test_odd_population(void **state)
{
	float w[5 * 9] = { 0 }, fit[5];
	int pc = 0;
	ej_err err = { 0 };
	eval_stats st;
	sp_exp x;

	sp_open(&x, *state, "selfplay", &pat_ops, &pc, 16, false, 50, 2);
	assert_int_equal(slimevolley_eval_ops.evaluate(x.ev, w, 5, 1, NULL, 0,
						       fit, NULL, &st, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "self-play pairs the members of a population: 5 members is an odd number");
	slimevolley_eval_ops.free(x.ev);
}

static void test_test_path_is_baseline(void **state)
{
	enum { M = 4, R = 2, STEPS_E = 3000, T = 6 };
	mlp_cfg mc = { .hidden = { 1, { 16 } }, .output = "tanh" };
	size_t P = mlp_ops.param_count(&mc, 12, 3), no = obsnorm_size(12), n;
	float *w = tu_random_params(M * P, 0.5f, 5), fs[M], fb[M], fd[M];
	float ss[T], sb[T], sd[T], s0[T];
	double *norm = calloc(3 * no, sizeof(double)), *nd = norm + no;
	double *ns = norm + 2 * no;
	eval_norm g = { .n = M, .obs_params = norm };
	ej_err err = { 0 };
	eval_stats st;
	void *direct;
	sp_exp sp, base, own;

	sp_open(&sp, *state, "selfplay", &mlp_ops, &mc, 16, true, STEPS_E, R);
	sp_open(&base, *state, "baseline", &mlp_ops, &mc, 16, true, STEPS_E, R);
	sp_open(&own, *state, "selfplay", &mlp_ops, &mc, 16, true, STEPS_E, R);
	assert_int_equal(sim_eval_ops.create(&direct, &base.e, *state, &err), 0);
	/* a normalizer from a self-play iteration */
	sp_eval(&sp, w, M, 1, &g, 1, fs);
	sp_eval(&own, w, M, 1, NULL, 0, fs);
	memcpy(nd, norm, no * sizeof(double));
	memcpy(ns, norm, no * sizeof(double));
	/* training against the baseline: the forward is sim_eval_ops itself */
	{
		eval_norm gb = { .n = M, .obs_params = nd }, gd = { .n = M, .obs_params = ns };

		sp_eval(&base, w, M, 1, &gb, 1, fb);
		assert_int_equal(sim_eval_ops.evaluate(direct, w, M, 1, &gd, 1,
						       fd, NULL, &st, &err), 0);
		assert_memory_equal(fb, fd, sizeof(fb));
		assert_memory_equal(nd, ns, no * sizeof(double));
		assert_memory_not_equal(fs, fb, sizeof(fs));
	}
	assert_int_equal(slimevolley_eval_ops.test(sp.ev, w + P, norm, 3, ss,
						   &n, &err), 0);
	assert_int_equal(n, T);
	assert_int_equal(slimevolley_eval_ops.test(base.ev, w + P, norm, 3, sb,
						   &n, &err), 0);
	assert_int_equal(sim_eval_ops.test(direct, w + P, norm, 3, sd, &n,
					   &err), 0);
	assert_int_equal(slimevolley_eval_ops.test(own.ev, w + P, NULL, 3, s0,
						   &n, &err), 0);
	assert_memory_equal(ss, sb, sizeof(ss));
	assert_memory_equal(ss, sd, sizeof(ss));
	assert_memory_equal(ss, s0, sizeof(ss));
	printf("test scores vs the baseline: %g %g %g %g %g %g\n", ss[0], ss[1],
	       ss[2], ss[3], ss[4], ss[5]);
	for (int i = 0; i < T; i++)
		assert_true(ss[i] >= -5.0f && ss[i] <= 5.0f);
	sim_eval_ops.free(direct);
	slimevolley_eval_ops.free(sp.ev);
	slimevolley_eval_ops.free(base.ev);
	slimevolley_eval_ops.free(own.ev);
	free(norm);
	free(w);
}

/* The same with button patterns, whose test games last longer and score
 * points: the scores of 8 patterns, 6 test games each. */
static void test_test_path_patterns(void **state)
{
	enum { M = 8, T = 6 };
	float w[M * 9], ss[T], sb[T];
	int pc = 0, points = 0;
	size_t n;
	ej_err err = { 0 };
	sp_exp sp, base;

	pat_params(w, M);
	sp_open(&sp, *state, "selfplay", &pat_ops, &pc, 16, false, 3000, 2);
	sp_open(&base, *state, "baseline", &pat_ops, &pc, 16, false, 3000, 2);
	for (int m = 0; m < M; m++) {
		assert_int_equal(slimevolley_eval_ops.test(sp.ev, w + 9 * m,
							   NULL, 2, ss, &n,
							   &err), 0);
		assert_int_equal(slimevolley_eval_ops.test(base.ev, w + 9 * m,
							   NULL, 2, sb, &n,
							   &err), 0);
		assert_memory_equal(ss, sb, sizeof(ss));
		for (int i = 0; i < T; i++)
			points += ss[i] > -5.0f;
	}
	printf("pattern test games that scored a point: %d of %d\n", points,
	       M * T);
	assert_true(points > 0);
	slimevolley_eval_ops.free(sp.ev);
	slimevolley_eval_ops.free(base.ev);
}

/* ---- schema ---------------------------------------------------------------- */

static void test_schema(void **state)
{
	slimevolley_cfg c;
	task_dims d;
	char defs[64];
	cfg_doc *doc;
	ej_err err = { 0 };
	static const char *const skip[] = { "name", NULL };

	(void)state;
	sp_cfg(&c, 100);
	task_get_dims(&slimevolley_ops, &c, &d);
	assert_int_equal(d.n_agents, 2);
	assert_int_equal(d.agent_map, TASK_AGENTS_DISTINCT);
	slimevolley_ops.defines(&c, defs, sizeof(defs));
	assert_string_equal(defs, "#define SV_SELFPLAY 1\n");
	snprintf(c.opponent, sizeof(c.opponent), "baseline");
	task_get_dims(&slimevolley_ops, &c, &d);
	assert_int_equal(d.agent_map, TASK_AGENTS_OPPONENT);
	slimevolley_ops.defines(&c, defs, sizeof(defs));
	assert_string_equal(defs, "#define SV_SELFPLAY 0\n");
	doc = cfg_load_string("task:\n  name: slimevolley\n  opponent: self\n",
			      "t.yaml", &err);
	assert_non_null(doc);
	assert_int_equal(cfg_parse_section(cfg_get(cfg_root(doc), "task"),
					   "task", slimevolley_ops.fields,
					   slimevolley_ops.n_fields, &c, skip,
					   &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:3:13: 'opponent' must be one of baseline, selfplay, got 'self'");
	cfg_free(doc);
}

int main(void)
{
	const struct CMUnitTest host[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_pairing_is_a_permutation),
		cmocka_unit_test(test_pairing_by_hand),
		cmocka_unit_test(test_pairing_statistics),
		cmocka_unit_test(test_sides_by_hand),
	};
	const struct CMUnitTest device[] = {
		cmocka_unit_test(test_device_pattern_exact),
		cmocka_unit_test(test_device_mlp),
		cmocka_unit_test(test_evaluator_fitness),
		cmocka_unit_test(test_evaluator_groups),
		cmocka_unit_test(test_odd_population),
		cmocka_unit_test(test_test_path_is_baseline),
		cmocka_unit_test(test_test_path_patterns),
	};

	return cmocka_run_group_tests(host, NULL, NULL) |
	       cmocka_run_group_tests(device, group_setup, group_teardown);
}
