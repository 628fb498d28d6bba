/* noisedev.h - algorithm noise and gradient sums on the OpenCL device.
 *
 * Drawing the (rows x P) standard normals of the shared noise layout
 * (algos/algo_util.h) and the weighted sums over them that make the
 * gradient estimates (sum_k a_k z_k, sum_k b_k z_k^2) are the work of an
 * evolution strategy that scales with population x parameters.  This
 * module runs both as kernels (core/noisedev.cl): the rows stay on the
 * device for the sums and are copied back for the population (ask).
 * PGPE, OpenAI-ES, ARS and SNES use the sums; CR-FM-NES uses the draws.  Device normals may differ from host ones by float rounding
 * (device log/sin/cos), so which path runs is a deterministic rule, never a
 * timing decision:
 *   mode "auto": on GPUs and other non-CPU devices, the device draws when
 *                rows x P >= ND_AUTO_MIN; on CPU devices (PoCL) the host
 *                draws (same cores; the kernel measured slower there)
 *   mode "on":   always the device;  mode "off": never (host only)
 * Same config + seed = same numbers, bit for bit, on the same device.
 */
#ifndef EJ_NOISEDEV_H
#define EJ_NOISEDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "opencl/clrt.h"

#define ND_AUTO_MIN ((size_t)1 << 20) /* 1 Mi normals per iteration */

typedef struct noisedev noisedev;

/* mode: "auto", "on" or "off".  *out = NULL for "off", and for "auto" on
 * a CPU device (a NULL noisedev means host only).  Returns 0, or -1 with
 * err when the kernel cannot be built. */
int nd_create(clrt *rt, const char *mode, noisedev **out, ej_err *err);
void nd_free(noisedev *nd);

/* Should a draw of n normals run on the device? (false for nd == NULL) */
bool nd_wants(const noisedev *nd, size_t n);

/* out (rows, P) on the host = the layout's rows of iteration it. */
int nd_rows(noisedev *nd, float *out, size_t rows, size_t P, uint32_t seed,
	    uint32_t it, ej_err *err);

/* Weighted sums over the rows the last nd_rows call drew, computed where
 * they lie (on the device):
 *   s1[j] = sum_k a[k] z[k][j],   s2[j] = sum_k b[k] z[k][j]^2
 * b and s2 may be NULL (no second sum).  rows and P must match the last
 * nd_rows call.  Float accumulation on the device. */
int nd_sums(noisedev *nd, const double *a, const double *b, size_t rows,
	    size_t P, double *s1, double *s2, ej_err *err);

#endif
