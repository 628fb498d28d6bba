/* rollout.cl - the fused rollout kernel: whole episodes in one launch, and
 * the episodic device contract (v2) that task and policy code meet.
 *
 * Composition (core/sim.c): #defines, opencl/philox.h, core/lanes.cl, the
 * task's .cl, the policy's .cl, this file.  One work-item runs VL
 * environments ("worlds") of the same member(s) in vector lanes, lane l
 * being repeat r0 + l, so the weights are read once per step for all
 * lanes: on CPUs the lanes are SIMD lanes; on GPUs VL = 1 and a work-item
 * is one world.  VF is float (VL 1) or floatVL; masks are 1.0f / 0.0f.
 *
 * Defines, all from the C side (d below): VL (1, 2, 4, 8, 16),
 * NORMALIZE_OBS (0/1); POLICY_PARAMS, POLICY_STATE_DIM (policy ops
 * param_count, state_dim); TASK_OBS_DIM, TASK_ACT_DIM (per agent),
 * TASK_STATE_DIM (per world), TASK_N_AGENTS, TASK_AGENT_MAP (one of
 * TASK_AGENTS_SHARED, TASK_AGENTS_DISTINCT, TASK_AGENTS_OPPONENT, the
 * values of enum task_agent_map), TASK_OPP_STATE_DIM (task dims()); plus
 * each plug-in's own options (its defines()).
 *
 * a. Policy (policies/policy.h), per driven agent, with its recurrent
 *    state ps of POLICY_STATE_DIM values (a 1-value dummy when 0):
 *      void policy_reset(VF *ps)                      at episode start
 *      void policy_forward(const __global float *w, VF *ps, const VF *obs,
 *                          VF *act)                   each step
 *    w: the member's POLICY_PARAMS weights; obs: TASK_OBS_DIM values
 *    (normalized when NORMALIZE_OBS); act: TASK_ACT_DIM values.
 *
 * b. Task (tasks/task.h):
 *      void task_reset(float *s, uint seed, uint purpose, uint iter,
 *                      uint member, uint repeat)  scalar, one world;
 *                      draws ph_draw(seed, purpose, iter, member, repeat, i)
 *      void task_obs(const VF *s, VF *obs)         obs (N_AGENTS, OBS)
 *      void task_step(VF *s, const VF *act, VF *reward, VF *done,
 *                     const ph_step_ctr *ctr)      act (N_AGENTS, ACT),
 *                                                  reward (N_AGENTS)
 *    ctr (opencl/philox.h) keys this step's random numbers: seed, reset
 *    purpose, iter, the member that keys the resets, the repeat of lane 0
 *    and the step index (0-based).  ej_step_uniform(ctr, k) and
 *    ej_step_normal(ctr, k) (core/lanes.cl) give draw k (0..255) for each
 *    lane; the host reproduces them with ph_step_draw.  A draw is a pure
 *    function of (seed, purpose, iter, member, repeat, step, k): it does
 *    not depend on VL, the work-group size or the population split, and
 *    with common resets every member meets the same dynamics.
 *
 * c. Agents.  A world has TASK_N_AGENTS agents; obs, act and reward hold
 *    one row per agent, done is one per world.  Members map to agents by
 *    TASK_AGENT_MAP (enum task_agent_map):
 *      SHARED    world = member; the member drives every agent; its return
 *                is the mean over agents of the agents' reward sums.
 *      DISTINCT  world w = members w*N_AGENTS .. w*N_AGENTS + N_AGENTS-1,
 *                member w*N_AGENTS + a drives agent a (its own weights,
 *                its own policy state) and gets agent a's reward sum;
 *                sim_rollout needs the population to be a multiple of
 *                N_AGENTS.  The world's resets (and step draws) are keyed
 *                by its first member when each member has its own keys.
 *      OPPONENT  world = member; the member drives agent 0 and gets its
 *                reward sum; the task's fixed opponent drives agents 1..:
 *        void task_opponent_reset(VF *os, int agent)
 *        void task_opponent(VF *os, const VF *obs, VF *act, int agent,
 *                           const ph_step_ctr *ctr)
 *                with its own state os (TASK_OPP_STATE_DIM per agent),
 *                the agent's raw (unnormalized) obs row, writing its act
 *                row; it runs before the policy and may draw from ctr.
 *    With one agent the three coincide (the member drives agent 0 and
 *    gets its reward sum) and the per-agent loops compile away.
 *
 * d. Sizes have one source, the C side: core/sim.c defines every size
 *    above from dims(), param_count() and state_dim() as (n + EJ_DIM_PROBE);
 *    the checks below fail the build when a .cl file (re)defines one or a
 *    composition lacks one.  tests/test_contract.c builds every registered
 *    episodic task this way.
 *
 * EvoJAX semantics: fixed max_steps with done-masking (the reward of the
 * step that ends an episode counts, later ones do not); every member's
 * worlds use the reset keys of member 'reset_member' (common random
 * numbers) unless reset_member == 0xffffffff (each member its own keys).
 * Returns: (n_members, n_repeats) reward sums; fitness is their mean over
 * repeats (the trainer's).  Observation statistics cover the agents the
 * policy drives.
 */

