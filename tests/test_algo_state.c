/* test_algo_state.c - the declarative state table of algos/algo_util.h
 * (au_state, au_load) on a toy state: what it writes (names, dtypes,
 * shapes, order, the optimizer after the table), a bit-exact round trip,
 * and that a malformed array (wrong dtype, wrong length, a value its flags
 * refuse) or a refusing check hook leaves the state unchanged. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "algos/algo.h"
#include "algos/algo_util.h"
#include "tests/testutil.h"

enum { N = 3, ROWS = 2 };

typedef struct toy {
	size_t n, rows;
	int64_t iteration, drawn;
	float sigma;
	double best;
	float *x;    /* (n) */
	double *v;   /* (n) */
	double *m;   /* (rows, n) */
	optim *opt;
	int refuse;  /* the check hook fails */
	int commits; /* commit hook calls */
} toy;

enum { T_X, T_SIGMA, T_V, T_M, T_BEST, T_IT, T_N_ARRAYS };

static const au_array toy_arrays[T_N_ARRAYS] = {
	[T_X] = AU_VEC("x", NPZ_F32, toy, x, n, AU_FINITE),
	[T_SIGMA] = AU_SCALAR("sigma", NPZ_F32, toy, sigma, AU_POSITIVE),
	[T_V] = AU_VEC("v", NPZ_F64, toy, v, n, AU_NONNEG),
	[T_M] = AU_MAT("m", NPZ_F64, toy, m, rows, n, AU_EXACT | AU_FINITE),
	[T_BEST] = AU_SCALAR("best", NPZ_F64, toy, best, AU_BEST),
	[T_IT] = AU_SCALAR("iteration", NPZ_I64, toy, iteration, AU_ITERATION),
};

static int toy_check(void *state, const npz_file *f, const void *const *val,
		     ej_err *err)
{
	(void)f;
	assert_non_null(val[T_M]);
	if (((toy *)state)->refuse)
		return ej_fail(err, EJ_EXIT_RUN, "refused by the hook");
	return 0;
}

static void toy_commit(void *state, const npz_file *f)
{
	(void)f;
	((toy *)state)->commits++;
}

static const au_state_desc toy_desc = {
	.algo = "toy",
	.arrays = toy_arrays,
	.n_arrays = T_N_ARRAYS,
	.optim_prefix = "opt_",
	.optim_at = offsetof(toy, opt),
	.drawn_at = offsetof(toy, drawn),
	.check = toy_check,
	.commit = toy_commit,
};

/* A toy whose values depend on k; its optimizer has taken one step. */
static toy *toy_new(float k)
{
	toy *t = calloc(1, sizeof(*t));
	float theta[N] = { 0 }, grad[N] = { 1, -2, 3 };
	ej_err err = { 0 };

	assert_non_null(t);
	t->n = N;
	t->rows = ROWS;
	t->x = malloc(N * sizeof(float));
	t->v = malloc(N * sizeof(double));
	t->m = malloc(ROWS * N * sizeof(double));
	t->opt = au_optim(NULL, N, &err);
	assert_true(t->x && t->v && t->m && t->opt);
	for (size_t j = 0; j < N; j++) {
		t->x[j] = k + (float)j / 3;
		t->v[j] = k * (double)j;
		t->m[j] = k - 1.0 / 7;
		t->m[N + j] = k * 1e-3;
	}
	optim_step(t->opt, theta, grad, (double)k);
	t->sigma = k / 2;
	t->best = k > 1 ? k * 3.5 : -INFINITY;
	t->iteration = (int64_t)k * 10;
	t->drawn = t->iteration;
	return t;
}

static void toy_free(toy *t)
{
	free(t->x);
	free(t->v);
	free(t->m);
	optim_free(t->opt);
	free(t);
}

/* Everything au_state writes of t, concatenated, then 'drawn'. */
static size_t toy_bytes(const toy *t, unsigned char *buf, size_t cap)
{
	npz_array a[ALGO_STATE_MAX];
	char names[ALGO_STATE_MAX][64];
	size_t n = au_state(&toy_desc, t, a, ALGO_STATE_MAX, names), len = 0;

	for (size_t i = 0; i < n; i++) {
		size_t b = npz_count(&a[i]) * npz_dtype_size(a[i].dtype);

		assert_true(len + b <= cap);
		memcpy(buf + len, a[i].data, b);
		len += b;
	}
	assert_true(len + sizeof(t->drawn) <= cap);
	memcpy(buf + len, &t->drawn, sizeof(t->drawn));
	return len + sizeof(t->drawn);
}

