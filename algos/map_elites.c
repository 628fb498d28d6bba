/* map_elites.c - MAP-Elites (Mouret & Clune 2015, "Illuminating search
 * spaces by mapping elites", arXiv:1504.04909) on a grid archive, with the
 * iso+line variation operator of Vassiliades & Mouret 2018 ("Discovering
 * the elite hypervolume by leveraging interspecies correlation", GECCO).
 *
 * Archive.  The task's n_bd behaviour descriptors, each with bounds
 * [bd_lo, bd_hi] (algo_env), are cut into bins[d] equal intervals; a cell
 * is the row-major (C order, numpy ravel_multi_index) index of the
 * interval numbers, the first descriptor most significant.  A descriptor
 * outside its bounds is clipped into them first (so it lands in an edge
 * cell), and bd == bd_hi falls in the last interval.  'bins' is one value
 * for every descriptor or one per descriptor; default 10 per descriptor,
 * the resolution of EvoJAX's MAP-Elites behaviour specs (Ant and
 * HalfCheetah foot-contact descriptors, 10 bins each); Mouret & Clune
 * used 5 per dimension for their 6-D hexapod map.
 *
 * ask (iteration it, member k of N = pop_size):
 *   - while the archive is empty (the first iteration): x uniform in
 *     [init_low, init_high]^P, x[p] = low + (high - low) u with
 *     u = ph_uniform(word p%4 of ph_draw(seed, NOISE, it, k, 0, p/4));
 *     default [-1, 1];
 *   - otherwise iso+line variation of two elites i, j drawn uniformly
 *     (with replacement) among the filled cells:
 *       x = x_i + sigma_iso N(0, I) + sigma_line (x_j - x_i) N(0, 1)
 *     w = ph_draw(seed, ALGO, it, k, 0, 0): i = elite floor(w0 n / 2^32),
 *     j = elite floor(w1 n / 2^32) (n = filled cells, in the order they
 *     were first filled; the bias of this mapping is below n / 2^32), the
 *     line factor is z0 of ph_normal2(w2, w3); the iso noise N(0, I) is
 *     row k of the shared noise layout (algo_util.h, as in pgpe.c).
 *     Computed in double, stored as float.  Defaults sigma_iso 0.01
 *     (Vassiliades & Mouret) and sigma_line 0.1 (pymap_elites, the
 *     authors' code, uses 0.2).
 *   ask does not advance anything: asking twice gives the same batch.
 * tell_bd(fitness, bd): every fitness and descriptor must be finite
 * (errors name the member, before any change).  Members are inserted in
 * order 0..N-1: into an empty cell, or replacing the elite of a cell when
 * the new fitness is strictly higher (a tie keeps the incumbent, also
 * between members of one batch).  The stored descriptor is the clipped
 * one.  Plain tell is an error: "map_elites needs a task with behaviour
 * descriptors" (EJ_EXIT_USAGE), as is creating it for a task without
 * descriptors.
 *
 * best_params: the best elite (highest fitness; ties: lowest cell index),
 * which is also the best solution ever evaluated, since a solution better
 * than every elite always enters the archive.  Before the first tell it is
 * the midpoint of [init_low, init_high].  The pointer is valid until the
 * next tell_bd or load.
 *
 * report: "\"coverage\": c, \"qd_score\": q, \"max_fitness\": f" with
 * c = filled cells / cells, q = the plain sum of the elites' fitness (no
 * offset: the minimum fitness of a task is not known here, so q can be
 * negative and is not comparable across tasks), f = the best elite's
 * fitness; with an empty archive q = 0 and f is null.
 *
 * save_extra(dir): dir/archive.npz written atomically with bins (n_bd)
 * i32, bd_lo, bd_hi (n_bd) f32, filled (cells) u8, fitness (cells) f32
 * (-inf where empty), params (cells, P) f32 and descriptors (cells, n_bd)
 * f32 (zeros where empty).
 *
 * Storage.  Elites are kept compactly, in the order their cells were first
 * filled (elite_cell, elite_fitness, elite_params, elite_descriptors),
 * with a cell -> elite map; memory grows with the filled cells, not the
 * grid.  State (bit-exact resume): iteration () i64, elite_cell (E) i64,
 * elite_fitness (E) f32, elite_params (E*P) f32, elite_descriptors
 * (E*n_bd) f32 for E filled cells: the whole archive; the batch is a pure
 * function of it, the seed and the iteration.  load checks every array
 * (sizes, cells in range and distinct, values finite, descriptors inside
 * their cells) and is all-or-nothing.
 */
