/* test_seq2seq - the seq2seq addition task (tasks/seq2seq.c), the LSTM
 * encoder-decoder policy (policies/seq2seq.c) and its device evaluator
 * (tasks/s2s.c; device code tasks/s2s.cl, policies/seq2seq.cl,
 * tasks/seq2seq.cl):
 *   - generated queries decode back to op1 + op2 with the carry dropped,
 *     token positions, operand ranges, determinism;
 *   - parameter count 149,391 for H = 128 and the Flax layout offsets;
 *   - device fitness vs the host reference on random weights (pop 3, a
 *     query count not a multiple of VL, VL 16 / 4 / 1, a hidden size not a
 *     multiple of the unit block), correct counts on labels made from the
 *     reference's own predictions, bit-identical repeats;
 *   - hand-checkable models: all-zero weights give reward
 *     -(d+1)/(d+2) ln 15 and predictions 0; a crafted decoder that always
 *     answers "5 <eos>" scores exactly the share of test queries whose
 *     answer is 5 (d = 1);
 *   - config and usage errors.
 * Tolerance device vs host: 1e-5 absolute + 1e-5 relative on the reward
 * (float accumulation in the same order; exp/log may differ by ulps).
 * Measured on PoCL: |device - host| <= 1.1e-7 on rewards of about -2;
 * swapping two gates' input kernels moves the reward by 3e-3. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cfg.h"
#include "tasks/s2s.h"
#include "opencl/clrt.h"
#include "opencl/philox.h"
#include "policies/seq2seq.h"
#include "tasks/seq2seq.h"

#define TU_OPENCL
#include "tests/testutil.h"

#define SEED 5u

static uint32_t pow10u(int e)
{
	uint32_t p = 1;

	while (e-- > 0)
		p *= 10u;
	return p;
}

/* Decode n digit tokens (each < 10) into an integer. */
static uint32_t decode(const uint8_t *t, int n)
{
	uint32_t v = 0;

	for (int i = 0; i < n; i++) {
		assert_true(t[i] < 10);
		v = v * 10u + t[i];
	}
	return v;
}

/* ---- data generator ---------------------------------------------------- */

static void check_data(int d, size_t n)
{
	int li = seq2seq_task_in_len(d), lo = seq2seq_task_steps(d);
	uint8_t *in = malloc(n * (size_t)li), *lab = malloc(n * (size_t)lo);
	uint8_t *in2 = malloc(n * (size_t)li), *lab2 = malloc(n * (size_t)lo);
	uint32_t *a = malloc(n * sizeof(uint32_t)), *b = malloc(n * sizeof(uint32_t));
	uint32_t n1 = pow10u(d - 1), n2 = pow10u(d), max1 = 0, max2 = 0,
		 min2 = UINT32_MAX;
	size_t carries = 0, same = 0;

	assert_true(in && lab && in2 && lab2 && a && b);
	assert_int_equal(li, 2 * d + 1);
	assert_int_equal(lo, d + 2);
	seq2seq_task_make(d, SEED, PH_PURPOSE_DATA, 4, n, in, lab, a, b);
	for (size_t q = 0; q < n; q++) {
		const uint8_t *x = in + q * (size_t)li, *y = lab + q * (size_t)lo;

		assert_true(a[q] < n1);
		assert_true(b[q] < n2);
		/* input: last d-1 digits of op1, '+', d digits of op2, eos */
		assert_int_equal(decode(x, d - 1), a[q]);
		assert_int_equal(x[d - 1], SEQ2SEQ_TOK_PLUS);
		assert_int_equal(decode(x + d, d), b[q]);
		assert_int_equal(x[2 * d], SEQ2SEQ_TOK_EOS);
		/* labels: (op1 + op2) mod 10^d, eos, 0 */
		assert_int_equal(decode(y, d), (a[q] + b[q]) % n2);
		assert_int_equal(y[d], SEQ2SEQ_TOK_EOS);
		assert_int_equal(y[d + 1], 0);
		carries += a[q] + b[q] >= n2;
		max1 = a[q] > max1 ? a[q] : max1;
		max2 = b[q] > max2 ? b[q] : max2;
		min2 = b[q] < min2 ? b[q] : min2;
	}
	/* ranges are covered (n >> 10^d for small d) */
	if (n2 <= 1000) {
		assert_int_equal(max2, n2 - 1);
		assert_int_equal(min2, 0);
		assert_int_equal(max1, n1 - 1);
	}
	if (d >= 2)
		assert_true(carries > 0); /* the dropped carry is exercised */
	/* deterministic for (seed, purpose, iter); other iter/purpose differ */
	seq2seq_task_make(d, SEED, PH_PURPOSE_DATA, 4, n, in2, lab2, NULL, NULL);
	assert_memory_equal(in, in2, n * (size_t)li);
	assert_memory_equal(lab, lab2, n * (size_t)lo);
	seq2seq_task_make(d, SEED, PH_PURPOSE_DATA, 5, n, in2, lab2, NULL, NULL);
	for (size_t q = 0; q < n; q++)
		same += !memcmp(in + q * (size_t)li, in2 + q * (size_t)li, (size_t)li);
	assert_true(same < n / 4 + 2);
	seq2seq_task_make(d, SEED, PH_PURPOSE_TEST_RESET, 4, n, in2, lab2, NULL, NULL);
	assert_true(memcmp(in, in2, n * (size_t)li) != 0);
	free(in);
	free(lab);
	free(in2);
	free(lab2);
	free(a);
	free(b);
}

