/* linalg.h - small dense linear algebra in double precision, row-major:
 * a packed GEMM and a symmetric eigensolver (for CMA-ES).
 *
 * Matrices are row-major: element (i, j) of an n x n matrix 'a' is
 * a[i * n + j].  Nothing here allocates behind the caller's back except
 * la_eigh with work == NULL; nothing prints, nothing exits.
 *
 * Results are deterministic: the same inputs give bit-identical outputs
 * (fixed summation orders, no threads, no FMA contraction under -std=c11).
 */
#ifndef EJ_LINALG_H
#define EJ_LINALG_H

#include <stddef.h>

#include "core/err.h"

/* ---- GEMM ------------------------------------------------------------ */

/* Doubles of scratch la_gemm needs ('pack' below): the packed blocks of A
 * and B (a little over 2.3 MB). */
#define LA_GEMM_WORK ((size_t)(128 * 256 + 256 * 1024))

/* C = beta C + alpha op(A) op(B), with
 *   op(A) (m x k): element (i, p) at a[i * a_rs + p * a_cs]
 *   op(B) (k x n): element (p, j) at b[p * b_rs + j * b_cs]
 *   C     (m x n): element (i, j) at c[i * ldc + j]
 * so a transposed operand is just swapped strides.  beta == 0 overwrites C
 * without reading it (C may hold NaN).  k == 0 scales C by beta.  'pack' is
 * LA_GEMM_WORK doubles of scratch.  C must not overlap A or B.
 * Each C element is summed over k in increasing order in blocks of 256
 * (beta C + alpha s for the first block, C + alpha s after), the same on
 * every CPU (the AVX kernel gives the SSE2 kernel's bits). */
void la_gemm(size_t m, size_t n, size_t k, double alpha, const double *a,
	     size_t a_rs, size_t a_cs, const double *b, size_t b_rs,
	     size_t b_cs, double beta, double *c, size_t ldc, double *pack);

/* Copy the strictly lower triangle of the n x n matrix a onto its upper
 * triangle (a[j][i] = a[i][j] for j < i), in cache-sized tiles. */
void la_mirror_lower(size_t n, double *a);

/* In-place transpose of the n x n matrix a. */
void la_transpose(size_t n, double *a);

/* ---- symmetric eigendecomposition ------------------------------------ */

/* Doubles of workspace la_eigh needs for order n: two n x n matrices (the
 * Householder reduction and the divide-and-conquer merge matrix) plus
 * O(n) panels and vectors (~ 2 n^2 + 400 n + 300k).  0 if the size
 * overflows size_t. */
size_t la_eigh_work_size(size_t n);

/* Eigendecomposition of the symmetric n x n matrix a (only its lower
 * triangle, a[i][j] with j <= i, is read; a is not modified):
 *   a = v diag(w) v^T,  w ascending,  v orthogonal,
 *   column j of v (v[i * n + j], i = 0..n-1) is the eigenvector of w[j].
 * Method (details in linalg.c): scale by a power of two; blocked
 * Householder tridiagonalization (LAPACK dsytrd/dlatrd); Cuppen's divide
 * and conquer on the tridiagonal matrix, bottom-up (no recursion), with
 * Gu-Eisenstat eigenvectors and dlaed2-style deflation, implicit QL on
 * leaves of at most 32; blocked (WY) back transformation.  Residual and
 * orthogonality ~1e-15 relative.  One core of the dev machine: 0.34 s at
 * n = 1000, ~35 s at n = 4609 (bound by the reduction's memory traffic).
 * work: la_eigh_work_size(n) doubles from malloc (it holds size_t arrays
 * too), contents irrelevant, or NULL to allocate it here.
 * Errors (EJ_EXIT_RUN): "matrix entry (3, 1) is nan" (non-finite input),
 * "out of memory ..." (work NULL only), "eigensolver did not converge"
 * (QL on a leaf; not seen in practice).  n == 0 is a no-op. */
int la_eigh(size_t n, const double *a, double *w, double *v, double *work,
	    ej_err *err);

#endif
