/* direct.cl - evaluation kernel for direct tasks (fitness is a function of
 * the parameter vector itself, e.g. the benchmark functions and the planar
 * arm).  Composed by core/direct.c as: #defines, opencl/philox.h, the
 * task's .cl (which defines task_direct and TASK_N_BD), this file.  One
 * work-item per member. */
__kernel void direct_eval(__global const float *params, /* (n, P) */
			  uint P,
			  __global float *fitness,      /* (n) */
			  __global float *bd)           /* (n, TASK_N_BD) */
{
	const size_t m = get_global_id(0);
	float b[TASK_N_BD > 0 ? TASK_N_BD : 1];

	fitness[m] = task_direct(params + m * P, P, b);
	for (int k = 0; k < TASK_N_BD; k++)
		bd[m * TASK_N_BD + k] = b[k];
}
