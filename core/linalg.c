/* linalg.c - packed GEMM and symmetric eigensolver (see linalg.h).
 *
 * GEMM: the Goto/BLIS loop nest.  B is packed in kc x nc blocks (L3),
 * A in mc x kc blocks (L2), both in micro-panels so the 4 x 8 micro-kernel
 * streams contiguous memory; edges are zero-padded in the packs.  Each
 * C element is a sum over k in increasing order, in kc-sized partial sums,
 * with separate multiplies and adds: the SSE2 and the AVX micro-kernels
 * (picked at run time) give the same bits.
 *
 * Eigensolver (la_eigh), in four steps, all in double:
 *  1. scale by a power of two so that max |a_ij| is in [0.5, 1) (exact);
 *  2. Householder tridiagonalization Q^T A Q = T of the lower triangle,
 *     blocked as LAPACK dsytrd/dlatrd (panels of LA_NB columns, trailing
 *     updates by la_gemm; Golub & Van Loan 8.3.1; reflector k is
 *     I - tau v v^T with v[k+1] = 1, v stored below the subdiagonal).
 *     Its symmetric matrix-vector products read the trailing triangle once
 *     per column and bound the whole solver by memory bandwidth at large n;
 *  3. eigenvectors of T by Cuppen's divide and conquer (LAPACK dstedc
 *     structure): T is cut in halves down to leaves of <= LA_LEAF rows,
 *     each cut replaced by a rank-one term; leaves are solved by implicit
 *     QL with Wilkinson shifts; merges deflate small z components and
 *     close pole pairs (tolerance 8 eps max(|d|, |z|) as dlaed2), solve the
 *     secular equation per root with a two-pole rational model safeguarded
 *     by bisection, recompute z by the Loewner formula (Gu & Eisenstat
 *     1995) so the eigenvectors come out orthogonal, and multiply the
 *     children's eigenvectors by the small eigenvector matrix with la_gemm
 *     (rows of the top child only touch the columns that are not purely
 *     bottom and vice versa);
 *  4. back transformation with the reflectors in blocks of LA_NBB (compact
 *     WY form, I - V T V^T, LAPACK dlarft/dlarfb), again via la_gemm.
 * No recursion: the cut tree is built level by level, as in dlaed0.
 * Measured on the 2-core dev machine (loaded): n = 1000 in 0.34 s, n = 4609
 * in 35 s (numpy.linalg.eigh, OpenBLAS 1 thread: 0.25 s and 23 s).
 */
#include "core/linalg.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LA_SQRT1_2 0.70710678118654752440

enum {
	LA_MR = 4, LA_NR = 8,                  /* micro-kernel tile */
	LA_MC = 128, LA_KC = 256, LA_NC = 1024, /* pack blocks */
	LA_TILE = 32,                           /* transposition tiles */
	LA_LEAF = 32,                           /* largest D&C leaf */
	LA_PANEL = 128,                         /* rows per merge panel */
	LA_NB = 32,                             /* reduction panel width */
	LA_NBB = 128,                           /* back-transform block */
};

_Static_assert(LA_GEMM_WORK == (size_t)LA_MC * LA_KC + (size_t)LA_KC * LA_NC,
	       "LA_GEMM_WORK must match the pack blocks");
_Static_assert(LA_MC % LA_MR == 0 && LA_NC % LA_NR == 0,
	       "pack blocks must hold whole micro-panels");

/* ---- GEMM ------------------------------------------------------------ */

/* Pack op(A)(i0.., p0..) (mc x kc) into micro-panels of LA_MR rows:
 * dst[(i / MR) * kc * MR + p * MR + i % MR], zero rows past mc. */
static void la_pack_a(size_t mc, size_t kc, const double *a, size_t rs,
		      size_t cs, double *dst)
{
	for (size_t i0 = 0; i0 < mc; i0 += LA_MR) {
		double *d = dst + i0 * kc;
		size_t rows = mc - i0 < LA_MR ? mc - i0 : LA_MR;

		if (rows < LA_MR)
			memset(d, 0, kc * LA_MR * sizeof(*d));
		for (size_t r = 0; r < rows; r++) {
			const double *src = a + (i0 + r) * rs;

			for (size_t p = 0; p < kc; p++)
				d[p * LA_MR + r] = src[p * cs];
		}
	}
}

/* Pack op(B)(p0.., j0..) (kc x nc) into micro-panels of LA_NR columns:
 * dst[(j / NR) * kc * NR + p * NR + j % NR], zero columns past nc.  The
 * loop runs along whichever stride is smaller. */
static void la_pack_b(size_t kc, size_t nc, const double *b, size_t rs,
		      size_t cs, double *dst)
{
	for (size_t j0 = 0; j0 < nc; j0 += LA_NR) {
		double *d = dst + j0 * kc;
		size_t cols = nc - j0 < LA_NR ? nc - j0 : LA_NR;

		if (cols < LA_NR)
			memset(d, 0, kc * LA_NR * sizeof(*d));
		if (cs <= rs) {
			for (size_t p = 0; p < kc; p++) {
				const double *src = b + p * rs + j0 * cs;

				for (size_t c = 0; c < cols; c++)
					d[p * LA_NR + c] = src[c * cs];
			}
		} else {
			for (size_t c = 0; c < cols; c++) {
				const double *src = b + (j0 + c) * cs;

				for (size_t p = 0; p < kc; p++)
					d[p * LA_NR + c] = src[p * rs];
			}
		}
	}
}

/* The micro-kernel: acc (MR x NR, row-major) = sum_p a[p][:]^T b[p][:]
 * over one pair of micro-panels, each element summed in p order with
 * separate multiplies and adds, so every variant below gives the same
 * bits.  GCC vector extensions keep the tile in registers: 2 x (4 x 4)
 * tiles in 2-lane (SSE2) vectors by default, one 4 x 8 tile in 4-lane
 * vectors where the CPU has AVX (picked at run time on x86 with GCC or
 * clang; ~3x faster). */
typedef double la_v2 __attribute__((vector_size(16)));