#include "algos/algo.h"
#include "algos/algo_util.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opencl/philox.h"

#define ME_NEEDS_BD "map_elites needs a task with behaviour descriptors"
#define ME_MAX_CELLS ((size_t)INT32_MAX)

typedef struct me_cfg {
	int pop_size;
	double sigma_iso;
	double sigma_line;
	double init_low;
	double init_high;
	cfg_ilist bins;
} me_cfg;

#define ME_OFF(m) offsetof(me_cfg, m)

static const cfg_field me_fields[] = {
	{ .key = "pop_size", .type = CFG_INT, .offset = ME_OFF(pop_size),
	  .def = "100", .min = 1, .max = INFINITY,
	  .help = "solutions per iteration (pymap_elites batch_size)" },
	{ .key = "sigma_iso", .type = CFG_FLOAT, .offset = ME_OFF(sigma_iso),
	  .def = "0.01", .min = 0, .max = INFINITY,
	  .help = "isotropic Gaussian mutation stdev (Vassiliades & Mouret "
		  "2018)" },
	{ .key = "sigma_line", .type = CFG_FLOAT,
	  .offset = ME_OFF(sigma_line), .def = "0.1", .min = 0,
	  .max = INFINITY,
	  .help = "stdev of the step along x_j - x_i" },
	{ .key = "init_low", .type = CFG_FLOAT, .offset = ME_OFF(init_low),
	  .def = "-1", .min = -INFINITY, .max = INFINITY,
	  .help = "lower bound of the uniform first batch" },
	{ .key = "init_high", .type = CFG_FLOAT, .offset = ME_OFF(init_high),
	  .def = "1", .min = -INFINITY, .max = INFINITY,
	  .help = "upper bound of the uniform first batch" },
	{ .key = "bins", .type = CFG_INT_LIST, .offset = ME_OFF(bins),
	  .def = "[10]", .min = 1, .max = INFINITY, .flags = CFG_F_NONEMPTY,
	  .help = "grid intervals per descriptor (one value for all, or one "
		  "per descriptor)" },
};

typedef struct me {
	me_cfg cfg;
	size_t P, N, n_bd, cells;
	uint32_t seed;
	int64_t iteration; /* tells done so far */
	int64_t pop_iter;  /* iteration 'pop' was generated for, -1: none */
	int32_t *bins;     /* (n_bd) */
	float *lo, *hi;    /* (n_bd) */
	int32_t *slot;     /* (cells) elite index, -1: empty */
	size_t n_elite, cap;
	int64_t *e_cell;   /* (cap) */
	float *e_fit;      /* (cap) */
	float *e_params;   /* (cap, P) */
	float *e_desc;     /* (cap, n_bd) */
	float *pop;        /* (N, P) the current batch */
	float *mid;        /* (P) best_params while the archive is empty */
	size_t *cell_of;   /* (N) tell scratch */
	float *clipped;    /* (N, n_bd) tell scratch */
} me;

static void me_free(void *state)
{
	me *s = state;

	if (!s)
		return;
	free(s->bins);
	free(s->lo);
	free(s->hi);
	free(s->slot);
	free(s->e_cell);
	free(s->e_fit);
	free(s->e_params);
	free(s->e_desc);
	free(s->pop);
	free(s->mid);
	free(s->cell_of);
	free(s->clipped);
	free(s);
}

