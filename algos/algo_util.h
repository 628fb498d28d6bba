/* algo_util.h - small helpers the algorithms in algos/ share: the noise
 * layout, fitness checks, rank sorting and the saved state.  Each helper is
 * the one copy of logic that several algorithms used to carry privately;
 * its numbers (and the messages their tests pin) are exactly theirs.
 *
 * The shared noise layout.  Standard normal number j of row (member) k in
 * iteration it, for purpose NOISE (or ALGO where an algorithm says so):
 *   w = ph_draw(seed, purpose, it, member = k, repeat = 0, index = j/4)
 *   ph_normal2(w0, w1) and ph_normal2(w2, w3) give 4 normals z[0..3]
 *   value = z[j % 4]   (a row of P values uses ceil(P/4) draws)
 * au_normal4 is one draw (4 normals), au_noise_rows fills whole rows.  One
 * device kernel can produce the same numbers for every algorithm that uses
 * it (PGPE, OpenAI-ES, ARS, SNES, SimpleGA, CR-FM-NES, MAP-Elites).
 */
#ifndef EJ_ALGO_UTIL_H
#define EJ_ALGO_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/noisedev.h"
#include "core/npz.h"
#include "core/optim.h"

/* ---- noise ------------------------------------------------------------ */

/* The 4 normals of ph_draw(seed, purpose, it, member, 0, quad) (quad = j/4
 * of the layout above). */
void au_normal4(uint32_t seed, uint32_t purpose, uint32_t it,
		uint32_t member, uint32_t quad, float z[4]);

/* noise (rows, P) = rows 0..rows-1 of the NOISE layout of iteration 'it',
 * unless *drawn_for == it already (then nothing is done); sets *drawn_for
 * = it.  Callers keep *drawn_for = -1 while noise holds nothing.  When
 * nd_wants(nd, rows * P) the device draws them (core/noisedev.h); a
 * device failure returns -1 with err (EJ_EXIT_DEVICE). */
int au_noise_rows(noisedev *nd, float *noise, size_t rows, size_t P,
		  uint32_t seed, int64_t it, int64_t *drawn_for, ej_err *err);

/* Antithetic pairs: for k < K, with d[j] = sigma[j * sigma_stride] *
 * noise[k][j] (float), row 2k = center + d and row 2k+1 = center - d of
 * params (2K, P).  sigma_stride 1: one sigma per parameter; 0: a scalar
 * at *sigma. */
void au_mirror_rows(float *params, const float *center, const float *noise,
		    const float *sigma, size_t sigma_stride, size_t K,
		    size_t P);

/* ---- fitness ---------------------------------------------------------- */

/* "nan", "inf" or "-inf" for a non-finite x. */
const char *au_nonfinite_name(float x);

/* Every fitness[0..n) finite, else EJ_EXIT_RUN "fitness of member 3 is
 * nan" (inf, -inf) naming the first bad member; returns 0 or -1. */
int au_check_fitness(const float *fitness, size_t n, ej_err *err);

/* ---- ranks ------------------------------------------------------------ */

typedef struct au_rank {
	float f;  /* the sort key (fitness, or a score) */
	size_t i; /* member (or direction) index */
} au_rank;

typedef enum au_order {
	AU_WORST_FIRST, /* ascending f */
	AU_BEST_FIRST,  /* descending f */
} au_order;

/* Sort order[0..n) by f in 'how' order; ties: lower i first (a total
 * order for finite f, so the result does not depend on qsort). */
void au_rank_sort(au_rank *order, size_t n, au_order how);

/* order[r] = (fitness[i], i) sorted as au_rank_sort does. */
void au_rank_members(au_rank *order, const float *fitness, size_t n,
		     au_order how);

/* Centered ranks u[i] = rank_i/(n-1) - 0.5, rank 0 the lowest fitness
 * (ties: lower index, lower rank); order (n) is scratch.  n >= 2. */
void au_centered_ranks(double *u, au_rank *order, const float *fitness,
		       size_t n);

/* The NES log-rank weights for ranks r = 1..n (best first) at [r-1]:
 *   w_hat_r = max(0, ln(n/2 + 1) - ln r)
 *   w_r     = w_hat_r / sum_q w_hat_q - 1/n
 * (SNES utilities, CR-FM-NES w_rank).  w_hat may be the same array as w. */
void au_log_rank_weights(double *w_hat, double *w, size_t n);

/* ---- state ------------------------------------------------------------ */

/* An algorithm's saved state is declared, not hand-written: a table of the
 * arrays it persists (au_array, in the order they are written), its
 * optimizer, and optional hooks for what does not fit the table.  ops->state
 * and ops->load come from AU_STATE_FNS(prefix, desc) below.
 *
 * au_load is all-or-nothing.  In order: every array of the table is read
 * (structure errors), then each one's values are checked (its flags), then
 * the check hook runs, then the optimizer is loaded; only then are the
 * values copied into the state, the 'drawn' counter set to -1 and the
 * commit hook run.  Errors are EJ_EXIT_RUN:
 *   float32 arrays (npz_get_f32: f64 converts; its messages name the file)
 *     "'s.npz': 'center' has 4 elements, expected 3"
 *   float64 arrays (f32 converts)
 *     "missing array 'v'", "'v' has 4 elements, expected 3",
 *     "'v' must be float32 or float64"
 *   AU_EXACT arrays and every int64 (dtype and count as written)
 *     "array 'C' must be float64 with 9 elements",
 *     "array 'iteration' must be one int64"
 *   values: see the flags. */

