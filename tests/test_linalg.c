/* test_linalg.c - la_gemm (OpenBLAS) against a long double reference
 * within its rounding bound, the tile helpers, and la_eigh on matrices
 * with known eigenpairs, random matrices (residual and orthogonality to
 * 1e-10 relative), clustered spectra (deflation), the Wilkinson matrix,
 * edge sizes, scaling, errors and determinism.
 *
 * Random entries come from Philox (PH_PURPOSE_ALGO, seed 7) so every run
 * checks the same matrices.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <float.h>
#include <math.h>

#include <cblas.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/linalg.h"
#include "opencl/philox.h"

/* uniform in [-1, 1) from (i, j) */
static double rnd(uint32_t i, uint32_t j, uint32_t salt)
{
	ph_out o = ph_draw(7, PH_PURPOSE_ALGO, salt, i, j, 0);

	return 2.0 * ph_uniform(o.v[0]) - 1.0;
}

static double *alloc_d(size_t n)
{
	double *p = malloc((n ? n : 1) * sizeof(double));

	assert_non_null(p);
	return p;
}

/* ---- GEMM -------------------------------------------------------------- */

/* C element by element in long double, with the bound of its rounding
 * error in double: |alpha| sum_p |a_ip b_pj| + |beta c_ij|. */
static void gemm_ref(size_t m, size_t n, size_t k, double alpha,
		     const double *a, size_t ars, size_t acs, const double *b,
		     size_t brs, size_t bcs, double beta, double *c,
		     double *mag)
{
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < n; j++) {
			long double s = 0, g = 0;

			for (size_t p = 0; p < k; p++) {
				long double x = (long double)a[i * ars + p * acs] *
						b[p * brs + j * bcs];

				s += x;
				g += fabsl(x);
			}
			mag[i * n + j] = (double)(fabsl(alpha * g) +
						  (beta == 0 ? 0 :
						   fabs(beta * c[i * n + j])));
			c[i * n + j] = (double)(alpha * s +
						(beta == 0 ? 0 :
						 (long double)beta *
							 c[i * n + j]));
		}
}

/* la_gemm (OpenBLAS dgemm) against the reference to (k + 2) eps times the
 * magnitude, every transposition, beta 0 over NaN (never read). */
static void gemm_case(size_t m, size_t n, size_t k, int ta, int tb,
		      double alpha, double beta)
{
	double *a = alloc_d(m * k), *b = alloc_d(k * n), *mag = alloc_d(m * n);
	double *c = alloc_d(m * n), *r = alloc_d(m * n);
	size_t ars = ta ? 1 : k, acs = ta ? m : 1;
	size_t brs = tb ? 1 : n, bcs = tb ? k : 1;

	for (size_t i = 0; i < m * k; i++)
		a[i] = rnd((uint32_t)i, 1, (uint32_t)(m + 7 * k));
	for (size_t i = 0; i < k * n; i++)
		b[i] = rnd((uint32_t)i, 2, (uint32_t)(n + 7 * k));
	for (size_t i = 0; i < m * n; i++)
		c[i] = r[i] = beta == 0 ? NAN : rnd((uint32_t)i, 3, 1);
	la_gemm(m, n, k, alpha, a, ars, acs, b, brs, bcs, beta, c, n);
	gemm_ref(m, n, k, alpha, a, ars, acs, b, brs, bcs, beta, r, mag);
	for (size_t i = 0; i < m * n; i++)
		if (!(fabs(c[i] - r[i]) <= (double)(k + 2) * DBL_EPSILON *
						   mag[i]))
			fail_msg("gemm %zux%zux%zu ta %d tb %d alpha %g beta %g: "
				 "element %zu is %.17g, expected %.17g", m, n,
				 k, ta, tb, alpha, beta, i, c[i], r[i]);
	free(a);
	free(b);
	free(c);
	free(r);
	free(mag);
}