static void la_micro_v2(size_t kc, const double *restrict a,
			const double *restrict b, double *restrict acc)
{
	for (int h = 0; h < 2; h++) {
		la_v2 c00 = { 0 }, c01 = { 0 }, c10 = { 0 }, c11 = { 0 };
		la_v2 c20 = { 0 }, c21 = { 0 }, c30 = { 0 }, c31 = { 0 };
		const double *bh = b + 4 * h;
		double *o = acc + 4 * h;

		for (size_t p = 0; p < kc; p++) {
			const double *ap = a + p * LA_MR;
			la_v2 b0, b1, x;

			memcpy(&b0, bh + p * LA_NR, sizeof(b0));
			memcpy(&b1, bh + p * LA_NR + 2, sizeof(b1));
			x = (la_v2){ ap[0], ap[0] };
			c00 += x * b0;
			c01 += x * b1;
			x = (la_v2){ ap[1], ap[1] };
			c10 += x * b0;
			c11 += x * b1;
			x = (la_v2){ ap[2], ap[2] };
			c20 += x * b0;
			c21 += x * b1;
			x = (la_v2){ ap[3], ap[3] };
			c30 += x * b0;
			c31 += x * b1;
		}
		memcpy(o, &c00, sizeof(c00));
		memcpy(o + 2, &c01, sizeof(c01));
		memcpy(o + LA_NR, &c10, sizeof(c10));
		memcpy(o + LA_NR + 2, &c11, sizeof(c11));
		memcpy(o + 2 * LA_NR, &c20, sizeof(c20));
		memcpy(o + 2 * LA_NR + 2, &c21, sizeof(c21));
		memcpy(o + 3 * LA_NR, &c30, sizeof(c30));
		memcpy(o + 3 * LA_NR + 2, &c31, sizeof(c31));
	}
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define LA_HAVE_AVX_KERNEL 1
typedef double la_v4 __attribute__((vector_size(32)));

__attribute__((target("avx")))
static void la_micro_v4(size_t kc, const double *restrict a,
			const double *restrict b, double *restrict acc)
{
	la_v4 c0a = { 0 }, c0b = { 0 }, c1a = { 0 }, c1b = { 0 };
	la_v4 c2a = { 0 }, c2b = { 0 }, c3a = { 0 }, c3b = { 0 };

	for (size_t p = 0; p < kc; p++) {
		const double *ap = a + p * LA_MR;
		la_v4 b0, b1, x;

		memcpy(&b0, b + p * LA_NR, sizeof(b0));
		memcpy(&b1, b + p * LA_NR + 4, sizeof(b1));
		x = (la_v4){ ap[0], ap[0], ap[0], ap[0] };
		c0a += x * b0;
		c0b += x * b1;
		x = (la_v4){ ap[1], ap[1], ap[1], ap[1] };
		c1a += x * b0;
		c1b += x * b1;
		x = (la_v4){ ap[2], ap[2], ap[2], ap[2] };
		c2a += x * b0;
		c2b += x * b1;
		x = (la_v4){ ap[3], ap[3], ap[3], ap[3] };
		c3a += x * b0;
		c3b += x * b1;
	}
	memcpy(acc, &c0a, sizeof(c0a));
	memcpy(acc + 4, &c0b, sizeof(c0b));
	memcpy(acc + LA_NR, &c1a, sizeof(c1a));
	memcpy(acc + LA_NR + 4, &c1b, sizeof(c1b));
	memcpy(acc + 2 * LA_NR, &c2a, sizeof(c2a));
	memcpy(acc + 2 * LA_NR + 4, &c2b, sizeof(c2b));
	memcpy(acc + 3 * LA_NR, &c3a, sizeof(c3a));
	memcpy(acc + 3 * LA_NR + 4, &c3b, sizeof(c3b));
}
#endif

typedef void la_micro_fn(size_t kc, const double *restrict a,
			 const double *restrict b, double *restrict acc);

static la_micro_fn *la_pick_micro(void)
{
#ifdef LA_HAVE_AVX_KERNEL
	if (__builtin_cpu_supports("avx"))
		return la_micro_v4;
#endif
	return la_micro_v2;
}

/* C block (rows x cols, at c) = beta C + alpha acc; beta 0 ignores C. */
static void la_store(size_t rows, size_t cols, const double *acc,
		     double alpha, double beta, double *c, size_t ldc)
{
	if (cols == LA_NR && beta == 1) {
		/* the common case, with a constant trip count (vectorised) */
		for (size_t i = 0; i < rows; i++)
			for (size_t j = 0; j < LA_NR; j++)
				c[i * ldc + j] += alpha * acc[i * LA_NR + j];
		return;
	}
	for (size_t i = 0; i < rows; i++) {
		double *ci = c + i * ldc;
		const double *ai = acc + i * LA_NR;

		if (beta == 0)
			for (size_t j = 0; j < cols; j++)
				ci[j] = alpha * ai[j];
		else if (beta == 1)
			for (size_t j = 0; j < cols; j++)
				ci[j] += alpha * ai[j];
		else
			for (size_t j = 0; j < cols; j++)
				ci[j] = beta * ci[j] + alpha * ai[j];
	}
}

/* Ask for the C tile the next micro-kernel call will update (the tiles go
 * down the columns, so the hardware prefetcher does not see them coming;
 * without this the C misses cost about a quarter of the time). */
static void la_prefetch_tile(const double *c, size_t ldc, size_t ir,
			     size_t mc)
{
#if defined(__GNUC__)
	for (size_t r = ir; r < ir + LA_MR && r < mc; r++) {
		__builtin_prefetch(c + r * ldc, 1);
		__builtin_prefetch(c + r * ldc + LA_NR - 1, 1);
	}
#else
	(void)c;
	(void)ldc;
	(void)ir;
	(void)mc;
#endif
}

static void la_scale_c(size_t m, size_t n, double beta, double *c,
		       size_t ldc)
{
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < n; j++)
			c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j];
}

