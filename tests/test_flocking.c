/* test_flocking - the Flocking task (tasks/flocking.{c,h,cl}).
 *
 * a. Known values of the host reference:
 *    - torus displacement and distance by hand (wrap-around at both
 *      edges, +-0.5 both to -0.5, dyadic values exact);
 *    - neighbour selection on a hand-made 8-boid configuration with
 *      coincident boids, exact distance ties (lower index first) and
 *      neighbours across x = 0;
 *    - the energy's three sums on a 2- and a 3-boid case against float64
 *      numpy written from the formulas (tests/flocking_ref.py), within
 *      2e-6 relative (measured 5.7e-7: float32 arithmetic), and the
 *      2-boid case by hand: boid 1 at distance 0.1 at 53.13 degrees from
 *      boid 0's heading, headings at right angles:
 *        align  2 (0.2/3) (1 - 0.1/0.15)^3 (1 - 0)^2          = 0.0049383
 *        avoid  2 (0.1/3) (1 - 0.1/0.12)^3 + 2 (0.1/3) (self) = 0.0669753
 *        cohesion  boid 0 sees boid 1 (cos 0.6): 0.15 (1 - 0.6)^2 = 0.024,
 *                  boid 1 sees nobody: 0.15                     -> 0.174
 *        E = 0.5 (align + avoid) + cohesion                     = 0.2099568
 *    - resets from their Philox draws.
 * b. Against EvoJAX 0.2.17 itself (tests/flocking_ref.h, written by
 *    tests/flocking_ref.py):
 *    - calc_energy of the hand cases: within 2e-6 relative (measured
 *      7e-8);
 *    - one jitted step from 4 fixed 30-boid states x 4 (reward_type,
 *      action_type, t) variants: the neighbours shown before and after
 *      the step equal EvoJAX's (index for index: its stable argsort,
 *      coincident boids and exact ties included), reward within 1e-5
 *      relative (measured 1.3e-7: XLA sums in another order), theta and
 *      done exact, positions within 1e-6 (measured 6e-8: XLA's cos/sin);
 *    - 150-step episodes from a fixed cluster of 30 boids, with fixed
 *      turns and steered by EvoJAX's MLPPolicy 15-60-60-1 at fixed
 *      weights: the energy jumps where a boid enters another's field of
 *      view or cohesion radius, so a pair within ulps of such an edge may
 *      count at one step in EvoJAX and not here: every step's reward
 *      within 1e-2 relative and at most 15 of the 150 beyond 1e-5
 *      relative + 1e-6 (measured: fixed turns 3 steps, largest 5e-4;
 *      MLP 8 steps, largest 3.9e-4; the others ~1e-7), the last state
 *      within 1e-5 / 1e-4 (measured 1.7e-6 / 7.6e-6).
 * c. The device code against the host reference, which moves the boids
 *    with the same float operations (cos and sin in double, rounded):
 *    - task_obs and task_step on the states of b (tests/flocking_probe.cl,
 *      VL 1 and 16): observations, rewards, states and done equal to the
 *      bit;
 *    - whole episodes through the fused rollout (core/rollout.cl, agent
 *      map SHARED: the mean of 30 equal reward rows), 150 steps, VL 1 and
 *      8, against tests/contract_ref.h with the host reference:
 *      . a blind policy (an MLP without hidden layers and a zero kernel:
 *        every boid turns, and with action_type 1 speeds, by the bias; no
 *        feedback through the neighbours), 2 members x 5 repeats for each
 *        reward_type x action_type, common and own resets: returns and
 *        env steps equal to the bit;
 *      . an MLP 15-60-60-1 with random weights in [-0.2, 0.2), 5
 *        repeats: the device's tanh differs from tanhf by ulps, which the
 *        flock carries on (and the energy's edges amplify): returns within
 *        2e-3 relative, at most half beyond 1e-5 (measured 3 of 10,
 *        largest 1.4e-4).
 * d. The 'task' section's schema: defaults and sizes, bounds with the
 *    located message and exit code 2, a misspelt key.
 */
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cfg.h"
#include "core/sim.h"
#include "opencl/clrt.h"
#include "opencl/clsrc.h"
#include "opencl/philox.h"
#include "policies/mlp.h"
#include "tasks/flocking.h"