static void test_gemm(void **unused)
{
	static const size_t dims[][3] = {
		{ 1, 1, 1 }, { 4, 8, 3 }, { 5, 9, 7 }, { 13, 17, 1 },
		{ 1, 40, 9 }, { 40, 1, 9 }, { 33, 65, 257 }, { 130, 20, 600 },
		{ 3, 1030, 40 }, { 129, 9, 0 },
	};
	static const double ab[][2] = { { 1, 0 }, { -1, 1 }, { 0.5, -2 } };

	(void)unused;
	for (size_t d = 0; d < sizeof(dims) / sizeof(dims[0]); d++)
		for (int t = 0; t < 4; t++)
			for (size_t q = 0; q < 3; q++)
				gemm_case(dims[d][0], dims[d][1], dims[d][2],
					  t & 1, t >> 1, ab[q][0], ab[q][1]);
}

static void test_mirror_transpose(void **unused)
{
	enum { N = 70 };
	double *a = alloc_d(N * N), *b = alloc_d(N * N);

	(void)unused;
	for (size_t i = 0; i < N * N; i++)
		a[i] = b[i] = (double)i;
	la_transpose(N, a);
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < N; j++)
			assert_true(a[i * N + j] == b[j * N + i]);
	la_mirror_lower(N, b);
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < N; j++)
			assert_true(b[i * N + j] ==
				    (double)(j <= i ? i * N + j : j * N + i));
	free(a);
	free(b);
}

/* ---- eigensolver helpers ----------------------------------------------- */

/* max_ij |(A V - V diag(w))_ij| / max_ij |A_ij| and max |V^T V - I|, A
 * from its lower triangle. */
static void eig_errors(size_t n, const double *a, const double *w,
		       const double *v, double *res, double *orth)
{
	double amax = 0, r = 0, o = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j <= i; j++)
			amax = fmax(amax, fabs(a[i * n + j]));
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			double s = -v[i * n + j] * w[j];

			for (size_t k = 0; k < n; k++)
				s += (k <= i ? a[i * n + k] : a[k * n + i]) *
				     v[k * n + j];
			r = fmax(r, fabs(s));
		}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j <= i; j++) {
			double s = i == j ? -1 : 0;

			for (size_t k = 0; k < n; k++)
				s += v[k * n + i] * v[k * n + j];
			o = fmax(o, fabs(s));
		}
	*res = amax > 0 ? r / amax : r;
	*orth = o;
}

static void eig_ok(size_t n, const double *a, double *w, double *v)
{
	ej_err err = { 0 };

	if (la_eigh(n, a, w, v, NULL, &err) < 0)
		fail_msg("la_eigh(%zu): %s", n, err.msg);
	for (size_t i = 1; i < n; i++)
		assert_true(w[i - 1] <= w[i]);
}

/* A = Q diag(lam) Q^T, Q the product of 3 Householder reflections of
 * random vectors (exactly orthogonal up to rounding). */