void la_gemm(size_t m, size_t n, size_t k, double alpha, const double *a,
	     size_t a_rs, size_t a_cs, const double *b, size_t b_rs,
	     size_t b_cs, double beta, double *c, size_t ldc, double *pack)
{
	double *pa = pack, *pb = pack + (size_t)LA_MC * LA_KC;
	double acc[LA_MR * LA_NR];
	la_micro_fn *micro = la_pick_micro();

	if (m == 0 || n == 0)
		return;
	if (k == 0) {
		la_scale_c(m, n, beta, c, ldc);
		return;
	}
	for (size_t jc = 0; jc < n; jc += LA_NC) {
		size_t nc = n - jc < LA_NC ? n - jc : LA_NC;

		for (size_t pc = 0; pc < k; pc += LA_KC) {
			size_t kc = k - pc < LA_KC ? k - pc : LA_KC;
			double bt = pc == 0 ? beta : 1;

			la_pack_b(kc, nc, b + pc * b_rs + jc * b_cs, b_rs, b_cs,
				  pb);
			for (size_t ic = 0; ic < m; ic += LA_MC) {
				size_t mc = m - ic < LA_MC ? m - ic : LA_MC;

				la_pack_a(mc, kc, a + ic * a_rs + pc * a_cs,
					  a_rs, a_cs, pa);
				for (size_t jr = 0; jr < nc; jr += LA_NR) {
					size_t cols = nc - jr < LA_NR ? nc - jr
								      : LA_NR;

					for (size_t ir = 0; ir < mc; ir += LA_MR) {
						size_t rows = mc - ir < LA_MR
							? mc - ir : LA_MR;

						la_prefetch_tile(c + ic * ldc +
							jc + jr, ldc,
							ir + LA_MR, mc);
						micro(kc, pa + ir * kc,
							 pb + jr * kc, acc);
						la_store(rows, cols, acc, alpha,
							 bt, c + (ic + ir) * ldc
							 + jc + jr, ldc);
					}
				}
			}
		}
	}
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

/* ---- workspace ------------------------------------------------------- */

/* One deflation rotation of the merge: columns (ca, cb) of the block get
 * x' = c x + s y, y' = c y - s x (x = column ca, y = column cb). */
typedef struct la_rot {
	size_t ca, cb;
	double c, s;
} la_rot;

/* Carved from one allocation by la_carve. */
typedef struct la_ws {
	double *red;   /* (n, n) Householder reduction, reflectors below */
	double *mat;   /* (n, n) merge eigenvectors / back-transform scratch */
	double *d, *e, *tau;        /* (n) tridiagonal, reflector scalars */
	double *ds, *zs, *dl, *zl; /* (n) merge: sorted d, z; kept d, z */
	double *rz2;                /* (n) rho z^2 of the kept entries */
	double *lam, *wz;           /* (n) roots, Loewner z */
	double *row;                /* (n) one permuted row */
	double *t0, *t1, *out;      /* (LA_PANEL, n) panel rows */
	double *pack;               /* LA_GEMM_WORK */
	size_t *perm, *col, *type, *ktype, *order; /* (n) */
	size_t *dest, *dcol, *ddest;               /* (n) */
	size_t *cut;                /* (2n) subproblem starts and sizes */
	la_rot *rot;                /* (n) */
} la_ws;

/* Doubles of w->mat: the merge matrix (n x n at most), the reduction's
 * V, W, [V W], [W V] (6 n NB), or the back transformation's V (n x NBB),
 * W (NBB x n), T and G (NBB x NBB). */
static size_t la_mat_size(size_t n)
{
	size_t tr = 6 * n * LA_NB;
	size_t bt = 2 * n * LA_NBB + 2 * LA_NBB * LA_NBB;
	size_t m = tr > bt ? tr : bt;

	return n * n > m ? n * n : m;
}

/* Bytes for order n, or 0 on overflow. */
static size_t la_ws_bytes(size_t n)
{
	size_t nn, dbl;

	if (n > SIZE_MAX / n)
		return 0;
	nn = n * n;
	if (n > (SIZE_MAX / 4) / n / sizeof(double))
		return 0;
	dbl = nn + la_mat_size(n) + 11 * n + 3 * (size_t)LA_PANEL * n +
	      LA_GEMM_WORK;
	return dbl * sizeof(double) + 10 * n * sizeof(size_t) +
	       n * sizeof(la_rot);
}

size_t la_eigh_work_size(size_t n)
{
	size_t b = la_ws_bytes(n ? n : 1);

	return b ? (b + sizeof(double) - 1) / sizeof(double) : 0;
}

static void la_carve(size_t n, void *work, la_ws *w)
{
	double *p = work;
	size_t *q;

	w->red = p; p += n * n;
	w->mat = p; p += la_mat_size(n);
	w->d = p; p += n;
	w->e = p; p += n;
	w->tau = p; p += n;
	w->ds = p; p += n;
	w->zs = p; p += n;
	w->dl = p; p += n;
	w->zl = p; p += n;
	w->rz2 = p; p += n;
	w->lam = p; p += n;
	w->wz = p; p += n;
	w->row = p; p += n;
	w->t0 = p; p += (size_t)LA_PANEL * n;
	w->t1 = p; p += (size_t)LA_PANEL * n;
	w->out = p; p += (size_t)LA_PANEL * n;
	w->pack = p; p += LA_GEMM_WORK;
	q = (size_t *)p;
	w->perm = q; q += n;
	w->col = q; q += n;
	w->type = q; q += n;
	w->ktype = q; q += n;
	w->order = q; q += n;
	w->dest = q; q += n;
	w->dcol = q; q += n;
	w->ddest = q; q += n;
	w->cut = q; q += 2 * n;
	w->rot = (la_rot *)q;
}

/* ---- small vector kernels -------------------------------------------- */

/* sum x_i y_i with 4 interleaved partial sums (fixed order). */
static double la_dot(size_t n, const double *restrict x,
		     const double *restrict y)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		s0 += x[i] * y[i];
		s1 += x[i + 1] * y[i + 1];
		s2 += x[i + 2] * y[i + 2];
		s3 += x[i + 3] * y[i + 3];
	}
	for (; i < n; i++)
		s0 += x[i] * y[i];
	return (s0 + s1) + (s2 + s3);
}

/* ---- step 2: tridiagonalization ---------------------------------------- */

/* Reflector from x = column j below the diagonal (m entries, stride n,
 * x[0] the subdiagonal): v (m, v[0] = 1) also stored into x[1..]; returns
 * tau (0 when x[1..] is zero: H = I) and sets *beta (the new
 * subdiagonal).  dlarfg without the rescaling loop: the matrix is scaled
 * to max |a| < 1, so the sums cannot overflow. */
static double la_reflector(size_t m, size_t n, double *x, double *v,
			   double *beta)
{
	double alpha = x[0], xn = 0, s;

	for (size_t i = 1; i < m; i++)
		xn += x[i * n] * x[i * n];
	if (xn == 0) {
		*beta = alpha;
		memset(v, 0, m * sizeof(*v));
		return 0;
	}
	*beta = -copysign(sqrt(alpha * alpha + xn), alpha);
	s = 1 / (alpha - *beta);
	v[0] = 1;
	for (size_t i = 1; i < m; i++) {
		x[i * n] *= s;
		v[i] = x[i * n];
	}
	return (*beta - alpha) / *beta;
}