#define TU_OPENCL
#include "tests/contract_ref.h"
#include "tests/flocking_ref.h"
#include "tests/testutil.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define NB FLOCK_BOIDS
#define NS FLOCK_STATE_DIM
#define NO (NB * FLOCK_OBS_DIM)

/* The largest relative error fl_near saw since the last fl_reset_err. */
static double fl_rel_max;

static void fl_reset_err(void) { fl_rel_max = 0.0; }

/* |got - want| <= abs + rel |want|, else fail naming what and where. */
static void fl_near(const char *what, int i, double got, double want,
		    double abs, double rel)
{
	double e = fabs(got - want);

	if (!(e <= abs + rel * fabs(want)))
		fail_msg("%s [%d]: %.9g, want %.9g (tolerance %g + %g |x|)",
			 what, i, got, want, abs, rel);
	if (want != 0.0 && e / fabs(want) > fl_rel_max)
		fl_rel_max = e / fabs(want);
}

/* got[i] against want[i] for n values: all within loose |want|, at most
 * max_out of them beyond tight |want| + tight_abs (the rest).  The energy
 * is discontinuous where a boid enters another's field of view or its
 * cohesion radius, so ulps apart two runs may count a neighbour at one
 * step and not the other (a jump of up to 0.15 in one step's reward);
 * with a policy in the loop the flocks drift apart besides.  Returns the
 * number beyond tight; fl_rel_max gets the largest relative error. */
static int fl_near_most(const char *what, const float *got,
			const float *want, int n, double tight,
			double tight_abs, double loose, int max_out)
{
	int out = 0;

	for (int i = 0; i < n; i++) {
		double e = fabs((double)got[i] - want[i]);

		fl_near(what, i, got[i], want[i], 0.0, loose);
		out += !(e <= tight_abs + tight * fabs(want[i]));
	}
	if (out > max_out)
		fail_msg("%s: %d of %d values beyond %g relative, at most %d allowed",
			 what, out, n, tight, max_out);
	return out;
}

/* obs rows are the rows of s named by nbr (exactly). */
static void fl_check_obs(const char *what, const float *s, const float *obs,
			 const int nbr[NB][FLOCK_NEIGHBORS])
{
	for (int i = 0; i < NB; i++)
		for (int k = 0; k < FLOCK_NEIGHBORS; k++)
			for (int m = 0; m < 3; m++)
				if (obs[i * FLOCK_OBS_DIM + 3 * k + m] !=
				    s[3 * nbr[i][k] + m])
					fail_msg("%s: boid %d, neighbour %d is not boid %d",
						 what, i, k, nbr[i][k]);
}

/* ---- a: known values ------------------------------------------------ */

static void test_wrap_and_distance(void **state)
{
	const float edge[6] = { 0.015625f, 0.5f, 0.0f, 0.984375f, 0.5f, 1.0f };
	const float corner[6] = { 0.01f, 0.02f, 0.0f, 0.99f, 0.97f, 0.0f };

	(void)state;
	assert_true(flocking_ref_wrap(0.0f) == 0.0f);
	assert_true(flocking_ref_wrap(0.25f) == 0.25f);
	assert_true(flocking_ref_wrap(-0.25f) == -0.25f);
	assert_true(flocking_ref_wrap(0.5f) == -0.5f);
	assert_true(flocking_ref_wrap(-0.5f) == -0.5f);
	assert_true(flocking_ref_wrap(0.9375f) == -0.0625f);
	assert_true(flocking_ref_wrap(-0.9375f) == 0.0625f);
	fl_near("wrap(0.9)", 0, flocking_ref_wrap(0.9f), -0.1, 1e-7, 0.0);
	fl_near("wrap(-0.7)", 0, flocking_ref_wrap(-0.7f), 0.3, 1e-7, 0.0);
	/* across x = 0 and across the corner, both ways */
	assert_true(flocking_ref_dist(edge, 0, 1) == 0.03125f);
	assert_true(flocking_ref_dist(edge, 1, 0) == 0.03125f);
	assert_true(flocking_ref_dist(edge, 0, 0) == 0.0f);
	fl_near("corner", 0, flocking_ref_dist(corner, 0, 1),
		sqrt(0.02 * 0.02 + 0.05 * 0.05), 1e-7, 0.0);
	fl_near("corner", 1, flocking_ref_dist(corner, 1, 0),
		sqrt(0.02 * 0.02 + 0.05 * 0.05), 1e-7, 0.0);
}