static double *with_spectrum(size_t n, const double *lam)
{
	double *a = alloc_d(n * n), *q = alloc_d(n * n), *u = alloc_d(n);

	memset(q, 0, n * n * sizeof(*q));
	for (size_t i = 0; i < n; i++)
		q[i * n + i] = 1;
	for (uint32_t h = 0; h < 3; h++) {
		double nn = 0;

		for (size_t i = 0; i < n; i++) {
			u[i] = rnd((uint32_t)i, h, 99);
			nn += u[i] * u[i];
		}
		for (size_t c = 0; c < n; c++) { /* q = (I - 2uu^T/nn) q */
			double s = 0;

			for (size_t i = 0; i < n; i++)
				s += u[i] * q[i * n + c];
			for (size_t i = 0; i < n; i++)
				q[i * n + c] -= 2 * s / nn * u[i];
		}
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j <= i; j++) {
			double s = 0;

			for (size_t k = 0; k < n; k++)
				s += q[i * n + k] * lam[k] * q[j * n + k];
			a[i * n + j] = a[j * n + i] = s;
		}
	free(q);
	free(u);
	return a;
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* ---- eigensolver tests ------------------------------------------------- */

static void test_eigh_diagonal(void **unused)
{
	enum { N = 5 };
	static const double diag[N] = { 3, -1, 2, 0, 5 };
	static const double want[N] = { -1, 0, 2, 3, 5 };
	static const size_t at[N] = { 1, 3, 2, 0, 4 }; /* row of the 1 */
	double a[N * N] = { 0 }, w[N], v[N * N];

	(void)unused;
	for (size_t i = 0; i < N; i++)
		a[i * N + i] = diag[i];
	eig_ok(N, a, w, v);
	for (size_t j = 0; j < N; j++) {
		assert_true(w[j] == want[j]);
		for (size_t i = 0; i < N; i++)
			assert_true(fabs(v[i * N + j]) == (i == at[j]));
	}
}

static void test_eigh_3x3(void **unused)
{
	/* tridiag(1, 2, 1): 2 - sqrt2, 2, 2 + sqrt2 with eigenvectors
	 * (1, -sqrt2, 1)/2, (1, 0, -1)/sqrt2, (1, sqrt2, 1)/2 */
	static const double a[9] = { 2, 1, 0, 1, 2, 1, 0, 1, 2 };
	const double r2 = sqrt(2.0);
	const double want[3] = { 2 - r2, 2, 2 + r2 };
	const double vec[3][3] = { { 0.5, -r2 / 2, 0.5 },
				   { 1 / r2, 0, -1 / r2 },
				   { 0.5, r2 / 2, 0.5 } };
	double w[3], v[9];

	(void)unused;
	eig_ok(3, a, w, v);
	for (size_t j = 0; j < 3; j++) {
		double sgn = v[0 * 3 + j] < 0 ? -1 : 1;

		if (fabs(w[j] - want[j]) > 1e-15)
			fail_msg("w[%zu] = %.17g, expected %.17g", j, w[j],
				 want[j]);
		for (size_t i = 0; i < 3; i++)
			if (fabs(sgn * v[i * 3 + j] - vec[j][i]) > 1e-15)
				fail_msg("v[%zu][%zu] = %.17g, expected %.17g",
					 i, j, sgn * v[i * 3 + j], vec[j][i]);
	}
}

static void test_eigh_2x2_and_1x1(void **unused)
{
	static const double a2[4] = { 1, 2, 2, 1 }; /* -1, 3 */
	const double h = sqrt(0.5);
	double w[2], v[4], a1 = -4.5, w1, v1;

	(void)unused;
	eig_ok(2, a2, w, v);
	assert_true(fabs(w[0] + 1) < 1e-15 && fabs(w[1] - 3) < 1e-15);
	assert_true(fabs(fabs(v[0]) - h) < 1e-15 &&
		    fabs(v[0] + v[2]) < 1e-15); /* (1, -1)/sqrt2 */
	assert_true(fabs(v[1] - v[3]) < 1e-15); /* (1, 1)/sqrt2 */
	eig_ok(1, &a1, &w1, &v1);
	assert_true(w1 == -4.5 && v1 == 1);
}

/* Random symmetric matrices of orders that exercise the leaves only (20),
 * one merge (40) and the blocked reduction, several merge levels and
 * back-transform blocks (300).  The upper triangle is NaN: only the lower
 * one may be read. */
static void test_eigh_random(void **unused)
{
	static const size_t ns[] = { 20, 40, 300 };

	(void)unused;
	for (size_t t = 0; t < sizeof(ns) / sizeof(ns[0]); t++) {
		size_t n = ns[t];
		double *a = alloc_d(n * n), *w = alloc_d(n), *v = alloc_d(n * n);
		double res, orth, tr = 0, fro = 0, sw = 0, sw2 = 0;

		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++)
				a[i * n + j] = j <= i ? rnd((uint32_t)i,
							    (uint32_t)j, 5)
						      : NAN;
		eig_ok(n, a, w, v);
		eig_errors(n, a, w, v, &res, &orth);
		if (!(res <= 1e-10 && orth <= 1e-10))
			fail_msg("n %zu: residual %.3g, orthogonality %.3g", n,
				 res, orth);
		for (size_t i = 0; i < n; i++) {
			tr += a[i * n + i];
			sw += w[i];
			sw2 += w[i] * w[i];
			for (size_t j = 0; j < n; j++) {
				double x = j <= i ? a[i * n + j] : a[j * n + i];

				fro += x * x;
			}
		}
		assert_true(fabs(tr - sw) <= 1e-12 * n);
		assert_true(fabs(fro - sw2) <= 1e-12 * fro);
		free(a);
		free(w);
		free(v);
	}
}