/* p (m) = A v for the symmetric m x m block at a (row stride n), from its
 * lower triangle, row by row: p[0..i) += a_i[0..i) v_i and p[i] +=
 * a_i[0..i] . v.  The dot products use 8 lanes (lane q sums the terms with
 * j % 8 == q in increasing j), added up in a fixed order, so the 2-lane
 * and the 4-lane (AVX) versions give the same bits.  This is the
 * memory-bound part of the reduction (the whole trailing triangle is read
 * once per column). */
static double la_lanes_sum(const double l[8])
{
	return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

static void la_symv_lower_v2(size_t m, size_t n, const double *a,
			     const double *v, double *p)
{
	memset(p, 0, m * sizeof(*p));
	for (size_t i = 0; i < m; i++) {
		const double *r = a + i * n;
		const double vi = v[i];
		const la_v2 x = { vi, vi };
		la_v2 s[4] = { { 0 } };
		double lanes[8];
		size_t j = 0;

		for (; j + 8 <= i; j += 8)
			for (int q = 0; q < 4; q++) {
				la_v2 rr, vv, pp;

				memcpy(&rr, r + j + 2 * q, sizeof(rr));
				memcpy(&vv, v + j + 2 * q, sizeof(vv));
				memcpy(&pp, p + j + 2 * q, sizeof(pp));
				pp += rr * x;
				s[q] += rr * vv;
				memcpy(p + j + 2 * q, &pp, sizeof(pp));
			}
		memcpy(lanes, s, sizeof(lanes));
		for (; j < i; j++) {
			p[j] += r[j] * vi;
			lanes[j % 8] += r[j] * v[j];
		}
		p[i] += la_lanes_sum(lanes) + r[i] * vi;
	}
}

#ifdef LA_HAVE_AVX_KERNEL
__attribute__((target("avx")))
static void la_symv_lower_v4(size_t m, size_t n, const double *a,
			     const double *v, double *p)
{
	memset(p, 0, m * sizeof(*p));
	for (size_t i = 0; i < m; i++) {
		const double *r = a + i * n;
		const double vi = v[i];
		const la_v4 x = { vi, vi, vi, vi };
		la_v4 s[2] = { { 0 } };
		double lanes[8];
		size_t j = 0;

		for (; j + 8 <= i; j += 8)
			for (int q = 0; q < 2; q++) {
				la_v4 rr, vv, pp;

				memcpy(&rr, r + j + 4 * q, sizeof(rr));
				memcpy(&vv, v + j + 4 * q, sizeof(vv));
				memcpy(&pp, p + j + 4 * q, sizeof(pp));
				pp += rr * x;
				s[q] += rr * vv;
				memcpy(p + j + 4 * q, &pp, sizeof(pp));
			}
		memcpy(lanes, s, sizeof(lanes));
		for (; j < i; j++) {
			p[j] += r[j] * vi;
			lanes[j % 8] += r[j] * v[j];
		}
		p[i] += la_lanes_sum(lanes) + r[i] * vi;
	}
}
#endif

static void la_symv_lower(size_t m, size_t n, const double *a,
			  const double *v, double *p)
{
#ifdef LA_HAVE_AVX_KERNEL
	if (__builtin_cpu_supports("avx")) {
		la_symv_lower_v4(m, n, a, v, p);
		return;
	}
#endif
	la_symv_lower_v2(m, n, a, v, p);
}

/* Row i of the panel's V and W (n x LA_NB each, row i = row i of the
 * matrix). */
#define LA_VW_ROW(m, i) ((m) + (i) * LA_NB)

/* Step 1 of a panel column: column j (rows j..n-1) gets the pending
 * updates -V W^T - W V^T of the panel's first jj columns. */
static void la_panel_column(size_t n, double *a, size_t j, size_t jj,
			    const double *V, const double *W)
{
	for (size_t i = j; i < n; i++)
		a[i * n + j] -= la_dot(jj, LA_VW_ROW(V, i), LA_VW_ROW(W, j)) +
				la_dot(jj, LA_VW_ROW(W, i), LA_VW_ROW(V, j));
}

/* Step 3: p (m = n - j - 1) = t (A22 v - V (W^T v) - W (V^T v)) over rows
 * j+1.., A22 the trailing block as of the panel start, then
 * p -= (t/2)(p.v) v. */
static void la_panel_w(size_t n, const double *a, size_t j, size_t jj,
		       double t, const double *V, const double *W,
		       const double *v, double *p)
{
	const size_t m = n - j - 1;
	double y1[LA_NB] = { 0 }, y2[LA_NB] = { 0 }, pv;

	la_symv_lower(m, n, a + (j + 1) * n + j + 1, v, p);
	for (size_t i = 0; i < m; i++) {
		const double *wi = LA_VW_ROW(W, j + 1 + i);
		const double *vi = LA_VW_ROW(V, j + 1 + i);

		for (size_t l = 0; l < jj; l++) {
			y1[l] += wi[l] * v[i];
			y2[l] += vi[l] * v[i];
		}
	}
	for (size_t i = 0; i < m; i++)
		p[i] = t * (p[i] - la_dot(jj, LA_VW_ROW(V, j + 1 + i), y1) -
			    la_dot(jj, LA_VW_ROW(W, j + 1 + i), y2));
	pv = -0.5 * t * la_dot(m, p, v);
	for (size_t i = 0; i < m; i++)
		p[i] += pv * v[i];
}

/* After a panel of nb columns: the trailing lower triangle (rows and
 * columns >= t0) gets A -= [V W] [W V]^T, one GEMM of depth 2 nb per
 * block of rows (the diagonal blocks also write their upper part, which
 * is never read). */
static void la_panel_trailing(size_t n, double *a, size_t t0, size_t nb,
			      const double *V, const double *W, double *VW,
			      double *WV, double *pack)
{
	enum { RB = 256 };

	for (size_t i = t0; i < n; i++) {
		memcpy(VW + i * 2 * nb, LA_VW_ROW(V, i), nb * sizeof(*V));
		memcpy(VW + i * 2 * nb + nb, LA_VW_ROW(W, i), nb * sizeof(*W));
		memcpy(WV + i * 2 * nb, LA_VW_ROW(W, i), nb * sizeof(*W));
		memcpy(WV + i * 2 * nb + nb, LA_VW_ROW(V, i), nb * sizeof(*V));
	}
	for (size_t r0 = t0; r0 < n; r0 += RB) {
		size_t r1 = n - r0 < RB ? n : r0 + RB;

		la_gemm(r1 - r0, r1 - t0, 2 * nb, -1, VW + r0 * 2 * nb, 2 * nb,
			1, WV + t0 * 2 * nb, 1, 2 * nb, 1, a + r0 * n + t0, n,
			pack);
	}
}

/* Householder reduction of the lower triangle of a (n x n, scaled, upper
 * triangle initialised); on return d (n), e (n-1), tau (n-1) and the
 * reflectors below the subdiagonal of a.  Blocked as LAPACK dsytrd with
 * dlatrd: within a panel of LA_NB columns, column j is brought up to date
 * with the pending updates V W^T + W V^T of the panel's earlier columns,
 * its reflector v is formed, and w = tau (A v - V W^T v - W V^T v) -
 * (tau^2/2)(..) v is computed from the not yet updated trailing matrix;
 * after the panel the trailing lower triangle gets A -= V W^T + W V^T by
 * la_gemm.  V, W and their concatenations [V W], [W V] live in w->mat. */
static void la_tridiag(size_t n, double *a, double *d, double *e, double *tau,
		       la_ws *ws)
{
	double *V = ws->mat, *W = V + n * LA_NB, *VW = W + n * LA_NB;
	double *WV = VW + 2 * n * LA_NB, *v = ws->ds, *p = ws->zs;

	for (size_t k0 = 0; k0 + 2 < n; k0 += LA_NB) {
		const size_t nb = n - 2 - k0 < LA_NB ? n - 2 - k0 : LA_NB;

		for (size_t jj = 0; jj < nb; jj++) {
			const size_t j = k0 + jj, m = n - j - 1;
			double t, beta;

			la_panel_column(n, a, j, jj, V, W);
			t = la_reflector(m, n, a + (j + 1) * n + j, v, &beta);
			tau[j] = t;
			e[j] = beta;
			if (t != 0)
				la_panel_w(n, a, j, jj, t, V, W, v, p);
			for (size_t i = k0; i < n; i++) {
				V[i * LA_NB + jj] = i <= j ? 0 : v[i - j - 1];
				W[i * LA_NB + jj] = i <= j || t == 0 ? 0 :
						    p[i - j - 1];
			}
		}
		la_panel_trailing(n, a, k0 + nb, nb, V, W, VW, WV, ws->pack);
	}
	for (size_t k = 0; k < n; k++)
		d[k] = a[k * n + k];
	if (n >= 2) {
		e[n - 2] = a[(n - 1) * n + n - 2];
		tau[n - 2] = 0;
	}
}

/* ---- step 3a: leaves (implicit QL) ------------------------------------- */

/* Eigen of the symmetric tridiagonal (d, e) of order s <= LA_LEAF: d gets
 * the eigenvalues ascending, z (s x s) row r = eigenvector r.  e is
 * destroyed (needs s entries, e[s-1] scratch).  -1 if QL fails to
 * converge. */
static int la_leaf(size_t s, double *d, double *e, double *z)
{
	memset(z, 0, s * s * sizeof(*z));
	for (size_t i = 0; i < s; i++)
		z[i * s + i] = 1;
	e[s - 1] = 0;
	for (size_t l = 0; l < s; l++) {
		int iter = 0;
		size_t m;

		do {
			for (m = l; m + 1 < s; m++) {
				double dd = fabs(d[m]) + fabs(d[m + 1]);

				if (fabs(e[m]) <= DBL_EPSILON * dd)
					break;
			}
			if (m != l) {
				double g, r, sn = 1, cs = 1, p = 0;
				size_t i;
				int underflow = 0;

				if (iter++ == 60)
					return -1;
				g = (d[l + 1] - d[l]) / (2 * e[l]);
				r = hypot(g, 1);
				g = d[m] - d[l] + e[l] / (g + copysign(r, g));
				for (i = m; i-- > l;) {
					double f = sn * e[i], b = cs * e[i];
					double *zi = z + i * s, *zj = zi + s;

					r = hypot(f, g);
					e[i + 1] = r;
					if (r == 0) {
						d[i + 1] -= p;
						e[m] = 0;
						underflow = 1;
						break;
					}
					sn = f / r;
					cs = g / r;
					g = d[i + 1] - p;
					r = (d[i] - g) * sn + 2 * cs * b;
					p = sn * r;
					d[i + 1] = g + p;
					g = cs * r - b;
					for (size_t k = 0; k < s; k++) {
						double h = zj[k];

						zj[k] = sn * zi[k] + cs * h;
						zi[k] = cs * zi[k] - sn * h;
					}
				}
				if (underflow)
					continue;
				d[l] -= p;
				e[l] = g;
				e[m] = 0;
			}
		} while (m != l);
	}
	/* selection sort, rows with their values (s is small) */
	for (size_t i = 0; i + 1 < s; i++) {
		size_t b = i;

		for (size_t j = i + 1; j < s; j++)
			if (d[j] < d[b])
				b = j;
		if (b != i) {
			double t = d[i];

			d[i] = d[b];
			d[b] = t;
			for (size_t k = 0; k < s; k++) {
				t = z[i * s + k];
				z[i * s + k] = z[b * s + k];
				z[b * s + k] = t;
			}
		}
	}
	return 0;
}

/* ---- step 3b: the secular equation ------------------------------------- */

/* Root i (0-based) of f(x) = 1 + sum_j rz2[j] / (d[j] - x) = 0, with d
 * ascending (strictly, after deflation), rz2 = rho z_j^2 > 0, rzsum their
 * sum.  The root lies in (d[i], d[i+1]), or (d[k-1], d[k-1] + rzsum] for
 * the last one.  It is sought as origin + tau, origin the pole nearer to
 * the root (decided by the sign of f at the midpoint), so that
 * delta[j] = d[j] - root = (d[j] - origin) - tau keeps full relative
 * accuracy next to the poles.  Steps: the root of the model
 * c + s1/(D1 - eta) + s2/(D2 - eta) matching f and f' from the two
 * adjacent poles (fixed weight method, Bunch, Nielsen & Sorensen 1978),
 * bisection whenever a step leaves the bracket, only bisection after 40
 * steps.  Stops when |f| is within rounding of its terms.  Writes
 * delta (k), returns the root. */
static double la_secular(size_t k, const double *d, const double *rz2,
			 double rzsum, size_t i, double *delta)
{
	const int last = i + 1 == k;
	double origin, lo, hi, tau;

	if (last) {
		origin = d[i];
		lo = 0;
		hi = rzsum;
	} else {
		double mid = (d[i + 1] - d[i]) / 2, f = 1;

		for (size_t j = 0; j < k; j++)
			f += rz2[j] / ((d[j] - d[i]) - mid);
		if (f >= 0) {
			origin = d[i];
			lo = 0;
			hi = mid;
		} else {
			origin = d[i + 1];
			lo = (d[i] - d[i + 1]) + mid;
			hi = 0;
		}
	}
	for (size_t j = 0; j < k; j++)
		delta[j] = d[j] - origin;
	tau = (lo + hi) / 2;
	for (int it = 0; it < 200; it++) {
		double psi = 0, dpsi = 0, phi = 0, dphi = 0, f, erretm;
		double d1, d2 = 0, s1, s2 = 0, c, eta = NAN, next;

		for (size_t j = 0; j <= i; j++) {
			double q = rz2[j] / (delta[j] - tau);

			psi += q;
			dpsi += q / (delta[j] - tau);
		}
		for (size_t j = i + 1; j < k; j++) {
			double q = rz2[j] / (delta[j] - tau);

			phi += q;
			dphi += q / (delta[j] - tau);
		}
		f = 1 + psi + phi;
		erretm = 8 * (phi - psi) + 1 + 2 * fabs(tau) * (dpsi + dphi);
		if (f == 0 || fabs(f) <= DBL_EPSILON * erretm)
			break;
		if (f < 0)
			lo = tau;
		else
			hi = tau;
		d1 = delta[i] - tau;
		s1 = d1 * d1 * dpsi;
		c = f - d1 * dpsi;
		if (!last) {
			d2 = delta[i + 1] - tau;
			s2 = d2 * d2 * dphi;
			c -= d2 * dphi;
		}
		if (it < 40) {
			if (last) {
				if (c > 0)
					eta = d1 + s1 / c;
			} else if (c == 0) {
				double a = s1 + s2;

				if (a != 0)
					eta = (s1 * d2 + s2 * d1) / a;
			} else {
				/* c eta^2 - a eta + b = 0, the root in (d1, d2) */
				double a = c * (d1 + d2) + s1 + s2;
				double b = c * d1 * d2 + s1 * d2 + s2 * d1;
				double disc = a * a - 4 * b * c;
				double q = (a + copysign(sqrt(disc > 0 ? disc : 0),
							 a)) / 2;
				double r1 = q / c, r2 = q != 0 ? b / q : NAN;

				eta = r1 > d1 && r1 < d2 ? r1 : r2;
			}
		}
		next = tau + eta;
		if (!(next > lo && (last ? next <= hi : next < hi)))
			next = lo + (hi - lo) / 2;
		if (next == tau || hi - lo <= 2 * DBL_EPSILON *
					      fmax(fabs(lo), fabs(hi)))
			break;
		tau = next;
	}
	for (size_t j = 0; j < k; j++)
		delta[j] -= tau;
	return origin + tau;
}

/* ---- step 3c: merge ---------------------------------------------------- */

typedef struct la_def {
	double v;
	size_t c;
} la_def;

static int la_def_cmp(const void *a, const void *b)
{
	const la_def *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return (x->c > y->c) - (x->c < y->c);
}

/* Rows [r0, r1) of the block at q (n wide), sz columns: apply the
 * deflation rotations, multiply the kept columns by the merge matrix,
 * place deflated columns; kk kept columns, the GEMM uses kept positions
 * [g0, g1) of the type-ordered list. */
static void la_merge_rows(size_t n, double *q, size_t sz, size_t r0,
			  size_t r1, size_t kk, size_t g0, size_t g1,
			  size_t nrot, size_t ndef, la_ws *w)
{
	for (size_t p0 = r0; p0 < r1; p0 += LA_PANEL) {
		size_t rows = r1 - p0 < LA_PANEL ? r1 - p0 : LA_PANEL;

		for (size_t r = 0; r < rows; r++) {
			double *t0 = w->t0 + r * sz, *t1 = w->t1 + r * kk;

			memcpy(t0, q + (p0 + r) * n, sz * sizeof(*t0));
			for (size_t j = 0; j < nrot; j++) {
				const la_rot *g = &w->rot[j];
				double x = t0[g->ca], y = t0[g->cb];

				t0[g->ca] = g->c * x + g->s * y;
				t0[g->cb] = g->c * y - g->s * x;
			}
			for (size_t t = 0; t < kk; t++)
				t1[t] = t0[w->col[w->order[t]]];
		}
		if (kk > 0)
			/* out (rows x kk) = t1[:, g0:g1] U[g0:g1, :] */
			la_gemm(rows, kk, g1 - g0, 1, w->t1 + g0, kk, 1,
				w->mat + g0 * kk, kk, 1, 0, w->out, kk,
				w->pack);
		for (size_t r = 0; r < rows; r++) {
			double *dst = q + (p0 + r) * n;
			const double *t0 = w->t0 + r * sz;
			const double *o = w->out + r * kk;

			for (size_t i = 0; i < kk; i++)
				dst[w->dest[i]] = o[i];
			for (size_t j = 0; j < ndef; j++)
				dst[w->ddest[j]] = t0[w->dcol[j]];
		}
	}
}

/* Secular roots and Loewner eigenvectors of diag(dl) + rho z z^T for the
 * kk kept entries: w->lam ascending; w->mat (kk x kk) column i =
 * eigenvector i, its rows in type order (w->order). */
static void la_merge_eig(size_t kk, double rho, const double *zl, la_ws *w)
{
	double rzsum = 0, *m = w->mat;

	for (size_t j = 0; j < kk; j++) {
		w->rz2[j] = rho * zl[j] * zl[j];
		rzsum += w->rz2[j];
	}
	for (size_t i = 0; i < kk; i++)
		w->lam[i] = la_secular(kk, w->dl, w->rz2, rzsum, i,
				       m + i * kk);
	/* Loewner: zhat_j^2 = -prod_i (d_j - lam_i) / prod_{i != j} (d_j - d_i)
	 * (up to the common factor rho, removed by the normalisation) */
	for (size_t j = 0; j < kk; j++)
		w->wz[j] = m[j * kk + j];
	for (size_t i = 0; i < kk; i++)
		for (size_t j = 0; j < kk; j++)
			if (j != i)
				w->wz[j] *= m[i * kk + j] /
					    (w->dl[j] - w->dl[i]);
	for (size_t j = 0; j < kk; j++)
		w->wz[j] = copysign(sqrt(fmax(0, -w->wz[j])), zl[j]);
	for (size_t i = 0; i < kk; i++) {
		double *mi = m + i * kk, nrm;

		for (size_t j = 0; j < kk; j++)
			mi[j] = w->wz[j] / mi[j];
		nrm = sqrt(la_dot(kk, mi, mi));
		for (size_t t = 0; t < kk; t++)
			w->row[t] = mi[w->order[t]] / nrm;
		memcpy(mi, w->row, kk * sizeof(*mi));
	}
	la_transpose(kk, m);
}

/* Counts of one merge. */
typedef struct la_mg {
	size_t kk;     /* kept (non-deflated) entries */
	size_t k1, k2; /* kept entries of type 1 (top only) and 2 (mixed) */
	size_t nrot;   /* deflation rotations */
	size_t ndef;   /* deflated entries */
	la_def *def;   /* (ndef) deflated values and their columns */
} la_mg;

/* Merge the two ascending halves of d (n1 and sz - n1 entries) into
 * w->perm (block columns in ascending order of d), w->ds, w->zs with
 * z = [last row of Q1; sgn first row of Q2] / sqrt(2), so ||z|| = 1 and
 * the modification is rho z z^T.  Returns the deflation tolerance
 * 8 eps max(max |d|, max |z|) (dlaed2). */
static double la_merge_sort(size_t n, const double *blk, const double *d,
			    size_t n1, size_t sz, double sgn, la_ws *w)
{
	double dmax = 0, zmax = 0;
	size_t a = 0, b = n1;

	for (size_t t = 0; t < sz; t++) {
		size_t c = (b >= sz || (a < n1 && d[a] <= d[b])) ? a++ : b++;

		w->perm[t] = c;
		w->ds[t] = d[c];
		w->zs[t] = c < n1 ? blk[(n1 - 1) * n + c] * LA_SQRT1_2
				  : sgn * blk[n1 * n + c] * LA_SQRT1_2;
		dmax = fmax(dmax, fabs(w->ds[t]));
		zmax = fmax(zmax, fabs(w->zs[t]));
	}
	return 8 * DBL_EPSILON * fmax(dmax, zmax);
}

/* Keep sorted entry t: w->dl, w->zl, w->col, w->ktype[kk]. */
static void la_keep(la_ws *w, la_mg *g, size_t t)
{
	w->dl[g->kk] = w->ds[t];
	w->zl[g->kk] = w->zs[t];
	w->col[g->kk] = w->perm[t];
	w->ktype[g->kk++] = w->type[t];
}

/* Deflation as dlaed2: an entry with rho |z_t| <= tol is deflated as it
 * is; for two kept neighbours whose rotation zeroing one z has a
 * negligible off-diagonal |(d_t - d_p) c s| <= tol, the rotation is
 * recorded and the first one deflated.  Types: 1 = column of the top
 * half only, 3 = bottom half only, 2 = mixed by a rotation. */
static void la_deflate(size_t n1, size_t sz, double rho, double tol,
		       la_ws *w, la_mg *g)
{
	size_t prev = SIZE_MAX;

	for (size_t t = 0; t < sz; t++) {
		const size_t c = w->perm[t];

		w->type[t] = c < n1 ? 1 : 3;
		if (rho * fabs(w->zs[t]) <= tol) {
			g->def[g->ndef].v = w->ds[t];
			g->def[g->ndef++].c = c;
			continue;
		}
		if (prev != SIZE_MAX) {
			double zp = w->zs[prev], zj = w->zs[t];
			double h = hypot(zp, zj), cs = zj / h, sn = -zp / h;
			double dp = w->ds[prev], dj = w->ds[t];

			if (fabs((dj - dp) * cs * sn) <= tol) {
				la_rot *r = &w->rot[g->nrot++];

				r->ca = w->perm[prev];
				r->cb = c;
				r->c = cs;
				r->s = sn;
				w->zs[t] = h;
				w->ds[t] = dp * sn * sn + dj * cs * cs;
				if (w->type[prev] != w->type[t])
					w->type[t] = 2;
				g->def[g->ndef].v = dp * cs * cs + dj * sn * sn;
				g->def[g->ndef++].c = w->perm[prev];
			} else {
				la_keep(w, g, prev);
			}
		}
		prev = t;
	}
	if (prev != SIZE_MAX)
		la_keep(w, g, prev);
}

/* w->order: kept entries of type 1, then 2, then 3; g->k1, g->k2. */
static void la_type_order(la_ws *w, la_mg *g)
{
	size_t t = 0;

	for (size_t ty = 1; ty <= 3; ty++)
		for (size_t j = 0; j < g->kk; j++)
			if (w->ktype[j] == ty) {
				w->order[t++] = j;
				g->k1 += ty == 1;
				g->k2 += ty == 2;
			}
}

/* Final ascending order of the roots w->lam and the deflated values:
 * their block columns w->dest (roots) and w->ddest / w->dcol (deflated),
 * the values into d. */
static void la_final_order(size_t sz, double *d, la_ws *w, la_mg *g)
{
	size_t i = 0, j = 0;

	qsort(g->def, g->ndef, sizeof(*g->def), la_def_cmp);
	for (size_t t = 0; t < sz; t++)
		if (j >= g->ndef || (i < g->kk && w->lam[i] <= g->def[j].v)) {
			w->dest[i] = t;
			d[t] = w->lam[i++];
		} else {
			w->ddest[j] = t;
			w->dcol[j] = g->def[j].c;
			d[t] = g->def[j++].v;
		}
}

/* Merge the solved halves [off, off + n1) and [off + n1, off + sz) of
 * q (n x n; each half's eigenvectors in its diagonal block, d ascending per
 * half) cut with off-diagonal 'beta'. */
static void la_merge(size_t n, double *q, double *dd, size_t off, size_t n1,
		     size_t sz, double beta, la_ws *w)
{
	double *blk = q + off * n + off, *d = dd + off, tol;
	const double rho = 2 * fabs(beta);
	la_mg g = { .def = (la_def *)w->t0 }; /* sz entries fit in a panel */

	tol = la_merge_sort(n, blk, d, n1, sz, beta < 0 ? -1 : 1, w);
	la_deflate(n1, sz, rho, tol, w, &g);
	la_type_order(w, &g);
	if (g.kk > 0)
		la_merge_eig(g.kk, rho, w->zl, w);
	la_final_order(sz, d, w, &g);
	/* top rows need kept types 1-2, bottom rows types 2-3 */
	la_merge_rows(n, blk, sz, 0, n1, g.kk, 0, g.k1 + g.k2, g.nrot, g.ndef,
		      w);
	la_merge_rows(n, blk, sz, n1, sz, g.kk, g.k1, g.kk, g.nrot, g.ndef, w);
}

/* Eigenvectors of the tridiagonal (d, e) of order n into q (columns),
 * eigenvalues ascending into d; e is destroyed. */
static int la_stedc(size_t n, double *d, double *e, double *q, la_ws *w)
{
	size_t *start = w->cut, *size = w->cut + n, nsub = 1, big = n;

	memset(q, 0, n * n * sizeof(*q));
	start[0] = 0;
	size[0] = n;
	while (big > LA_LEAF) {
		/* halve every subproblem, back to front (as dlaed0) */
		for (size_t j = nsub; j-- > 0;) {
			size[2 * j + 1] = size[j] - size[j] / 2;
			size[2 * j] = size[j] / 2;
		}
		nsub *= 2;
		big = (big + 1) / 2;
	}
	for (size_t j = 1; j < nsub; j++)
		start[j] = start[j - 1] + size[j - 1];
	/* the rank-one tearing at every cut */
	for (size_t j = 1; j < nsub; j++) {
		size_t c = start[j];

		d[c - 1] -= fabs(e[c - 1]);
		d[c] -= fabs(e[c - 1]);
	}
	for (size_t j = 0; j < nsub; j++) {
		size_t s = start[j], len = size[j];
		double *z = w->mat, ee[LA_LEAF];

		for (size_t i = 0; i + 1 < len; i++)
			ee[i] = e[s + i];
		if (la_leaf(len, d + s, ee, z) < 0)
			return -1;
		for (size_t r = 0; r < len; r++)
			for (size_t c = 0; c < len; c++)
				q[(s + r) * n + s + c] = z[c * len + r];
	}
	while (nsub > 1) {
		for (size_t j = 0; j < nsub / 2; j++) {
			size_t s = start[2 * j], n1 = size[2 * j];

			la_merge(n, q, d, s, n1, n1 + size[2 * j + 1],
				 e[s + n1 - 1], w);
			start[j] = s;
			size[j] = n1 + size[2 * j + 1];
		}
		nsub /= 2;
	}
	return 0;
}

/* ---- step 4: back transformation --------------------------------------- */

/* q (n x n) = Q q with Q = H_0 ... H_{n-3} from la_tridiag, LA_NBB
 * reflectors at a time, last block first: H_kb ... H_{kb+nb-1} =
 * I - V T V^T with T upper triangular (dlarft, forward, columnwise:
 * T[c][c] = tau_c, T[0:c][c] = -tau_c T[0:c][0:c] G[0:c][c], G = V^T V),
 * applied as q -= V (T (V^T q)) (dlarfb). */
static void la_backtransform(size_t n, const double *a, const double *tau,
			     double *q, la_ws *w)
{
	const size_t nr = n >= 3 ? n - 2 : 0;
	double *vp = w->mat, *wb = vp + n * LA_NBB;
	double *tt = wb + n * LA_NBB, *g = tt + LA_NBB * LA_NBB;

	if (nr == 0)
		return;
	for (size_t kb = (nr - 1) / LA_NBB * LA_NBB;; kb -= LA_NBB) {
		const size_t nb = nr - kb < LA_NBB ? nr - kb : LA_NBB;
		const size_t m = n - kb - 1;
		double *qs = q + (kb + 1) * n;

		/* V (m x nb): column c = reflector kb + c, unit at row c */
		for (size_t r = 0; r < m; r++)
			for (size_t c = 0; c < nb; c++)
				vp[r * nb + c] = r < c ? 0 : r == c ? 1 :
					a[(kb + 1 + r) * n + kb + c];
		la_gemm(nb, nb, m, 1, vp, 1, nb, vp, nb, 1, 0, g, nb, w->pack);
		for (size_t c = 0; c < nb; c++) {
			const double tc = tau[kb + c];

			for (size_t i = 0; i < c; i++) {
				double s = 0;

				for (size_t j = i; j < c; j++)
					s += tt[i * nb + j] * g[j * nb + c];
				tt[i * nb + c] = -tc * s;
			}
			tt[c * nb + c] = tc;
		}
		/* W = V^T qs (nb x n); W = T W (in place, rows in order);
		 * qs -= V W */
		la_gemm(nb, n, m, 1, vp, 1, nb, qs, n, 1, 0, wb, n, w->pack);
		for (size_t i = 0; i < nb; i++) {
			double *wi = wb + i * n;
			const double ti = tt[i * nb + i];

			for (size_t j = 0; j < n; j++)
				wi[j] *= ti;
			for (size_t l = i + 1; l < nb; l++) {
				const double t = tt[i * nb + l];
				const double *wl = wb + l * n;

				for (size_t j = 0; j < n; j++)
					wi[j] += t * wl[j];
			}
		}
		la_gemm(m, n, nb, -1, vp, nb, 1, wb, n, 1, 1, qs, n, w->pack);
		if (kb == 0)
			break;
	}
}

/* ---- driver ------------------------------------------------------------ */

int la_eigh(size_t n, const double *a, double *w, double *v, double *work,
	    ej_err *err)
{
	double amax = 0, scale;
	void *own = NULL;
	la_ws ws;
	int ex, rc = -1;

	if (n == 0)
		return 0;
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
	if (amax == 0) {
		memset(v, 0, n * n * sizeof(*v));
		for (size_t i = 0; i < n; i++) {
			w[i] = 0;
			v[i * n + i] = 1;
		}
		return 0;
	}
	if (!work) {
		size_t bytes = la_ws_bytes(n);

		own = bytes ? malloc(bytes) : NULL;
		if (!own)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory for "
				       "the eigendecomposition of order %zu",
				       n);
		work = own;
	}
	la_carve(n, work, &ws);
	/* scale by 2^-ex, max |a| in [0.5, 1): exact */
	frexp(amax, &ex);
	scale = ldexp(1, -ex);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j <= i; j++)
			ws.red[i * n + j] = a[i * n + j] * scale;
	la_mirror_lower(n, ws.red); /* the blocked update writes there too */
	la_tridiag(n, ws.red, ws.d, ws.e, ws.tau, &ws);
	if (la_stedc(n, ws.d, ws.e, v, &ws) < 0) {
		ej_fail(err, EJ_EXIT_RUN, "eigensolver did not converge "
			"(order %zu)", n);
		goto out;
	}
	la_backtransform(n, ws.red, ws.tau, v, &ws);
	for (size_t i = 0; i < n; i++)
		w[i] = ldexp(ws.d[i], ex);
	rc = 0;
out:
	free(own);
	return rc;
}