/* 8 boids (dyadic coordinates: distances exact): 4 on 0, 1 and 2 at
 * 1/16 either side of 0 (a tie), 3 at 1/8 below 0, 5 and 6 at 1/16
 * apart across x = 0, 7 at 1/4 right of 0. */
static void test_neighbors_by_hand(void **state)
{
	const float s[24] = {
		0.5f, 0.5f, 0.0f,      0.5625f, 0.5f, 0.0f,
		0.4375f, 0.5f, 0.0f,   0.5f, 0.375f, 0.0f,
		0.5f, 0.5f, 1.0f,      0.03125f, 0.5f, 0.0f,
		0.96875f, 0.5f, 0.0f,  0.75f, 0.5f, 0.0f,
	};
	/* i = 0 and 4: both at distance 0, 0 first; then the tie 1, 2.
	 * i = 3: 0 and 4 at 1/8, then 1 and 2 at sqrt(5)/16.
	 * i = 5: 6 at 1/16 across the edge, 7 at 9/32, 2 at 13/32, then
	 *        0, 1, 4 tie at 15/32 (1 across the edge).
	 * i = 6: 5 at 1/16 across the edge, 7 at 7/32, 1 at 13/32, then
	 *        0, 2, 4 tie at 15/32 (2 across the edge). */
	const int want[8][FLOCK_NEIGHBORS] = {
		{ 0, 4, 1, 2, 3 }, { 1, 0, 4, 2, 3 }, { 2, 0, 4, 1, 3 },
		{ 3, 0, 4, 1, 2 }, { 0, 4, 1, 2, 3 }, { 5, 6, 7, 2, 0 },
		{ 6, 5, 7, 1, 0 }, { 7, 1, 6, 0, 4 },
	};

	(void)state;
	for (int i = 0; i < 8; i++) {
		int idx[FLOCK_NEIGHBORS];

		flocking_ref_neighbors(s, 8, i, idx);
		for (int k = 0; k < FLOCK_NEIGHBORS; k++)
			if (idx[k] != want[i][k])
				fail_msg("boid %d: neighbour %d is %d, want %d", i,
					 k, idx[k], want[i][k]);
	}
}

static void test_energy_hand_cases(void **state)
{
	float parts[3], e;

	(void)state;
	fl_reset_err();
	for (size_t c = 0; c < N_OF(fl_hand_cases); c++) {
		const fl_hand_case *h = &fl_hand_cases[c];

		e = flocking_ref_energy(h->s, h->n, parts);
		fl_near(h->name, 0, parts[0], h->align, 0.0, 2e-6);
		fl_near(h->name, 1, parts[1], h->avoid, 0.0, 2e-6);
		fl_near(h->name, 2, parts[2], h->cohesion, 0.0, 2e-6);
		fl_near(h->name, 3, e, h->energy, 0.0, 2e-6);
		fl_near("EvoJAX calc_energy", (int)c, e, h->evojax, 0.0, 2e-6);
	}
	printf("hand cases vs numpy and EvoJAX: max relative error %.2g\n",
	       fl_rel_max);
	/* the 2-boid case by hand (see the header comment); its state is
	 * float32, so within 1e-8 and 2e-7 */
	e = flocking_ref_energy(fl_hand_cases[0].s, 2, parts);
	fl_near("hand align", 0, parts[0], 2 * (0.2 / 3) / 27, 1e-8, 0.0);
	fl_near("hand avoid", 0, parts[1], 2 * (0.1 / 3) / 216 + 2 * (0.1 / 3),
		1e-8, 0.0);
	fl_near("hand cohesion", 0, parts[2], 0.174, 2e-7, 0.0);
	fl_near("hand energy", 0, e, 0.2099568, 2e-7, 0.0);
}

