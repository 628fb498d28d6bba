/* task_reset_probe.cl - test kernel: a task's task_reset on the device,
 * one work-item per repeat, so tests can compare it with the host
 * reference.  Compose after opencl/philox.h, core/lanes.cl and the task's
 * device code with VL and TASK_STATE_DIM defined. */
__kernel void task_reset_probe(__global float *out, /* (n, TASK_STATE_DIM) */
			       uint seed, uint purpose, uint iter,
			       uint member)
{
	const uint r = (uint)get_global_id(0);
	float one[TASK_STATE_DIM];

	task_reset(one, seed, purpose, iter, member, r);
	for (int k = 0; k < TASK_STATE_DIM; k++)
		out[(size_t)r * TASK_STATE_DIM + k] = one[k];
}