static void test_data(void **state)
{
	(void)state;
	check_data(1, 500);
	check_data(2, 2000);
	check_data(3, 20000);
	check_data(5, 2000);
	check_data(8, 2000);
}

/* d = 1: op1 is always 0, the input is '+', op2, eos.  d = 3: the query
 * "012+345" of the EvoJAX docs, found by the documented draw formula,
 * is encoded 1 2 + 3 4 5 <eos> with labels 3 5 7 <eos> 0; "99+999"-type
 * carries are dropped (checked in check_data). */
static void test_data_examples(void **state)
{
	static const uint8_t want_in[7] = { 1, 2, 10, 3, 4, 5, 14 };
	static const uint8_t want_lab[5] = { 3, 5, 7, 14, 0 };
	uint8_t in[3], lab[3], *x, *y;
	uint32_t a, b, q;

	(void)state;
	seq2seq_task_make(1, SEED, PH_PURPOSE_DATA, 0, 1, in, lab, &a, &b);
	assert_int_equal(a, 0);
	assert_int_equal(in[0], SEQ2SEQ_TOK_PLUS);
	assert_int_equal(in[1], b);
	assert_int_equal(in[2], SEQ2SEQ_TOK_EOS);
	assert_int_equal(lab[0], b);
	assert_int_equal(lab[1], SEQ2SEQ_TOK_EOS);
	assert_int_equal(lab[2], 0);
	for (q = 0; q < 50000000u; q++) {
		ph_out w = ph_draw(SEED, PH_PURPOSE_DATA, 0, 0, 0, q);

		if ((((uint64_t)w.v[0] * 100u) >> 32) == 12 &&
		    (((uint64_t)w.v[1] * 1000u) >> 32) == 345)
			break;
	}
	assert_true(q < 50000000u);
	x = malloc(((size_t)q + 1) * 7);
	y = malloc(((size_t)q + 1) * 5);
	assert_true(x && y);
	seq2seq_task_make(3, SEED, PH_PURPOSE_DATA, 0, (size_t)q + 1, x, y,
			  NULL, NULL);
	assert_memory_equal(x + (size_t)q * 7, want_in, 7);
	assert_memory_equal(y + (size_t)q * 5, want_lab, 5);
	free(x);
	free(y);
}

/* ---- layout ------------------------------------------------------------ */

