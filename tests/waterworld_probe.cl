/* waterworld_probe.cl - test kernels for tests/test_waterworld.c.
 * ww_probe: one work-item runs VL WaterWorld worlds (repeats r0 .. r0 +
 * VL - 1) under the composed policy for T steps, as core/rollout.cl does,
 * and records per step and lane the observation, the policy's output and
 * the reward, so the host reference can replay the episodes step by step.
 * ww_obs_probe: task_obs on given states.  Compose after philox.h,
 * lanes.cl, tasks/waterworld.cl and the policy; defines VL,
 * TASK_STATE_DIM, POLICY_STATE_DIM, PROBE_OBS, PROBE_ACT. */
inline void wwp_store(__global float *dst, VF v)
{
	float lane[VL];

	EJ_VSTORE(v, lane);
	for (int l = 0; l < VL; l++)
		dst[l] = lane[l];
}

__kernel void ww_probe(__global const float *w,   /* (POLICY_PARAMS) */
		       __global float *obs_out,   /* (T, PROBE_OBS, VL) */
		       __global float *act_out,   /* (T, PROBE_ACT, VL) */
		       __global float *rew_out,   /* (T, VL) */
		       uint seed, uint purpose, uint iter, uint member,
		       uint r0, uint T)
{
	float lane[TASK_STATE_DIM * VL];
	VF s[TASK_STATE_DIM], obs[PROBE_OBS], act[PROBE_ACT], rew, done;
	VF ps[POLICY_STATE_DIM > 0 ? POLICY_STATE_DIM : 1];
	ph_step_ctr ctr;

	ctr.seed = seed;
	ctr.purpose = purpose;
	ctr.iter = iter;
	ctr.member = member;
	ctr.repeat = r0;
	for (int l = 0; l < VL; l++) {
		float one[TASK_STATE_DIM];

		task_reset(one, seed, purpose, iter, member, r0 + l);
		for (int k = 0; k < TASK_STATE_DIM; k++)
			lane[k * VL + l] = one[k];
	}
	for (int k = 0; k < TASK_STATE_DIM; k++)
		s[k] = EJ_VLOAD(lane + k * VL);
	policy_reset(ps);
	for (uint t = 0; t < T; t++) {
		ctr.step = t;
		task_obs(s, obs);
		policy_forward(w, ps, obs, act);
		task_step(s, act, &rew, &done, &ctr);
		for (int k = 0; k < PROBE_OBS; k++)
			wwp_store(obs_out + ((size_t)t * PROBE_OBS + k) * VL, obs[k]);
		for (int k = 0; k < PROBE_ACT; k++)
			wwp_store(act_out + ((size_t)t * PROBE_ACT + k) * VL, act[k]);
		wwp_store(rew_out + (size_t)t * VL, rew);
	}
}

/* task_obs on given states: work-item g observes states g VL .. g VL +
 * VL - 1 in its lanes. */
__kernel void ww_obs_probe(__global const float *states, /* (n, TASK_STATE_DIM) */
			   __global float *obs_out)      /* (n, PROBE_OBS) */
{
	const size_t g = get_global_id(0);
	float lane[TASK_STATE_DIM * VL], o[VL];
	VF s[TASK_STATE_DIM], obs[PROBE_OBS];

	for (int l = 0; l < VL; l++)
		for (int k = 0; k < TASK_STATE_DIM; k++)
			lane[k * VL + l] = states[(g * VL + l) * TASK_STATE_DIM + k];
	for (int k = 0; k < TASK_STATE_DIM; k++)
		s[k] = EJ_VLOAD(lane + k * VL);
	task_obs(s, obs);
	for (int k = 0; k < PROBE_OBS; k++) {
		EJ_VSTORE(obs[k], o);
		for (int l = 0; l < VL; l++)
			obs_out[(g * VL + l) * PROBE_OBS + k] = o[l];
	}
}
