/* function.cl - benchmark functions, device side of the "function" direct
 * task (definitions, identities and accuracy: tasks/function.c).
 *
 * Options (from function_defines):
 *   FN_KIND          0 sphere 1 ellipsoid 2 rosenbrock 3 rastrigin
 *                    4 ackley 5 griewank (enum function_kind)
 *   FN_SHIFT         float: the optimum, or the scale of the random one
 *   FN_SHIFT_RANDOM  0/1
 *   FN_SHIFT_SEED    uint
 *   FN_LOG_COND      float: log(cond) for the ellipsoid
 * Each sum is a Neumaier-compensated float sum: its error does not grow
 * with n (dim goes up to 10^7).
 */
#define FN_E 2.718281828459045f

typedef struct fn_acc { float s, c; } fn_acc; /* sum = s + c */

static inline void fn_add(fn_acc *a, float v)
{
	float t = a->s + v;

	a->c += fabs(a->s) >= fabs(v) ? (a->s - t) + v : (v - t) + a->s;
	a->s = t;
}

static inline float fn_sum(fn_acc a) { return a.s + a.c; }

/* The optimum's coordinate i, one Philox block per 4 coordinates. */
typedef struct fn_shift_st { uint blk; ph_out w; } fn_shift_st;

static inline float fn_shift(fn_shift_st *st, uint i)
{
#if FN_SHIFT_RANDOM
	float u, s;

	if ((i >> 2) != st->blk) {
		st->blk = i >> 2;
		st->w = ph_draw(FN_SHIFT_SEED, PH_PURPOSE_TASK, 0, 0, 0, i >> 2);
	}
	u = ph_uniform(st->w.v[i & 3]) * 2.0f - 1.0f; /* exact */
	s = FN_SHIFT * u;   /* one rounding, as function_shift() on the host */
	return s;
#else
	return FN_SHIFT;
#endif
}

float task_direct(const __global float *x, uint n, float *bd)
{
	fn_shift_st st;
	fn_acc a = { 0.0f, 0.0f }, b = { 0.0f, 0.0f };
	float dp = 0.0f, f;
	int neg = 0;

	(void)bd;
	st.blk = 0xffffffffu;
	for (uint i = 0; i < n; i++) {
		float s = fn_shift(&st, i);
		float d = x[i] - s;
#if FN_KIND == 0 /* sphere */
		fn_add(&a, d * d);
#elif FN_KIND == 1 /* ellipsoid */
		float w = n > 1 ? exp(FN_LOG_COND * ((float)i / (float)(n - 1)))
				: 1.0f;
		fn_add(&a, w * (d * d));
#elif FN_KIND == 2 /* rosenbrock, y = d + 1 */
		if (i > 0) {
			float r = d - dp * (2.0f + dp);

			fn_add(&a, 100.0f * (r * r) + dp * dp);
		}
		dp = d;
#elif FN_KIND == 3 /* rastrigin */
		float sp = sinpi(d);

		fn_add(&a, d * d + 20.0f * (sp * sp));
#elif FN_KIND == 4 /* ackley */
		float sp = sinpi(d);

		fn_add(&a, d * d);
		fn_add(&b, sp * sp);
#elif FN_KIND == 5 /* griewank: b accumulates log|cos t| */
		float t = d / sqrt((float)(i + 1)), ch;
		float sh = sincos(0.5f * t, &ch);

		fn_add(&a, d * d);
		if (fabs(ch) >= fabs(sh)) {
			fn_add(&b, log1p(-fmin(2.0f * (sh * sh), 1.0f)));
		} else {
			fn_add(&b, log1p(-fmin(2.0f * (ch * ch), 1.0f)));
			neg ^= 1;
		}
#else
#error "unknown FN_KIND"
#endif
	}
	(void)dp;
	(void)neg;
#if FN_KIND == 4
	f = -20.0f * expm1(-0.2f * sqrt(fn_sum(a) / (float)n)) -
	    FN_E * expm1(-2.0f * fn_sum(b) / (float)n);
#elif FN_KIND == 5
	f = fn_sum(a) / 4000.0f +
	    (neg ? 1.0f + exp(fn_sum(b)) : -expm1(fn_sum(b)));
#else
	f = fn_sum(a);
#endif
	return -f;
}