static void test_param_count(void **state)
{
	seq2seq_policy_cfg c = { 128 };
	seq2seq_layout l;

	(void)state;
	assert_int_equal(seq2seq_policy_ops.param_count(&c, 7, 15), 149391);
	seq2seq_policy_layout(128, &l);
	assert_int_equal(l.P, 149391);
	assert_int_equal(l.dense_b, 0);
	assert_int_equal(l.dense_k, 15);
	assert_int_equal(l.dec, 15 + 128 * 15);          /* 1935 */
	assert_int_equal(l.cell.size, 4 * (128 + 128 * 128) + 4 * 15 * 128);
	assert_int_equal(l.enc, 1935 + 73728);
	/* sorted keys hf hg hi ho if ig ii io */
	assert_int_equal(l.cell.hb[SEQ2SEQ_GATE_F], 0);
	assert_int_equal(l.cell.hk[SEQ2SEQ_GATE_F], 128);
	assert_int_equal(l.cell.hb[SEQ2SEQ_GATE_G], 16512);
	assert_int_equal(l.cell.hb[SEQ2SEQ_GATE_I], 33024);
	assert_int_equal(l.cell.hb[SEQ2SEQ_GATE_O], 49536);
	assert_int_equal(l.cell.hk[SEQ2SEQ_GATE_O], 49664);
	assert_int_equal(l.cell.xk[SEQ2SEQ_GATE_F], 66048);
	assert_int_equal(l.cell.xk[SEQ2SEQ_GATE_G], 67968);
	assert_int_equal(l.cell.xk[SEQ2SEQ_GATE_I], 69888);
	assert_int_equal(l.cell.xk[SEQ2SEQ_GATE_O], 71808);
	/* H = 1: 2 * (60 + 8) + 30 */
	c.hidden = 1;
	assert_int_equal(seq2seq_policy_ops.param_count(&c, 0, 0), 166);
	c.hidden = 0;
	assert_int_equal(seq2seq_policy_ops.param_count(&c, 0, 0), 0);
	assert_int_equal(seq2seq_policy_ops.caps, POLICY_CAP_SEQ2SEQ);
	assert_int_equal(seq2seq_task_ops.policy_caps, POLICY_CAP_SEQ2SEQ);
	assert_ptr_equal(seq2seq_task_ops.eval, &s2s_eval_ops);
}

/* ---- device vs host ---------------------------------------------------- */

static s2s *open_s2s(clrt *rt, int d, int H, int lanes, int batch,
		     int test_size)
{
	seq2seq_task_cfg tc = { d, batch, test_size };
	seq2seq_policy_cfg pc = { H };
	ej_err err = { 0 };
	s2s *s = s2s_create(rt, &tc, &pc, lanes, SEED, &err);

	if (!s)
		fail_msg("%s", err.msg);
	return s;
}

