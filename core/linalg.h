/* linalg.h - dense linear algebra in double precision, row-major, on
 * CBLAS and LAPACKE (OpenBLAS): a strided GEMM and the symmetric
 * eigendecomposition CMA-ES needs.
 *
 * Matrices are row-major: element (i, j) of an n x n matrix 'a' is
 * a[i * n + j].  Nothing here allocates behind the caller's back except
 * la_eigh with work == NULL; nothing prints, nothing exits.
 *
 * Threads and reproducibility: every call runs OpenBLAS on one thread
 * (la_single_thread), so the same inputs give bit-identical outputs on the
 * same machine and OpenBLAS build whatever OPENBLAS_NUM_THREADS says, and
 * BLAS threads never spin against the OpenCL CPU device between
 * generations.  OpenBLAS picks its kernels per CPU type: on another CPU
 * model results may differ in the last bits.
 */
#ifndef EJ_LINALG_H
#define EJ_LINALG_H

#include <stddef.h>

#include "core/err.h"

/* Largest dimension the 32-bit BLAS/LAPACK integers take here (every
 * caller bounds its sizes far below: CMA-ES n <= 15864). */
#define LA_DIM_MAX ((size_t)0x7fffffff)

/* Pin OpenBLAS to one thread (idempotent; la_gemm and la_eigh call it). */
void la_single_thread(void);

/* OpenBLAS's kernel set ("SkylakeX", "Haswell", "Prescott", ...) and
 * version, e.g. "OpenBLAS 0.3.21, SkylakeX kernels", into buf. */
void la_describe(char *buf, size_t size);

/* OpenBLAS 0.3.21 (Debian 12) does not know Intel's Sapphire Rapids and
 * later models and falls back to its Prescott (SSE3) kernels: dsyevd at
 * n = 4609 then takes 47 s instead of 13 s.  The kernels are chosen when
 * the library loads, from OPENBLAS_CORETYPE; so when OpenBLAS runs
 * pre-AVX2 kernels on a CPU with AVX2 and FMA and OPENBLAS_CORETYPE is
 * unset, this sets it (SkylakeX with AVX-512 F/BW/DQ/VL/CD, else Haswell)
 * and re-executes the program (/proc/self/exe, same argv); otherwise, or
 * if exec fails, it returns and nothing changes.  Call first in main. */
void la_reexec_for_cpu(char **argv);

/* ---- GEMM ------------------------------------------------------------ */

/* C = beta C + alpha op(A) op(B) by cblas_dgemm, with
 *   op(A) (m x k): element (i, p) at a[i * a_rs + p * a_cs]
 *   op(B) (k x n): element (p, j) at b[p * b_rs + j * b_cs]
 *   C     (m x n): element (i, j) at c[i * ldc + j]
 * so a transposed operand is just swapped strides; one stride of each
 * operand must be 1 (the other is its leading dimension).  beta == 0
 * overwrites C without reading it (C may hold NaN); k == 0 scales C by
 * beta.  C must not overlap A or B.  Dimensions and strides
 * <= LA_DIM_MAX. */
void la_gemm(size_t m, size_t n, size_t k, double alpha, const double *a,
	     size_t a_rs, size_t a_cs, const double *b, size_t b_rs,
	     size_t b_cs, double beta, double *c, size_t ldc);

/* Copy the strictly lower triangle of the n x n matrix a onto its upper
 * triangle (a[j][i] = a[i][j] for j < i), in cache-sized tiles. */
void la_mirror_lower(size_t n, double *a);

/* In-place transpose of the n x n matrix a. */
void la_transpose(size_t n, double *a);

/* ---- symmetric eigendecomposition ------------------------------------ */

/* Doubles of workspace la_eigh needs for order n: LAPACK dsyevd's real
 * and integer workspaces (1 + 6n + 2n^2 doubles and 3 + 5n integers, or
 * more if the workspace query asks for it).  0 if n > LA_DIM_MAX or the
 * size overflows LAPACK's integers. */
size_t la_eigh_work_size(size_t n);

/* Eigendecomposition of the symmetric n x n matrix a (only its lower
 * triangle, a[i][j] with j <= i, is read; a is not modified):
 *   a = v diag(w) v^T,  w ascending,  v orthogonal,
 *   column j of v (v[i * n + j], i = 0..n-1) is the eigenvector of w[j].
 * Method: a copy scaled by a power of two (max |a_ij| in [0.5, 1), exact,
 * so 2^e A gives the same v and 2^e w) goes to LAPACK dsyevd
 * (Householder tridiagonalization, divide and conquer, back
 * transformation); v is transposed in place from LAPACK's column order.
 * Residual and orthogonality ~1e-15 relative.  One core of the dev
 * machine: see README (make bench, bench_cma).
 * work: la_eigh_work_size(n) doubles from malloc (it holds LAPACK
 * integers too), contents irrelevant, or NULL to allocate it here.
 * Errors (EJ_EXIT_RUN): "matrix entry (3, 1) is nan" (non-finite input),
 * "out of memory ..." (work NULL only), "eigensolver did not converge"
 * (dsyevd info > 0), "order ... too large".  n == 0 is a no-op. */
int la_eigh(size_t n, const double *a, double *w, double *v, double *work,
	    ej_err *err);

#endif
