/* s2s.h - the seq2seq addition task (tasks/seq2seq.h) with the LSTM
 * encoder-decoder policy (policies/seq2seq.h), evaluated for a whole
 * population on the device in one kernel launch (tasks/s2s.cl).
 *
 *   train fitness of member m at iteration t =
 *     (1 / (batch * (d+2))) * sum_b sum_{s < d+1} log_softmax(logits_bs)[label_bs]
 *   on the batch seq2seq_task_make(d, seed, PH_PURPOSE_DATA, t, batch)
 *   shared by every member; test = exact-sequence accuracy on test_size
 *   queries made once from (seed, PH_PURPOSE_TEST_RESET, iteration 0).
 *
 * Device work per call: the queries (time-major uchar tokens, a few KiB)
 * are uploaded per iteration, params (pop, P) once per call into a buffer
 * that grows as needed; one launch of s2s_eval over pop x ceil(n / VL)
 * work-items writes a log-likelihood and a correct flag per (member,
 * query); the host sums them in double in query order.  The same inputs
 * give bit-identical fitness.
 *
 * Lanes (queries per work-item): 0 = auto (16 on CPU devices, 1 on
 * others, as core/sim.c), or 1, 2, 4, 8, 16.
 *
 * Errors: EJ_EXIT_USAGE for bad arguments (digits outside 1..8, hidden
 * outside 1..1024, batch or test size 0, bad lanes, pop 0, a population
 * whose buffers exceed 2^32-1 elements), EJ_EXIT_DEVICE for OpenCL
 * failures, EJ_EXIT_RUN for host out of memory.
 */
#ifndef EJ_S2S_H
#define EJ_S2S_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/eval.h"
#include "opencl/clrt.h"
#include "policies/seq2seq.h"
#include "tasks/seq2seq.h"

typedef struct s2s s2s;

/* Borrow rt (must outlive the evaluator); the configs are copied. */
s2s *s2s_create(clrt *rt, const seq2seq_task_cfg *task,
		const seq2seq_policy_cfg *pol, int lanes, uint32_t seed,
		ej_err *err);
void s2s_free(s2s *s);

size_t s2s_param_count(const s2s *s);
int s2s_lanes(const s2s *s);
/* Seconds the last call spent in the kernel (launch to finish). */
double s2s_last_kernel_seconds(const s2s *s);

/* fitness[m] for m < pop, params (pop, P) on the host, on the batch of
 * iteration iter. */
int s2s_train_eval(s2s *s, const float *params, size_t pop, uint32_t iter,
		   float *fitness, ej_err *err);

/* The same on caller-given queries: in (n, 2d+1), labels (n, d+2) as
 * seq2seq_task_make writes them (every input ends with its only eos).
 * fitness (pop) as above with batch = n; correct (pop), may be NULL:
 * queries answered exactly per member. */
int s2s_eval_queries(s2s *s, const float *params, size_t pop,
		     const uint8_t *in, const uint8_t *labels, size_t n,
		     float *fitness, size_t *correct, ej_err *err);

/* *accuracy = fraction of the test queries answered exactly by the
 * parameter vector params (P). */
int s2s_test_accuracy(s2s *s, const float *params, double *accuracy,
		      ej_err *err);

/* Host reference of one member: policies' seq2seq_policy_ref_forward on
 * each query (T = d+2 steps), log_softmax and the sums in double.
 * *reward as the train fitness, *correct the exactly answered queries.
 * Returns -1 on a bad size or out of memory. */
int s2s_ref_eval(int hidden, int digits, const float *w, const uint8_t *in,
		 const uint8_t *labels, size_t n, double *reward,
		 size_t *correct);

/* The evaluator of the seq2seq task (core/eval.h): s2s_train_eval and
 * s2s_test_accuracy (one score). */
extern const eval_ops s2s_eval_ops;

#endif