static void check_device(clrt *rt, int d, int H, int lanes, size_t n)
{
	enum { POP = 3 };
	s2s *s = open_s2s(rt, d, H, lanes, (int)n, 10);
	int li = seq2seq_task_in_len(d), T = seq2seq_task_steps(d);
	size_t P = s2s_param_count(s), cnt[POP], want_c[POP];
	/* gates spread over roughly +-2: not saturated */
	float *w = tu_random_params(POP * P, 2.0f / sqrtf((float)H), 17);
	uint8_t *in = malloc(n * (size_t)li), *lab = malloc(n * (size_t)T);
	float fit[POP], fit2[POP], *lg = malloc((size_t)T * SEQ2SEQ_VOCAB * sizeof(float));
	uint8_t pred[SEQ2SEQ_MAX_DIGITS + 2];
	ej_err err = { 0 };

	assert_true(in && lab && lg);
	/* the output dense 5x larger: logits spread over several units, so
	 * the loss is sensitive to h */
	for (size_t m = 0; m < POP; m++)
		for (size_t i = 0; i < (size_t)SEQ2SEQ_VOCAB * (size_t)(H + 1); i++)
			w[m * P + i] *= 5.0f;
	assert_int_equal(s2s_lanes(s), lanes);
	seq2seq_task_make(d, SEED, PH_PURPOSE_DATA, 9, n, in, lab, NULL, NULL);
	/* Labels of every other query = member 1's own predictions: those
	 * count as correct for member 1 (and the argmax feedback must match). */
	for (size_t q = 0; q < n; q += 2) {
		assert_int_equal(seq2seq_policy_ref_forward(H, w + P, in + q * (size_t)li,
							    li, T, lg, pred), 0);
		memcpy(lab + q * (size_t)T, pred, (size_t)d + 1);
	}
	if (s2s_eval_queries(s, w, POP, in, lab, n, fit, cnt, &err) < 0)
		fail_msg("%s", err.msg);
	for (size_t m = 0; m < POP; m++) {
		double ref;

		assert_int_equal(s2s_ref_eval(H, d, w + m * P, in, lab, n, &ref,
					      &want_c[m]), 0);
		assert_true(ref < 0.0);
		if (fabs(fit[m] - ref) > 1e-5 + 1e-5 * fabs(ref))
			fail_msg("d %d H %d VL %d member %zu: device %.7f host %.7f",
				 d, H, lanes, m, fit[m], ref);
		assert_int_equal(cnt[m], want_c[m]);
	}
	assert_true(want_c[1] >= n / 2); /* the planted labels are right */
	assert_true(fabsf(fit[0] - fit[2]) > 1e-3f); /* members differ */
	/* same inputs: bit-identical */
	assert_int_equal(s2s_eval_queries(s, w, POP, in, lab, n, fit2, NULL, &err), 0);
	assert_memory_equal(fit, fit2, sizeof(fit));
	/* a smaller population after a larger one reuses the buffers */
	assert_int_equal(s2s_eval_queries(s, w + P, 1, in, lab, n, fit2, NULL, &err), 0);
	assert_memory_equal(&fit[1], fit2, sizeof(float));
	free(w);
	free(in);
	free(lab);
	free(lg);
	s2s_free(s);
}

static void test_device_vs_host(void **state)
{
	clrt *rt = tu_rt_open();

	(void)state;
	check_device(rt, 3, 128, 16, 37); /* the EvoJAX sizes, VL 16 */
	check_device(rt, 2, 22, 4, 37);   /* H % 4 = 2: the remainder loop */
	check_device(rt, 5, 22, 1, 11);   /* one query per work-item (GPUs) */
	clrt_free(rt);
}

/* train_eval draws the batch of (seed, iteration): the same as evaluating
 * seq2seq_task_make's queries, bit for bit; other iterations differ. */
static void test_train_batches(void **state)
{
	enum { POP = 4, BATCH = 40, D = 3, H = 128 }; /* one program with test_device_vs_host */
	clrt *rt = tu_rt_open();
	s2s *s = open_s2s(rt, D, H, 0, BATCH, 10);
	size_t P = s2s_param_count(s);
	float *w = tu_random_params(POP * P, 0.5f, 3);
	float f0[POP], f1[POP], g[POP];
	uint8_t in[BATCH * 7], lab[BATCH * 5];
	ej_err err = { 0 };

	(void)state;
	assert_int_equal(s2s_lanes(s), 16); /* auto on a CPU device */
	if (s2s_train_eval(s, w, POP, 7, f0, &err) < 0)
		fail_msg("%s", err.msg);
	seq2seq_task_make(D, SEED, PH_PURPOSE_DATA, 7, BATCH, in, lab, NULL, NULL);
	assert_int_equal(s2s_eval_queries(s, w, POP, in, lab, BATCH, g, NULL, &err), 0);
	assert_memory_equal(f0, g, sizeof(g));
	assert_int_equal(s2s_train_eval(s, w, POP, 8, f1, &err), 0);
	for (int m = 0; m < POP; m++)
		assert_true(f0[m] != f1[m]);
	assert_int_equal(s2s_train_eval(s, w, POP, 7, g, &err), 0);
	assert_memory_equal(f0, g, sizeof(g));
	free(w);
	s2s_free(s);
	clrt_free(rt);
}

