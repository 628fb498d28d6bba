/* function.h - benchmark functions as a direct task ("function"): the
 * parameter vector is the point x, the fitness is -f(x) (maximized).
 *
 * Host references for algorithm tests and benchmarks:
 *
 *   function_cfg c;
 *   cfg_defaults(function_ops.fields, function_ops.n_fields, &c);
 *   snprintf(c.fn, sizeof(c.fn), "rastrigin");
 *   c.dim = 20;
 *   double f = function_ref(&c, x, 20);      // f >= 0, 0 at the optimum
 *
 * The definitions, the shift and the accuracy are documented atop
 * tasks/function.c.
 */
#ifndef EJ_FUNCTION_H
#define EJ_FUNCTION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cfg.h"
#include "tasks/task.h"

enum function_kind {
	FUNCTION_SPHERE,
	FUNCTION_ELLIPSOID,
	FUNCTION_ROSENBROCK,
	FUNCTION_RASTRIGIN,
	FUNCTION_ACKLEY,
	FUNCTION_GRIEWANK,
};

typedef struct function_cfg {
	char fn[CFG_STR_MAX]; /* sphere|ellipsoid|rosenbrock|rastrigin|ackley|griewank */
	int dim;              /* n, the parameter count */
	double shift;         /* optimum at x_i = shift (or shift * U(-1,1)_i) */
	bool shift_random;
	int shift_seed;       /* Philox seed of the random shift */
	double cond;          /* ellipsoid condition number */
} function_cfg;

extern const task_ops function_ops;

/* The function of c->fn (asserts that it names one). */
enum function_kind function_kind(const function_cfg *c);

/* Coordinate i of the optimum x*, as the float the device uses. */
float function_shift(const function_cfg *c, size_t i);

/* x[0..n) = x*: f(x*) = 0 exactly, on the host and on the device. */
void function_optimum(const function_cfg *c, float *x, size_t n);

/* f(x) >= 0 in double (not negated) for the n coordinates of x; the
 * fitness of x is -f(x). */
double function_ref(const function_cfg *c, const float *x, size_t n);

#endif
