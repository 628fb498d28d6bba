/* test_clrt.c - the OpenCL runtime: error names and messages, device
 * selection, program build/cache, arguments, buffers and launches. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "opencl/clrt.h"

#define assert_contains(hay, needle)                                         \
	do {                                                                 \
		if (!strstr((hay), (needle)))                                \
			fail_msg("'%s' not found in:\n%s", (needle), (hay)); \
	} while (0)

#define assert_prefix(s, head)                                               \
	do {                                                                 \
		if (strncmp((s), (head), strlen(head)) != 0)                 \
			fail_msg("'%s' does not start with '%s'", (s), (head)); \
	} while (0)

/* ---- error names and messages ----------------------------------------- */

static void test_errstr(void **state)
{
	(void)state;
	assert_string_equal(clrt_errstr(CL_SUCCESS), "CL_SUCCESS");
	assert_string_equal(clrt_errstr(-1), "CL_DEVICE_NOT_FOUND");
	assert_string_equal(clrt_errstr(-4), "CL_MEM_OBJECT_ALLOCATION_FAILURE");
	assert_string_equal(clrt_errstr(-5), "CL_OUT_OF_RESOURCES");
	assert_string_equal(clrt_errstr(-11), "CL_BUILD_PROGRAM_FAILURE");
	assert_string_equal(clrt_errstr(-19), "CL_KERNEL_ARG_INFO_NOT_AVAILABLE");
	assert_string_equal(clrt_errstr(-30), "CL_INVALID_VALUE");
	assert_string_equal(clrt_errstr(-46), "CL_INVALID_KERNEL_NAME");
	assert_string_equal(clrt_errstr(-54), "CL_INVALID_WORK_GROUP_SIZE");
	assert_string_equal(clrt_errstr(-61), "CL_INVALID_BUFFER_SIZE");
	assert_string_equal(clrt_errstr(-68),
			    "CL_INVALID_DEVICE_PARTITION_COUNT");
	assert_string_equal(clrt_errstr(-1001), "CL_PLATFORM_NOT_FOUND_KHR");
	assert_string_equal(clrt_errstr(-20), "CL_UNKNOWN_ERROR");
	assert_string_equal(clrt_errstr(-9999), "CL_UNKNOWN_ERROR");
	assert_string_equal(clrt_errstr(1), "CL_UNKNOWN_ERROR");
}

/* Every code from -68 to 0 except the gap -20..-29 has its own name. */
static void test_errstr_complete(void **state)
{
	cl_int a, b;

	(void)state;
	for (a = -68; a <= 0; a++) {
		if (a <= -20 && a >= -29)
			continue;
		assert_string_not_equal(clrt_errstr(a), "CL_UNKNOWN_ERROR");
		for (b = a + 1; b <= 0; b++)
			assert_string_not_equal(clrt_errstr(a), clrt_errstr(b));
	}
}

static void test_fail_message(void **state)
{
	ej_err err = { 0 };

	(void)state;
	assert_int_equal(clrt_fail(&err, CL_OUT_OF_RESOURCES,
				   "clEnqueueNDRangeKernel(q, k, 1, NULL)",
				   "core/sim.c", 210),
			 -1);
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	assert_string_equal(err.msg, "clEnqueueNDRangeKernel failed: "
				     "CL_OUT_OF_RESOURCES (core/sim.c:210)");
	clrt_fail(&err, -4242, "clFinish", "x.c", 1);
	assert_string_equal(err.msg,
			    "clFinish failed: CL_UNKNOWN_ERROR(-4242) (x.c:1)");
	assert_int_equal(clrt_fail(NULL, -5, "clFinish", "x.c", 1), -1);
}

/* CLRT_TRY names the call, the CL error and this file and line. */
static int try_finish_null(ej_err *err, int *line)
{
	*line = __LINE__ + 1;
	CLRT_TRY(err, clFinish(NULL));
	return 0;
}

static void test_try_macro(void **state)
{
	ej_err err = { 0 };
	char want[256];
	int line = 0;

	(void)state;
	assert_int_equal(try_finish_null(&err, &line), -1);
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	snprintf(want, sizeof(want),
		 "clFinish failed: CL_INVALID_COMMAND_QUEUE (%s:%d)", __FILE__,
		 line);
	assert_string_equal(err.msg, want);
}

