/* clrt_prog.c - OpenCL programs: build with the log in the message, an
 * in-memory cache keyed by sources + options + device + driver, kernels.
 * See clrt.h. */
#include "opencl/clrt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opencl/clrt_int.h"

#define CLRT_LOG_MAX 1500 /* build log bytes kept in a message */

/* 64-bit FNV-1a, continued from h. */
static uint64_t clrt_fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* ---- programs --------------------------------------------------------- */

/* The cache key: every source followed by a NUL, then the options. */
static char *clrt_prog_key(const char *const *srcs, size_t n_srcs,
			   const char *options, size_t *len)
{
	size_t i, n = strlen(options) + 1, off = 0;
	char *key;

	for (i = 0; i < n_srcs; i++)
		n += strlen(srcs[i]) + 1;
	key = malloc(n);
	if (!key)
		return NULL;
	for (i = 0; i < n_srcs; i++) {
		size_t k = strlen(srcs[i]) + 1;

		memcpy(key + off, srcs[i], k);
		off += k;
	}
	memcpy(key + off, options, strlen(options) + 1);
	*len = n;
	return key;
}

static uint64_t clrt_prog_hash(const clrt *rt, const char *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = clrt_fnv1a(h, key, len);
	h = clrt_fnv1a(h, rt->name, strlen(rt->name) + 1);
	return clrt_fnv1a(h, rt->driver, strlen(rt->driver) + 1);
}

static cl_program clrt_cache_find(const clrt *rt, uint64_t h,
				  const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < rt->n_progs; i++) {
		const struct clrt_prog *p = &rt->progs[i];

		if (p->hash == h && p->key_len == len &&
		    memcmp(p->key, key, len) == 0)
			return p->prog;
	}
	return NULL;
}

/* Take ownership of key and prog. */
static int clrt_cache_add(clrt *rt, uint64_t h, char *key, size_t len,
			  cl_program prog, ej_err *err)
{
	if (rt->n_progs == rt->cap_progs) {
		size_t cap = rt->cap_progs ? 2 * rt->cap_progs : 8;
		struct clrt_prog *v = realloc(rt->progs, cap * sizeof(*v));

		if (!v) {
			free(key);
			clReleaseProgram(prog);
			return ej_fail(err, EJ_EXIT_RUN, "out of memory");
		}
		rt->progs = v;
		rt->cap_progs = cap;
	}
	rt->progs[rt->n_progs].hash = h;
	rt->progs[rt->n_progs].key = key;
	rt->progs[rt->n_progs].key_len = len;
	rt->progs[rt->n_progs].prog = prog;
	rt->n_progs++;
	return 0;
}

/* The build log of prog, trimmed to at most CLRT_LOG_MAX bytes in log;
 * returns its full length (0 if there is none). */
static size_t clrt_build_log(clrt *rt, cl_program prog, char *log,
			     size_t cap)
{
	size_t n = 0;
	char *full;

	log[0] = '\0';
	if (clGetProgramBuildInfo(prog, rt->device, CL_PROGRAM_BUILD_LOG, 0,
				  NULL, &n) != CL_SUCCESS ||
	    n == 0 || !(full = malloc(n + 1)))
		return 0;
	if (clGetProgramBuildInfo(prog, rt->device, CL_PROGRAM_BUILD_LOG, n,
				  full, NULL) != CL_SUCCESS) {
		free(full);
		return 0;
	}
	full[n] = '\0';
	n = strlen(full);
	clrt_copy_trimmed(log, cap, full, n);
	free(full);
	return n;
}

/* Fill err with the build failure and the (trimmed) build log. */
static int clrt_build_failed(clrt *rt, cl_program prog, const char *name,
			     cl_int code, ej_err *err)
{
	char log[CLRT_LOG_MAX + 1];
	size_t n;

	if (code != CL_BUILD_PROGRAM_FAILURE)
		return ej_fail(err, EJ_EXIT_DEVICE,
			       "building OpenCL program '%s' failed: %s", name,
			       clrt_errstr(code));
	n = clrt_build_log(rt, prog, log, sizeof(log));
	return ej_fail(err, EJ_EXIT_DEVICE,
		       "building OpenCL program '%s' failed: %s\n%s%s", name,
		       clrt_errstr(code), log[0] ? log : "(no build log)",
		       n > CLRT_LOG_MAX ? "\n[build log truncated]" : "");
}

static cl_program clrt_build(clrt *rt, const char *name,
			     const char *const *srcs, size_t n_srcs,
			     const char *options, ej_err *err)
{
	static const char std[] = "-cl-std=CL1.2 ";
	cl_program prog;
	char *opts;
	cl_int rc;

	prog = clCreateProgramWithSource(rt->ctx, (cl_uint)n_srcs,
					 (const char **)srcs, NULL, &rc);
	if (rc != CL_SUCCESS) {
		CLRT_FAILED(err, rc, "clCreateProgramWithSource");
		ej_prefix(err, "building OpenCL program '%s': ", name);
		return NULL;
	}
	opts = malloc(sizeof(std) + strlen(options));
	if (!opts) {
		clReleaseProgram(prog);
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	memcpy(opts, std, sizeof(std) - 1);
	memcpy(opts + sizeof(std) - 1, options, strlen(options) + 1);
	rc = clBuildProgram(prog, 1, &rt->device, opts, NULL, NULL);
	free(opts);
	if (rc != CL_SUCCESS) {
		clrt_build_failed(rt, prog, name, rc, err);
		clReleaseProgram(prog);
		return NULL;
	}
	return prog;
}

cl_program clrt_program(clrt *rt, const char *name, const char *const *srcs,
			size_t n_srcs, const char *options, ej_err *err)
{
	cl_program prog;
	uint64_t h;
	size_t len, i;
	char *key;

	if (!options)
		options = "";
	if (n_srcs == 0) {
		ej_fail(err, EJ_EXIT_RUN,
			"no sources for OpenCL program '%s'", name);
		return NULL;
	}
	for (i = 0; i < n_srcs; i++) {
		if (!srcs[i]) {
			ej_fail(err, EJ_EXIT_RUN,
				"source %zu of OpenCL program '%s' is NULL",
				i, name);
			return NULL;
		}
	}
	key = clrt_prog_key(srcs, n_srcs, options, &len);
	if (!key) {
		ej_fail(err, EJ_EXIT_RUN, "out of memory");
		return NULL;
	}
	h = clrt_prog_hash(rt, key, len);
	prog = clrt_cache_find(rt, h, key, len);
	if (prog) {
		free(key);
		return prog;
	}
	prog = clrt_build(rt, name, srcs, n_srcs, options, err);
	if (!prog) {
		free(key);
		return NULL;
	}
	if (clrt_cache_add(rt, h, key, len, prog, err))
		return NULL;
	return prog;
}

cl_kernel clrt_kernel(clrt *rt, cl_program prog, const char *kname,
		      ej_err *err)
{
	cl_kernel k;
	cl_int rc;

	(void)rt;
	k = clCreateKernel(prog, kname, &rc);
	if (rc != CL_SUCCESS) {
		CLRT_FAILED(err, rc, "clCreateKernel");
		ej_prefix(err, "creating kernel '%s': ", kname);
		return NULL;
	}
	return k;
}
