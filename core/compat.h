/* compat.h - run EvoJAX's benchmark configs unchanged.
 *
 * google/evojax scripts/benchmarks/configs/<ES>/<task>.yaml look like
 *   es_name: "PGPE"            problem_type: "cartpole_easy"
 *   normalize: false           hidden_size: 64
 *   es_config: {pop_size: 64, center_learning_rate: 0.05, ..., optimizer: "adam"}
 *   num_tests: 100  n_repeats: 16  max_iter: 1000  test_interval: 100
 *   log_interval: 20  seed: 42  gpu_id: 0  debug: false
 * compat_translate rewrites such a document in place into the native
 * format (core/exp.h), moving nodes so that every later validation error
 * still points at the line of the original file.  gpu_id and debug are
 * dropped (pick devices with --device).
 *
 * Supported es_name: PGPE, OpenES, ARS, ARS_native, CMA, CMA_ES,
 * CMA_ES_JAX, Sep_CMA_ES, CRFMNES, SimpleGA; problem_type: cartpole_easy,
 * cartpole_hard, mnist (ConvNet policy, top-level batch_size -> task,
 * hidden_size unused as in EvoJAX; data_dir ./data/mnist as
 * configs/mnist.yaml, since Debian ships no MNIST digits: override it
 * with --set task.data_dir=...).  Translations that are not plain renames:
 *  - evosax optimizer_config lrate_decay d -> schedule {profile:
 *    exponential, gamma: max_iter ln d} on the learning rate; lrate_limit
 *    (a floor never reached at EvoJAX's settings) is dropped;
 *  - ARS elite_ratio r of N members -> top_k = round(r N / 2) directions;
 *  - SimpleGA truncation_divisor d -> elite_ratio 1/d;
 *  - the CMA-ES family accepts elite_ratio 0.5 only (mu = lambda/2);
 *  - PGPE without 'optimizer' uses sgd, as EvoJAX does.
 */
#ifndef EJ_COMPAT_H
#define EJ_COMPAT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cfg.h"
#include "core/err.h"

/* Does the document use the EvoJAX benchmark format (has 'es_name')? */
bool compat_is_evojax(cfg_doc *doc);

/* Translate in place.  Unsupported es_name / problem_type values are
 * EJ_EXIT_USAGE errors at their line:col naming what is supported.
 * 'note' (may be NULL) receives a one-line description of the source. */
int compat_translate(cfg_doc *doc, char *note, size_t note_size,
		     ej_err *err);

#endif
