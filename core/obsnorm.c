#include "core/obsnorm.h"

#include <math.h>

size_t obsnorm_size(int d)
{
	return 1 + 2 * (size_t)d;
}

void obsnorm_device(const double *p, int d, float *dev)
{
	for (int k = 0; k < d; k++) {
		double var = p[1 + d + k] / (p[0] + 1.0);

		var = fmin(fmax(var, 1e-6), 1e6);
		dev[k] = (float)p[1 + k];
		dev[d + k] = (float)(1.0 / sqrt(var));
	}
}

/* With deviations e = x - m_old over the new batch (n values):
 *   m_new = m_old + sum(e) / N_total
 *   M2_new = M2_old + sum((x - m_new)(x - m_old))
 *          = M2_old + sum(e^2) - (m_new - m_old) sum(e)
 * which is EvoJAX's update_obs_params written with partial sums. */
void obsnorm_update(double *p, int d, const float *stats, size_t rows)
{
	size_t w = 2 * (size_t)d + 1;
	double n = 0.0;

	for (size_t r = 0; r < rows; r++)
		n += stats[r * w + 2 * (size_t)d];
	if (n <= 0.0)
		return;
	for (int k = 0; k < d; k++) {
		double se = 0.0, se2 = 0.0, delta;

		for (size_t r = 0; r < rows; r++) {
			se += stats[r * w + (size_t)k];
			se2 += stats[r * w + (size_t)d + (size_t)k];
		}
		delta = se / (p[0] + n);
		p[1 + k] += delta;
		p[1 + d + k] += se2 - delta * se;
	}
	p[0] += n;
}
