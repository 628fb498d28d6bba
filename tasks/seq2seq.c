/* seq2seq.c - the seq2seq addition task (EvoJAX Seq2seqTask, google/evojax
 * evojax/task/seq2seq.py): config schema and the host query generator.
 * Semantics, token ids and the dropped carry: tasks/seq2seq.h.
 *
 * Defaults and sources:
 *   digits 3       EvoJAX max_len_query_digit default
 *   batch_size 128 EvoJAX Seq2seqTask default and examples/train_seq2seq.py
 *   test_size 1000 queries of the fixed test set (EvoJAX tests on one
 *                  batch of batch_size drawn per test; a fixed, larger set
 *                  makes test accuracy comparable across iterations)
 * EvoJAX draws op1 in [0, 100) whatever the digit count; here it is
 * [0, 10^(d-1)), the same for the default d = 3.  Every member sees the same
 * batch in an iteration (EvoJAX: reset uses key[0]); a new batch each
 * iteration, a pure function of (seed, iteration) (philox, not JAX's PRNG,
 * so the numbers differ from EvoJAX's).
 */
#include "tasks/seq2seq.h"

#include "tasks/s2s.h"
#include "policies/policy.h"

#include <stddef.h>
#include <stdio.h>

#include "opencl/philox.h"

static const cfg_field seq2seq_task_fields[] = {
	{ .key = "digits", .type = CFG_INT,
	  .offset = offsetof(seq2seq_task_cfg, digits), .def = "3", .min = 1,
	  .max = SEQ2SEQ_MAX_DIGITS,
	  .help = "digits of the second operand and of the answer (first operand: one fewer)" },
	{ .key = "batch_size", .type = CFG_INT,
	  .offset = offsetof(seq2seq_task_cfg, batch_size), .def = "128",
	  .min = 1, .max = 1000000,
	  .help = "training queries per iteration, shared by all members" },
	{ .key = "test_size", .type = CFG_INT,
	  .offset = offsetof(seq2seq_task_cfg, test_size), .def = "1000",
	  .min = 1, .max = 1000000,
	  .help = "queries of the fixed test set (exact-sequence accuracy)" },
};

static void seq2seq_task_dims(const void *cfg, task_dims *out)
{
	const seq2seq_task_cfg *c = cfg;

	out->obs_dim = seq2seq_task_in_len(c->digits);
	out->act_dim = SEQ2SEQ_VOCAB;
	out->state_dim = 0;
	out->max_steps = 1;
}

static void seq2seq_task_defines(const void *cfg, char *buf, size_t size)
{
	const seq2seq_task_cfg *c = cfg;

	snprintf(buf, size, "#define S2S_DIGITS %d\n", c->digits);
}

/* 10^e for e in 0..8. */
static uint32_t seq2seq_task_pow10(int e)
{
	uint32_t p = 1;

	while (e-- > 0)
		p *= 10u;
	return p;
}

/* (w * n) >> 32: a uniform draw in [0, n). */
static uint32_t seq2seq_task_below(uint32_t w, uint32_t n)
{
	return (uint32_t)(((uint64_t)w * n) >> 32);
}

/* The low 'digits' decimal digits of v, most significant first. */
static void seq2seq_task_digits(uint32_t v, int digits, uint8_t *out)
{
	for (int i = digits - 1; i >= 0; i--) {
		out[i] = (uint8_t)(v % 10u);
		v /= 10u;
	}
}

void seq2seq_task_make(int digits, uint32_t seed, uint32_t purpose,
		       uint32_t iter, size_t n, uint8_t *in, uint8_t *labels,
		       uint32_t *op1, uint32_t *op2)
{
	size_t li = (size_t)seq2seq_task_in_len(digits);
	size_t lo = (size_t)seq2seq_task_steps(digits);
	uint32_t n1 = seq2seq_task_pow10(digits - 1);
	uint32_t n2 = seq2seq_task_pow10(digits);
	uint8_t buf[SEQ2SEQ_MAX_DIGITS];

	for (size_t b = 0; b < n; b++) {
		ph_out w = ph_draw(seed, purpose, iter, 0, 0, (uint32_t)b);
		uint32_t a = seq2seq_task_below(w.v[0], n1);
		uint32_t c = seq2seq_task_below(w.v[1], n2);
		uint8_t *x = in + b * li, *y = labels + b * lo;

		seq2seq_task_digits(a, digits, buf);
		for (int i = 1; i < digits; i++)
			*x++ = buf[i];
		*x++ = SEQ2SEQ_TOK_PLUS;
		seq2seq_task_digits(c, digits, x);
		x[digits] = SEQ2SEQ_TOK_EOS;
		seq2seq_task_digits((a + c) % n2, digits, y);
		y[digits] = SEQ2SEQ_TOK_EOS;
		y[digits + 1] = 0;
		if (op1)
			op1[b] = a;
		if (op2)
			op2[b] = c;
	}
}

const task_ops seq2seq_task_ops = {
	.name = "seq2seq",
	.summary = "seq2seq addition \"a+b\" -> digits of the sum (EvoJAX Seq2seqTask): fitness -cross entropy, test exact-sequence accuracy",
	.fields = seq2seq_task_fields,
	.n_fields = sizeof(seq2seq_task_fields) / sizeof(seq2seq_task_fields[0]),
	.cfg_size = sizeof(seq2seq_task_cfg),
	.cl_file = "tasks/seq2seq.cl",
	.dims = seq2seq_task_dims,
	.defines = seq2seq_task_defines,
	.eval = &s2s_eval_ops,
	.policy_caps = POLICY_CAP_SEQ2SEQ,
	.direct_dim = NULL,
	.n_bd = 0,
	.bd_bounds = NULL,
};
