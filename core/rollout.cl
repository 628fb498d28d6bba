/* rollout.cl - the fused rollout kernel: whole episodes in one launch.
 *
 * The program is composed by core/sim.c as: #defines, opencl/philox.h,
 * core/lanes.cl, the task's .cl, the policy's .cl, this file.  One
 * work-item runs VL environments of ONE member (consecutive repeats) in
 * vector lanes, so the member's weights are read once per step for all its
 * lanes: on CPUs the lanes are SIMD lanes; on GPUs VL = 1 and a work-item
 * is one environment.
 *
 * Defines: VL (1, 2, 4, 8, 16), POLICY_PARAMS, NORMALIZE_OBS (0/1),
 * TASK_OBS_DIM, TASK_ACT_DIM, TASK_STATE_DIM (from the task's dims()).
 * EvoJAX semantics: fixed max_steps with done-masking (the reward of the
 * step that ends an episode counts, later ones do not); environments of
 * every member use the reset keys of member 'reset_member' (common random
 * numbers) unless reset_member == 0xffffffff (each member its own keys).
 */

/* Sizes have one source, the C side (task dims(), policy param_count()):
 * core/sim.c defines each as (n + EJ_DIM_PROBE) with the probe 0.  Raising
 * the probe here shows whether a size still has that definition: a .cl
 * file that (re)defined it, or a composition that lacks it, fails the
 * build with the message below. */
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
#undef EJ_DIM_PROBE
#define EJ_DIM_PROBE 0

#define EJ_OBS_STATS (2 * TASK_OBS_DIM + 1)

__kernel void rollout(__global const float *params,   /* (n_members, POLICY_PARAMS) */
		      __global const float *obs_norm, /* (2, OBS): mean, 1/std */
		      __global float *returns,        /* (n_members, n_repeats) */
		      __global float *obs_stats,      /* (work-items, EJ_OBS_STATS) */
		      __global uint *steps_run,       /* (work-items) env steps */
		      uint seed, uint purpose, uint iter, uint reset_member,
		      uint n_repeats, uint max_steps)
{
	const uint g = get_global_id(0);
	const uint blocks = (n_repeats + VL - 1) / VL;
	const uint member = g / blocks;
	const uint r0 = (g % blocks) * VL;
	const __global float *w = params + (size_t)member * POLICY_PARAMS;
	float lane[TASK_STATE_DIM * VL > VL ? TASK_STATE_DIM * VL : VL];
	VF s[TASK_STATE_DIM], obs[TASK_OBS_DIM], act[TASK_ACT_DIM];
	VF ps[POLICY_STATE_DIM > 0 ? POLICY_STATE_DIM : 1];
	VF total = 0.0f, alive = 1.0f, lived = 0.0f;
	ph_step_ctr ctr;
#if NORMALIZE_OBS
	VF d_sum[TASK_OBS_DIM], d_sq[TASK_OBS_DIM], n_obs = 0.0f;

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
	policy_reset(ps);

	uint t = 0;

	while (t < max_steps) {
		VF reward, done;

		task_obs(s, obs);
#if NORMALIZE_OBS
		for (int k = 0; k < TASK_OBS_DIM; k++) {
			VF d = obs[k] - obs_norm[k];
			VF dm = (alive > 0.0f) ? d : (VF)0.0f;

			d_sum[k] += dm;
			d_sq[k] += dm * dm;
			obs[k] = clamp(d * obs_norm[TASK_OBS_DIM + k], -5.0f,
				       5.0f);
		}
		n_obs += alive;
#endif
		policy_forward(w, ps, obs, act);
		ctr.step = t;
		task_step(s, act, &reward, &done, &ctr);
		total += (alive > 0.0f) ? reward : (VF)0.0f;
		lived += alive;
		alive = (done > 0.0f) ? (VF)0.0f : alive;
		t++;
		if (EJ_ALL_ZERO(alive))
			break;
	}
	EJ_VSTORE(total, lane);
	for (int l = 0; l < VL; l++)
		if (r0 + l < n_repeats)
			returns[(size_t)member * n_repeats + r0 + l] = lane[l];
	/* Environment steps taken (alive lanes only; < 2^24, exact). */
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
			float a = 0.0f, b = 0.0f;

			EJ_VSTORE(d_sum[k], lane);
			for (int l = 0; l < VL; l++)
				a += (r0 + l < n_repeats) ? lane[l] : 0.0f;
			EJ_VSTORE(d_sq[k], lane);
			for (int l = 0; l < VL; l++)
				b += (r0 + l < n_repeats) ? lane[l] : 0.0f;
			st[k] = a;
			st[TASK_OBS_DIM + k] = b;
		}
		EJ_VSTORE(n_obs, lane);
		{
			float c = 0.0f;

			for (int l = 0; l < VL; l++)
				c += (r0 + l < n_repeats) ? lane[l] : 0.0f;
			st[2 * TASK_OBS_DIM] = c;
		}
	}
#else
	(void)obs_norm;
	(void)obs_stats;
#endif
}