/* d: raising the probe shows whether each size still has core/sim.c's
 * definition. */
#undef EJ_DIM_PROBE
#define EJ_DIM_PROBE 0x100000
#if !defined(POLICY_PARAMS) || POLICY_PARAMS < EJ_DIM_PROBE
#error "POLICY_PARAMS missing or defined in a .cl file: the policy's param_count() is its one source"
#endif
#if !defined(POLICY_STATE_DIM) || POLICY_STATE_DIM < EJ_DIM_PROBE
#error "POLICY_STATE_DIM missing or defined in a .cl file: the policy's state_dim() is its one source"
#endif
#if !defined(TASK_OBS_DIM) || TASK_OBS_DIM < EJ_DIM_PROBE
#error "TASK_OBS_DIM missing or defined in a .cl file: the task's dims() is its one source"
#endif
#if !defined(TASK_ACT_DIM) || TASK_ACT_DIM < EJ_DIM_PROBE
#error "TASK_ACT_DIM missing or defined in a .cl file: the task's dims() is its one source"
#endif
#if !defined(TASK_STATE_DIM) || TASK_STATE_DIM < EJ_DIM_PROBE
#error "TASK_STATE_DIM missing or defined in a .cl file: the task's dims() is its one source"
#endif
#if !defined(TASK_N_AGENTS) || TASK_N_AGENTS < EJ_DIM_PROBE
#error "TASK_N_AGENTS missing or defined in a .cl file: the task's dims() is its one source"
#endif
#if !defined(TASK_AGENT_MAP) || TASK_AGENT_MAP < EJ_DIM_PROBE
#error "TASK_AGENT_MAP missing or defined in a .cl file: the task's dims() is its one source"
#endif
#if !defined(TASK_OPP_STATE_DIM) || TASK_OPP_STATE_DIM < EJ_DIM_PROBE
#error "TASK_OPP_STATE_DIM missing or defined in a .cl file: the task's dims() is its one source"
#endif
#undef EJ_DIM_PROBE
#define EJ_DIM_PROBE 0

#define EJ_DISTINCT (TASK_AGENT_MAP == TASK_AGENTS_DISTINCT)
#define EJ_OPPONENT (TASK_AGENT_MAP == TASK_AGENTS_OPPONENT && TASK_N_AGENTS > 1)
#define EJ_DRIVEN (EJ_OPPONENT ? 1 : TASK_N_AGENTS) /* agents 0.. on the policy */
#define EJ_MAX1(n) ((n) > 0 ? (n) : 1)
#define EJ_OBS_STATS (2 * TASK_OBS_DIM + 1)

/* Sum of the lanes of v that hold real repeats (r0 + l < n). */
static inline float ej_lane_sum(VF v, uint r0, uint n)
{
	float lane[VL], a = 0.0f;

	EJ_VSTORE(v, lane);
	for (int l = 0; l < VL; l++)
		a += (r0 + l < n) ? lane[l] : 0.0f;
	return a;
}

/* dst[r0 + l] = lane l of v for the lanes that hold real repeats. */
static inline void ej_lane_store(__global float *dst, VF v, uint r0, uint n)
{
	float lane[VL];

	EJ_VSTORE(v, lane);
	for (int l = 0; l < VL; l++)
		if (r0 + l < n)
			dst[r0 + l] = lane[l];
}

