/* test_philox.c - Philox4x32-10 known answers, the float transforms, and
 * host vs device agreement (opencl/philox.h built as OpenCL C). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "opencl/clrt.h"
#include "opencl/clsrc.h"
#include "opencl/philox.h"

static void assert_out(ph_out o, uint32_t a, uint32_t b, uint32_t c,
		       uint32_t d)
{
	assert_int_equal(o.v[0], a);
	assert_int_equal(o.v[1], b);
	assert_int_equal(o.v[2], c);
	assert_int_equal(o.v[3], d);
}

/* Random123 examples/kat_vectors, "philox4x32 10" lines: counter (4 words),
 * key (2 words) -> output (4 words). */
static void test_kat(void **state)
{
	(void)state;
	assert_out(ph_philox4x32_10(0, 0, 0, 0, 0, 0), 0x6627e8d5, 0xe169c58d,
		   0xbc57ac4c, 0x9b00dbd8);
	assert_out(ph_philox4x32_10(0xffffffff, 0xffffffff, 0xffffffff,
				    0xffffffff, 0xffffffff, 0xffffffff),
		   0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
	assert_out(ph_philox4x32_10(0x243f6a88, 0x85a308d3, 0x13198a2e,
				    0x03707344, 0xa4093822, 0x299f31d0),
		   0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
	/* Two of the generated lines with a one-word key, to pin the key
	 * order: counter 1,0,0,0 key 1,0 and pi counter with key 0,1. */
	assert_out(ph_philox4x32_10(1, 0, 0, 0, 1, 0), 0xac08141b, 0xdfc5ccbe,
		   0x79c07a47, 0xa7f66093);
	assert_out(ph_philox4x32_10(0x243f6a88, 0x85a308d3, 0x13198a2e,
				    0x03707344, 0, 1),
		   0x126514c3, 0xd1898b69, 0xda2707b3, 0x6e6fb436);
}

/* counter = {iteration, member, repeat, index}, key = {seed, purpose}. */
static void test_draw_mapping(void **state)
{
	(void)state;
	assert_out(ph_draw(0xa4093822, 0x299f31d0, 0x243f6a88, 0x85a308d3,
			   0x13198a2e, 0x03707344),
		   0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
	assert_out(ph_draw(0, 1, 0x243f6a88, 0x85a308d3, 0x13198a2e,
			   0x03707344),
		   0x126514c3, 0xd1898b69, 0xda2707b3, 0x6e6fb436);
	assert_out(ph_draw(1, 0, 1, 0, 0, 0), 0xac08141b, 0xdfc5ccbe,
		   0x79c07a47, 0xa7f66093);
}

static void test_uniform_values(void **state)
{
	uint32_t x;

	(void)state;
	assert_true(ph_uniform(0) == 0.0f);
	assert_true(ph_uniform(0xff) == 0.0f); /* low 8 bits dropped */
	assert_true(ph_uniform(0x100) == 0x1.0p-24f);
	assert_true(ph_uniform(0x80000000u) == 0.5f);
	assert_true(ph_uniform(0xffffffffu) == 1.0f - 0x1.0p-24f);
	assert_true(ph_uniform(0xffffffffu) < 1.0f);
	/* Exact: u * 2^24 gives back the top 24 bits for every sample. */
	for (x = 0; x < 0xffffff00u; x += 0x00fedcbau) {
		float u = ph_uniform(x);

		assert_true(u >= 0.0f && u < 1.0f);
		assert_true((double)u * 16777216.0 == (double)(x >> 8));
	}
}

static void assert_close(float got, double want, double tol)
{
	if (fabs((double)got - want) > tol)
		fail_msg("got %.9g, want %.9g (tol %g)", (double)got, want, tol);
}

static void test_normal_values(void **state)
{
	double r = sqrt(2.0 * log(2.0)); /* u1 = 0.5 */
	float z0, z1;

	(void)state;
	/* a = 0xffffffff: u1 = 1 exactly, r = 0. */
	ph_normal2(0xffffffffu, 0x12345678u, &z0, &z1);
	assert_true(z0 == 0.0f && z1 == 0.0f);
	/* a = 0x7fffff00: ((a >> 8) + 1) * 2^-24 = 0.5; b = 0: angle 0. */
	ph_normal2(0x7fffff00u, 0, &z0, &z1);
	assert_close(z0, r, 1e-6);
	assert_close(z1, 0.0, 1e-6);
	/* b = 0x40000000: u2 = 0.25, angle pi/2. */
	ph_normal2(0x7fffff00u, 0x40000000u, &z0, &z1);
	assert_close(z0, 0.0, 1e-6);
	assert_close(z1, r, 1e-6);
	/* b = 0xa0000000: u2 = 0.625, angle 5pi/4. */
	ph_normal2(0x7fffff00u, 0xa0000000u, &z0, &z1);
	assert_close(z0, -r * sqrt(0.5), 1e-6);
	assert_close(z1, -r * sqrt(0.5), 1e-6);
	/* a = 0: u1 = 2^-24, the largest radius sqrt(48 log 2), finite. */
	ph_normal2(0, 0, &z0, &z1);
	assert_close(z0, sqrt(48.0 * log(2.0)), 1e-5);
}

/* 1e5 normals from consecutive indices: mean 0 and variance 1 within ~5
 * standard errors (se(mean) = 0.0032, se(var) = 0.0045); the draws are
 * deterministic, so this cannot flake. */
static void test_normal_moments(void **state)
{
	double s = 0, s2 = 0, s01 = 0, su = 0;
	const int n = 50000;
	int i;

	(void)state;
	for (i = 0; i < n; i++) {
		ph_out o = ph_draw(42, PH_PURPOSE_NOISE, 3, 7, 0, (ph_u32)i);
		float z0, z1;

		ph_normal2(o.v[0], o.v[1], &z0, &z1);
		s += z0 + z1;
		s2 += (double)z0 * z0 + (double)z1 * z1;
		s01 += (double)z0 * z1;
		su += ph_uniform(o.v[2]) + ph_uniform(o.v[3]);
	}
	assert_close((float)(s / (2 * n)), 0.0, 0.016);
	assert_close((float)(s2 / (2 * n)), 1.0, 0.025);
	assert_close((float)(s01 / n), 0.0, 0.025);
	assert_close((float)(su / (2 * n)), 0.5, 0.005);
}

static int out_overlap(ph_out a, ph_out b)
{
	int i, j, same = 0;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
			same += a.v[i] == b.v[j];
	return same;
}

/* Changing any one field (or swapping two) changes every output word. */
static void test_streams_distinct(void **state)
{
	const ph_u32 f[6] = { 1234, PH_PURPOSE_NOISE, 5, 6, 7, 8 };
	ph_out base = ph_draw(f[0], f[1], f[2], f[3], f[4], f[5]);
	int i, j;

	(void)state;
	for (i = 0; i < 6; i++) {
		ph_u32 g[6];
		ph_out o;

		memcpy(g, f, sizeof(g));
		g[i] += 1;
		o = ph_draw(g[0], g[1], g[2], g[3], g[4], g[5]);
		assert_int_equal(out_overlap(base, o), 0);
		for (j = i + 1; j < 6; j++) {
			memcpy(g, f, sizeof(g));
			g[i] = f[j];
			g[j] = f[i];
			o = ph_draw(g[0], g[1], g[2], g[3], g[4], g[5]);
			assert_int_equal(out_overlap(base, o), 0);
		}
	}
	/* Purposes are distinct streams for the same counter. */
	assert_int_equal(out_overlap(ph_draw(1, PH_PURPOSE_RESET, 0, 0, 0, 0),
				     ph_draw(1, PH_PURPOSE_TEST_RESET, 0, 0,
					     0, 0)),
			 0);
}

/* ---- host vs device --------------------------------------------------- */

struct dev_fixture {
	clrt *rt;
	char *src[2];
};

static int dev_setup(void **state)
{
	struct dev_fixture *f = calloc(1, sizeof(*f));
	ej_err err = { 0 };

	if (!f)
		return -1;
	f->rt = clrt_create("auto", &err);
	f->src[0] = clsrc_load("opencl/philox.h", &err);
	f->src[1] = clsrc_load("tests/philox_test.cl", &err);
	if (!f->rt || !f->src[0] || !f->src[1]) {
		print_error("setup: %s\n", err.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int dev_teardown(void **state)
{
	struct dev_fixture *f = *state;

	if (!f)
		return 0;
	clrt_free(f->rt);
	free(f->src[0]);
	free(f->src[1]);
	free(f);
	return 0;
}

/* Device log/sqrt/cos/sin may differ from the host libm by a few ulps
 * (OpenCL 1.2 allows up to 4 ulp for cos/sin, 3 for log): normals must
 * agree within 1e-5 absolute + 1e-5 relative.  Words and uniforms are
 * integer work and one exact multiply: they must be bit-identical. */
static void assert_normal_match(float dev, float host, size_t i)
{
	double tol = 1e-5 + 1e-5 * fabs((double)host);

	if (!(fabs((double)dev - (double)host) <= tol))
		fail_msg("normal %zu: device %.9g, host %.9g", i, (double)dev,
			 (double)host);
}

static cl_program dev_program(struct dev_fixture *f, const char *opts)
{
	const char *srcs[2] = { f->src[0], f->src[1] };
	ej_err err = { 0 };
	cl_program p;

	p = clrt_program(f->rt, "philox_test", srcs, 2, opts, &err);
	if (!p)
		fail_msg("%s", err.msg);
	return p;
}

static void check_draw(struct dev_fixture *f, cl_program prog,
		       const ph_u32 fld[5])
{
	enum { N = 1000, LOCAL = 64, GLOBAL = 1024 };
	uint32_t words[4 * N];
	float unif[4 * N], norm[4 * N];
	cl_mem bw, bu, bn;
	ej_err err = { 0 };
	cl_kernel k;
	ph_u32 g;
	int rc;

	k = clrt_kernel(f->rt, prog, "ph_test_draw", &err);
	assert_non_null(k);
	bw = clrt_alloc(f->rt, NULL, sizeof(words), CL_MEM_WRITE_ONLY, &err);
	bu = clrt_alloc(f->rt, NULL, sizeof(unif), CL_MEM_WRITE_ONLY, &err);
	bn = clrt_alloc(f->rt, NULL, sizeof(norm), CL_MEM_WRITE_ONLY, &err);
	assert_true(bw && bu && bn);
	rc = clrt_args(k, &err, "mmmuuuuuu", bw, bu, bn, fld[0], fld[1],
		       fld[2], fld[3], fld[4], (unsigned)N);
	if (!rc)
		rc = clrt_launch(f->rt, k, GLOBAL, LOCAL, &err);
	if (!rc)
		rc = clrt_read(f->rt, bw, 0, sizeof(words), words, &err);
	if (!rc)
		rc = clrt_read(f->rt, bu, 0, sizeof(unif), unif, &err);
	if (!rc)
		rc = clrt_read(f->rt, bn, 0, sizeof(norm), norm, &err);
	if (rc)
		fail_msg("%s", err.msg);
	for (g = 0; g < N; g++) {
		ph_out o = ph_draw(fld[0], fld[1], fld[2], g, fld[3], fld[4]);
		float z[4];
		int j;

		ph_normal2(o.v[0], o.v[1], &z[0], &z[1]);
		ph_normal2(o.v[2], o.v[3], &z[2], &z[3]);
		for (j = 0; j < 4; j++) {
			assert_int_equal(words[4 * g + j], o.v[j]);
			assert_true(unif[4 * g + j] == ph_uniform(o.v[j]));
			assert_normal_match(norm[4 * g + j], z[j], 4 * g + j);
		}
	}
	clReleaseMemObject(bw);
	clReleaseMemObject(bu);
	clReleaseMemObject(bn);
	clReleaseKernel(k);
}

static void check_map(struct dev_fixture *f, cl_program prog)
{
	static const uint32_t in[] = {
		0,	    0,		0xffffffffu, 0x12345678u,
		0x7fffff00u, 0x40000000u, 0x000000ffu, 0xffffff00u,
		0x00000100u, 0x80000000u, 0xfffffeffu, 0x00000001u,
		0xdeadbeefu, 0xcafef00du, 0x01234567u, 0x89abcdefu,
	};
	enum { N = sizeof(in) / sizeof(in[0]) };
	float unif[N], norm[N];
	ej_err err = { 0 };
	cl_mem bi, bu, bn;
	cl_kernel k;
	size_t i;
	int rc;

	k = clrt_kernel(f->rt, prog, "ph_test_map", &err);
	assert_non_null(k);
	bi = clrt_alloc(f->rt, NULL, sizeof(in), CL_MEM_READ_ONLY, &err);
	bu = clrt_alloc(f->rt, NULL, sizeof(unif), CL_MEM_WRITE_ONLY, &err);
	bn = clrt_alloc(f->rt, NULL, sizeof(norm), CL_MEM_WRITE_ONLY, &err);
	assert_true(bi && bu && bn);
	rc = clrt_write(f->rt, bi, 0, sizeof(in), in, &err);
	if (!rc)
		rc = clrt_args(k, &err, "mmmu", bi, bu, bn, (unsigned)N);
	if (!rc)
		rc = clrt_launch(f->rt, k, N, 0, &err);
	if (!rc)
		rc = clrt_read(f->rt, bu, 0, sizeof(unif), unif, &err);
	if (!rc)
		rc = clrt_read(f->rt, bn, 0, sizeof(norm), norm, &err);
	if (rc)
		fail_msg("%s", err.msg);
	for (i = 0; i < N; i += 2) {
		float z0, z1;

		ph_normal2(in[i], in[i + 1], &z0, &z1);
		assert_true(unif[i] == ph_uniform(in[i]));
		assert_true(unif[i + 1] == ph_uniform(in[i + 1]));
		assert_normal_match(norm[i], z0, i);
		assert_normal_match(norm[i + 1], z1, i + 1);
	}
	clReleaseMemObject(bi);
	clReleaseMemObject(bu);
	clReleaseMemObject(bn);
	clReleaseKernel(k);
}

/* Both with the default optimiser and with -cl-opt-disable, where the
 * `static inline` helpers must still link as real functions. */
static void test_host_vs_device(void **state)
{
	static const ph_u32 fields[2][5] = {
		/* seed, purpose, iteration, repeat, index */
		{ 12345, PH_PURPOSE_NOISE, 7, 3, 11 },
		{ 0xffffffffu, PH_PURPOSE_INIT, 0xfffffffeu, 0, 0xffffffffu },
	};
	static const char *const opts[2] = { "", "-cl-opt-disable" };
	struct dev_fixture *f = *state;
	int o;

	for (o = 0; o < 2; o++) {
		cl_program prog = dev_program(f, opts[o]);

		check_draw(f, prog, fields[0]);
		check_draw(f, prog, fields[1]);
		check_map(f, prog);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kat),
		cmocka_unit_test(test_draw_mapping),
		cmocka_unit_test(test_uniform_values),
		cmocka_unit_test(test_normal_values),
		cmocka_unit_test(test_normal_moments),
		cmocka_unit_test(test_streams_distinct),
		cmocka_unit_test_setup_teardown(test_host_vs_device, dev_setup,
						dev_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