/* All-zero weights: logits 0 everywhere, log_softmax = -ln 15 at each of
 * the d+1 counted steps, reward -(d+1)/(d+2) ln 15; argmax ties pick
 * token 0 at every step, so all-zero labels are answered exactly and the
 * real test set (eos at position d) never is. */
static void test_zero_weights(void **state)
{
	enum { D = 3, H = 128, N = 50 };
	clrt *rt = tu_rt_open();
	s2s *s = open_s2s(rt, D, H, 16, N, 30);
	size_t P = s2s_param_count(s), c;
	float *w = calloc(P, sizeof(float)), fit, lg[5 * SEQ2SEQ_VOCAB];
	uint8_t in[N * 7], lab[N * 5], pred[5];
	double want = -(double)(D + 1) / (D + 2) * log(15.0), ref, acc;
	ej_err err = { 0 };

	(void)state;
	assert_non_null(w);
	assert_int_equal(s2s_train_eval(s, w, 1, 0, &fit, &err), 0);
	assert_true(fabs(fit - want) < 1e-6);
	seq2seq_task_make(D, SEED, PH_PURPOSE_DATA, 0, N, in, lab, NULL, NULL);
	assert_int_equal(s2s_ref_eval(H, D, w, in, lab, N, &ref, &c), 0);
	assert_true(fabs(ref - want) < 1e-9);
	assert_int_equal(c, 0);
	assert_int_equal(seq2seq_policy_ref_forward(H, w, in, 7, 5, lg, pred), 0);
	for (int t = 0; t < 5; t++)
		assert_int_equal(pred[t], 0);
	memset(lab, 0, sizeof(lab));
	assert_int_equal(s2s_eval_queries(s, w, 1, in, lab, N, &fit, &c, &err), 0);
	assert_int_equal(c, N);
	assert_int_equal(s2s_test_accuracy(s, w, &acc, &err), 0);
	assert_true(acc == 0.0);
	free(w);
	s2s_free(s);
	clrt_free(rt);
}

/* A crafted decoder (d = 1, H = 2, encoder all zero) that always answers
 * "5 <eos>": input '=' drives unit 0 (g = tanh 10), which votes for '5'
 * through the dense kernel (10); input '5' drives unit 1, which votes for
 * eos (30).  Step 0: h0 = 0.5 tanh(0.5) = 0.23 -> logit 5 = 2.3; step 1:
 * h0 = 0.12, h1 = 0.23 -> logit eos 6.9 > logit 5 1.2.  With d = 1 the
 * answer is op2 (op1 = 0), so the test accuracy is exactly the share of
 * test queries with op2 == 5. */
