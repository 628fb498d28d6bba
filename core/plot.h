/* plot.h - `evojax plot`: learning curves of one or several run
 * directories, drawn with cairo as SVG or PNG (the same drawing code).
 *
 * Read from each run directory (core/trainer_dir.c, core/pbt.c):
 *   metrics.jsonl  "train" lines (iter, max, avg, min) and "test" lines
 *                  (iter, avg), through core/jsonl.h (its rules: a
 *                  malformed line is an error with file:line:col, a last
 *                  line without newline is skipped); lines tagged
 *                  "worker" (population-based training) make one series
 *                  per worker;
 *   pbt.jsonl      (when present) "exploit" events mark the receiving
 *                  worker ("to") and FIRE PBT's "success" events the
 *                  target, at their iteration: where a worker's weights
 *                  were replaced by another's;
 *   config.yaml    (when present) the task, policy and algorithm names
 *                  for the title.
 * A directory without metrics.jsonl, or whose metrics have no train or
 * test line, is an error (EJ_EXIT_USAGE).
 *
 * The picture: iteration on x, score on y; per series (one colour each,
 * PLOT_COLORS cycling, 0xRRGGBB): the train min-max band (fill, alpha
 * 0.15), the train max (1 px line), the train mean (2 px line: one path
 * per series with one point per train line, broken where a value is
 * null), the test scores (dots on a dashed line) and the exploit marks
 * (triangles); a legend with one swatch per series and a key of the line
 * styles; the title from the configs.
 */
#ifndef EJ_PLOT_H
#define EJ_PLOT_H

#include <stddef.h>

#include "core/err.h"

#define PLOT_N_COLORS 10
extern const unsigned plot_colors[PLOT_N_COLORS];

typedef struct plot_train {
	double iter, max, avg, min; /* NaN where the line had null */
} plot_train;

typedef struct plot_test {
	double iter, avg;
} plot_test;

typedef struct plot_series {
	char label[160];     /* the run directory's name [+ " w<worker>"] */
	int run;             /* index of its directory */
	int worker;          /* -1 outside population-based training */
	plot_train *train;   /* (n_train) by iteration */
	size_t n_train;
	plot_test *test;     /* (n_test) by iteration */
	size_t n_test;
	double *exploit;     /* (n_exploit) iterations */
	size_t n_exploit;
} plot_series;

typedef struct plot_data {
	plot_series *s;      /* (n) by run, then worker */
	size_t n;
	char title[256];
} plot_data;

/* Load the run directories (n >= 1) into d (released by plot_release,
 * also after an error). */
int plot_load(plot_data *d, const char *const *dirs, size_t n, ej_err *err);
void plot_release(plot_data *d);

/* Draw d on a w x h picture and write it to path atomically: SVG for a
 * name ending in ".svg", PNG for ".png" (else EJ_EXIT_USAGE). */
int plot_write(const plot_data *d, const char *path, int w, int h,
	       ej_err *err);

#endif