static void test_reset_by_hand(void **state)
{
	const unsigned purposes[] = { PH_PURPOSE_RESET, PH_PURPOSE_TEST_RESET };

	(void)state;
	for (int p = 0; p < 2; p++)
		for (unsigned r = 0; r < 8; r++) {
			float s[NS];

			flocking_ref_reset(s, 7, purposes[p], 3, 2, r);
			for (int b = 0; b < NB; b++) {
				ph_out w = ph_draw(7, purposes[p], 3, 2, r,
						   (unsigned)b);

				assert_true(s[3 * b] == ph_uniform(w.v[0]));
				assert_true(s[3 * b + 1] == ph_uniform(w.v[1]));
				assert_true(s[3 * b + 2] ==
					    ph_uniform(w.v[2]) * 6.2831855f);
				assert_true(s[3 * b] >= 0.0f && s[3 * b] < 1.0f);
				assert_true(s[3 * b + 2] >= 0.0f &&
					    s[3 * b + 2] < 6.2831855f);
			}
		}
}

/* ---- b: against EvoJAX ------------------------------------------------ */

static flocking_cfg fl_cfg_of(const fl_step_case *k)
{
	return (flocking_cfg){ FL_EPISODE_STEPS, k->reward_type, k->action_type };
}

static void test_step_vs_evojax(void **state)
{
	double worst_s = 0.0;

	(void)state;
	fl_reset_err();
	for (size_t c = 0; c < N_OF(fl_step_cases); c++) {
		const fl_step_case *k = &fl_step_cases[c];
		const fl_state *st = &fl_states[k->state];
		flocking_cfg cfg = fl_cfg_of(k);
		float s[NS], obs[NO], rew[NB], done;

		memcpy(s, st->s, sizeof(s));
		flocking_ref_obs(s, obs);
		fl_check_obs(st->name, s, obs, st->nbr);
		flocking_ref_step(&cfg, s, k->act, (unsigned)k->t, rew, &done);
		for (int b = 0; b < NB; b++)
			assert_true(rew[b] == rew[0]);
		fl_near(st->name, (int)c, rew[0], k->reward, 0.0, 1e-5);
		for (int i = 0; i < NS; i++) {
			double e = fabs((double)s[i] - k->s1[i]);

			if (i % 3 == 2)
				assert_true(s[i] == k->s1[i]);
			else if (!(e <= 1e-6))
				fail_msg("%s: state %d: %.9g, want %.9g", st->name,
					 i, s[i], k->s1[i]);
			worst_s = e > worst_s ? e : worst_s;
		}
		flocking_ref_obs(s, obs);
		fl_check_obs(st->name, s, obs, k->nbr1);
		assert_true(done == (float)k->done);
	}
	printf("one step vs EvoJAX: reward max relative error %.2g, state %.2g\n",
	       fl_rel_max, worst_s);
}

/* The "cluster" state (the episodes start there). */
static const float *fl_cluster(void)
{
	assert_string_equal(fl_states[1].name, "cluster");
	return fl_states[1].s;
}

static void fl_mlp_cfg(mlp_cfg *m)
{
	*m = (mlp_cfg){ .hidden = { 2, { 60, 60 } }, .output = "tanh" };
}