/* ---- create ---------------------------------------------------------- */

static int me_check_cfg(const me_cfg *c, ej_err *err)
{
	if (c->pop_size < 1)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'pop_size' must be an integer >= 1, got '%d'",
			       c->pop_size);
	if (!(c->sigma_iso >= 0) || !(c->sigma_line >= 0) ||
	    !isfinite(c->sigma_iso) || !isfinite(c->sigma_line))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'sigma_iso' and 'sigma_line' must be >= 0");
	if (!(c->init_low <= c->init_high) || !isfinite(c->init_low) ||
	    !isfinite(c->init_high))
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'init_low' must be <= 'init_high', got '%g' "
			       "and '%g'", c->init_low, c->init_high);
	if (c->bins.n < 1)
		return ej_fail(err, EJ_EXIT_USAGE, "'bins' must not be empty");
	for (int i = 0; i < c->bins.n; i++)
		if (c->bins.v[i] < 1)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "'bins' must be a list of integers >= "
				       "1, got '%d' (item %d)", c->bins.v[i],
				       i + 1);
	return 0;
}

/* Descriptor count, bounds and the grid size from env and cfg. */
static int me_check_env(const me_cfg *c, const algo_env *env, size_t *cells,
			ej_err *err)
{
	size_t n = 1;

	if (env->n_bd < 1 || !env->bd_lo || !env->bd_hi)
		return ej_fail(err, EJ_EXIT_USAGE, ME_NEEDS_BD);
	if (env->param_size == 0)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'map_elites' needs at least one parameter");
	if (c->bins.n != 1 && c->bins.n != env->n_bd)
		return ej_fail(err, EJ_EXIT_USAGE,
			       "'bins' must have 1 value or %d (one per "
			       "behaviour descriptor), got %d", env->n_bd,
			       c->bins.n);
	for (int d = 0; d < env->n_bd; d++) {
		size_t b = (size_t)c->bins.v[c->bins.n == 1 ? 0 : d];

		if (!(env->bd_lo[d] < env->bd_hi[d]) ||
		    !isfinite(env->bd_lo[d]) || !isfinite(env->bd_hi[d]))
			return ej_fail(err, EJ_EXIT_USAGE,
				       "behaviour descriptor %d has bounds "
				       "[%g, %g]: need finite lo < hi", d,
				       env->bd_lo[d], env->bd_hi[d]);
		if (n > ME_MAX_CELLS / b)
			return ej_fail(err, EJ_EXIT_USAGE,
				       "'bins' give more than %zu cells",
				       ME_MAX_CELLS);
		n *= b;
	}
	*cells = n;
	return 0;
}

static me *me_alloc(size_t P, size_t N, size_t n_bd, size_t cells)
{
	me *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->P = P;
	s->N = N;
	s->n_bd = n_bd;
	s->cells = cells;
	s->bins = malloc(n_bd * sizeof(*s->bins));
	s->lo = malloc(n_bd * sizeof(float));
	s->hi = malloc(n_bd * sizeof(float));
	s->slot = malloc(cells * sizeof(*s->slot));
	s->mid = malloc(P * sizeof(float));
	s->cell_of = malloc(N * sizeof(*s->cell_of));
	if (N <= SIZE_MAX / sizeof(float) / (P > n_bd ? P : n_bd)) {
		s->pop = malloc(N * P * sizeof(float));
		s->clipped = malloc(N * n_bd * sizeof(float));
	}
	if (!s->bins || !s->lo || !s->hi || !s->slot || !s->mid ||
	    !s->cell_of || !s->pop || !s->clipped) {
		me_free(s);
		return NULL;
	}
	for (size_t c = 0; c < cells; c++)
		s->slot[c] = -1;
	return s;
}

