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
