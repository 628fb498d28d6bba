/* direct.cl - evaluation kernel for direct tasks (fitness is a function of
 * the parameter vector itself, e.g. the benchmark functions and the planar
 * arm).  Composed by core/direct.c as: #defines, opencl/philox.h, the
 * task's .cl (which defines task_direct and TASK_N_BD), this file.  One
 * work-item per member.  A task with data (task_ops.direct_data: a problem
 * instance uploaded once) is built with TASK_DIRECT_DATA: the kernel then
 * takes the data buffer and hands it to task_direct. */
#ifdef TASK_DIRECT_DATA
#define DIRECT_DATA_PARAM , __global const float *data /* (n_data) */
#define DIRECT_DATA_ARG , data
#else
#define DIRECT_DATA_PARAM
#define DIRECT_DATA_ARG
#endif

__kernel void direct_eval(__global const float *params, /* (n, P) */
			  uint P,
			  __global float *fitness,      /* (n) */
			  __global float *bd            /* (n, TASK_N_BD) */
			  DIRECT_DATA_PARAM)
{
	const size_t m = get_global_id(0);
	float b[TASK_N_BD > 0 ? TASK_N_BD : 1];

	fitness[m] = task_direct(params + m * P, P, b DIRECT_DATA_ARG);
	for (int k = 0; k < TASK_N_BD; k++)
		bd[m * TASK_N_BD + k] = b[k];
}