/* ---- device selection ------------------------------------------------- */

/* The first device of the first platform that has one, its name, and
 * what "auto" should pick (first GPU, else that first device), found with
 * plain CL calls independently of clrt. */
struct expect {
	char first_name[256];
	char auto_name[256];
	char plat0_name[256];
};

static void find_expected(struct expect *e)
{
	cl_platform_id plats[16];
	cl_uint np = 0, p;
	int have_gpu = 0, have_first = 0;

	memset(e, 0, sizeof(*e));
	assert_int_equal(clGetPlatformIDs(16, plats, &np), CL_SUCCESS);
	assert_true(np > 0);
	assert_int_equal(clGetPlatformInfo(plats[0], CL_PLATFORM_NAME,
					   sizeof(e->plat0_name), e->plat0_name,
					   NULL),
			 CL_SUCCESS);
	for (p = 0; p < np && p < 16; p++) {
		cl_device_id devs[16];
		cl_uint nd = 0, d;

		if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 16, devs,
				   &nd) != CL_SUCCESS)
			continue;
		for (d = 0; d < nd && d < 16; d++) {
			char name[256];
			cl_device_type t;

			clGetDeviceInfo(devs[d], CL_DEVICE_NAME, sizeof(name),
					name, NULL);
			clGetDeviceInfo(devs[d], CL_DEVICE_TYPE, sizeof(t), &t,
					NULL);
			if (!have_first) {
				memcpy(e->first_name, name, sizeof(name));
				have_first = 1;
			}
			if (!have_gpu && (t & CL_DEVICE_TYPE_GPU)) {
				memcpy(e->auto_name, name, sizeof(name));
				have_gpu = 1;
			}
		}
	}
	assert_true(have_first);
	if (!have_gpu)
		memcpy(e->auto_name, e->first_name, sizeof(e->first_name));
}

static void assert_opens(const char *spec, const char *want_name)
{
	ej_err err = { 0 };
	clrt *rt = clrt_create(spec, &err);

	if (!rt)
		fail_msg("spec '%s': %s", spec, err.msg);
	assert_string_equal(clrt_device_name(rt), want_name);
	assert_non_null(clrt_context(rt));
	assert_non_null(clrt_queue(rt));
	assert_non_null(clrt_device(rt));
	assert_true(clrt_compute_units(rt) >= 1);
	assert_true(clrt_device_type(rt) != 0);
	clrt_free(rt);
}

static void test_open_specs(void **state)
{
	struct expect e;
	char upper[256];
	size_t i;

	(void)state;
	find_expected(&e);
	assert_opens("0", e.first_name);
	assert_opens("0:0", e.first_name);
	assert_opens("auto", e.auto_name);
	assert_opens("", e.auto_name);
	assert_opens(NULL, e.auto_name);
	/* Case-insensitive substring of "<platform> <device>". */
	for (i = 0; e.plat0_name[i] && i + 1 < sizeof(upper); i++)
		upper[i] = (char)toupper((unsigned char)e.plat0_name[i]);
	upper[i] = '\0';
	assert_opens(upper, e.first_name);
}

static void assert_bad_spec(const char *spec, const char *what,
			    const struct expect *e)
{
	ej_err err = { 0 };
	char quoted[128];

	assert_null(clrt_create(spec, &err));
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	snprintf(quoted, sizeof(quoted), "'%s'", spec);
	assert_contains(err.msg, what);
	assert_contains(err.msg, quoted);
	/* The message lists what exists. */
	assert_contains(err.msg, "available devices");
	assert_contains(err.msg, "  0  0:0  ");
	assert_contains(err.msg, e->first_name);
}

static void test_bad_specs(void **state)
{
	struct expect e;

	(void)state;
	find_expected(&e);
	assert_bad_spec("99", "no OpenCL device with index '99'", &e);
	assert_bad_spec("no-such-device-xyz",
			"no OpenCL device matches 'no-such-device-xyz'", &e);
	assert_bad_spec("0:77", "no OpenCL device 'platform:device' = '0:77'",
			&e);
}

