/* algo_util.c - helpers shared by the algorithms; see algo_util.h. */
#include "algos/algo_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "opencl/philox.h"

/* ---- noise ------------------------------------------------------------ */

void au_normal4(uint32_t seed, uint32_t purpose, uint32_t it,
		uint32_t member, uint32_t quad, float z[4])
{
	ph_out w = ph_draw(seed, purpose, it, member, 0, quad);

	ph_normal2(w.v[0], w.v[1], &z[0], &z[1]);
	ph_normal2(w.v[2], w.v[3], &z[2], &z[3]);
}

int au_noise_rows(noisedev *nd, float *noise, size_t rows, size_t P,
		  uint32_t seed, int64_t it, int64_t *drawn_for, ej_err *err)
{
	if (*drawn_for == it)
		return 0;
	if (nd_wants(nd, rows * P)) {
		if (nd_rows(nd, noise, rows, P, seed, (uint32_t)it, err) < 0)
			return -1;
		*drawn_for = it;
		return 0;
	}
	for (size_t k = 0; k < rows; k++) {
		float *row = noise + k * P;

		for (size_t j = 0; j < P; j += 4) {
			float z[4];

			au_normal4(seed, PH_PURPOSE_NOISE, (uint32_t)it,
				   (uint32_t)k, (uint32_t)(j / 4), z);
			for (size_t q = 0; q < 4 && j + q < P; q++)
				row[j + q] = z[q];
		}
	}
	*drawn_for = it;
	return 0;
}

void au_mirror_rows(float *params, const float *center, const float *noise,
		    const float *sigma, size_t sigma_stride, size_t K,
		    size_t P)
{
	for (size_t k = 0; k < K; k++) {
		const float *eps = noise + k * P;
		float *plus = params + 2 * k * P, *minus = plus + P;

		for (size_t j = 0; j < P; j++) {
			float d = sigma[j * sigma_stride] * eps[j];

			plus[j] = center[j] + d;
			minus[j] = center[j] - d;
		}
	}
}

/* ---- fitness ---------------------------------------------------------- */

const char *au_nonfinite_name(float x)
{
	return isnan(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

int au_check_fitness(const float *fitness, size_t n, ej_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(fitness[i]))
			return ej_fail(err, EJ_EXIT_RUN,
				       "fitness of member %zu is %s", i,
				       au_nonfinite_name(fitness[i]));
	return 0;
}

/* ---- ranks ------------------------------------------------------------ */

static int au_rank_cmp_up(const void *a, const void *b)
{
	const au_rank *x = a, *y = b;

	if (x->f != y->f)
		return x->f < y->f ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

static int au_rank_cmp_down(const void *a, const void *b)
{
	const au_rank *x = a, *y = b;

	if (x->f != y->f)
		return x->f > y->f ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

void au_rank_sort(au_rank *order, size_t n, au_order how)
{
	qsort(order, n, sizeof(*order),
	      how == AU_BEST_FIRST ? au_rank_cmp_down : au_rank_cmp_up);
}

void au_rank_members(au_rank *order, const float *fitness, size_t n,
		     au_order how)
{
	for (size_t i = 0; i < n; i++) {
		order[i].f = fitness[i];
		order[i].i = i;
	}
	au_rank_sort(order, n, how);
}

void au_centered_ranks(double *u, au_rank *order, const float *fitness,
		       size_t n)
{
	au_rank_members(order, fitness, n, AU_WORST_FIRST);
	for (size_t r = 0; r < n; r++)
		u[order[r].i] = (double)r / (double)(n - 1) - 0.5;
}

void au_log_rank_weights(double *w_hat, double *w, size_t n)
{
	const double top = log((double)n / 2 + 1);
	double sum = 0;

	for (size_t r = 0; r < n; r++) {
		double v = top - log((double)(r + 1));

		w_hat[r] = v > 0 ? v : 0;
		sum += w_hat[r];
	}
	for (size_t r = 0; r < n; r++)
		w[r] = w_hat[r] / sum - 1 / (double)n;
}

/* ---- state ------------------------------------------------------------ */

int au_load_iteration(const npz_file *f, int64_t *it, ej_err *err)
{
	const npz_array *a = npz_find(f, "iteration");

	if (!a)
		return ej_fail(err, EJ_EXIT_RUN, "missing array 'iteration'");
	if (a->dtype != NPZ_I64 || npz_count(a) != 1)
		return ej_fail(err, EJ_EXIT_RUN,
			       "array 'iteration' must be one int64");
	memcpy(it, a->data, sizeof(*it));
	if (*it < 0 || *it > UINT32_MAX)
		return ej_fail(err, EJ_EXIT_RUN,
			       "array 'iteration' out of range, got %lld",
			       (long long)*it);
	return 0;
}

int au_check_finite(const float *x, size_t n, const char *name, ej_err *err)
{
	for (size_t q = 0; q < n; q++)
		if (!isfinite(x[q]))
			return ej_fail(err, EJ_EXIT_RUN,
				       "array '%s' has a bad value at %zu",
				       name, q);
	return 0;
}

int au_check_mean_sigma(const float *mean, const float *sigma, size_t n,
			const char *mean_name, const char *sigma_name,
			ej_err *err)
{
	for (size_t j = 0; j < n; j++)
		if (!isfinite(mean[j]) || !(sigma[j] >= 0) ||
		    !isfinite(sigma[j]))
			return ej_fail(err, EJ_EXIT_RUN,
				       "array '%s' has a bad value at %zu",
				       isfinite(mean[j]) ? sigma_name :
				       mean_name, j);
	return 0;
}

optim *au_optim(const optim_cfg *given, size_t P, ej_err *err)
{
	optim_cfg ocfg;

	if (given)
		ocfg = *given;
	else if (optim_parse(NULL, &ocfg, err) < 0)
		return NULL;
	return optim_create(&ocfg, P, err);
}