static void test_episodes_vs_evojax(void **state)
{
	flocking_cfg cfg = { FL_EPISODE_STEPS, 0, 0 };
	mlp_cfg mc;
	float *w = malloc(FL_MLP_PARAMS * sizeof(float));

	(void)state;
	fl_mlp_cfg(&mc);
	assert_non_null(w);
	assert_int_equal(mlp_ops.param_count(&mc, FLOCK_OBS_DIM, 1),
			 FL_MLP_PARAMS);
	for (int i = 0; i < FL_MLP_PARAMS; i++)
		w[i] = (float)(0.3 * sin(0.7 * i + 0.1));
	for (int mlp = 0; mlp < 2; mlp++) {
		const float *want = mlp ? fl_mlp_rewards : fl_fixed_rewards;
		const float *last = mlp ? fl_mlp_last : fl_fixed_last;
		const double tol_s = mlp ? 1e-4 : 1e-5;
		float s[NS], obs[NO], act[NB], rew[NB], done = 0.0f;
		float got[FL_EPISODE_STEPS];
		double worst_s = 0.0;
		int out;

		fl_reset_err();
		memcpy(s, fl_cluster(), sizeof(s));
		for (int t = 0; t < FL_EPISODE_STEPS; t++) {
			flocking_ref_obs(s, obs);
			for (int b = 0; b < NB; b++) {
				if (mlp)
					mlp_ref_forward(&mc, FLOCK_OBS_DIM, 1, w,
							obs + b * FLOCK_OBS_DIM,
							act + b);
				else
					act[b] = (float)((7 * t + 3 * b) % 11) / 5.0f -
						 1.0f;
			}
			flocking_ref_step(&cfg, s, act, (unsigned)t, rew, &done);
			got[t] = rew[0];
		}
		out = fl_near_most(mlp ? "MLP episode" : "fixed episode", got,
				   want, FL_EPISODE_STEPS, 1e-5, 1e-6, 1e-2, 15);
		assert_true(done == 1.0f);
		for (int i = 0; i < NS; i++) {
			double e = fabs((double)s[i] - last[i]);

			if (!(e <= tol_s))
				fail_msg("last state %d: %.9g, want %.9g", i, s[i],
					 last[i]);
			worst_s = e > worst_s ? e : worst_s;
		}
		printf("%s episode vs EvoJAX: %d of %d step rewards beyond 1e-5 "
		       "relative, max relative error %.2g; last state %.2g\n",
		       mlp ? "MLP" : "fixed-turn", out, FL_EPISODE_STEPS,
		       fl_rel_max, worst_s);
	}
	free(w);
}

/* ---- c: device against host ------------------------------------------ */

/* tests/flocking_probe.cl on n states (n a multiple of vl). */
static void fl_probe(clrt *rt, const flocking_cfg *c, int vl, size_t n,
		     const float *st, const float *act, unsigned t, float *obs,
		     float *rew, float *st1, float *done)
{
	const char *files[] = { "opencl/philox.h", "core/lanes.cl",
				"tasks/flocking.cl", "tests/flocking_probe.cl" };
	const int na = c->action_type + 1;
	char defs[1024], tdefs[512];
	ej_err err = { 0 };
	cl_mem b[6];
	const size_t sz[6] = { NS, (size_t)(NB * na), NO, NB, NS, 1 };
	cl_program prog;
	cl_kernel k;

	flocking_ops.defines(c, tdefs, sizeof(tdefs));
	snprintf(defs, sizeof(defs),
		 "#define VL %d\n#define TASK_N_AGENTS %d\n#define TASK_OBS_DIM %d\n"
		 "#define TASK_ACT_DIM %d\n#define TASK_STATE_DIM %d\n%s",
		 vl, NB, FLOCK_OBS_DIM, na, NS, tdefs);
	prog = clsrc_build(rt, "flocking_probe", defs, files, 4, "", &err);
	if (!prog)
		fail_msg("%s", err.msg);
	k = clrt_kernel(rt, prog, "flocking_probe", &err);
	assert_non_null(k);
	for (int i = 0; i < 6; i++) {
		b[i] = clrt_alloc(rt, NULL, n * sz[i] * sizeof(float),
				  CL_MEM_READ_WRITE, &err);
		assert_non_null(b[i]);
	}
	assert_int_equal(clrt_write(rt, b[0], 0, n * NS * sizeof(float), st, &err), 0);
	assert_int_equal(clrt_write(rt, b[1], 0, n * sz[1] * sizeof(float), act,
				    &err), 0);
	assert_int_equal(clrt_args(k, &err, "mmummmm", b[0], b[1], t, b[2],
				   b[3], b[4], b[5]), 0);
	assert_int_equal(clrt_launch(rt, k, n / (size_t)vl, 0, &err), 0);
	assert_int_equal(clrt_read(rt, b[2], 0, n * NO * sizeof(float), obs, &err), 0);
	assert_int_equal(clrt_read(rt, b[3], 0, n * NB * sizeof(float), rew, &err), 0);
	assert_int_equal(clrt_read(rt, b[4], 0, n * NS * sizeof(float), st1, &err), 0);
	assert_int_equal(clrt_read(rt, b[5], 0, n * sizeof(float), done, &err), 0);
	for (int i = 0; i < 6; i++)
		clReleaseMemObject(b[i]);
	clReleaseKernel(k);
}