static void test_list(void **state)
{
	struct expect e;
	ej_err err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	find_expected(&e);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(clrt_list(f, &err), 0);
	fclose(f);
	assert_true(strncmp(text, "index P:D   type", 16) == 0);
	assert_contains(text, "\n0     0:0   ");
	assert_contains(text, e.first_name);
	assert_contains(text, e.plat0_name);
	free(text);
}

/* ---- programs, kernels, buffers --------------------------------------- */

static int rt_setup(void **state)
{
	ej_err err = { 0 };
	clrt *rt = clrt_create("auto", &err);

	if (!rt) {
		print_error("setup: %s\n", err.msg);
		return -1;
	}
	*state = rt;
	return 0;
}

static int rt_teardown(void **state)
{
	clrt_free(*state);
	return 0;
}

static const char bad_src[] =
	"kernel void broken(global int *a)\n"
	"{\n"
	"\ta[0] = undeclared_thing_xyz;\n"
	"}\n";

static void test_build_failure(void **state)
{
	const char *srcs[1] = { bad_src };
	ej_err err = { 0 };
	const char *nl;

	assert_null(clrt_program(*state, "broken_prog", srcs, 1, NULL, &err));
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	assert_true(strncmp(err.msg,
			    "building OpenCL program 'broken_prog' failed: "
			    "CL_BUILD_PROGRAM_FAILURE\n",
			    sizeof("building OpenCL program 'broken_prog' "
				   "failed: CL_BUILD_PROGRAM_FAILURE\n") -
				    1) == 0);
	/* The build log follows the first line and names the culprit. */
	nl = strchr(err.msg, '\n');
	assert_non_null(nl);
	assert_contains(nl + 1, "undeclared_thing_xyz");
	/* The failure was not cached: a second try fails the same way. */
	ej_err_clear(&err);
	assert_null(clrt_program(*state, "broken_prog", srcs, 1, NULL, &err));
	assert_contains(err.msg, "CL_BUILD_PROGRAM_FAILURE\n");
}

static void test_build_bad_sources(void **state)
{
	const char *srcs[2] = { "kernel void k(global int *a) { a[0] = 1; }\n",
				NULL };
	ej_err err = { 0 };

	assert_null(clrt_program(*state, "null_src", srcs, 2, "", &err));
	assert_string_equal(err.msg,
			    "source 1 of OpenCL program 'null_src' is NULL");
	assert_null(clrt_program(*state, "empty", srcs, 0, "", &err));
	assert_string_equal(err.msg, "no sources for OpenCL program 'empty'");
}

/* Build options are "-cl-std=CL1.2 <options>": an unknown option fails. */
static void test_build_bad_option(void **state)
{
	const char *srcs[1] = { "kernel void k(global int *a) { a[0] = 1; }\n" };
	ej_err err = { 0 };

	assert_null(clrt_program(*state, "opt_prog", srcs, 1,
				 "-no-such-option-xyz", &err));
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	assert_contains(err.msg, "building OpenCL program 'opt_prog' failed: ");
}

static const char add_src_a[] =
	"#ifndef SCALE\n#define SCALE 1\n#endif\n";
static const char add_src_b[] =
	"kernel void vadd(global const float *a, global const float *b,\n"
	"\t\t global float *c, float alpha, int offset, uint n,\n"
	"\t\t local float *tmp)\n"
	"{\n"
	"\tuint i = get_global_id(0), l = get_local_id(0);\n"
	"\tfloat v = 0.0f;\n"
	"\tif (i < n)\n"
	"\t\tv = a[i] + alpha * b[i] + (float)(offset * SCALE);\n"
	"\ttmp[l] = v;\n"
	"\tbarrier(CLK_LOCAL_MEM_FENCE);\n"
	"\tif (i < n) /* reversed within the work-group */\n"
	"\t\tc[i] = tmp[get_local_size(0) - 1 - l];\n"
	"}\n";