/* Known spectra with heavy clusters: exact repeats (type-1 and type-2
 * deflation) and a graded tight cluster.  Eigenvalues must match to
 * 1e-12 of the largest. */
static void test_eigh_clustered(void **unused)
{
	enum { N = 200 };
	double lam[N], sorted[N], *a, w[N], *v = alloc_d(N * N), res, orth;

	(void)unused;
	for (int kind = 0; kind < 2; kind++) {
		for (size_t i = 0; i < N; i++)
			lam[i] = kind == 0 ? (double)(i % 4) - 1.5
					   : (i < N / 2 ? 1 + 1e-9 * (double)i
							: -(double)i / N);
		memcpy(sorted, lam, sizeof(lam));
		qsort(sorted, N, sizeof(double), cmp_d);
		a = with_spectrum(N, lam);
		eig_ok(N, a, w, v);
		for (size_t i = 0; i < N; i++)
			if (fabs(w[i] - sorted[i]) > 1e-12 * 1.5)
				fail_msg("kind %d: w[%zu] = %.17g, expected "
					 "%.17g", kind, i, w[i], sorted[i]);
		eig_errors(N, a, w, v, &res, &orth);
		if (!(res <= 1e-12 && orth <= 1e-12))
			fail_msg("kind %d: residual %.3g, orthogonality %.3g",
				 kind, res, orth);
		free(a);
	}
	free(v);
}

/* Wilkinson's W+_121: tridiagonal, diagonal |i - 60|, off-diagonal 1;
 * its largest eigenvalues come in pairs closer than 1e-13. */
static void test_eigh_wilkinson(void **unused)
{
	enum { N = 121 };
	double *a = alloc_d(N * N), w[N], *v = alloc_d(N * N), res, orth;

	(void)unused;
	memset(a, 0, N * N * sizeof(*a));
	for (size_t i = 0; i < N; i++) {
		a[i * N + i] = fabs((double)i - 60);
		if (i > 0)
			a[i * N + i - 1] = 1;
	}
	eig_ok(N, a, w, v);
	eig_errors(N, a, w, v, &res, &orth);
	if (!(res <= 1e-13 && orth <= 1e-13))
		fail_msg("residual %.3g, orthogonality %.3g", res, orth);
	/* the top pair agrees far below its separation from the rest */
	assert_true(w[N - 1] - w[N - 2] < 1e-12);
	assert_true(w[N - 2] - w[N - 3] > 0.5);
	free(a);
	free(v);
}

static void test_eigh_identity_and_zero(void **unused)
{
	enum { N = 100 };
	double *a = alloc_d(N * N), w[N], *v = alloc_d(N * N);

	(void)unused;
	for (int z = 0; z < 2; z++) {
		memset(a, 0, N * N * sizeof(*a));
		for (size_t i = 0; i < N && !z; i++)
			a[i * N + i] = 1;
		eig_ok(N, a, w, v);
		for (size_t i = 0; i < N; i++) {
			assert_true(w[i] == (z ? 0 : 1));
			for (size_t j = 0; j < N; j++)
				assert_true(v[i * N + j] == (i == j));
		}
	}
	free(a);
	free(v);
}

/* Scaling by a power of two is exact: 2^600 A and 2^-600 A give the same
 * eigenvectors bit for bit and eigenvalues scaled exactly. */