typedef enum au_shape {
	AU_SHAPE_SCALAR, /* one value, stored in the state at 'at' */
	AU_SHAPE_VEC,    /* (len) values, at the pointer stored at 'at' */
	AU_SHAPE_MAT,    /* (len, len2) likewise, written 2-D */
	AU_SHAPE_FLAT,   /* (len * len2) likewise, written 1-D */
} au_shape;

enum au_flags {
	/* dtype and element count exactly as written (no conversion) */
	AU_EXACT = 1 << 0,
	/* every value finite, else "array 'x' has a bad value at 3" */
	AU_FINITE = 1 << 1,
	/* every value finite and >= 0 (> 0), else the same message, or for
	 * a scalar (AU_POSITIVE) "array 'sigma' must be > 0, got -1";
	 * with AU_FINITE a non-finite value gets AU_FINITE's message */
	AU_NONNEG = 1 << 2,
	AU_POSITIVE = 1 << 3,
	/* a best fitness: finite or -inf (none yet), else "array
	 * 'best_fitness' is nan" (inf) */
	AU_BEST = 1 << 4,
	/* an int64 in [0, UINT32_MAX] (it names noise draws), else "array
	 * 'iteration' out of range, got -1" */
	AU_ITERATION = 1 << 5,
	/* written from the table, but read and checked by the check hook:
	 * its length depends on the file (val[i] is NULL) */
	AU_BY_HOOK = 1 << 6,
};

typedef struct au_array {
	const char *name;     /* npz key */
	enum npz_dtype dtype; /* NPZ_F32, NPZ_F64 or NPZ_I64, as in the state */
	au_shape shape;
	size_t at;            /* offsetof the value (scalar) or the pointer */
	size_t len, len2;     /* offsetof the size_t dimensions */
	unsigned flags;       /* enum au_flags */
} au_array;

/* Table rows: npz key, dtype, the state's struct type T, the member
 * holding the value (or the pointer), the size_t members giving the
 * dimensions, flags.  AU_VEC("center", NPZ_F32, pgpe, center, P,
 * AU_FINITE) is pgpe.center, (pgpe.P) float32 values. */
#define AU_SCALAR(key, dt, T, m, fl)                                         \
	{ .name = (key), .dtype = (dt), .shape = AU_SHAPE_SCALAR,            \
	  .at = offsetof(T, m), .flags = (fl) }
#define AU_VEC(key, dt, T, m, n, fl)                                         \
	{ .name = (key), .dtype = (dt), .shape = AU_SHAPE_VEC,               \
	  .at = offsetof(T, m), .len = offsetof(T, n), .flags = (fl) }
#define AU_MAT(key, dt, T, m, n, n2, fl)                                     \
	{ .name = (key), .dtype = (dt), .shape = AU_SHAPE_MAT,               \
	  .at = offsetof(T, m), .len = offsetof(T, n),                       \
	  .len2 = offsetof(T, n2), .flags = (fl) }
#define AU_FLAT(key, dt, T, m, n, n2, fl)                                    \
	{ .name = (key), .dtype = (dt), .shape = AU_SHAPE_FLAT,              \
	  .at = offsetof(T, m), .len = offsetof(T, n),                       \
	  .len2 = offsetof(T, n2), .flags = (fl) }

typedef struct au_state_desc {
	const char *algo;       /* for messages: "out of memory loading 'pgpe'
				 * state" */
	const au_array *arrays; /* written in this order */
	size_t n_arrays;        /* <= ALGO_STATE_MAX */
	/* The optimizer's arrays (core/optim.h) follow the table with this
	 * prefix; NULL: no optimizer.  optim_at: offsetof the optim *. */
	const char *optim_prefix;
	size_t optim_at;
	/* offsetof the int64_t a load sets to -1: the iteration that cached
	 * samples (noise, population) belong to */
	size_t drawn_at;
	/* Optional: checks across arrays (and the AU_BY_HOOK arrays, from f)
	 * after every array passed its own; val[i] is array i as loaded, in
	 * the state's dtype.  May make room in the state but must not change
	 * what ops->state reports. */
	int (*check)(void *state, const npz_file *f, const void *const *val,
		     ej_err *err);
	/* Optional: after the values are in (derived values; AU_BY_HOOK
	 * arrays).  Cannot fail. */
	void (*commit)(void *state, const npz_file *f);
} au_state_desc;

/* ops->state from the description: the table, then the optimizer. */
size_t au_state(const au_state_desc *d, const void *state, npz_array *out,
		size_t max, char names[][64]);
/* ops->load from the description (see above). */
int au_load(const au_state_desc *d, void *state, const npz_file *f,
	    ej_err *err);

/* static prefix_state and prefix_load for the ops table, from the
 * au_state_desc 'desc'. */
#define AU_STATE_FNS(prefix, desc)                                           \
	static size_t prefix##_state(const void *state, npz_array *out,      \
				     size_t max, char names[][64])           \
	{                                                                    \
		return au_state(&(desc), state, out, max, names);            \
	}                                                                    \
	static int prefix##_load(void *state, const npz_file *f, ej_err *err) \
	{                                                                    \
		return au_load(&(desc), state, f, err);                      \
	}

/* ---- optimizer --------------------------------------------------------- */

/* The optimizer of a gradient-estimating algorithm for P parameters: the
 * resolved 'optimizer' section 'given', or the schema defaults when the
 * experiment has none (given NULL).  NULL with err filled on failure. */
optim *au_optim(const optim_cfg *given, size_t P, ej_err *err);

#endif