static int me_create(void **state, const void *cfgp, const algo_env *env,
		     ej_err *err)
{
	const me_cfg *cfg = cfgp;
	size_t cells = 0;
	me *s;

	*state = NULL;
	if (me_check_cfg(cfg, err) < 0 ||
	    me_check_env(cfg, env, &cells, err) < 0)
		return -1;
	s = me_alloc(env->param_size, (size_t)cfg->pop_size,
		     (size_t)env->n_bd, cells);
	if (!s)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory for "
			       "'map_elites' (%zu cells, pop_size %d, %zu "
			       "parameters)", cells, cfg->pop_size,
			       env->param_size);
	s->cfg = *cfg;
	s->seed = env->seed;
	s->pop_iter = -1;
	for (size_t d = 0; d < s->n_bd; d++) {
		s->bins[d] = cfg->bins.v[cfg->bins.n == 1 ? 0 : d];
		s->lo[d] = env->bd_lo[d];
		s->hi[d] = env->bd_hi[d];
	}
	for (size_t p = 0; p < s->P; p++)
		s->mid[p] = (float)(cfg->init_low +
				    (cfg->init_high - cfg->init_low) / 2);
	*state = s;
	return 0;
}

static size_t me_pop_size(const void *state)
{
	return ((const me *)state)->N;
}

/* ---- the grid -------------------------------------------------------- */

/* Clip bd (n_bd) into the bounds (into 'out') and return its cell. */
static size_t me_cell(const me *s, const float *bd, float *out)
{
	size_t cell = 0;

	for (size_t d = 0; d < s->n_bd; d++) {
		float b = bd[d] < s->lo[d] ? s->lo[d] :
			  bd[d] > s->hi[d] ? s->hi[d] : bd[d];
		double t = ((double)b - s->lo[d]) /
			   ((double)s->hi[d] - s->lo[d]);
		size_t i = (size_t)floor(t * s->bins[d]);

		if (i >= (size_t)s->bins[d])
			i = (size_t)s->bins[d] - 1;
		out[d] = b;
		cell = cell * (size_t)s->bins[d] + i;
	}
	return cell;
}

/* ---- ask ------------------------------------------------------------- */

/* Elite index in [0, n) from one 32-bit word. */
static size_t me_pick(uint32_t w, size_t n)
{
	return (size_t)(((uint64_t)w * n) >> 32);
}

/* Member k of a uniform first batch. */
static void me_init_member(const me *s, uint32_t it, uint32_t k, float *x)
{
	const double lo = s->cfg.init_low, span = s->cfg.init_high - lo;

	for (size_t p = 0; p < s->P; p += 4) {
		ph_out w = ph_draw(s->seed, PH_PURPOSE_NOISE, it, k, 0,
				   (uint32_t)(p / 4));

		for (size_t q = 0; q < 4 && p + q < s->P; q++)
			x[p + q] = (float)(lo + span * ph_uniform(w.v[q]));
	}
}

/* Member k by iso+line variation of two random elites. */
static void me_vary_member(const me *s, uint32_t it, uint32_t k, float *x)
{
	ph_out w = ph_draw(s->seed, PH_PURPOSE_ALGO, it, k, 0, 0);
	const float *xi = s->e_params + me_pick(w.v[0], s->n_elite) * s->P;
	const float *xj = s->e_params + me_pick(w.v[1], s->n_elite) * s->P;
	float line, unused;

	ph_normal2(w.v[2], w.v[3], &line, &unused);
	for (size_t p = 0; p < s->P; p += 4) {
		float z[4];

		au_normal4(s->seed, PH_PURPOSE_NOISE, it, k, (uint32_t)(p / 4),
			   z);
		for (size_t q = 0; q < 4 && p + q < s->P; q++) {
			size_t j = p + q;

			x[j] = (float)((double)xi[j] + s->cfg.sigma_iso * z[q] +
				       s->cfg.sigma_line * line *
				       ((double)xj[j] - xi[j]));
		}
	}
}