static void test_eigh_scaling(void **unused)
{
	enum { N = 50 };
	double *a = alloc_d(N * N), *b = alloc_d(N * N), w[N], wb[N];
	double *v = alloc_d(N * N), *vb = alloc_d(N * N);

	(void)unused;
	for (int e = -600; e <= 600; e += 1200) {
		for (size_t i = 0; i < N; i++)
			for (size_t j = 0; j <= i; j++) {
				a[i * N + j] = rnd((uint32_t)i, (uint32_t)j, 6);
				b[i * N + j] = ldexp(a[i * N + j], e);
			}
		eig_ok(N, a, w, v);
		eig_ok(N, b, wb, vb);
		for (size_t i = 0; i < N; i++)
			assert_true(wb[i] == ldexp(w[i], e));
		assert_memory_equal(v, vb, N * N * sizeof(double));
	}
	free(a);
	free(b);
	free(v);
	free(vb);
}

static void test_eigh_deterministic(void **unused)
{
	enum { N = 150 };
	double *a = alloc_d(N * N), w1[N], w2[N];
	double *v1 = alloc_d(N * N), *v2 = alloc_d(N * N);
	double *work = alloc_d(la_eigh_work_size(N));
	ej_err err = { 0 };

	(void)unused;
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j <= i; j++)
			a[i * N + j] = rnd((uint32_t)i, (uint32_t)j, 8);
	assert_int_equal(la_eigh(N, a, w1, v1, NULL, &err), 0);
	assert_int_equal(la_eigh(N, a, w2, v2, work, &err), 0);
	assert_memory_equal(w1, w2, sizeof(w1));
	assert_memory_equal(v1, v2, N * N * sizeof(double));
	/* the workspace may hold anything before a call */
	memset(work, 0xff, la_eigh_work_size(N) * sizeof(double));
	assert_int_equal(la_eigh(N, a, w2, v2, work, &err), 0);
	assert_memory_equal(v1, v2, N * N * sizeof(double));
	/* whatever thread count OpenBLAS was given, la_eigh runs on one */
	openblas_set_num_threads(2);
	assert_int_equal(la_eigh(N, a, w2, v2, work, &err), 0);
	assert_int_equal(openblas_get_num_threads(), 1);
	assert_memory_equal(w1, w2, sizeof(w1));
	assert_memory_equal(v1, v2, N * N * sizeof(double));
	free(a);
	free(v1);
	free(v2);
	free(work);
}

static void test_eigh_errors(void **unused)
{
	double a[16] = { 0 }, w[4], v[16];
	ej_err err = { 0 };

	(void)unused;
	a[3 * 4 + 1] = NAN;
	assert_int_equal(la_eigh(4, a, w, v, NULL, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	assert_string_equal(err.msg, "matrix entry (3, 1) is nan");
	a[3 * 4 + 1] = 0;
	a[2 * 4 + 2] = -INFINITY;
	assert_int_equal(la_eigh(4, a, w, v, NULL, &err), -1);
	assert_string_equal(err.msg, "matrix entry (2, 2) is -inf");
	/* the upper triangle is never read */
	a[2 * 4 + 2] = 1;
	a[0 * 4 + 3] = NAN;
	assert_int_equal(la_eigh(4, a, w, v, NULL, &err), 0);
	assert_int_equal(la_eigh(0, a, w, v, NULL, &err), 0);
	assert_true(la_eigh_work_size(1000) > 2 * 1000 * 1000);
	assert_int_equal(la_eigh_work_size((size_t)1 << 40), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gemm),
		cmocka_unit_test(test_mirror_transpose),
		cmocka_unit_test(test_eigh_diagonal),
		cmocka_unit_test(test_eigh_3x3),
		cmocka_unit_test(test_eigh_2x2_and_1x1),
		cmocka_unit_test(test_eigh_random),
		cmocka_unit_test(test_eigh_clustered),
		cmocka_unit_test(test_eigh_wilkinson),
		cmocka_unit_test(test_eigh_identity_and_zero),
		cmocka_unit_test(test_eigh_scaling),
		cmocka_unit_test(test_eigh_deterministic),
		cmocka_unit_test(test_eigh_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