enum { PROBE_N = 16 };

static void test_device_probe(void **state)
{
	clrt *rt = tu_rt_open();
	float *st = malloc(PROBE_N * NS * sizeof(float));
	float *act = malloc(PROBE_N * NB * 2 * sizeof(float));
	float *obs = malloc(PROBE_N * NO * sizeof(float));
	float *rew = malloc(PROBE_N * NB * sizeof(float));
	float *st1 = malloc(PROBE_N * NS * sizeof(float));
	float done[PROBE_N];

	(void)state;
	assert_true(st && act && obs && rew && st1);
	/* each variant v (reward_type, action_type, t) of the step cases
	 * (case 4 k + v is state k's), its 4 states 4 times over: 16 worlds */
	for (int v = 0; v < 4; v++)
		for (int vl = 1; vl <= 16; vl += 15) {
			const fl_step_case *k0 = &fl_step_cases[v];
			flocking_cfg cfg = fl_cfg_of(k0);
			const size_t na = (size_t)(cfg.action_type + 1);

			for (int n = 0; n < PROBE_N; n++) {
				const fl_step_case *k = &fl_step_cases[(n % 4) * 4 + v];

				assert_int_equal(k->state, n % 4);
				assert_int_equal(k->reward_type, k0->reward_type);
				memcpy(st + n * NS, fl_states[k->state].s,
				       NS * sizeof(float));
				memcpy(act + n * NB * na, k->act,
				       NB * na * sizeof(float));
			}
			fl_probe(rt, &cfg, vl, PROBE_N, st, act, (unsigned)k0->t,
				 obs, rew, st1, done);
			for (int n = 0; n < PROBE_N; n++) {
				float s[NS], o[NO], r[NB], d;

				memcpy(s, st + n * NS, sizeof(s));
				flocking_ref_obs(s, o);
				assert_memory_equal(obs + n * NO, o, sizeof(o));
				flocking_ref_step(&cfg, s, act + n * NB * na,
						  (unsigned)k0->t, r, &d);
				assert_memory_equal(rew + n * NB, r, sizeof(r));
				assert_memory_equal(st1 + n * NS, s, sizeof(s));
				assert_true(done[n] == d);
			}
		}
	free(st);
	free(act);
	free(obs);
	free(rew);
	free(st1);
	clrt_free(rt);
}

/* The host task for contract_ref.h. */
static void host_reset(const void *cfg, float *s, unsigned seed,
		       unsigned purpose, unsigned iter, unsigned member,
		       unsigned repeat)
{
	(void)cfg;
	flocking_ref_reset(s, seed, purpose, iter, member, repeat);
}

static void host_obs(const void *cfg, const float *s, float *obs)
{
	(void)cfg;
	flocking_ref_obs(s, obs);
}

static void host_step(const void *cfg, float *s, const float *act,
		      float *reward, float *done, const ph_step_ctr *ctr)
{
	flocking_ref_step(cfg, s, act, ctr->step, reward, done);
}

static void mlp_ref_reset(const void *cfg, float *ps)
{
	(void)cfg;
	(void)ps;
}