/* The batch of the current iteration, generated once per iteration. */
static void me_generate(me *s)
{
	const uint32_t it = (uint32_t)s->iteration;

	if (s->pop_iter == s->iteration)
		return;
	for (size_t k = 0; k < s->N; k++) {
		float *x = s->pop + k * s->P;

		if (s->n_elite == 0)
			me_init_member(s, it, (uint32_t)k, x);
		else
			me_vary_member(s, it, (uint32_t)k, x);
	}
	s->pop_iter = s->iteration;
}

static int me_ask(void *state, float *params, ej_err *err)
{
	me *s = state;

	(void)err;
	me_generate(s);
	memcpy(params, s->pop, s->N * s->P * sizeof(float));
	return 0;
}

/* ---- tell ------------------------------------------------------------ */

static int me_tell(void *state, const float *fitness, ej_err *err)
{
	(void)state;
	(void)fitness;
	return ej_fail(err, EJ_EXIT_USAGE, ME_NEEDS_BD);
}

static int me_check_batch(const me *s, const float *fitness, const float *bd,
			  ej_err *err)
{
	for (size_t i = 0; i < s->N; i++) {
		if (!isfinite(fitness[i]))
			return ej_fail(err, EJ_EXIT_RUN,
				       "fitness of member %zu is %s", i,
				       au_nonfinite_name(fitness[i]));
		for (size_t d = 0; d < s->n_bd; d++) {
			float b = bd[i * s->n_bd + d];

			if (!isfinite(b))
				return ej_fail(err, EJ_EXIT_RUN,
					       "behaviour descriptor %zu of "
					       "member %zu is %s", d, i,
					       au_nonfinite_name(b));
		}
	}
	return 0;
}

/* Room for 'want' elites (never more than the cells). */
static int me_reserve(me *s, size_t want)
{
	size_t cap = s->cap ? s->cap : 16;
	int64_t *c;
	float *f, *p, *d;

	if (want > s->cells)
		want = s->cells;
	if (want <= s->cap)
		return 0;
	while (cap < want)
		cap = cap > s->cells / 2 ? s->cells : cap * 2;
	if (cap > SIZE_MAX / sizeof(float) / s->P ||
	    cap > SIZE_MAX / sizeof(float) / s->n_bd)
		return -1;
	c = realloc(s->e_cell, cap * sizeof(*c));
	if (c)
		s->e_cell = c;
	f = realloc(s->e_fit, cap * sizeof(*f));
	if (f)
		s->e_fit = f;
	p = realloc(s->e_params, cap * s->P * sizeof(*p));
	if (p)
		s->e_params = p;
	d = realloc(s->e_desc, cap * s->n_bd * sizeof(*d));
	if (d)
		s->e_desc = d;
	if (!c || !f || !p || !d)
		return -1; /* arrays that grew stay grown: cap is unchanged */
	s->cap = cap;
	return 0;
}

/* Put member x (fitness f, clipped descriptor bd) into 'cell'. */
static void me_insert(me *s, size_t cell, float f, const float *x,
		      const float *bd)
{
	int32_t e = s->slot[cell];

	if (e >= 0 && !(f > s->e_fit[e]))
		return;
	if (e < 0) {
		e = (int32_t)s->n_elite++;
		s->slot[cell] = e;
		s->e_cell[e] = (int64_t)cell;
	}
	s->e_fit[e] = f;
	memcpy(s->e_params + (size_t)e * s->P, x, s->P * sizeof(float));
	memcpy(s->e_desc + (size_t)e * s->n_bd, bd, s->n_bd * sizeof(float));
}

static int me_tell_bd(void *state, const float *fitness, const float *bd,
		      ej_err *err)
{
	me *s = state;

	if (me_check_batch(s, fitness, bd, err) < 0)
		return -1;
	if (me_reserve(s, s->n_elite + s->N) < 0)
		return ej_fail(err, EJ_EXIT_RUN, "out of memory for the "
			       "'map_elites' archive (%zu elites of %zu "
			       "parameters)", s->n_elite + s->N, s->P);
	me_generate(s);
	for (size_t i = 0; i < s->N; i++)
		s->cell_of[i] = me_cell(s, bd + i * s->n_bd,
					s->clipped + i * s->n_bd);
	for (size_t i = 0; i < s->N; i++)
		me_insert(s, s->cell_of[i], fitness[i], s->pop + i * s->P,
			  s->clipped + i * s->n_bd);
	s->iteration++;
	return 0;
}

