/* flocking_probe.cl - test kernel (tests/test_flocking.c): the flocking
 * task's device code (tasks/flocking.cl) on given states, VL worlds per
 * work-item, so tests can compare task_obs and task_step with the host
 * reference on hand-made states (the rollout only starts from resets).
 * Compose after opencl/philox.h, core/lanes.cl and tasks/flocking.cl with
 * VL and the TASK_* sizes defined. */
__kernel void flocking_probe(__global const float *state, /* (n, STATE) */
			     __global const float *act,   /* (n, AGENTS, ACT) */
			     uint step,
			     __global float *obs,         /* (n, AGENTS, OBS) */
			     __global float *reward,      /* (n, AGENTS) */
			     __global float *state1,      /* (n, STATE) */
			     __global float *done)        /* (n) */
{
	const size_t w0 = get_global_id(0) * VL;
	float lane[VL];
	VF s[TASK_STATE_DIM], o[TASK_N_AGENTS * TASK_OBS_DIM];
	VF a[TASK_N_AGENTS * TASK_ACT_DIM], r[TASK_N_AGENTS], d;
	ph_step_ctr ctr = { 1u, 1u, 0u, 0u, 0u, step };

	for (int k = 0; k < TASK_STATE_DIM; k++) {
		for (int l = 0; l < VL; l++)
			lane[l] = state[(w0 + l) * TASK_STATE_DIM + k];
		s[k] = EJ_VLOAD(lane);
	}
	for (int k = 0; k < TASK_N_AGENTS * TASK_ACT_DIM; k++) {
		for (int l = 0; l < VL; l++)
			lane[l] = act[(w0 + l) * TASK_N_AGENTS * TASK_ACT_DIM + k];
		a[k] = EJ_VLOAD(lane);
	}
	task_obs(s, o);
	task_step(s, a, r, &d, &ctr);
	for (int k = 0; k < TASK_N_AGENTS * TASK_OBS_DIM; k++) {
		EJ_VSTORE(o[k], lane);
		for (int l = 0; l < VL; l++)
			obs[(w0 + l) * TASK_N_AGENTS * TASK_OBS_DIM + k] = lane[l];
	}
	for (int k = 0; k < TASK_N_AGENTS; k++) {
		EJ_VSTORE(r[k], lane);
		for (int l = 0; l < VL; l++)
			reward[(w0 + l) * TASK_N_AGENTS + k] = lane[l];
	}
	for (int k = 0; k < TASK_STATE_DIM; k++) {
		EJ_VSTORE(s[k], lane);
		for (int l = 0; l < VL; l++)
			state1[(w0 + l) * TASK_STATE_DIM + k] = lane[l];
	}
	EJ_VSTORE(d, lane);
	for (int l = 0; l < VL; l++)
		done[w0 + l] = lane[l];
}
