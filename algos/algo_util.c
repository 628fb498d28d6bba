/* algo_util.c - helpers shared by the algorithms; see algo_util.h. */
#include "algos/algo_util.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "algos/algo.h"
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

/* The member of the state at offset 'at'. */
static void *au_at(const void *state, size_t at)
{
	return (char *)state + at;
}

static size_t au_dim(const void *state, size_t at)
{
	return *(const size_t *)au_at(state, at);
}

/* Elements of a in this state. */
static size_t au_count(const au_array *a, const void *state)
{
	switch (a->shape) {
	case AU_SHAPE_SCALAR:
		return 1;
	case AU_SHAPE_VEC:
		return au_dim(state, a->len);
	default:
		return au_dim(state, a->len) * au_dim(state, a->len2);
	}
}

/* Where a's values live in the state. */
static void *au_data(const au_array *a, const void *state)
{
	void *p = au_at(state, a->at);

	return a->shape == AU_SHAPE_SCALAR ? p : *(void **)p;
}

size_t au_state(const au_state_desc *d, const void *state, npz_array *out,
		size_t max, char names[][64])
{
	size_t n = d->n_arrays, k;

	if (max < n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const au_array *a = &d->arrays[i];

		npz_describe(&out[i], names[i], "", a->name, a->dtype,
			     au_count(a, state), au_data(a, state));
		out[i].ndim = a->shape == AU_SHAPE_SCALAR ? 0 :
			      a->shape == AU_SHAPE_MAT ? 2 : 1;
		if (a->shape == AU_SHAPE_MAT) {
			out[i].shape[0] = au_dim(state, a->len);
			out[i].shape[1] = au_dim(state, a->len2);
		}
	}
	if (!d->optim_prefix)
		return n;
	k = optim_state(*(optim **)au_at(state, d->optim_at), d->optim_prefix,
			out + n, max - n, names + n);
	return k ? n + k : 0;
}

/* A float64 array of 'count' elements, f32 converted, into dst. */
static int au_get_f64(const npz_array *x, const char *name, double *dst,
		      size_t count, ej_err *err)
{
	if (npz_count(x) != count)
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s' has %zu elements, expected %zu", name,
			       npz_count(x), count);
	if (x->dtype == NPZ_F64) {
		memcpy(dst, x->data, count * sizeof(double));
	} else if (x->dtype == NPZ_F32) {
		const float *p = x->data;

		for (size_t i = 0; i < count; i++)
			dst[i] = p[i];
	} else {
		return ej_fail(err, EJ_EXIT_RUN,
			       "'%s' must be float32 or float64", name);
	}
	return 0;
}

/* Array a from f into *val: a pointer into f (exact arrays) or into *own
 * (converted; the caller frees it). */
static int au_read(const au_state_desc *d, const au_array *a, size_t count,
		   const npz_file *f, const void **val, void **own,
		   ej_err *err)
{
	const bool convert = !(a->flags & AU_EXACT) && a->dtype != NPZ_I64;
	const npz_array *x = NULL;

	if (convert) {
		*own = malloc(count ? count * npz_dtype_size(a->dtype) : 1);
		if (!*own)
			return ej_fail(err, EJ_EXIT_RUN, "out of memory "
				       "loading '%s' state", d->algo);
		*val = *own;
		if (a->dtype == NPZ_F32)
			return npz_get_f32(f, a->name, *own, count, err);
	}
	if (!(x = npz_find(f, a->name)))
		return ej_fail(err, EJ_EXIT_RUN, "missing array '%s'", a->name);
	if (convert)
		return au_get_f64(x, a->name, *own, count, err);
	if (x->dtype != a->dtype || npz_count(x) != count) {
		if (a->dtype == NPZ_I64 && a->shape == AU_SHAPE_SCALAR)
			return ej_fail(err, EJ_EXIT_RUN,
				       "array '%s' must be one int64", a->name);
		return ej_fail(err, EJ_EXIT_RUN,
			       "array '%s' must be %s with %zu elements",
			       a->name, a->dtype == NPZ_F32 ? "float32" :
			       a->dtype == NPZ_F64 ? "float64" : "int64",
			       count);
	}
	*val = x->data;
	return 0;
}

/* Value i of a float array. */
static double au_value(const au_array *a, const void *val, size_t i)
{
	return a->dtype == NPZ_F32 ? ((const float *)val)[i] :
				     ((const double *)val)[i];
}

/* The checks a's flags ask for on its loaded values. */
static int au_check(const au_array *a, const void *val, size_t count,
		    ej_err *err)
{
	const unsigned f = a->flags;

	if (f & AU_ITERATION) {
		int64_t it = *(const int64_t *)val;

		if (it < 0 || it > UINT32_MAX)
			return ej_fail(err, EJ_EXIT_RUN, "array '%s' out of "
				       "range, got %lld", a->name,
				       (long long)it);
	}
	if (f & AU_BEST) {
		double v = au_value(a, val, 0);

		if (isnan(v) || v == INFINITY)
			return ej_fail(err, EJ_EXIT_RUN, "array '%s' is %s",
				       a->name, isnan(v) ? "nan" : "inf");
	}
	if (!(f & (AU_FINITE | AU_NONNEG | AU_POSITIVE)))
		return 0;
	for (size_t i = 0; i < count; i++) {
		double v = au_value(a, val, i);

		if (isfinite(v) && (!(f & AU_NONNEG) || v >= 0) &&
		    (!(f & AU_POSITIVE) || v > 0))
			continue;
		if (a->shape == AU_SHAPE_SCALAR && (f & AU_POSITIVE) &&
		    (isfinite(v) || !(f & AU_FINITE)))
			return ej_fail(err, EJ_EXIT_RUN, "array '%s' must be "
				       "> 0, got %g", a->name, v);
		return ej_fail(err, EJ_EXIT_RUN, "array '%s' has a bad value "
			       "at %zu", a->name, i);
	}
	return 0;
}

int au_load(const au_state_desc *d, void *state, const npz_file *f,
	    ej_err *err)
{
	const void *val[ALGO_STATE_MAX] = { 0 };
	void *own[ALGO_STATE_MAX] = { 0 };
	size_t count[ALGO_STATE_MAX];
	const size_t n = d->n_arrays;
	size_t i;
	int rc = -1;

	assert(n <= ALGO_STATE_MAX);
	for (i = 0; i < n; i++) {
		count[i] = au_count(&d->arrays[i], state);
		if (!(d->arrays[i].flags & AU_BY_HOOK) &&
		    au_read(d, &d->arrays[i], count[i], f, &val[i], &own[i],
			    err) < 0)
			goto out;
	}
	for (i = 0; i < n; i++)
		if (val[i] &&
		    au_check(&d->arrays[i], val[i], count[i], err) < 0)
			goto out;
	if ((d->check && d->check(state, f, val, err) < 0) ||
	    (d->optim_prefix &&
	     optim_load(*(optim **)au_at(state, d->optim_at), d->optim_prefix,
			f, err) < 0))
		goto out;
	for (i = 0; i < n; i++)
		if (val[i] && count[i])
			memcpy(au_data(&d->arrays[i], state), val[i],
			       count[i] * npz_dtype_size(d->arrays[i].dtype));
	*(int64_t *)au_at(state, d->drawn_at) = -1;
	if (d->commit)
		d->commit(state, f);
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(own[i]);
	return rc;
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