/* Index of the best elite (ties: lowest cell), -1 if none. */
static long me_best(const me *s)
{
	long best = -1;

	for (size_t e = 0; e < s->n_elite; e++)
		if (best < 0 || s->e_fit[e] > s->e_fit[best] ||
		    (s->e_fit[e] == s->e_fit[best] &&
		     s->e_cell[e] < s->e_cell[best]))
			best = (long)e;
	return best;
}

static const float *me_best_params(const void *state)
{
	const me *s = state;
	long b = me_best(s);

	return b < 0 ? s->mid : s->e_params + (size_t)b * s->P;
}

static void me_report(const void *state, char *buf, size_t size)
{
	const me *s = state;
	long b = me_best(s);
	double qd = 0;

	for (size_t e = 0; e < s->n_elite; e++)
		qd += s->e_fit[e];
	if (b < 0)
		snprintf(buf, size, "\"coverage\": 0, \"qd_score\": 0, "
			 "\"max_fitness\": null");
	else
		snprintf(buf, size, "\"coverage\": %.9g, \"qd_score\": %.9g, "
			 "\"max_fitness\": %.9g",
			 (double)s->n_elite / (double)s->cells, qd,
			 (double)s->e_fit[b]);
}

/* ---- archive.npz ------------------------------------------------------ */

typedef struct me_dense {
	uint8_t *filled; /* (cells) */
	float *fit;      /* (cells) */
	float *params;   /* (cells, P) */
	float *desc;     /* (cells, n_bd) */
} me_dense;

static void me_dense_free(me_dense *d)
{
	free(d->filled);
	free(d->fit);
	free(d->params);
	free(d->desc);
}

static int me_dense_fill(const me *s, me_dense *d)
{
	memset(d, 0, sizeof(*d));
	if (s->cells > SIZE_MAX / sizeof(float) / s->P)
		return -1;
	d->filled = calloc(s->cells, 1);
	d->fit = malloc(s->cells * sizeof(float));
	d->params = calloc(s->cells * s->P, sizeof(float));
	d->desc = calloc(s->cells * s->n_bd, sizeof(float));
	if (!d->filled || !d->fit || !d->params || !d->desc)
		return -1;
	for (size_t c = 0; c < s->cells; c++)
		d->fit[c] = -INFINITY;
	for (size_t e = 0; e < s->n_elite; e++) {
		size_t c = (size_t)s->e_cell[e];

		d->filled[c] = 1;
		d->fit[c] = s->e_fit[e];
		memcpy(d->params + c * s->P, s->e_params + e * s->P,
		       s->P * sizeof(float));
		memcpy(d->desc + c * s->n_bd, s->e_desc + e * s->n_bd,
		       s->n_bd * sizeof(float));
	}
	return 0;
}

static void me_array(npz_array *a, const char *name, enum npz_dtype t,
		     size_t rows, size_t cols, const void *data)
{
	memset(a, 0, sizeof(*a));
	a->name = name;
	a->dtype = t;
	a->ndim = cols ? 2 : 1;
	a->shape[0] = rows;
	a->shape[1] = cols;
	a->data = data;
}