static void test_written(void **state)
{
	static const char *const names[] = { "x", "sigma", "v", "m", "best",
					     "iteration", "opt_m", "opt_v",
					     "opt_t" };
	static const int ndims[] = { 1, 0, 1, 2, 0, 0, 1, 1, 0 };
	static const enum npz_dtype dtypes[] = { NPZ_F32, NPZ_F32, NPZ_F64,
						 NPZ_F64, NPZ_F64, NPZ_I64,
						 NPZ_F32, NPZ_F32, NPZ_I64 };
	toy *t = toy_new(2);
	npz_array a[ALGO_STATE_MAX];
	char nm[ALGO_STATE_MAX][64];

	(void)state;
	assert_int_equal(au_state(&toy_desc, t, a, ALGO_STATE_MAX, nm), 9);
	for (size_t i = 0; i < 9; i++) {
		assert_string_equal(a[i].name, names[i]);
		assert_int_equal(a[i].ndim, ndims[i]);
		assert_int_equal(a[i].dtype, dtypes[i]);
	}
	assert_int_equal(a[0].shape[0], N);
	assert_int_equal(a[3].shape[0], ROWS);
	assert_int_equal(a[3].shape[1], N);
	assert_ptr_equal(a[0].data, t->x);
	assert_ptr_equal(a[1].data, &t->sigma);
	assert_ptr_equal(a[3].data, t->m);
	/* too small for the table, or for the optimizer after it */
	assert_int_equal(au_state(&toy_desc, t, a, 5, nm), 0);
	assert_int_equal(au_state(&toy_desc, t, a, 7, nm), 0);
	toy_free(t);
}

static void test_round_trip(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	toy *a = toy_new(2), *b = toy_new(5);
	npz_array arr[ALGO_STATE_MAX];
	char nm[ALGO_STATE_MAX][64];
	unsigned char ba[512], bb[512];
	size_t n = au_state(&toy_desc, a, arr, ALGO_STATE_MAX, nm), la, lb;
	ej_err err = { 0 };
	npz_file *f;

	assert_int_equal(npz_write(path, arr, n, &err), 0);
	assert_non_null(f = npz_read(path, &err));
	if (au_load(&toy_desc, b, f, &err) < 0)
		fail_msg("%s", err.msg);
	npz_free(f);
	assert_int_equal(b->drawn, -1);
	assert_int_equal(b->commits, 1);
	b->drawn = a->drawn;
	la = toy_bytes(a, ba, sizeof(ba));
	lb = toy_bytes(b, bb, sizeof(bb));
	assert_int_equal(la, lb);
	assert_memory_equal(ba, bb, la);
	toy_free(a);
	toy_free(b);
}

/* a's state with array i replaced by 'bad', loaded into b: must fail with
 * 'want' and change nothing. */
static void refused(const char *path, size_t i, const npz_array *bad,
		    int refuse, const char *want)
{
	toy *a = toy_new(2), *b = toy_new(5);
	npz_array arr[ALGO_STATE_MAX];
	char nm[ALGO_STATE_MAX][64];
	unsigned char before[512], after[512];
	size_t n = au_state(&toy_desc, a, arr, ALGO_STATE_MAX, nm), len;
	ej_err err = { 0 };
	npz_file *f;

	if (bad)
		arr[i] = *bad;
	else
		arr[i] = arr[--n]; /* array i missing */
	assert_int_equal(npz_write(path, arr, n, &err), 0);
	assert_non_null(f = npz_read(path, &err));
	b->refuse = refuse;
	len = toy_bytes(b, before, sizeof(before));
	assert_int_equal(au_load(&toy_desc, b, f, &err), -1);
	npz_free(f);
	assert_int_equal(err.code, EJ_EXIT_RUN);
	if (!strstr(err.msg, want))
		fail_msg("'%s' not in '%s'", want, err.msg);
	assert_int_equal(toy_bytes(b, after, sizeof(after)), len);
	assert_memory_equal(before, after, len);
	assert_int_equal(b->commits, 0);
	toy_free(a);
	toy_free(b);
}

