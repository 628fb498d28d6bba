/* seq2seq.h - the seq2seq addition task of EvoJAX (google/evojax
 * evojax/task/seq2seq.py, after the Flax seq2seq example): an encoder
 * reads "a+b", a decoder prompted with '=' writes the sum.
 *
 * Vocabulary (15 tokens): '0'..'9' = 0..9, '+' = 10, '=' = 11, ' ' = 12,
 * pad = 13, eos = 14.  With d = 'digits' (EvoJAX max_len_query_digit):
 *   op1 uniform in [0, 10^(d-1)), op2 uniform in [0, 10^d);
 *   encoder input (2d+1 tokens): the last d-1 digits of op1's d-digit
 *     zero-padded form (EvoJAX breakdown_int(op1)[1:]), '+', the d digits
 *     of op2, eos.  The query "012+345" of the EvoJAX docs is thus encoded
 *     as 1 2 + 3 4 5 <eos>.  (EvoJAX pads to d+4 tokens with token 0; for
 *     d = 3 that is no padding, for d < 3 the padding follows eos and the
 *     encoder ignores it, so the result is the same.)
 *   answer = (op1 + op2) mod 10^d as d digits: the carry digit of a sum
 *     >= 10^d is DROPPED, exactly as EvoJAX's breakdown_int does.
 *   labels (d+2 tokens, the decoder steps T): the d answer digits, eos,
 *     then token 0 (EvoJAX: "=" digits eos padded with 0 to d+3, then
 *     labels[:, 1:]).  The first d+1 positions count (length = d+1).
 * Train fitness (maximized) = -cross entropy =
 *     (1 / (batch * T)) * sum_b sum_{t < d+1} log_softmax(logits_bt)[label_bt]
 * (EvoJAX: -mean over batch and all T positions of the masked xe, so the
 * masked position counts in the denominator).  Test score = exact-sequence
 * accuracy: the fraction of queries with argmax(logits_bt) == label_bt for
 * every t < d+1.  Evaluation: tasks/s2s.h with the 'seq2seq' policy.
 */
#ifndef EJ_SEQ2SEQ_TASK_H
#define EJ_SEQ2SEQ_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "core/cfg.h"
#include "tasks/task.h"

#define SEQ2SEQ_VOCAB 15
#define SEQ2SEQ_TOK_PLUS 10
#define SEQ2SEQ_TOK_EQ 11
#define SEQ2SEQ_TOK_SPACE 12
#define SEQ2SEQ_TOK_PAD 13
#define SEQ2SEQ_TOK_EOS 14
#define SEQ2SEQ_MAX_DIGITS 8

typedef struct seq2seq_task_cfg {
	int digits;     /* d, 1..8 (EvoJAX max_len_query_digit, default 3) */
	int batch_size; /* training queries per iteration, shared by all members */
	int test_size;  /* queries of the fixed test set */
} seq2seq_task_cfg;

extern const task_ops seq2seq_task_ops;

/* Encoder input length 2d+1, decoder steps T = d+2, counted steps d+1. */
static inline int seq2seq_task_in_len(int digits) { return 2 * digits + 1; }
static inline int seq2seq_task_steps(int digits) { return digits + 2; }

/* Generate n queries of 'digits' digits (1..8): query b uses
 * w = ph_draw(seed, purpose, iter, 0, 0, b):
 *   op1 = (w.v[0] * 10^(d-1)) >> 32, op2 = (w.v[1] * 10^d) >> 32
 * (64-bit products: uniform up to a bias below 10^d / 2^32).  Writes
 * in (n, 2d+1) and labels (n, d+2) as token ids (layout above); op1/op2
 * (n each) may be NULL.  Training batches use PH_PURPOSE_DATA with the
 * iteration, the test set PH_PURPOSE_TEST_RESET with iteration 0. */
void seq2seq_task_make(int digits, uint32_t seed, uint32_t purpose,
		       uint32_t iter, size_t n, uint8_t *in, uint8_t *labels,
		       uint32_t *op1, uint32_t *op2);

#endif