__kernel void rollout(__global const float *params,   /* (n_members, POLICY_PARAMS) */
		      __global const float *obs_norm, /* (groups, 2, OBS): mean, 1/std */
		      __global const uint *norm_of,   /* (worlds) normalizer group of each world */
		      __global float *returns,        /* (n_members, n_repeats) */
		      __global float *obs_stats,      /* (work-items, EJ_OBS_STATS) */
		      __global uint *steps_run,       /* (work-items) env steps */
		      uint seed, uint purpose, uint iter, uint reset_member,
		      uint n_repeats, uint max_steps)
{
	const uint g = get_global_id(0);
	const uint blocks = (n_repeats + VL - 1) / VL;
	const uint world = g / blocks;
	const uint r0 = (g % blocks) * VL;
	/* The world's first member; agent a of a DISTINCT world is member + a. */
	const uint member = EJ_DISTINCT ? world * TASK_N_AGENTS : world;
	const __global float *w = params + (size_t)member * POLICY_PARAMS;
	float lane[TASK_STATE_DIM * VL > VL ? TASK_STATE_DIM * VL : VL];
	VF s[TASK_STATE_DIM], obs[TASK_N_AGENTS * TASK_OBS_DIM];
	VF act[TASK_N_AGENTS * TASK_ACT_DIM], reward[TASK_N_AGENTS];
	VF ps[EJ_MAX1(EJ_DRIVEN * POLICY_STATE_DIM)];
	VF total[TASK_N_AGENTS], alive = 1.0f, lived = 0.0f;
	ph_step_ctr ctr;
#if EJ_OPPONENT
	VF os[EJ_MAX1((TASK_N_AGENTS - 1) * TASK_OPP_STATE_DIM)];
#endif
#if NORMALIZE_OBS
	VF d_sum[TASK_OBS_DIM], d_sq[TASK_OBS_DIM], n_obs = 0.0f;

	obs_norm += (size_t)norm_of[world] * (2 * TASK_OBS_DIM);
	for (int k = 0; k < TASK_OBS_DIM; k++)
		d_sum[k] = d_sq[k] = 0.0f;
#endif
	ctr.seed = seed;
	ctr.purpose = purpose;
	ctr.iter = iter;
	ctr.member = reset_member == 0xffffffffu ? member : reset_member;
	ctr.repeat = r0;
	for (int l = 0; l < VL; l++) {
		float one[TASK_STATE_DIM];

		task_reset(one, seed, purpose, iter, ctr.member, r0 + l);
		for (int k = 0; k < TASK_STATE_DIM; k++)
			lane[k * VL + l] = one[k];
	}
	for (int k = 0; k < TASK_STATE_DIM; k++)
		s[k] = EJ_VLOAD(lane + k * VL);
	for (int a = 0; a < TASK_N_AGENTS; a++)
		total[a] = 0.0f;
	for (int a = 0; a < EJ_DRIVEN; a++)
		policy_reset(ps + a * POLICY_STATE_DIM);
#if EJ_OPPONENT
	for (int a = 1; a < TASK_N_AGENTS; a++)
		task_opponent_reset(os + (a - 1) * TASK_OPP_STATE_DIM, a);
#endif

	uint t = 0;

	while (t < max_steps) {
		VF done;

		ctr.step = t;
		task_obs(s, obs);
#if EJ_OPPONENT
		for (int a = 1; a < TASK_N_AGENTS; a++)
			task_opponent(os + (a - 1) * TASK_OPP_STATE_DIM,
				      obs + a * TASK_OBS_DIM,
				      act + a * TASK_ACT_DIM, a, &ctr);
#endif
#if NORMALIZE_OBS
		for (int a = 0; a < EJ_DRIVEN; a++) {
			VF *o = obs + a * TASK_OBS_DIM;

			for (int k = 0; k < TASK_OBS_DIM; k++) {
				VF d = o[k] - obs_norm[k];
				VF dm = (alive > 0.0f) ? d : (VF)0.0f;

				d_sum[k] += dm;
				d_sq[k] += dm * dm;
				o[k] = clamp(d * obs_norm[TASK_OBS_DIM + k],
					     -5.0f, 5.0f);
			}
			n_obs += alive;
		}
#endif
		for (int a = 0; a < EJ_DRIVEN; a++)
			policy_forward(EJ_DISTINCT ? w + a * POLICY_PARAMS : w,
				       ps + a * POLICY_STATE_DIM,
				       obs + a * TASK_OBS_DIM,
				       act + a * TASK_ACT_DIM);
		task_step(s, act, reward, &done, &ctr);
		for (int a = 0; a < TASK_N_AGENTS; a++)
			total[a] += (alive > 0.0f) ? reward[a] : (VF)0.0f;
		lived += alive;
		alive = (done > 0.0f) ? (VF)0.0f : alive;
		t++;
		if (EJ_ALL_ZERO(alive))
			break;
	}
#if EJ_DISTINCT
	for (int a = 0; a < TASK_N_AGENTS; a++)
		ej_lane_store(returns + (size_t)(member + a) * n_repeats,
			      total[a], r0, n_repeats);
#elif TASK_AGENT_MAP == TASK_AGENTS_SHARED && TASK_N_AGENTS > 1
	{
		VF sum = total[0];

		for (int a = 1; a < TASK_N_AGENTS; a++)
			sum += total[a];
		ej_lane_store(returns + (size_t)member * n_repeats,
			      sum / (float)TASK_N_AGENTS, r0, n_repeats);
	}
#else
	ej_lane_store(returns + (size_t)member * n_repeats, total[0], r0,
		      n_repeats);
#endif
	/* World steps taken (alive lanes only; < 2^24, exact). */
	EJ_VSTORE(lived, lane);
	{
		uint n = 0;

		for (int l = 0; l < VL; l++)
			n += (r0 + l < n_repeats) ? (uint)lane[l] : 0u;
		steps_run[g] = n;
	}
#if NORMALIZE_OBS
	{
		__global float *st = obs_stats + (size_t)g * EJ_OBS_STATS;

		for (int k = 0; k < TASK_OBS_DIM; k++) {
			st[k] = ej_lane_sum(d_sum[k], r0, n_repeats);
			st[TASK_OBS_DIM + k] = ej_lane_sum(d_sq[k], r0, n_repeats);
		}
		st[2 * TASK_OBS_DIM] = ej_lane_sum(n_obs, r0, n_repeats);
	}
#else
	(void)obs_norm;
	(void)norm_of;
	(void)obs_stats;
#endif
}