static void test_cache(void **state)
{
	const char *srcs[2] = { add_src_a, add_src_b };
	const char *srcs_joined[1];
	ej_err err = { 0 };
	cl_program p1, p2, p3, p4, p5;
	char *joined;

	p1 = clrt_program(*state, "vadd", srcs, 2, "", &err);
	if (!p1)
		fail_msg("%s", err.msg);
	p2 = clrt_program(*state, "vadd again", srcs, 2, NULL, &err);
	assert_ptr_equal(p1, p2); /* NULL options == "" */
	p3 = clrt_program(*state, "vadd", srcs, 2, "-DSCALE=2", &err);
	assert_non_null(p3);
	assert_ptr_not_equal(p1, p3);
	p4 = clrt_program(*state, "vadd", srcs, 2, "-DSCALE=2", &err);
	assert_ptr_equal(p3, p4);
	/* Same text split differently is a different key (no ambiguity). */
	joined = malloc(strlen(add_src_a) + strlen(add_src_b) + 1);
	assert_non_null(joined);
	strcpy(joined, add_src_a);
	strcat(joined, add_src_b);
	srcs_joined[0] = joined;
	p5 = clrt_program(*state, "vadd joined", srcs_joined, 1, "", &err);
	assert_non_null(p5);
	assert_ptr_not_equal(p1, p5);
	free(joined);
}

static void test_vadd(void **state)
{
	enum { N = 250, LOCAL = 64, GLOBAL = 256 };
	const char *srcs[2] = { add_src_a, add_src_b };
	float a[N], b[N], c[N + 6];
	clrt *rt = *state;
	ej_err err = { 0 };
	cl_mem ba, bb, bc;
	cl_program p;
	cl_kernel k;
	int i, rc;

	for (i = 0; i < N; i++) {
		a[i] = (float)i;
		b[i] = (float)(3 * i - 100);
	}
	for (i = 0; i < N + 6; i++)
		c[i] = -7.0f;
	p = clrt_program(rt, "vadd", srcs, 2, "-DSCALE=2", &err);
	assert_non_null(p);
	k = clrt_kernel(rt, p, "vadd", &err);
	assert_non_null(k);
	ba = clrt_alloc(rt, NULL, sizeof(a), CL_MEM_READ_ONLY, &err);
	bb = clrt_alloc(rt, NULL, sizeof(b), CL_MEM_READ_ONLY, &err);
	bc = clrt_alloc(rt, NULL, sizeof(c), CL_MEM_READ_WRITE, &err);
	assert_true(ba && bb && bc);
	rc = clrt_write(rt, ba, 0, sizeof(a), a, &err);
	if (!rc)
		rc = clrt_write(rt, bb, 0, sizeof(b), b, &err);
	if (!rc) /* the last 6 floats must stay untouched (i >= n guard) */
		rc = clrt_write(rt, bc, 0, sizeof(c), c, &err);
	if (!rc)
		rc = clrt_args(k, &err, "mmmfiul", ba, bb, bc, 0.5, -3,
			       (unsigned)N, LOCAL * sizeof(float));
	if (!rc)
		rc = clrt_launch(rt, k, GLOBAL, LOCAL, &err);
	if (!rc)
		rc = clrt_finish(rt, &err);
	if (!rc)
		rc = clrt_read(rt, bc, 0, sizeof(c), c, &err);
	if (rc)
		fail_msg("%s", err.msg);
	/* Exact: small integers and halves.  Item i holds the value of
	 * item j, its mirror in the work-group, or 0 past the end. */
	for (i = 0; i < N; i++) {
		int j = i / LOCAL * LOCAL + LOCAL - 1 - i % LOCAL;
		float want = j < N ? (float)j + 0.5f * (float)(3 * j - 100) -
					     6.0f
				   : 0.0f;

		if (c[i] != want)
			fail_msg("c[%d] = %g, want %g", i, (double)c[i],
				 (double)want);
	}
	for (i = N; i < N + 6; i++)
		assert_true(c[i] == -7.0f);
	/* Reading at an offset. */
	assert_int_equal(clrt_read(rt, bc, 10 * sizeof(float), sizeof(float),
				   c, &err),
			 0);
	assert_true(c[0] == 53.0f + 0.5f * 59.0f - 6.0f); /* mirror of 10 */

	/* global not a multiple of local */
	assert_int_equal(clrt_launch(rt, k, 100, 64, &err), -1);
	assert_string_equal(err.msg, "launching kernel 'vadd': global size 100 "
				     "is not a multiple of local size 64");
	/* global 0 is a no-op */
	assert_int_equal(clrt_launch(rt, k, 0, 64, &err), 0);
	clReleaseMemObject(ba);
	clReleaseMemObject(bb);
	clReleaseMemObject(bc);
	clReleaseKernel(k);
}