static void test_crafted_accuracy(void **state)
{
	enum { D = 1, H = 2, NT = 203 };
	clrt *rt = tu_rt_open();
	s2s *s = open_s2s(rt, D, H, 16, 8, NT);
	seq2seq_layout l;
	float *w, lg[3 * SEQ2SEQ_VOCAB];
	uint8_t in[NT * 3], lab[NT * 3], pred[3];
	uint32_t op2[NT];
	size_t fives = 0;
	double acc;
	ej_err err = { 0 };

	(void)state;
	seq2seq_policy_layout(H, &l);
	assert_int_equal(s2s_param_count(s), l.P);
	w = calloc(l.P, sizeof(float));
	assert_non_null(w);
	w[l.dec + l.cell.xk[SEQ2SEQ_GATE_G] + SEQ2SEQ_TOK_EQ * H + 0] = 10.0f;
	w[l.dec + l.cell.xk[SEQ2SEQ_GATE_G] + 5 * H + 1] = 10.0f;
	w[l.dense_k + 0 * SEQ2SEQ_VOCAB + 5] = 10.0f;
	w[l.dense_k + 1 * SEQ2SEQ_VOCAB + SEQ2SEQ_TOK_EOS] = 30.0f;
	seq2seq_task_make(D, SEED, PH_PURPOSE_TEST_RESET, 0, NT, in, lab, NULL, op2);
	for (size_t q = 0; q < NT; q++)
		fives += op2[q] == 5;
	assert_true(fives > 5 && fives < 40);
	assert_int_equal(seq2seq_policy_ref_forward(H, w, in, 3, 3, lg, pred), 0);
	assert_int_equal(pred[0], 5);
	assert_int_equal(pred[1], SEQ2SEQ_TOK_EOS);
	assert_true(fabsf(lg[5] - 10.0f * 0.5f * tanhf(0.5f)) < 1e-3f);
	if (s2s_test_accuracy(s, w, &acc, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(acc == (double)fives / NT);
	free(w);
	s2s_free(s);
	clrt_free(rt);
}

/* ---- errors ------------------------------------------------------------ */

static int parse(const char *yaml, const char *sec, const cfg_field *f,
		 size_t n, void *out, ej_err *err)
{
	static const char *const skip[] = { "name", NULL };
	cfg_doc *d = cfg_load_string(yaml, "t.yaml", err);
	int rc;

	assert_non_null(d);
	rc = cfg_parse_section(cfg_get(cfg_root(d), sec), sec, f, n, out,
			       skip, err);
	cfg_free(d);
	return rc;
}

static void test_errors(void **state)
{
	seq2seq_task_cfg tc = { 0 };
	seq2seq_policy_cfg pc = { 0 };
	ej_err err = { 0 };
	clrt *rt;
	s2s *s;
	float w[4] = { 0 };

	(void)state;
	assert_int_equal(parse("task:\n  name: seq2seq\n", "task",
			       seq2seq_task_ops.fields, seq2seq_task_ops.n_fields,
			       &tc, &err), 0);
	assert_int_equal(tc.digits, 3);
	assert_int_equal(tc.batch_size, 128);
	assert_int_equal(tc.test_size, 1000);
	assert_int_equal(parse("task:\n  name: seq2seq\n  digits: 9\n", "task",
			       seq2seq_task_ops.fields, seq2seq_task_ops.n_fields,
			       &tc, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "t.yaml:3:11: 'digits' must be an integer in [1, 8], got '9'");
	assert_int_equal(parse("policy:\n  name: seq2seq\n", "policy",
			       seq2seq_policy_ops.fields, seq2seq_policy_ops.n_fields,
			       &pc, &err), 0);
	assert_int_equal(pc.hidden, 128);
	assert_int_equal(parse("policy:\n  hidden: 0\n", "policy",
			       seq2seq_policy_ops.fields, seq2seq_policy_ops.n_fields,
			       &pc, &err), -1);
	assert_string_equal(err.msg, "t.yaml:2:11: 'hidden' must be an integer in [1, 1024], got '0'");

	rt = tu_rt_open();
	tc.digits = 0;
	pc.hidden = 8;
	tc.batch_size = tc.test_size = 4;
	assert_null(s2s_create(rt, &tc, &pc, 0, 1, &err));
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "'digits' must be in [1, 8], got 0");
	tc.digits = 5;
	pc.hidden = 1025;
	assert_null(s2s_create(rt, &tc, &pc, 0, 1, &err));
	assert_string_equal(err.msg, "'hidden' must be in [1, 1024], got 1025");
	pc.hidden = 22;
	assert_null(s2s_create(rt, &tc, &pc, 3, 1, &err));
	assert_string_equal(err.msg, "lanes must be 0 (auto), 1, 2, 4, 8 or 16, got 3");
	s = s2s_create(rt, &tc, &pc, 1, 1, &err);
	assert_non_null(s);
	assert_int_equal(s2s_train_eval(s, w, 0, 0, w, &err), -1);
	assert_int_equal(err.code, EJ_EXIT_USAGE);
	assert_string_equal(err.msg, "nothing to evaluate: population 0");
	s2s_free(s);
	s2s_free(NULL);
	clrt_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_data_examples),
		cmocka_unit_test(test_param_count),
		cmocka_unit_test(test_device_vs_host),
		cmocka_unit_test(test_train_batches),
		cmocka_unit_test(test_zero_weights),
		cmocka_unit_test(test_crafted_accuracy),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
