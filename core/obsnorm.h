/* obsnorm.h - running observation normalization (EvoJAX ObsNormalizer).
 *
 * Parameters, EvoJAX layout: p[0] = steps seen, p[1..d] = running mean,
 * p[d+1..2d] = running sum of squared deviations.  Normalized observation:
 *   var = clip(p_var / (steps + 1), 1e-6, 1e6)
 *   obs' = clip((obs - mean) / sqrt(var), -5, 5)
 * Kept in double on the host; written to npz files as float32.
 */
#ifndef EJ_OBSNORM_H
#define EJ_OBSNORM_H

#include <stddef.h>

/* Number of parameters for d-dimensional observations: 1 + 2 d. */
size_t obsnorm_size(int d);
/* Device form: dev[0..d) = mean, dev[d..2d) = 1/sqrt(var). */
void obsnorm_device(const double *p, int d, float *dev);
/* Merge per-work-item partial sums: each row of 'stats' (rows, 2d+1) holds
 * sum(x - mean), sum((x - mean)^2) per dimension and the number of
 * observations, deviations taken from the CURRENT mean p[1..d]. */
void obsnorm_update(double *p, int d, const float *stats, size_t rows);

#endif
