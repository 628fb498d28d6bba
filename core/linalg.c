/* linalg.c - GEMM and symmetric eigensolver on CBLAS/LAPACKE (linalg.h).
 *
 * Until December 2026 this module held a hand-written Goto-style GEMM and
 * a divide-and-conquer eigensolver (~1300 lines); OpenBLAS's dgemm and
 * LAPACK's dsyevd replace both.  bench_cma (make bench) prints the
 * timings; README has the before/after figures.
 */
#include "core/linalg.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cblas.h>
#include <lapacke.h>

enum { LA_TILE = 32 }; /* transposition tiles */

void la_single_thread(void)
{
	if (openblas_get_num_threads() != 1)
		openblas_set_num_threads(1);
}

void la_describe(char *buf, size_t size)
{
	const char *cfg = openblas_get_config();
	const char *sp = strchr(cfg, ' ');
	const char *end = sp ? strchr(sp + 1, ' ') : NULL;

	snprintf(buf, size, "%.*s, %s kernels",
		 end ? (int)(end - cfg) : (int)strlen(cfg), cfg,
		 openblas_get_corename());
}

/* Kernel sets without AVX2: OpenBLAS's fallbacks for CPUs it does not
 * recognise. */
static int la_pre_avx2(const char *core)
{
	static const char *const old[] = {
		"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem",
		"Atom", "Sandybridge", "Barcelona", "Bulldozer", "Piledriver",
		"Steamroller", "Excavator",
	};

	for (size_t i = 0; i < sizeof(old) / sizeof(old[0]); i++)
		if (strcasecmp(core, old[i]) == 0)
			return 1;
	return 0;
}

void la_reexec_for_cpu(char **argv)
{
#if defined(__x86_64__) && defined(__GNUC__)
	const char *want;

	if (getenv("OPENBLAS_CORETYPE") ||
	    !la_pre_avx2(openblas_get_corename()))
		return;
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
		return;
	want = __builtin_cpu_supports("avx512f") &&
		       __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512dq") &&
		       __builtin_cpu_supports("avx512vl") &&
		       __builtin_cpu_supports("avx512cd")
		       ? "SkylakeX" : "Haswell";
	if (setenv("OPENBLAS_CORETYPE", want, 1) == 0)
		execv("/proc/self/exe", argv);
	unsetenv("OPENBLAS_CORETYPE"); /* exec failed: carry on as we are */
#else
	(void)argv;
#endif
}

/* ---- GEMM ------------------------------------------------------------ */

/* Layout of one operand with 'rows' x 'cols' logical shape: row-major
 * NoTrans when the column stride is 1, Trans when the row stride is. */
static void la_operand(size_t rs, size_t cs, size_t cols,
		       CBLAS_TRANSPOSE *t, int *ld)
{
	if (cs == 1 && (rs != 1 || cols > 1)) {
		*t = CblasNoTrans;
		*ld = (int)(rs > cols ? rs : cols > 0 ? cols : 1);
	} else {
		*t = CblasTrans;
		*ld = (int)(cs > 1 ? cs : 1);
	}
}

void la_gemm(size_t m, size_t n, size_t k, double alpha, const double *a,
	     size_t a_rs, size_t a_cs, const double *b, size_t b_rs,
	     size_t b_cs, double beta, double *c, size_t ldc)
{
	CBLAS_TRANSPOSE ta, tb;
	int lda, ldb;

	if (m == 0 || n == 0)
		return;
	if (k == 0 || alpha == 0) {
		for (size_t i = 0; i < m; i++)
			for (size_t j = 0; j < n; j++)
				c[i * ldc + j] = beta == 0 ? 0
							   : beta * c[i * ldc + j];
		return;
	}
	la_single_thread();
	la_operand(a_rs, a_cs, k, &ta, &lda);
	la_operand(b_rs, b_cs, n, &tb, &ldb);
	/* a Trans operand's leading dimension must cover its rows */
	if (ta == CblasTrans && (size_t)lda < m)
		lda = (int)m;
	if (tb == CblasTrans && (size_t)ldb < k)
		ldb = (int)k;
	cblas_dgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, alpha, a,
		    lda, b, ldb, beta, c, (int)(ldc > n ? ldc : n));
}

void la_mirror_lower(size_t n, double *a)
{
	for (size_t i0 = 0; i0 < n; i0 += LA_TILE)
		for (size_t j0 = 0; j0 <= i0; j0 += LA_TILE) {
			size_t i1 = i0 + LA_TILE < n ? i0 + LA_TILE : n;
			size_t j1 = j0 + LA_TILE < n ? j0 + LA_TILE : n;

			for (size_t i = i0; i < i1; i++)
				for (size_t j = j0; j < j1 && j < i; j++)
					a[j * n + i] = a[i * n + j];
		}
}

