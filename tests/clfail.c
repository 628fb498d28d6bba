/* clfail.c - fault injection for CLI tests (LD_PRELOAD): one OpenCL
 * command fails the way a driver that allocates lazily (NVIDIA, AMD)
 * reports a device out of memory at enqueue time, which PoCL never does
 * (it asserts).  tests/cli_device.sh builds it:
 *   cc -shared -fPIC -o clfail.so tests/clfail.c -ldl
 * Environment:
 *   EJ_CLFAIL_CALL   the command: clEnqueueNDRangeKernel (default),
 *                    clEnqueueWriteBuffer, clEnqueueReadBuffer or clFinish
 *   EJ_CLFAIL_AFTER  N: the first N calls of it run, every later one
 *                    returns EJ_CLFAIL_CODE without doing anything (unset:
 *                    none fails)
 *   EJ_CLFAIL_CODE   the code returned (default -4,
 *                    CL_MEM_OBJECT_ALLOCATION_FAILURE)
 *   EJ_CLFAIL_COUNT  a file that gets the number of calls made, at exit
 * Not part of evojax: a test tool, built by the script that uses it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

static atomic_long clfail_calls;

/* Should this call of 'fn' fail?  Then its code, else CL_SUCCESS. */
static cl_int clfail_check(const char *fn)
{
	const char *call = getenv("EJ_CLFAIL_CALL");
	const char *after = getenv("EJ_CLFAIL_AFTER");
	const char *code = getenv("EJ_CLFAIL_CODE");
	long n;

	if (strcmp(fn, call ? call : "clEnqueueNDRangeKernel") != 0)
		return CL_SUCCESS;
	n = atomic_fetch_add(&clfail_calls, 1);
	if (!after || n < atol(after))
		return CL_SUCCESS;
	return code ? (cl_int)atoi(code) : CL_MEM_OBJECT_ALLOCATION_FAILURE;
}

static void *clfail_next(const char *fn)
{
	void *f = dlsym(RTLD_NEXT, fn);

	if (!f) {
		fprintf(stderr, "clfail: no %s to forward to\n", fn);
		abort();
	}
	return f;
}

__attribute__((destructor)) static void clfail_report(void)
{
	const char *path = getenv("EJ_CLFAIL_COUNT");
	FILE *f = path ? fopen(path, "w") : NULL;

	if (f) {
		fprintf(f, "%ld\n", atomic_load(&clfail_calls));
		fclose(f);
	}
}

cl_int clEnqueueNDRangeKernel(cl_command_queue q, cl_kernel k, cl_uint dim,
			      const size_t *off, const size_t *global,
			      const size_t *local, cl_uint nw,
			      const cl_event *wait, cl_event *ev)
{
	cl_int (*next)(cl_command_queue, cl_kernel, cl_uint, const size_t *,
		       const size_t *, const size_t *, cl_uint,
		       const cl_event *, cl_event *);
	cl_int rc = clfail_check(__func__);

	if (rc != CL_SUCCESS)
		return rc;
	*(void **)&next = clfail_next(__func__);
	return next(q, k, dim, off, global, local, nw, wait, ev);
}

cl_int clEnqueueWriteBuffer(cl_command_queue q, cl_mem m, cl_bool block,
			    size_t off, size_t n, const void *p, cl_uint nw,
			    const cl_event *wait, cl_event *ev)
{
	cl_int (*next)(cl_command_queue, cl_mem, cl_bool, size_t, size_t,
		       const void *, cl_uint, const cl_event *, cl_event *);
	cl_int rc = clfail_check(__func__);

	if (rc != CL_SUCCESS)
		return rc;
	*(void **)&next = clfail_next(__func__);
	return next(q, m, block, off, n, p, nw, wait, ev);
}

cl_int clEnqueueReadBuffer(cl_command_queue q, cl_mem m, cl_bool block,
			   size_t off, size_t n, void *p, cl_uint nw,
			   const cl_event *wait, cl_event *ev)
{
	cl_int (*next)(cl_command_queue, cl_mem, cl_bool, size_t, size_t,
		       void *, cl_uint, const cl_event *, cl_event *);
	cl_int rc = clfail_check(__func__);

	if (rc != CL_SUCCESS)
		return rc;
	*(void **)&next = clfail_next(__func__);
	return next(q, m, block, off, n, p, nw, wait, ev);
}

cl_int clFinish(cl_command_queue q)
{
	cl_int (*next)(cl_command_queue);
	cl_int rc = clfail_check(__func__);

	if (rc != CL_SUCCESS)
		return rc;
	*(void **)&next = clfail_next(__func__);
	return next(q);
}
