/* slimevolley.h - SlimeVolley (EvoJAX 0.2.17): host side and host
 * reference.  The game itself is tasks/slimevolley.cl, compiled as C for
 * the reference (see there for the rules and the state layout). */
#ifndef EJ_SLIMEVOLLEY_H
#define EJ_SLIMEVOLLEY_H

#include <stdbool.h>

#include "opencl/philox.h"
#include "tasks/task.h"

/* World state layout, as in tasks/slimevolley.cl (which defines the same
 * macros; tasks/slimevolley.c sees both, so a mismatch does not build). */
#define SV_BALL 0
#define SV_AGENT 6
#define SV_LIFE 14
#define SV_SEEN 16
#define SV_TEST 20
#define SV_STATE_DIM 21
#define SV_OPP_DIM 7

typedef struct slimevolley_cfg {
	int max_steps;
} slimevolley_cfg;

extern const task_ops slimevolley_ops;

/* Host reference: tasks/slimevolley.cl's game on one world (float).
 * s: SV_STATE_DIM floats; obs (2, 12) and act (2, 3): row 0 the right
 * player (the trained agent), row 1 the left (the baseline). */
void slimevolley_ref_init(float *s, float ball_vx, float ball_vy, bool test);
void slimevolley_ref_reset(float *s, unsigned seed, unsigned purpose,
			   unsigned iter, unsigned member, unsigned repeat);
void slimevolley_ref_obs(const float *s, float obs[24]);
/* ctr keys the new serve's draw (draw 0 of the step, ph_step_draw). */
void slimevolley_ref_step(float *s, const float act[6], float reward[2],
			  float *done, const ph_step_ctr *ctr);
/* The baseline policy: state h (SV_OPP_DIM), zero at reset; obs one
 * agent's row of slimevolley_ref_obs; act (3) buttons 1 or 0. */
void slimevolley_ref_opponent_reset(float *h);
void slimevolley_ref_opponent(float *h, const float obs[12], float act[3]);
/* Draw a world (s: SV_STATE_DIM floats) on w x h pixels of cr
 * (task_host_ops.draw; tasks/slimevolley_draw.c). */
void slimevolley_draw(const void *cfg, cairo_t *cr, const float *s, int w,
		      int h);

#endif