static void test_args_errors(void **state)
{
	const char *srcs[2] = { add_src_a, add_src_b };
	ej_err err = { 0 };
	cl_program p;
	cl_kernel k;

	p = clrt_program(*state, "vadd", srcs, 2, "", &err);
	assert_non_null(p);
	k = clrt_kernel(*state, p, "vadd", &err);
	assert_non_null(k);
	assert_int_equal(clrt_args(k, &err, "mmxf", NULL, NULL, 1, 2.0), -1);
	assert_string_equal(err.msg, "bad clrt_args format char 'x' at "
				     "position 2 in 'mmxf'");
	/* An int where the kernel has a pointer: the CL error names the
	 * argument and the kernel. */
	ej_err_clear(&err);
	assert_int_equal(clrt_args(k, &err, "i", 5), -1);
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	assert_contains(err.msg, "setting argument 0 ('i') of kernel 'vadd': "
				 "clSetKernelArg failed: CL_INVALID_");
	clReleaseKernel(k);

	ej_err_clear(&err);
	assert_null(clrt_kernel(*state, p, "no_such_kernel", &err));
	assert_contains(err.msg, "creating kernel 'no_such_kernel': "
				 "clCreateKernel failed: "
				 "CL_INVALID_KERNEL_NAME (");
}

static void test_alloc_errors(void **state)
{
	clrt *rt = *state;
	ej_err err = { 0 };
	char want[512];

	assert_null(clrt_alloc(rt, NULL, 0, CL_MEM_READ_WRITE, &err));
	snprintf(want, sizeof(want),
		 "zero-size buffer requested on device '%s'",
		 clrt_device_name(rt));
	assert_string_equal(err.msg, want);
	/* 2^50 bytes = 1 GiB * 2^20: beyond any device's max allocation. */
	ej_err_clear(&err);
	assert_null(clrt_alloc(rt, NULL, (size_t)1 << 50, CL_MEM_READ_WRITE, &err));
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	snprintf(want, sizeof(want),
		 "device out of memory: allocating a buffer of 1024.0 TiB on "
		 "device '%s' (",
		 clrt_device_name(rt));
	assert_prefix(err.msg, want);
	assert_contains(err.msg, " global memory, ");
	assert_contains(err.msg, " per buffer): CL_");
	assert_contains(err.msg, " (clCreateBuffer, opencl/clrt.c:");
	/* a named buffer says which */
	ej_err_clear(&err);
	assert_null(clrt_alloc(rt, "rollout returns", (size_t)1 << 50,
			       CL_MEM_READ_WRITE, &err));
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	assert_prefix(err.msg, "device out of memory: allocating the 'rollout "
			       "returns' buffer (1024.0 TiB) on device '");
	ej_err_clear(&err);
	assert_null(clrt_alloc(rt, "fitness", 0, CL_MEM_READ_WRITE, &err));
	assert_prefix(err.msg, "zero-size buffer 'fitness' requested on");
}

/* clrt_fail_on: the three codes of a device out of memory give exit 3
 * and "device out of memory: <what> on device ..." whatever the call
 * (PoCL never fails so at enqueue: tests/cli_device.sh fakes it end to
 * end); any other code keeps the call's own message after <what>. */
