/* policy_probe.cl - test kernels that run a policy's device code on given
 * observations (VL == 1), so tests can compare it with its host
 * reference.  Compose after lanes.cl and the policy.
 *   policy_probe        one step per work-item from a freshly reset state
 *   policy_probe_steps  'steps' steps per work-item from a freshly reset
 *                       state, the recurrent state carried between them */
__kernel void policy_probe(__global const float *params, /* (POLICY_PARAMS) */
			   __global const float *obs,    /* (n, PROBE_OBS) */
			   __global float *act)          /* (n, PROBE_ACT) */
{
	const size_t g = get_global_id(0);
	VF o[PROBE_OBS], a[PROBE_ACT];
	VF ps[POLICY_STATE_DIM > 0 ? POLICY_STATE_DIM : 1];

	for (int k = 0; k < PROBE_OBS; k++)
		o[k] = obs[g * PROBE_OBS + k];
	policy_reset(ps);
	policy_forward(params, ps, o, a);
	for (int k = 0; k < PROBE_ACT; k++)
		act[g * PROBE_ACT + k] = a[k];
}

__kernel void policy_probe_steps(__global const float *params, /* (POLICY_PARAMS) */
				 __global const float *obs, /* (n, steps, PROBE_OBS) */
				 __global float *act,       /* (n, steps, PROBE_ACT) */
				 uint steps)
{
	const size_t g = get_global_id(0);
	VF ps[POLICY_STATE_DIM > 0 ? POLICY_STATE_DIM : 1];

	policy_reset(ps);
	for (uint t = 0; t < steps; t++) {
		const size_t row = g * steps + t;
		VF o[PROBE_OBS], a[PROBE_ACT];

		for (int k = 0; k < PROBE_OBS; k++)
			o[k] = obs[row * PROBE_OBS + k];
		policy_forward(params, ps, o, a);
		for (int k = 0; k < PROBE_ACT; k++)
			act[row * PROBE_ACT + k] = a[k];
	}
}