static int me_save_extra(const void *state, const char *dir, ej_err *err)
{
	const me *s = state;
	char path[4096];
	npz_array a[7];
	me_dense d;
	int rc;

	if (snprintf(path, sizeof(path), "%s/archive.npz", dir) >=
	    (int)sizeof(path))
		return ej_fail(err, EJ_EXIT_RUN, "path too long: '%s'", dir);
	if (me_dense_fill(s, &d) < 0) {
		me_dense_free(&d);
		return ej_fail(err, EJ_EXIT_RUN, "cannot write '%s': out of "
			       "memory", path);
	}
	me_array(&a[0], "bins", NPZ_I32, s->n_bd, 0, s->bins);
	me_array(&a[1], "bd_lo", NPZ_F32, s->n_bd, 0, s->lo);
	me_array(&a[2], "bd_hi", NPZ_F32, s->n_bd, 0, s->hi);
	me_array(&a[3], "filled", NPZ_U8, s->cells, 0, d.filled);
	me_array(&a[4], "fitness", NPZ_F32, s->cells, 0, d.fit);
	me_array(&a[5], "params", NPZ_F32, s->cells, s->P, d.params);
	me_array(&a[6], "descriptors", NPZ_F32, s->cells, s->n_bd, d.desc);
	rc = npz_write(path, a, 7, err);
	me_dense_free(&d);
	return rc;
}

/* ---- state ----------------------------------------------------------- */

/* iteration () i64, then the archive: its length comes from the file, so
 * me_check reads and checks it and me_commit puts it in. */
static const au_array me_arrays[] = {
	AU_SCALAR("iteration", NPZ_I64, me, iteration, AU_ITERATION),
	AU_VEC("elite_cell", NPZ_I64, me, e_cell, n_elite, AU_BY_HOOK),
	AU_VEC("elite_fitness", NPZ_F32, me, e_fit, n_elite, AU_BY_HOOK),
	AU_FLAT("elite_params", NPZ_F32, me, e_params, n_elite, P, AU_BY_HOOK),
	AU_FLAT("elite_descriptors", NPZ_F32, me, e_desc, n_elite, n_bd,
		AU_BY_HOOK),
};

/* 'name' as a 1-D array of 'count' elements of type t. */
static const void *me_get(const npz_file *f, const char *name,
			  enum npz_dtype t, size_t count, ej_err *err)
{
	const npz_array *a = npz_find(f, name);

	if (!a) {
		ej_fail(err, EJ_EXIT_RUN, "missing array '%s'", name);
		return NULL;
	}
	if (a->dtype != t) {
		ej_fail(err, EJ_EXIT_RUN, "array '%s' must be %s", name,
			t == NPZ_I64 ? "int64" : "float32");
		return NULL;
	}
	if (npz_count(a) != count) {
		ej_fail(err, EJ_EXIT_RUN, "'%s' has %zu elements, expected %zu",
			name, npz_count(a), count);
		return NULL;
	}
	return a->data;
}

/* The loaded elites (pointers into the file), checked before they
 * replace the archive. */
typedef struct me_loaded {
	size_t n;
	const int64_t *cell;
	const float *fit, *params, *desc;
} me_loaded;

static int me_read(const me *s, const npz_file *f, me_loaded *l, ej_err *err)
{
	const npz_array *c = npz_find(f, "elite_cell");

	if (!c)
		return ej_fail(err, EJ_EXIT_RUN, "missing array 'elite_cell'");
	l->n = npz_count(c);
	if (l->n > s->cells)
		return ej_fail(err, EJ_EXIT_RUN, "'elite_cell' has %zu "
			       "elements, the grid only %zu cells", l->n,
			       s->cells);
	l->cell = me_get(f, "elite_cell", NPZ_I64, l->n, err);
	if (!l->cell)
		return -1;
	l->fit = me_get(f, "elite_fitness", NPZ_F32, l->n, err);
	if (!l->fit)
		return -1;
	l->params = me_get(f, "elite_params", NPZ_F32, l->n * s->P, err);
	if (!l->params)
		return -1;
	l->desc = me_get(f, "elite_descriptors", NPZ_F32, l->n * s->n_bd,
			 err);
	return l->desc ? 0 : -1;
}

/* Cells in range and distinct, values finite, descriptors inside the
 * bounds and in their cells.  'seen' (cells) is scratch. */