static void mlp_ref_step(const void *cfg, const float *w, float *ps,
			 const float *obs, float *act)
{
	(void)ps;
	mlp_ref_forward(cfg, FLOCK_OBS_DIM, 1, w, obs, act);
}

/* The same with two outputs (action_type 1). */
static void mlp_ref_step2(const void *cfg, const float *w, float *ps,
			  const float *obs, float *act)
{
	(void)ps;
	mlp_ref_forward(cfg, FLOCK_OBS_DIM, 2, w, obs, act);
}

enum { REP = 5, MAX_N = 2 * REP };

/* Device (VL 1 and 8) against host returns of n_members x REP episodes
 * (reset keys: 'reset', a member or SIM_OWN_RESETS): equal to the bit
 * when 'exact', else as fl_near_most (all within 2e-3 relative, at most
 * half of them beyond 1e-5); returns how many were beyond 1e-5. */
static int fl_rollouts(const flocking_cfg *c, const policy_ops *ops,
		       const void *pcfg, const cref_policy *host,
		       const float *w, size_t n_members, unsigned reset,
		       bool exact)
{
	cref_task t = { .cfg = c, .reset = host_reset, .obs = host_obs,
			.step = host_step };
	const int n = (int)n_members * REP;
	float ref[MAX_N], dev[MAX_N];
	clrt *rt = tu_rt_open();
	int out = 0;

	assert_true(n <= MAX_N);
	fl_reset_err();
	task_get_dims(&flocking_ops, c, &t.d);
	cref_rollout(&t, host, w, n_members, 7, PH_PURPOSE_RESET, 4, reset,
		     REP, ref);
	for (int lanes = 1; lanes <= 8; lanes += 7) {
		ej_err err = { 0 };
		sim *s = sim_create(rt, &flocking_ops, c, ops, pcfg, lanes, false,
				    &err);

		if (!s)
			fail_msg("%s", err.msg);
		if (sim_rollout(s, w, n_members, 7, PH_PURPOSE_RESET, 4, reset,
				REP, false, dev, &err) < 0)
			fail_msg("%s", err.msg);
		assert_true(sim_last_env_steps(s) == (double)n * c->max_steps);
		sim_free(s);
		if (exact)
			assert_memory_equal(dev, ref, (size_t)n * sizeof(float));
		else
			out += fl_near_most("device return", dev, ref, n, 1e-5,
					    0.0, 2e-3, n / 2);
	}
	clrt_free(rt);
	return out;
}

/* A blind policy: an MLP without hidden layers, linear output and a zero
 * kernel turns every boid by its bias, whatever it sees (exact: 0 x obs
 * + b = b on host and device).  Two members turning at different rates
 * (and speeds); common resets for reward_type 0, own for 1. */
static void test_device_turn(void **state)
{
	const float turn[2][2] = { { 0.75f, -0.5f }, { -0.25f, 1.0f } };
	mlp_cfg mc = { .hidden = { 0, { 0 } }, .output = "linear" };

	(void)state;
	for (int v = 0; v < 4; v++) {
		flocking_cfg c = { FL_EPISODE_STEPS, v & 1, v >> 1 };
		int na = c.action_type + 1;
		size_t P = mlp_ops.param_count(&mc, FLOCK_OBS_DIM, na);
		cref_policy host = { .cfg = &mc, .P = P, .state_dim = 0,
				     .reset = mlp_ref_reset,
				     .forward = na == 1 ? mlp_ref_step
							: mlp_ref_step2 };
		float w[2 * (FLOCK_OBS_DIM + 1) * 2] = { 0 };

		assert_int_equal(P, (size_t)(FLOCK_OBS_DIM + 1) * na);
		for (int m = 0; m < 2; m++)
			for (int j = 0; j < na; j++)
				w[(size_t)m * P + j] = turn[m][j]; /* bias */
		fl_rollouts(&c, &mlp_ops, &mc, &host, w, 2,
			    c.reward_type ? SIM_OWN_RESETS : 0, true);
	}
}