static void test_fail_on(void **state)
{
	static const cl_int oom[] = { CL_MEM_OBJECT_ALLOCATION_FAILURE,
				      CL_OUT_OF_RESOURCES,
				      CL_OUT_OF_HOST_MEMORY };
	const clrt *rt = *state;
	cl_ulong gmem = 0, amax = 0;
	char want[512];
	ej_err err = { 0 };

	assert_int_equal(clGetDeviceInfo(clrt_device(rt),
					 CL_DEVICE_GLOBAL_MEM_SIZE,
					 sizeof(gmem), &gmem, NULL), CL_SUCCESS);
	assert_int_equal(clGetDeviceInfo(clrt_device(rt),
					 CL_DEVICE_MAX_MEM_ALLOC_SIZE,
					 sizeof(amax), &amax, NULL), CL_SUCCESS);
	for (size_t i = 0; i < sizeof(oom) / sizeof(oom[0]); i++) {
		assert_true(clrt_is_oom(oom[i]));
		ej_err_clear(&err);
		assert_int_equal(clrt_fail_on(&err, rt, oom[i], "clFinish",
					      "finishing the queue (last "
					      "kernel 'k', global 8)",
					      "x.c", 7), -1);
		assert_int_equal(err.code, EJ_EXIT_DEVICE);
		/* the sizes of this device, in the unit that fits */
		snprintf(want, sizeof(want),
			 "device out of memory: finishing the queue (last "
			 "kernel 'k', global 8) on device '%s' (%.1f %s global "
			 "memory, %.1f %s per buffer): %s (clFinish, x.c:7)",
			 clrt_device_name(rt),
			 (double)gmem / (gmem >> 30 ? 1 << 30 : 1 << 20),
			 gmem >> 30 ? "GiB" : "MiB",
			 (double)amax / (amax >> 30 ? 1 << 30 : 1 << 20),
			 amax >> 30 ? "GiB" : "MiB", clrt_errstr(oom[i]));
		assert_string_equal(err.msg, want);
	}
	assert_false(clrt_is_oom(CL_SUCCESS));
	assert_false(clrt_is_oom(CL_INVALID_BUFFER_SIZE));
	assert_false(clrt_is_oom(CL_INVALID_KERNEL_ARGS));
	ej_err_clear(&err);
	assert_int_equal(clrt_fail_on(&err, rt, CL_INVALID_KERNEL_ARGS,
				      "clEnqueueNDRangeKernel",
				      "launching kernel 'k' (global 8, local 1)",
				      "x.c", 7), -1);
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	assert_string_equal(err.msg, "launching kernel 'k' (global 8, local "
				     "1): clEnqueueNDRangeKernel failed: "
				     "CL_INVALID_KERNEL_ARGS (x.c:7)");
	assert_int_equal(clrt_fail_on(NULL, rt, CL_OUT_OF_RESOURCES, "clFinish",
				      "x", "x.c", 7), -1);
}

/* Transfers, launches and clFinish report through clrt_fail_on: what
 * moved (sizes) and the kernel launched last; a launch names the kernel
 * and its sizes. */
