/* policy_probe.cl - test kernel: one policy step per work-item on the
 * given observations (VL == 1) from a freshly reset state, so tests can
 * compare a policy's device code with its host reference.  Compose after
 * lanes.cl and the policy. */
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