void la_transpose(size_t n, double *a)
{
	for (size_t i0 = 0; i0 < n; i0 += LA_TILE)
		for (size_t j0 = 0; j0 <= i0; j0 += LA_TILE) {
			size_t i1 = i0 + LA_TILE < n ? i0 + LA_TILE : n;
			size_t j1 = j0 + LA_TILE < n ? j0 + LA_TILE : n;

			for (size_t i = i0; i < i1; i++)
				for (size_t j = j0; j < j1 && j < i; j++) {
					double t = a[i * n + j];

					a[i * n + j] = a[j * n + i];
					a[j * n + i] = t;
				}
		}
}

/* ---- symmetric eigendecomposition ------------------------------------ */

/* dsyevd's workspace sizes for order n (the larger of the documented
 * minimum and the query's answer); 0 on overflow of lapack_int. */
static int la_eigh_sizes(size_t n, size_t *lwork, size_t *liwork)
{
	double q = 0, a = 0, w = 0;
	lapack_int iq = 0;
	size_t lw, liw;

	if (n == 0 || n > 46000) /* 2 n^2 must fit in a lapack_int */
		return -1;
	lw = 1 + 6 * n + 2 * n * n;
	liw = 3 + 5 * n;
	if (lw > (size_t)INT_MAX)
		return -1;
	la_single_thread();
	if (LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, 'V', 'U', (lapack_int)n, &a,
				(lapack_int)n, &w, &q, -1, &iq, -1) == 0) {
		if (q > (double)lw && q < (double)INT_MAX)
			lw = (size_t)q;
		if (iq > 0 && (size_t)iq > liw)
			liw = (size_t)iq;
	}
	*lwork = lw;
	*liwork = liw;
	return 0;
}

/* Doubles that hold liwork lapack_ints. */
static size_t la_int_doubles(size_t liwork)
{
	return (liwork * sizeof(lapack_int) + sizeof(double) - 1) /
	       sizeof(double);
}

size_t la_eigh_work_size(size_t n)
{
	size_t lw, liw;

	if (n == 0)
		return 1;
	if (la_eigh_sizes(n, &lw, &liw) < 0)
		return 0;
	return lw + la_int_doubles(liw);
}

/* max |a_ij| over the lower triangle, or -1 with err for a non-finite
 * entry. */
static double la_lower_max(size_t n, const double *a, ej_err *err)
{
	double amax = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j <= i; j++) {
			double x = a[i * n + j];

			if (!isfinite(x))
				return ej_fail(err, EJ_EXIT_RUN,
					       "matrix entry (%zu, %zu) is %s",
					       i, j, isnan(x) ? "nan" :
					       x > 0 ? "inf" : "-inf");
			amax = fmax(amax, fabs(x));
		}
	return amax;
}

int la_eigh(size_t n, const double *a, double *w, double *v, double *work,
	    ej_err *err)
{
	double amax, scale, *own = NULL;
	size_t lw, liw;
	lapack_int info;
	int ex, rc = -1;

	if (n == 0)
		return 0;
	amax = la_lower_max(n, a, err);
	if (amax < 0)
		return -1;
	if (la_eigh_sizes(n, &lw, &liw) < 0)
		return ej_fail(err, EJ_EXIT_RUN, "eigendecomposition of order "
			       "%zu is too large for LAPACK's 32-bit integers",
			       n);
	if (amax == 0) {
		memset(v, 0, n * n * sizeof(*v));
		for (size_t i = 0; i < n; i++) {
			w[i] = 0;
			v[i * n + i] = 1;
		}
		return 0;
	}
	if (!work) {
		own = malloc((lw + la_int_doubles(liw)) * sizeof(double));
		if (!own)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory for "
				       "the eigendecomposition of order %zu",
				       n);
		work = own;
	}
	/* scale by 2^-ex, max |a| in [0.5, 1): exact.  Row-major lower is
	 * column-major upper: LAPACK reads 'U' of the same array. */
	frexp(amax, &ex);
	scale = ldexp(1, -ex);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j <= i; j++)
			v[i * n + j] = a[i * n + j] * scale;
	la_single_thread();
	info = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, 'V', 'U', (lapack_int)n,
				   v, (lapack_int)n, w, work, (lapack_int)lw,
				   (lapack_int *)(void *)(work + lw),
				   (lapack_int)liw);
	if (info != 0) {
		ej_fail(err, EJ_EXIT_RUN, info > 0 ?
			"eigensolver did not converge (order %zu, LAPACK "
			"dsyevd info %d)" : "LAPACK dsyevd rejected argument "
			"(order %zu, info %d)", n, (int)info);
		goto out;
	}
	la_transpose(n, v); /* column j of LAPACK's v is eigenvector j */
	for (size_t i = 0; i < n; i++)
		w[i] = ldexp(w[i], ex);
	rc = 0;
out:
	free(own);
	return rc;
}