static void test_enqueue_errors(void **state)
{
	const char *srcs[2] = { add_src_a, add_src_b };
	clrt *rt = *state;
	char big[4096] = { 0 };
	ej_err err = { 0 };
	cl_program p;
	cl_kernel k;
	cl_mem m;

	p = clrt_program(rt, "vadd", srcs, 2, "", &err);
	assert_non_null(p);
	k = clrt_kernel(rt, p, "vadd", &err);
	m = clrt_alloc(rt, NULL, 16, CL_MEM_READ_WRITE, &err);
	assert_true(k && m);
	/* 4 KiB into 16 bytes, before any launch */
	assert_int_equal(clrt_write(rt, m, 0, sizeof(big), big, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	assert_prefix(err.msg, "writing 4.0 KiB to a buffer of 16 bytes: "
			       "clEnqueueWriteBuffer failed: CL_INVALID_VALUE "
			       "(opencl/clrt.c:");
	/* a kernel without its arguments */
	ej_err_clear(&err);
	assert_int_equal(clrt_launch(rt, k, 64, 0, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	assert_prefix(err.msg, "launching kernel 'vadd' (global 64, local 0): "
			       "clEnqueueNDRangeKernel failed: "
			       "CL_INVALID_KERNEL_ARGS (opencl/clrt.c:");
	/* later failures name that kernel */
	ej_err_clear(&err);
	assert_int_equal(clrt_read(rt, m, 8, sizeof(big), big, &err), -1);
	assert_prefix(err.msg, "reading 4.0 KiB from a buffer of 16 bytes "
			       "(last kernel 'vadd', global 64): "
			       "clEnqueueReadBuffer failed: CL_INVALID_VALUE "
			       "(opencl/clrt.c:");
	assert_int_equal(clrt_finish(rt, &err), 0);
	clReleaseMemObject(m);
	clReleaseKernel(k);
}

/* clrt_reserve: grows, keeps a large enough buffer (and its contents),
 * and leaves NULL / 0 behind on failure. */
static void test_reserve(void **state)
{
	clrt *rt = *state;
	static const float x[4] = { 1, 2, 3, 4 };
	float y[4] = { 0 };
	cl_mem buf = NULL, first;
	size_t cap = 0, bytes = 0;
	ej_err err = { 0 };

	assert_int_equal(clrt_reserve(rt, NULL, &buf, &cap, 4, sizeof(float),
				      CL_MEM_READ_WRITE, &err), 0);
	assert_non_null(buf);
	assert_int_equal(cap, 4);
	assert_int_equal(clGetMemObjectInfo(buf, CL_MEM_SIZE, sizeof(bytes),
					    &bytes, NULL), CL_SUCCESS);
	assert_int_equal(bytes, sizeof(x));
	assert_int_equal(clrt_write(rt, buf, 0, sizeof(x), x, &err), 0);
	/* smaller or equal (and 0): the same buffer, contents kept */
	first = buf;
	assert_int_equal(clrt_reserve(rt, NULL, &buf, &cap, 3, sizeof(float),
				      CL_MEM_READ_WRITE, &err), 0);
	assert_int_equal(clrt_reserve(rt, NULL, &buf, &cap, 0, sizeof(float),
				      CL_MEM_READ_WRITE, &err), 0);
	assert_ptr_equal(buf, first);
	assert_int_equal(cap, 4);
	assert_int_equal(clrt_read(rt, buf, 0, sizeof(y), y, &err), 0);
	assert_memory_equal(x, y, sizeof(x));
	/* larger: exactly need * elem bytes */
	assert_int_equal(clrt_reserve(rt, NULL, &buf, &cap, 10, 3 * sizeof(float),
				      CL_MEM_READ_WRITE, &err), 0);
	assert_int_equal(cap, 10);
	assert_int_equal(clGetMemObjectInfo(buf, CL_MEM_SIZE, sizeof(bytes),
					    &bytes, NULL), CL_SUCCESS);
	assert_int_equal(bytes, 30 * sizeof(float));
	/* too large for the device: the old buffer is gone, NULL and 0 */
	assert_int_equal(clrt_reserve(rt, NULL, &buf, &cap, (size_t)1 << 30,
				      (size_t)1 << 20, CL_MEM_READ_WRITE,
				      &err), -1);
	assert_int_equal(err.code, EJ_EXIT_DEVICE);
	assert_contains(err.msg, "allocating a buffer of 1024.0 TiB");
	assert_null(buf);
	assert_int_equal(cap, 0);
	/* need * elem overflows size_t */
	ej_err_clear(&err);
	assert_int_equal(clrt_reserve(rt, NULL, &buf, &cap, SIZE_MAX / 2 + 1, 2,
				      CL_MEM_READ_WRITE, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_non_null(strstr(err.msg, "is too large"));
	assert_null(buf);
	/* nothing yet and need 0: clrt_alloc's zero-size error */
	ej_err_clear(&err);
	assert_int_equal(clrt_reserve(rt, NULL, &buf, &cap, 0, sizeof(float),
				      CL_MEM_READ_WRITE, &err), -1);
	assert_contains(err.msg, "zero-size buffer");
	assert_null(buf);
	assert_int_equal(cap, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errstr),
		cmocka_unit_test(test_errstr_complete),
		cmocka_unit_test(test_fail_message),
		cmocka_unit_test(test_try_macro),
		cmocka_unit_test(test_open_specs),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_list),
		cmocka_unit_test_setup_teardown(test_build_failure, rt_setup,
						rt_teardown),
		cmocka_unit_test_setup_teardown(test_build_bad_sources,
						rt_setup, rt_teardown),
		cmocka_unit_test_setup_teardown(test_build_bad_option,
						rt_setup, rt_teardown),
		cmocka_unit_test_setup_teardown(test_cache, rt_setup,
						rt_teardown),
		cmocka_unit_test_setup_teardown(test_vadd, rt_setup,
						rt_teardown),
		cmocka_unit_test_setup_teardown(test_args_errors, rt_setup,
						rt_teardown),
		cmocka_unit_test_setup_teardown(test_alloc_errors, rt_setup,
						rt_teardown),
		cmocka_unit_test_setup_teardown(test_reserve, rt_setup,
						rt_teardown),
		cmocka_unit_test_setup_teardown(test_fail_on, rt_setup,
						rt_teardown),
		cmocka_unit_test_setup_teardown(test_enqueue_errors, rt_setup,
						rt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