static void test_device_mlp(void **state)
{
	flocking_cfg c = { FL_EPISODE_STEPS, 0, 0 };
	mlp_cfg mc;
	size_t P;
	float *w;

	(void)state;
	fl_mlp_cfg(&mc);
	P = mlp_ops.param_count(&mc, FLOCK_OBS_DIM, 1);
	w = tu_random_params(P, 0.2f, 31);
	{
		cref_policy host = { .cfg = &mc, .P = P, .state_dim = 0,
				     .reset = mlp_ref_reset,
				     .forward = mlp_ref_step };
		int out = fl_rollouts(&c, &mlp_ops, &mc, &host, w, 1, 0, false);

		printf("MLP 15-60-60-1: device vs host, %d of %d returns beyond "
		       "1e-5 relative, max relative error %.2g\n", out, 2 * REP,
		       fl_rel_max);
	}
	free(w);
}

/* ---- d: schema ---------------------------------------------------------- */

static int parse(const char *yaml, flocking_cfg *c, ej_err *err)
{
	static const char *const skip[] = { "name", NULL };
	cfg_doc *d = cfg_load_string(yaml, "t.yaml", err);
	int rc;

	assert_non_null(d);
	rc = cfg_parse_section(cfg_get(cfg_root(d), "task"), "task",
			       flocking_ops.fields, flocking_ops.n_fields, c,
			       skip, err);
	cfg_free(d);
	return rc;
}

static void test_schema(void **state)
{
	flocking_cfg c = { 0 };
	task_dims d;
	ej_err err = { 0 };

	(void)state;
	assert_int_equal(parse("task:\n  name: flocking\n", &c, &err), 0);
	assert_int_equal(c.max_steps, 150);
	assert_int_equal(c.reward_type, 0);
	assert_int_equal(c.action_type, 0);
	task_get_dims(&flocking_ops, &c, &d);
	assert_int_equal(d.obs_dim, 15);
	assert_int_equal(d.act_dim, 1);
	assert_int_equal(d.state_dim, 90);
	assert_int_equal(d.max_steps, 150);
	assert_int_equal(d.n_agents, 30);
	assert_int_equal(d.agent_map, TASK_AGENTS_SHARED);
	assert_ptr_equal(flocking_ops.eval, &sim_eval_ops);
	assert_int_equal(flocking_ops.policy_caps, POLICY_CAP_STEP);
	assert_ptr_equal(task_find("flocking"), &flocking_ops);

	assert_int_equal(parse("task:\n  action_type: 1\n  reward_type: 1\n"
			       "  max_steps: 20\n", &c, &err), 0);
	task_get_dims(&flocking_ops, &c, &d);
	assert_int_equal(d.act_dim, 2);
	assert_int_equal(d.max_steps, 20);
	assert_int_equal(c.reward_type, 1);

	assert_int_equal(parse("task:\n  reward_type: 2\n", &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:16: 'reward_type' must be an "
			    "integer in [0, 1], got '2'");
	assert_int_equal(parse("task:\n  action_type: speed\n", &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:16: 'action_type' must be an "
			    "integer, got 'speed'");
	assert_int_equal(parse("task:\n  max_steps: 0\n", &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:2:14: 'max_steps' must be an "
			    "integer in [1, 1000000], got '0'");
	assert_int_equal(parse("task:\n  neighbors: 5\n", &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "t.yaml:2:3: unknown key 'neighbors' in 'task'"));
	assert_int_equal(parse("task:\n  reward_typ: 1\n", &c, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "t.yaml:2:3:"));
	assert_non_null(strstr(err.msg, "(did you mean 'reward_type'?)"));
}

/* ---- main --------------------------------------------------------------- */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_wrap_and_distance),
		cmocka_unit_test(test_neighbors_by_hand),
		cmocka_unit_test(test_energy_hand_cases),
		cmocka_unit_test(test_reset_by_hand),
		cmocka_unit_test(test_step_vs_evojax),
		cmocka_unit_test(test_episodes_vs_evojax),
		cmocka_unit_test(test_device_probe),
		cmocka_unit_test(test_device_turn),
		cmocka_unit_test(test_device_mlp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