static void test_refused(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	static const float xnan[N] = { 1, NAN, 3 }, x4[4] = { 0 };
	static const float zero = 0, m32[ROWS * N] = { 0 };
	static const double inf = INFINITY, vneg[N] = { 0, -1, 0 };
	static const double vinf[N] = { 0, 0, INFINITY }, one = 1;
	static const int64_t ibad[N] = { 1, 2, 3 }, itneg = -1;
	const npz_array x_i64 = { .name = "x", .dtype = NPZ_I64, .ndim = 1,
				  .shape = { N }, .data = ibad };
	const npz_array x_len = { .name = "x", .dtype = NPZ_F32, .ndim = 1,
				  .shape = { 4 }, .data = x4 };
	const npz_array x_nan = { .name = "x", .dtype = NPZ_F32, .ndim = 1,
				  .shape = { N }, .data = xnan };
	const npz_array s_zero = { .name = "sigma", .dtype = NPZ_F32,
				   .data = &zero };
	const npz_array v_neg = { .name = "v", .dtype = NPZ_F64, .ndim = 1,
				  .shape = { N }, .data = vneg };
	const npz_array v_inf = { .name = "v", .dtype = NPZ_F64, .ndim = 1,
				  .shape = { N }, .data = vinf };
	const npz_array v_i64 = { .name = "v", .dtype = NPZ_I64, .ndim = 1,
				  .shape = { N }, .data = ibad };
	const npz_array m_f32 = { .name = "m", .dtype = NPZ_F32, .ndim = 2,
				  .shape = { ROWS, N }, .data = m32 };
	const npz_array b_inf = { .name = "best", .dtype = NPZ_F64,
				  .data = &inf };
	const npz_array it_neg = { .name = "iteration", .dtype = NPZ_I64,
				   .data = &itneg };
	const npz_array it_f64 = { .name = "iteration", .dtype = NPZ_F64,
				   .data = &one };

	refused(path, T_X, &x_i64, 0, "'x' has dtype '<i8', expected '<f4' "
		"or '<f8'");
	refused(path, T_X, &x_len, 0, "'x' has 4 elements, expected 3");
	refused(path, T_X, &x_nan, 0, "array 'x' has a bad value at 1");
	refused(path, T_X, NULL, 0, "missing array 'x'");
	refused(path, T_SIGMA, &s_zero, 0, "array 'sigma' must be > 0, got 0");
	refused(path, T_V, &v_neg, 0, "array 'v' has a bad value at 1");
	refused(path, T_V, &v_inf, 0, "array 'v' has a bad value at 2");
	refused(path, T_V, &v_i64, 0, "'v' must be float32 or float64");
	refused(path, T_M, &m_f32, 0, "array 'm' must be float64 with 6 "
		"elements");
	refused(path, T_BEST, &b_inf, 0, "array 'best' is inf");
	refused(path, T_IT, &it_neg, 0, "array 'iteration' out of range, "
		"got -1");
	refused(path, T_IT, &it_f64, 0, "array 'iteration' must be one int64");
	refused(path, T_IT, NULL, 0, "missing array 'iteration'");
	/* the optimizer's arrays and the check hook */
	refused(path, T_N_ARRAYS + 1, NULL, 0, "opt_v");
	{
		toy *a = toy_new(2);
		npz_array arr[ALGO_STATE_MAX];
		char nm[ALGO_STATE_MAX][64];

		assert_int_equal(au_state(&toy_desc, a, arr, ALGO_STATE_MAX,
					  nm), 9);
		refused(path, T_X, &arr[T_X], 1, "refused by the hook");
		toy_free(a);
	}
}

/* f32 files load into f64 arrays and f64 files into f32 arrays. */
static void test_converted(void **state)
{
	const char *path = ((tu_tmp *)*state)->path;
	toy *a = toy_new(2), *b = toy_new(5);
	npz_array arr[ALGO_STATE_MAX];
	char nm[ALGO_STATE_MAX][64];
	size_t n = au_state(&toy_desc, a, arr, ALGO_STATE_MAX, nm);
	static const float v32[N] = { 0.5f, 1.5f, 2.5f };
	static const double x64[N] = { 0.25, -1, 1e30 };
	ej_err err = { 0 };
	npz_file *f;

	arr[T_V].dtype = NPZ_F32;
	arr[T_V].data = v32;
	arr[T_X].dtype = NPZ_F64;
	arr[T_X].data = x64;
	assert_int_equal(npz_write(path, arr, n, &err), 0);
	assert_non_null(f = npz_read(path, &err));
	if (au_load(&toy_desc, b, f, &err) < 0)
		fail_msg("%s", err.msg);
	npz_free(f);
	for (size_t j = 0; j < N; j++) {
		assert_true(b->v[j] == v32[j]);
		assert_true(b->x[j] == (float)x64[j]);
	}
	toy_free(a);
	toy_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written),
		cmocka_unit_test_setup_teardown(test_round_trip, tu_tmp_setup,
						tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_refused, tu_tmp_setup,
						tu_tmp_teardown),
		cmocka_unit_test_setup_teardown(test_converted, tu_tmp_setup,
						tu_tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