static int me_validate(me *s, const me_loaded *l, uint8_t *seen,
		       ej_err *err)
{
	for (size_t e = 0; e < l->n; e++) {
		const float *bd = l->desc + e * s->n_bd;
		int64_t c = l->cell[e];

		if (c < 0 || (uint64_t)c >= s->cells || seen[c])
			return ej_fail(err, EJ_EXIT_RUN, "array 'elite_cell' "
				       "has a bad or repeated cell at %zu", e);
		seen[c] = 1;
		if (!isfinite(l->fit[e]))
			return ej_fail(err, EJ_EXIT_RUN, "array "
				       "'elite_fitness' has a bad value at "
				       "%zu", e);
		for (size_t d = 0; d < s->n_bd; d++)
			if (!(bd[d] >= s->lo[d] && bd[d] <= s->hi[d]))
				return ej_fail(err, EJ_EXIT_RUN, "array "
					       "'elite_descriptors' has a bad "
					       "value at %zu", e * s->n_bd + d);
		if (me_cell(s, bd, s->clipped) != (size_t)c)
			return ej_fail(err, EJ_EXIT_RUN, "elite %zu: its "
				       "descriptors are not in cell %lld", e,
				       (long long)c);
	}
	for (size_t i = 0; i < l->n * s->P; i++)
		if (!isfinite(l->params[i]))
			return ej_fail(err, EJ_EXIT_RUN, "array 'elite_params' "
				       "has a bad value at %zu", i);
	return 0;
}

/* The archive of f read, checked and room made for it. */
static int me_check(void *state, const npz_file *f, const void *const *val,
		    ej_err *err)
{
	me *s = state;
	uint8_t *seen;
	me_loaded l;
	int rc;

	(void)val;
	if (me_read(s, f, &l, err) < 0)
		return -1;
	seen = calloc(s->cells, 1);
	if (!seen || me_reserve(s, l.n) < 0) {
		free(seen);
		return ej_fail(err, EJ_EXIT_RUN, "out of memory loading the "
			       "'map_elites' archive (%zu elites)", l.n);
	}
	rc = me_validate(s, &l, seen, err);
	free(seen);
	return rc;
}

/* Replace the archive with the checked elites of f. */
static void me_commit(void *state, const npz_file *f)
{
	me *s = state;
	me_loaded l;

	me_read(s, f, &l, NULL); /* succeeded in me_check */
	for (size_t e = 0; e < s->n_elite; e++)
		s->slot[s->e_cell[e]] = -1;
	s->n_elite = l.n;
	for (size_t e = 0; e < l.n; e++)
		s->slot[l.cell[e]] = (int32_t)e;
	if (l.n) {
		memcpy(s->e_cell, l.cell, l.n * sizeof(int64_t));
		memcpy(s->e_fit, l.fit, l.n * sizeof(float));
		memcpy(s->e_params, l.params, l.n * s->P * sizeof(float));
		memcpy(s->e_desc, l.desc, l.n * s->n_bd * sizeof(float));
	}
}

static const au_state_desc me_state_desc = {
	.algo = "map_elites",
	.arrays = me_arrays,
	.n_arrays = sizeof(me_arrays) / sizeof(me_arrays[0]),
	.drawn_at = offsetof(me, pop_iter),
	.check = me_check,
	.commit = me_commit,
};

AU_STATE_FNS(me, me_state_desc)

const algo_ops map_elites_ops = {
	.name = "map_elites",
	.summary = "MAP-Elites on a grid over the task's behaviour "
	           "descriptors, iso+line variation",
	.fields = me_fields,
	.n_fields = sizeof(me_fields) / sizeof(me_fields[0]),
	.cfg_size = sizeof(me_cfg),
	.create = me_create,
	.pop_size = me_pop_size,
	.ask = me_ask,
	.tell = me_tell,
	.best_params = me_best_params,
	.state = me_state,
	.load = me_load,
	.free = me_free,
	.tell_bd = me_tell_bd,
	.report = me_report,
	.save_extra = me_save_extra,
};
